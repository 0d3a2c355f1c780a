//! `hallq-bench city`: a city's halls on one PostgreSQL database and one broker, served by
//! several `hallq controller` processes at once.
//!
//! - [`files`]: the generated city (a city file and one file per hall);
//! - [`procs`]: the benchmark's own Mosquitto and the controllers;
//! - [`load`]: kiosks, clerks and the broker's subscriber, measured alike for the
//!   single-hall baseline (hall01 only) and the city (every hall);
//! - [`book`]: citizens booking in several halls at once under the city-wide daily limit;
//! - [`rules`]: the rules read from the database afterwards.
//!
//! The run fails (exit 1) only on a rule found broken; the throughput ratio of the city to
//! the single hall is a figure, judged against its budget in the last line.

mod book;
mod files;
mod load;
mod procs;
mod rules;

use crate::loads::ms;
use std::path::{Path, PathBuf};

/// The share of a controller's single-hall throughput the city may cost.
const BUDGET_PCT: f64 = 20.0;

/// What `city` is asked to do.
#[derive(clap::Args)]
pub(crate) struct Opts {
    /// Halls in the city (`hall01` …).
    #[arg(long, default_value_t = 20)]
    halls: usize,
    /// Windows per hall (a clerk token each).
    #[arg(long, default_value_t = 10)]
    windows: usize,
    /// `hallq controller` processes on the same city file and database.
    #[arg(long, default_value_t = 2)]
    replicas: usize,
    /// PostgreSQL URL of a server where a scratch database may be created (and is dropped
    /// at the end).
    #[arg(long)]
    postgres: String,
    /// Seconds of load in each of the two walk-in phases.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The `hallq` binary (default: the one next to this program).
    #[arg(long)]
    pub(crate) hallq: Option<PathBuf>,
    /// Kiosk clients in all, the same in both phases (spread over the halls in play).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Calls per second in all, the same in both phases (spread over the windows in play).
    #[arg(long, default_value_t = 20)]
    call_rate: u64,
    /// Citizens booking in the last phase.
    #[arg(long, default_value_t = 200)]
    people: usize,
    /// Bookings each citizen tries at the same instant, in as many halls.
    #[arg(long, default_value_t = 4)]
    attempts: usize,
}

pub(crate) async fn run(hallq: PathBuf, o: Opts) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.halls >= 1 && o.replicas >= 1,
        "--halls and --replicas must be at least 1"
    );
    let (admin, db) = crate::loads::create_pg(&o.postgres).await?;
    println!(
        "scratch database {} (dropped at the end)",
        db.rsplit('/').next().unwrap_or_default()
    );
    let r = run_on(&hallq, &o, &db).await;
    crate::loads::drop_pg(&admin, &db).await;
    let findings = r?;
    anyhow::ensure!(findings == 0, "{findings} rule finding(s)");
    Ok(())
}

/// The run on the scratch database `db`; the number of rule findings.
async fn run_on(hallq: &Path, o: &Opts, db: &str) -> anyhow::Result<i64> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data)?;
    let mqtt_port = crate::loads::free_port()?;
    let mut procs = procs::Procs::broker(dir.path(), mqtt_port).await?;
    let setup = files::Setup {
        halls: o.halls,
        windows: o.windows,
        mqtt_port,
        database_url: db,
        data_dir: &data,
    };
    let city = files::write(dir.path(), &setup)?;
    for _ in 0..o.replicas {
        procs.controller(hallq, &city.path, &data).await?;
    }
    let pids = procs.pids();
    println!(
        "a city of {} halls × {} windows on one PostgreSQL database and one Mosquitto, {} \
         `hallq controller` processes; {} kiosk clients and {} calls/s in each walk-in phase \
         ({} s)",
        o.halls, o.windows, o.replicas, o.clients, o.call_rate, o.seconds
    );
    let all = city.halls.as_slice();
    let wide = load::Load {
        halls: all,
        origins: &procs.origins,
        pids: &pids,
        mqtt_port,
        clients: o.clients.max(1),
        seconds: o.seconds as f64,
        call_rate: o.call_rate as f64,
        filter: "hallq/v1/+/calls",
    };
    // Warm-up over every hall (each hall's relay takes its lease, every connection pool
    // fills), not measured.
    let warm = load::Load {
        seconds: o.seconds.clamp(1, 3) as f64,
        ..wide
    };
    println!("warm-up: {:.0} tickets/s", load::run(&warm).await?.rate());
    let one = load::Load {
        halls: &all[..1],
        filter: "hallq/v1/hall01/calls",
        ..wide
    };
    let single = load::run(&one).await?;
    print_phase("a. single hall (hall01)", &single);
    let wide = load::run(&wide).await?;
    print_phase(&format!("b. city ({} halls)", o.halls), &wide);
    anyhow::ensure!(
        single.tickets() > 0 && wide.tickets() > 0,
        "no ticket was issued (run with RUST_LOG=info to see the controllers' log)"
    );
    let bookings = book::run(all, &procs.origins, o.people, o.attempts).await?;
    println!(
        "c. bookings: {} people × {} attempts at once in different halls ({} slots × {} seats a \
         hall, limit {} a day over the city): {} booked in {:.2} s = {:.0} bookings/s, p99 {}; \
         refusals {:?}; people by bookings got {:?}",
        bookings.people,
        o.attempts,
        bookings.slots,
        files::SLOT_CAPACITY,
        files::DAILY_LIMIT,
        bookings.booked,
        bookings.secs,
        bookings.rate(),
        ms(bookings.p99),
        bookings.refusals,
        bookings.got
    );
    drop(procs);
    let found = rules::check(
        db,
        i64::from(files::SLOT_CAPACITY),
        i64::from(files::DAILY_LIMIT),
        files::TIME_ZONE,
    )
    .await?;
    let unheard = (single.unheard + wide.unheard) as i64;
    table(o, &single, &wide, &bookings, &found, unheard);
    Ok(found.total() + unheard)
}

fn print_phase(name: &str, f: &load::Figures) {
    println!(
        "{name}: {} tickets in {:.1} s = {:.0} tickets/s (per controller {:?}), p99 {}, \
         errors {:?}; {} calls, call → MQTT p50 {} p99 {}, never heard {}, refused {:?}; \
         controllers' CPU {:?} s",
        f.tickets(),
        f.secs,
        f.rate(),
        f.per_controller,
        ms(f.ticket_p99),
        f.ticket_errors,
        f.calls,
        ms(f.call_p50),
        ms(f.call_p99),
        f.unheard,
        f.call_refusals,
        f.cpu
            .iter()
            .map(|c| (c * 10.0).round() / 10.0)
            .collect::<Vec<_>>()
    );
}

/// Tickets per CPU second of each controller, mean over the controllers.
fn per_cpu(f: &load::Figures) -> f64 {
    let v: Vec<f64> = f
        .per_controller
        .iter()
        .zip(&f.cpu)
        .filter(|(_, c)| **c > 0.0)
        .map(|(n, c)| *n as f64 / c)
        .collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn table(
    o: &Opts,
    single: &load::Figures,
    wide: &load::Figures,
    b: &book::Figures,
    found: &rules::Findings,
    unheard: i64,
) {
    let ratio = wide.per_controller_rate() / single.per_controller_rate().max(1e-9);
    let row = |name: &str, a: String, c: String| println!("| {name} | {a} | {c} |");
    println!(
        "\n| {} controllers, {} windows a hall | 1 hall (hall01) | {} halls |",
        o.replicas, o.windows, o.halls
    );
    println!("|---|---|---|");
    row(
        "tickets/s, all controllers",
        format!("{:.0}", single.rate()),
        format!("{:.0}", wide.rate()),
    );
    for r in 0..single.per_controller.len() {
        let at = |f: &load::Figures| f.per_controller[r] as f64 / f.secs.max(1e-9);
        row(
            &format!("tickets/s, controller {}", r + 1),
            format!("{:.0}", at(single)),
            format!("{:.0}", at(wide)),
        );
    }
    row(
        "tickets/s per controller (mean)",
        format!("{:.0}", single.per_controller_rate()),
        format!("{:.0} (ratio {ratio:.2})", wide.per_controller_rate()),
    );
    row(
        "tickets per CPU second of a controller",
        format!("{:.0}", per_cpu(single)),
        format!("{:.0}", per_cpu(wide)),
    );
    row("ticket p99", ms(single.ticket_p99), ms(wide.ticket_p99));
    let errors = |f: &load::Figures| {
        let n: usize = f.ticket_errors.values().sum();
        let mut v: Vec<_> = f.ticket_errors.iter().collect();
        v.sort();
        format!("{n} {v:?}")
    };
    row("ticket requests refused", errors(single), errors(wide));
    row(
        "call → MQTT p50 / p99",
        format!("{} / {}", ms(single.call_p50), ms(single.call_p99)),
        format!("{} / {}", ms(wide.call_p50), ms(wide.call_p99)),
    );
    println!(
        "\nbookings: {:.0} bookings/s ({} of {} attempts booked), refusals by code {:?}",
        b.rate(),
        b.booked,
        b.attempts,
        b.refusals
    );
    let ok = |n: i64| if n == 0 { "ok" } else { "FAIL" };
    println!(
        "checks (read from the database: {} tickets, {} bookings):",
        found.tickets, found.bookings
    );
    for (n, what) in [
        (
            found.numbers_twice,
            "numbers issued twice per (hall, service, day)",
        ),
        (found.slots_over, "slots over capacity"),
        (
            found.over_daily_limit,
            "people over the city-wide daily limit (bookings per booking day, all halls)",
        ),
        (
            found.over_active_limit,
            "people over the active appointments per day (all halls)",
        ),
        (unheard, "acknowledged calls never heard on the broker"),
    ] {
        println!("  {}: {n} {what}", ok(n));
    }
    let cost = (1.0 - ratio) * 100.0;
    let judged = if cost <= BUDGET_PCT { "PASS" } else { "OVER" };
    let shown = if cost < 0.0 {
        format!(
            "0 % of throughput per controller (the city ran {:.1} % faster)",
            -cost
        )
    } else {
        format!("{cost:.1} % of throughput per controller")
    };
    println!(
        "verdict: 1 → {} halls costs {shown} (budget {BUDGET_PCT:.0} %): {judged}",
        o.halls
    );
}
