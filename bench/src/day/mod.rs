//! `hallq-bench day`: a hall's working day (08:30–17:30) compressed into `--minutes`, against
//! a `hallq run` process with its own Mosquitto, on SQLite or PostgreSQL.
//!
//! - [`hall`]: the processes, their restarts, and the readings taken from outside;
//! - [`actors`]: kiosks (arrivals by the hour's profile), clerks (lunch breaks), phones on
//!   status pages, TV screens, the broker's subscriber;
//! - [`citizens`]: online bookings and check-ins, and what each citizen finds afterwards;
//! - [`record`]: what the clients saw; [`verdict`]: the figures minute by minute, the growth
//!   checks and the rule checks; [`plot`]: the SVG graph.
//!
//! The broker is restarted (SIGTERM, 5 s down) at 40 % of the run and the controller killed
//! (SIGKILL) and started again at 60 %. The run fails when a figure grows without bound
//! within one process's life or a rule was broken.

mod actors;
mod citizens;
mod hall;
mod plot;
mod record;
mod verdict;

use anyhow::Context;
use record::Record;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The run's clock: the simulated day 08:30–17:30 mapped onto the run.
#[derive(Clone, Copy)]
pub(crate) struct Clock {
    pub(crate) started: Instant,
    pub(crate) end: Instant,
    run: Duration,
}

const DAY_START: f64 = 8.5;
const DAY_HOURS: f64 = 9.0;

impl Clock {
    pub(crate) fn new(run: Duration) -> Self {
        let started = Instant::now();
        Self {
            started,
            end: started + run,
            run,
        }
    }
    /// Seconds into the run at which the simulated day reaches `hour`.
    pub(crate) fn secs_at(&self, hour: f64) -> f64 {
        (hour - DAY_START) / DAY_HOURS * self.run.as_secs_f64()
    }
    pub(crate) fn hour_at(&self, secs: f64) -> f64 {
        DAY_START + DAY_HOURS * secs / self.run.as_secs_f64()
    }
    pub(crate) fn hour_now(&self) -> f64 {
        self.hour_at(self.started.elapsed().as_secs_f64())
    }
    pub(crate) fn left(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }
}

/// What `day` is asked to do.
#[derive(clap::Args)]
pub(crate) struct Opts {
    /// PostgreSQL URL of a server where a scratch database may be created; default SQLite.
    #[arg(long)]
    pub(crate) postgres: Option<String>,
    /// Length of the run in minutes (the day is compressed into it; at least 3).
    #[arg(long, default_value_t = 30)]
    minutes: u64,
    /// Walk-in tickets over the day.
    #[arg(long, default_value_t = 20_000)]
    tickets: usize,
    /// Citizens booking online (1–3 attempts each) and checking in.
    #[arg(long, default_value_t = 600)]
    people: usize,
    /// Phones holding a status page at any time.
    #[arg(long, default_value_t = 200)]
    phones: usize,
    /// TV screens connected.
    #[arg(long, default_value_t = 10)]
    screens: usize,
    /// Where the per-minute CSV and the SVG graph go.
    #[arg(long, default_value = "target/day")]
    out: PathBuf,
    /// Seed of the day's arrivals.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub(crate) async fn run(config: &Path, hallq: PathBuf, o: Opts) -> anyhow::Result<()> {
    let cfg = hallq_config::load_file(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let engine = if o.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let mut hall = hall::Hall::start(config, hallq, o.postgres.as_deref()).await?;
    let api = format!("{}/api/v1", hall.origin);
    let addr = hall.origin.trim_start_matches("http://").to_string();
    let clock = Clock::new(Duration::from_secs(o.minutes.max(3) * 60));
    let rec = Arc::new(Record::default());
    // Services in proportion to the windows that serve them, so no queue is left alone.
    let services: Vec<(String, usize)> = cfg
        .sections
        .iter()
        .flat_map(|s| &s.services)
        .map(|s| {
            let n = cfg
                .windows
                .iter()
                .filter(|w| w.services.contains(&s.id))
                .count();
            (s.id.clone(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let bookable: Arc<Vec<String>> = Arc::new(
        cfg.sections
            .iter()
            .flat_map(|s| &s.services)
            .filter(|s| s.booking.is_some())
            .map(|s| s.id.clone())
            .collect(),
    );
    // Windows serve a little faster than the day's mean arrival rate: queues build at the
    // peaks and drain in the lulls, as in a hall.
    let rate = (o.tickets + o.people) as f64 / clock.run.as_secs_f64();
    let serve = Duration::from_secs_f64(cfg.windows.len() as f64 / (1.15 * rate.max(0.01)));
    println!(
        "a day of {} tickets and {} booking citizens in {} minutes on {engine}: {} windows \
         (mean service {:.1} s), {} phones, {} screens",
        o.tickets,
        o.people,
        o.minutes,
        cfg.windows.len(),
        serve.as_secs_f64(),
        o.phones,
        o.screens
    );
    let mut tasks = Vec::new();
    let plan = actors::arrivals(&clock, &services, o.tickets, o.seed);
    tasks.push(tokio::spawn(actors::kiosks(
        api.clone(),
        rec.clone(),
        clock,
        plan,
    )));
    for (i, w) in cfg.windows.iter().enumerate() {
        let args = (
            api.clone(),
            rec.clone(),
            w.id.clone(),
            i % 2 == 1,
            o.seed + i as u64,
        );
        tasks.push(tokio::spawn(actors::clerk(
            args.0, args.1, clock, args.2, serve, args.3, args.4,
        )));
    }
    for i in 0..o.phones {
        tasks.push(tokio::spawn(actors::phone(
            addr.clone(),
            rec.clone(),
            clock,
            o.seed + 1000 + i as u64,
        )));
    }
    for i in 0..o.screens {
        let id = cfg.screens[i % cfg.screens.len().max(1)].id.clone();
        tasks.push(tokio::spawn(actors::screen(
            addr.clone(),
            id,
            rec.clone(),
            clock,
        )));
    }
    for p in 0..o.people {
        let at = clock.run.as_secs_f64() * 0.75 * p as f64 / o.people.max(1) as f64;
        let (api, rec, svc) = (api.clone(), rec.clone(), bookable.clone());
        tasks.push(tokio::spawn(citizens::citizen(api, rec, clock, p, at, svc)));
    }
    let heard = tokio::spawn(actors::subscriber(
        hall.mqtt_port(),
        cfg.hall.id.clone(),
        rec.clone(),
        clock.end + Duration::from_secs(60),
    ));

    // Readings every 10 s; the broker restarted at 40 %, the controller killed at 60 %.
    let client = reqwest::Client::new();
    let mut samples = Vec::new();
    let mut restarts: Vec<(f64, &str)> = Vec::new();
    let (broker_at, controller_at) = (clock.run.mul_f64(0.4), clock.run.mul_f64(0.6));
    let mut next = clock.started;
    while Instant::now() < clock.end {
        next += Duration::from_secs(10);
        tokio::time::sleep_until(next.into()).await;
        let now = clock.started.elapsed();
        if restarts.is_empty() && now >= broker_at {
            restarts.push((now.as_secs_f64(), "broker"));
            hall.stop_broker();
            tokio::time::sleep(Duration::from_secs(5)).await;
            hall.start_broker().await?;
        } else if restarts.len() == 1 && now >= controller_at {
            restarts.push((now.as_secs_f64(), "controller"));
            hall.kill_controller();
            tokio::time::sleep(Duration::from_secs(2)).await;
            hall.start_controller().await?;
        }
        let s = hall.sample(&client).await;
        println!(
            "  {:>5.0} s ({:05.2} h): RSS {:.1} MB, {} fds, db {:.1} MB, WAL {:.1} MB, outbox {:?}, tickets {}",
            now.as_secs_f64(),
            clock.hour_at(now.as_secs_f64()),
            s.rss_mb,
            s.fds,
            s.db_mb,
            s.wal_mb,
            s.outbox,
            rec.tickets.lock().map_or(0, |t| t.len()),
        );
        samples.push((clock.started.elapsed().as_secs_f64(), s));
    }
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(90), t).await;
    }
    // The outbox drains and the subscriber hears the last calls.
    let mut drained = None;
    for _ in 0..60 {
        let s = hall.sample(&client).await;
        if s.outbox == Some(0) {
            drained = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    heard.abort();

    let result = judge(
        &o,
        &cfg,
        &api,
        &rec,
        clock,
        &samples,
        &restarts,
        drained.is_some(),
    )
    .await;
    hall.stop().await;
    result
}

/// The figures, the files, and the verdict.
#[allow(clippy::too_many_arguments)]
async fn judge(
    o: &Opts,
    cfg: &hallq_config::Settings,
    api: &str,
    rec: &Record,
    clock: Clock,
    samples: &[(f64, hall::Sample)],
    restarts: &[(f64, &str)],
    drained: bool,
) -> anyhow::Result<()> {
    let engine = if o.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let answers = rec.answers();
    let at: Vec<f64> = restarts.iter().map(|r| r.0).collect();
    let count = (clock.run.as_secs() / 60) as usize;
    let minutes = verdict::minutes(samples, &answers, &at, |s| clock.hour_at(s), count);
    let controller_min: Vec<usize> = restarts
        .iter()
        .filter(|r| r.1 == "controller")
        .map(|r| (r.0 / 60.0) as usize)
        .collect();
    let mut problems = verdict::growth(&verdict::lives(&minutes, &controller_min, 2));

    // The rules, as users would check them.
    let tickets = Record::snapshot(&rec.tickets);
    let twice = verdict::numbers_twice(tickets.iter().map(|t| (t.day.as_str(), t.number.as_str())));
    let lost = lost_tickets(api, &tickets).await;
    let calls = Record::snapshot(&rec.calls);
    let (unheard, disordered) = verdict::calls_heard(&calls, &Record::snapshot(&rec.heard));
    let found = citizens::check(api, rec, cfg.appointments.daily_limit as usize).await?;
    let given_up = Record::get(&rec.gave_up) as usize;
    for (n, what) in [
        (twice, "ticket numbers issued twice"),
        (lost, "acknowledged tickets the hall no longer knows"),
        (unheard, "acknowledged calls never published"),
        (
            disordered,
            "windows whose calls were published out of order",
        ),
        (
            found.missing,
            "acknowledged bookings not listed to their holder",
        ),
        (found.over_limit, "people holding more than the daily limit"),
        (
            found.over_capacity,
            "slots holding more bookings than seats",
        ),
        (
            usize::from(!drained),
            "outbox not empty a minute after the day",
        ),
        (
            given_up,
            "requests never answered within a minute (through the restarts)",
        ),
    ] {
        if n > 0 {
            problems.push(format!("{n} {what}"));
        }
    }

    std::fs::create_dir_all(&o.out)?;
    let csv = o.out.join(format!("day-{engine}.csv"));
    write_csv(&csv, &minutes)?;
    let svg = o.out.join(format!("day-{engine}.svg"));
    let title = format!(
        "hallq-bench day on {engine}: {} tickets, {} calls in {} min (red: broker restart, controller kill -9)",
        tickets.len(),
        calls.len(),
        count
    );
    let marks: Vec<f64> = at.iter().map(|s| s / 60.0).collect();
    plot::svg(&svg, &title, &minutes, &marks)?;

    let lat = |k: record::Kind| {
        let mut v: Vec<Duration> = answers
            .iter()
            .filter(|a| a.kind == k && a.status != 0 && a.status < 500)
            .map(|a| a.took)
            .collect();
        v.sort();
        format!(
            "p50 {} p99 {}",
            crate::loads::ms(crate::loads::pct(&v, 0.5)),
            crate::loads::ms(crate::loads::pct(&v, 0.99))
        )
    };
    let rss: Vec<f64> = minutes.iter().map(|m| m.sample.rss_mb).collect();
    let last = minutes.last().map(|m| m.sample.clone()).unwrap_or_default();
    println!("\nday on {engine}: {} tickets ({} by check-in), {} calls, {} bookings ({} refused at the daily limit), {} status frames, {} screen frames, {} sockets opened",
        tickets.len(), Record::get(&rec.checkins), calls.len(), rec.bookings.lock().map_or(0, |b| b.len()),
        Record::get(&rec.limit_refused), Record::get(&rec.status_frames), Record::get(&rec.screen_frames), Record::get(&rec.socket_opens));
    println!("  tickets {}; calls {}; attempts failed or answered 5xx {} (the restarts; each tried again), never answered {given_up}",
        lat(record::Kind::Ticket), lat(record::Kind::Call), answers.iter().filter(|a| a.status == 0 || a.status >= 500).count());
    println!("  RSS min {:.0} / max {:.0} / end {:.0} MB; fds end {}; database {:.1} MB, WAL {:.1} MB at the end; outbox max {}",
        rss.iter().copied().fold(f64::MAX, f64::min), rss.iter().copied().fold(0.0, f64::max), last.rss_mb, last.fds, last.db_mb, last.wal_mb,
        minutes.iter().map(|m| m.outbox_max).max().unwrap_or(0));
    println!("  {}", estimates(api).await);
    println!("  per minute: {}; graph: {}", csv.display(), svg.display());
    if problems.is_empty() {
        println!("verdict: nothing grows without bound, every rule kept");
        Ok(())
    } else {
        for p in &problems {
            println!("FAIL: {p}");
        }
        anyhow::bail!("{} problem(s) in the day", problems.len())
    }
}

/// Acknowledged tickets the hall answers 404 for (or cannot answer) afterwards.
async fn lost_tickets(api: &str, tickets: &[record::Ticket]) -> usize {
    let client = reqwest::Client::new();
    let mut lost = 0;
    for chunk in tickets.chunks(64) {
        let asks: Vec<_> = chunk
            .iter()
            .map(|t| {
                let (client, url) = (client.clone(), format!("{api}/tickets/{}", t.token));
                tokio::spawn(
                    async move { client.get(url).send().await.map(|r| r.status().as_u16()) },
                )
            })
            .collect();
        for a in asks {
            if !matches!(a.await, Ok(Ok(200))) {
                lost += 1;
            }
        }
    }
    lost
}

/// The day's recorded estimates against the actual waits (`GET /admin/estimates`): the
/// estimator and the former one, on the tickets both answered for.
async fn estimates(api: &str) -> String {
    let got = async {
        let v: serde_json::Value = reqwest::Client::new()
            .get(format!("{api}/admin/estimates"))
            .bearer_auth("demo-admin")
            .send()
            .await?
            .json()
            .await?;
        anyhow::Ok(v["overall"].clone())
    };
    match got.await {
        Ok(o) => format!(
            "wait estimates recorded at issue: {} tickets, mean absolute error {:.0} s vs the former estimator's {:.0} s; within ±20 % or ±3 min {:.0} % vs {:.0} %",
            o["count"],
            o["mae_s"].as_f64().unwrap_or(f64::NAN),
            o["mae_s_baseline"].as_f64().unwrap_or(f64::NAN),
            o["within_share"].as_f64().unwrap_or(f64::NAN) * 100.0,
            o["within_share_baseline"].as_f64().unwrap_or(f64::NAN) * 100.0
        ),
        Err(e) => format!("wait estimates: not read ({e})"),
    }
}

fn write_csv(path: &Path, minutes: &[verdict::Minute]) -> anyhow::Result<()> {
    let mut s = String::from(
        "minute,hour,rss_mb,fds,db_mb,wal_mb,outbox_max,tickets,calls,ticket_p99_ms,call_p99_ms,failed,disturbed\n",
    );
    for m in minutes {
        s.push_str(&format!(
            "{},{:.2},{:.1},{},{:.2},{:.2},{},{},{},{:.1},{:.1},{},{}\n",
            m.minute,
            m.hour,
            m.sample.rss_mb,
            m.sample.fds,
            m.sample.db_mb,
            m.sample.wal_mb,
            m.outbox_max,
            m.tickets,
            m.calls,
            m.ticket_p99_ms,
            m.call_p99_ms,
            m.failed,
            m.disturbed
        ));
    }
    std::fs::write(path, s).context("write the per-minute figures")
}
