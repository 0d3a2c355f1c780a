//! `hallq-bench`: load benchmarks of hallq on this machine, kept out of the product binary.
//!
//! - [`loads`]: the in-process target (a controller on loopback, SQLite or a scratch
//!   PostgreSQL database) and the `tickets` and `calls` loads;
//! - [`pgbench`]: PostgreSQL's own rate for the same writes, beside `tickets --postgres`;
//! - [`bookings`]: the flash crowd of bookings (burst, then paced);
//! - [`fanout`]: MQTT call → every TV socket of a separate `hallq display` process;
//! - [`watchers`]: a clerk's call → every phone watching its status page, on a separate
//!   `hallq run` process;
//! - [`floor`]: what the machine allows at all — a bare process writing the same frames to
//!   the same number of sockets — measured in the same run as `fanout` and `watchers`;
//! - [`city`]: a city's halls on one PostgreSQL database served by several controller
//!   processes: one hall against all halls, bookings under the city-wide limit, the rules
//!   read from the database;
//! - [`day`]: a working day compressed into 30 minutes against a `hallq run` process with
//!   its own Mosquitto (restarts of both), with the growth and rule verdict and a graph;
//! - [`queue`]: the queue simulators' speed (a 200,000-customer M/M/c run);
//! - [`clients`], [`receipts`]: the load generator's sockets and arrival times.
//!
//! Figures and what each benchmark measures: docs/benchmarks.md.

mod bookings;
mod city;
mod clients;
mod day;
mod fanout;
mod floor;
mod loads;
mod pgbench;
mod queue;
mod receipts;
mod watchers;

/// The same allocator as the `hallq` binary (the in-process target's figures depend on it).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "hallq-bench",
    version,
    about = "hallq 负载基准 / load benchmarks of hallq on this machine",
    long_about = "Load benchmarks of hallq. Build with `cargo build --release` and run \
                  target/release/hallq-bench MODE; `fanout` and `watchers` start the `hallq` \
                  binary found next to this one (or --hallq PATH). Figures: docs/benchmarks.md."
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

/// Where the in-process target starts from.
#[derive(Args)]
struct TargetArgs {
    /// Config to start from (services get 6-digit numbers and no cap for the run).
    #[arg(long, default_value = "config/examples/demo-hall.toml")]
    config: PathBuf,
    /// PostgreSQL URL of a server where a scratch database may be created; default SQLite.
    #[arg(long)]
    postgres: Option<String>,
    /// SQLite: `full` (the default: power-cut safe) or `normal` (survives a killed process).
    #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
    sqlite_synchronous: String,
}

impl TargetArgs {
    fn sync(&self) -> hallq_config::SqliteSynchronous {
        if self.sqlite_synchronous == "normal" {
            hallq_config::SqliteSynchronous::Normal
        } else {
            hallq_config::SqliteSynchronous::Full
        }
    }
}

/// Where a benchmark that runs hallq as its own process finds it.
#[derive(Args)]
struct ProcessArgs {
    /// Config to start from.
    #[arg(long, default_value = "config/examples/demo-hall.toml")]
    config: PathBuf,
    /// The `hallq` binary (default: the one next to this program).
    #[arg(long)]
    hallq: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Mode {
    /// Ticket issuance throughput: kiosks issuing as fast as they can.
    Tickets {
        #[command(flatten)]
        target: TargetArgs,
        /// Concurrent kiosk clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// A clerk's call-next → its MQTT event, against the raw broker hop at the same rate.
    Calls {
        #[command(flatten)]
        target: TargetArgs,
        /// Calls per second.
        #[arg(long, default_value_t = 100)]
        rate: u64,
        /// Calls (and raw publishes) measured.
        #[arg(long, default_value_t = 2000)]
        count: usize,
    },
    /// A flash crowd of bookings: all at once, then paced at `--arrivals` per second.
    Bookings {
        #[command(flatten)]
        target: TargetArgs,
        /// People, each booking twice.
        #[arg(long, default_value_t = 1000)]
        clients: usize,
        /// Arrival rate of the paced phase (bookings per second).
        #[arg(long, default_value_t = 3000)]
        arrivals: u64,
    },
    /// An MQTT call → every TV screen socket of a separate `hallq display`, with the floor.
    Fanout {
        #[command(flatten)]
        process: ProcessArgs,
        /// Socket counts, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
        sockets: Vec<usize>,
    },
    /// A clerk's call → every phone watching its status page (separate `hallq run`), with the
    /// floor.
    Watchers {
        #[command(flatten)]
        process: ProcessArgs,
        /// Status-page watchers (tickets of one service, one socket each).
        #[arg(long, default_value_t = 10_000)]
        watchers: usize,
    },
    /// A working day (08:30–17:30) compressed into `--minutes`: arrivals by the hour, clerks,
    /// bookings and check-ins, phones and screens, a broker restart and a controller kill;
    /// per-minute RSS, fds, database/WAL size, outbox and p99; fails on growth or a broken rule.
    Day {
        #[command(flatten)]
        process: ProcessArgs,
        #[command(flatten)]
        day: day::Opts,
    },
    /// A city's halls on one PostgreSQL database, served by `--replicas` `hallq controller`
    /// processes: throughput and call → MQTT of one hall against all halls, bookings in
    /// several halls at once under the city-wide limit, and the rules read from the database.
    City {
        #[command(flatten)]
        city: city::Opts,
    },
    /// The queue simulators' speed: a 200,000-customer M/M/c run (median of 5) against 1 s.
    Queue,
    /// The floor's bare writer; `fanout` and `watchers` start it themselves (its stdout is a
    /// line protocol with them).
    FloorServer {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
}

fn main() {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Mode::FloorServer { listen } = &cli.mode {
        // Blocking std threads; the runtime only sets up its listening socket.
        let _runtime = rt.enter();
        exit(floor::serve(listen));
    }
    exit(rt.block_on(run(cli.mode)));
}

fn exit(r: anyhow::Result<()>) -> ! {
    match r {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("hallq-bench: {e:#}");
            std::process::exit(1)
        }
    }
}

/// The `hallq` binary next to this program, unless given.
fn hallq_exe(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    let me = std::env::current_exe()?;
    let p = me.with_file_name(format!("hallq{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        p.exists(),
        "no hallq binary next to {} (build it with `cargo build --release`, or pass --hallq)",
        me.display()
    );
    Ok(p)
}

async fn run(mode: Mode) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (name, target) = match &mode {
        Mode::Tickets { target, .. } => ("tickets", Some(target)),
        Mode::Calls { target, .. } => ("calls", Some(target)),
        Mode::Bookings { target, .. } => ("bookings", Some(target)),
        Mode::Fanout { .. } => ("fanout", None),
        Mode::Watchers { .. } => ("watchers", None),
        Mode::Day { .. } => ("day", None),
        Mode::City { .. } => ("city", None),
        Mode::Queue => ("queue", None),
        Mode::FloorServer { .. } => ("floor-server", None),
    };
    let db = match target {
        Some(t) if t.postgres.is_some() => "PostgreSQL".to_string(),
        Some(t) => format!("SQLite (WAL, synchronous={})", t.sync().pragma()),
        None => match &mode {
            Mode::Day { day, .. } if day.postgres.is_some() => "PostgreSQL".to_string(),
            Mode::City { .. } => "PostgreSQL".to_string(),
            Mode::Queue => "no database".to_string(),
            _ => "SQLite (the config's synchronous mode)".to_string(),
        },
    };
    println!("hallq-bench {name} — {cores} cores, {db}");
    match mode {
        Mode::Fanout { process, sockets } => {
            fanout::run(&process.config, &sockets, &hallq_exe(process.hallq)?).await
        }
        Mode::Watchers { process, watchers } => {
            watchers::run(&process.config, watchers, &hallq_exe(process.hallq)?).await
        }
        Mode::Day { process, day } => {
            day::run(&process.config, hallq_exe(process.hallq)?, day).await
        }
        Mode::City { mut city } => city::run(hallq_exe(city.hallq.take())?, city).await,
        Mode::Tickets {
            target,
            clients,
            seconds,
        } => {
            let t = loads::start(&target.config, target.postgres.as_deref(), target.sync()).await?;
            let r = loads::tickets(&t, clients, seconds).await;
            t.stop().await;
            r
        }
        Mode::Calls {
            target,
            rate,
            count,
        } => {
            let t = loads::start(&target.config, target.postgres.as_deref(), target.sync()).await?;
            let r = loads::calls(&t, &target.config, rate, count).await;
            t.stop().await;
            r
        }
        Mode::Bookings {
            target,
            clients,
            arrivals,
        } => {
            let t = loads::start(&target.config, target.postgres.as_deref(), target.sync()).await?;
            let run = bookings::run(clients, arrivals, &t.base, "property");
            let r = tokio::time::timeout(bookings::TIMEOUT, run)
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("bookings benchmark timed out")));
            t.stop().await;
            r
        }
        Mode::Queue => queue::run(),
        Mode::FloorServer { .. } => unreachable!("served before the runtime starts"),
    }
}
