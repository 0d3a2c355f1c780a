//! `hallq simulate`: the simulators at the command line.
//!
//! - [`SimulateArgs`]: every flag of both modes;
//! - `--mmc` ([`mmc`]): the plain M/M/c queue (`hallq_queue::mmc`), its `wq_mean` and
//!   `p_wait` beside the exact Erlang C figures and the relative errors, human or `--json`;
//! - the hall mode ([`hall`]): the hall of a config file simulated day by day with the
//!   production call order (`crate::simulate_hall`).

use crate::queue_cmd::{count, fig, rate, reference, servers, usage};
use hallq_queue::erlang::ErlangC;
use hallq_queue::mmc::{simulate, MmcRun};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// The most customers `--mmc` simulates (about a minute of this machine's time).
const MAX_CUSTOMERS: u64 = 1_000_000_000;

/// Customers `--mmc` simulates unless told (the check: within 2 % of Erlang C).
const DEFAULT_CUSTOMERS: u64 = 200_000;

/// `hallq simulate` arguments: the hall mode (`--config`) or the M/M/c check (`--mmc`).
#[derive(clap::Args)]
pub(crate) struct SimulateArgs {
    /// 大厅配置文件 / the hall's config file (the hall mode).
    #[arg(long, required_unless_present = "mmc")]
    pub(crate) config: Option<PathBuf>,
    /// 模拟天数 / days to simulate (the hall mode).
    #[arg(long, default_value_t = 1)]
    pub(crate) days: u32,
    /// 随机种子 / seed: the same seed gives the same result.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// 到达曲线文件 / an arrivals profile file (the hall mode; default: learned from the
    /// database's history).
    #[arg(long)]
    pub(crate) arrivals: Option<PathBuf>,
    /// A hall of a city file (the hall mode; default: its first hall).
    #[arg(long)]
    pub(crate) hall: Option<String>,
    /// 历史天数 / days of the database's history the demand is learned from when no
    /// `--arrivals` is given (the hall mode).
    #[arg(long, default_value_t = 28, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub(crate) from_history: u32,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
    /// 标准 M/M/c 模型 / the plain M/M/c queue, checked against Erlang C.
    #[arg(long, conflicts_with_all = ["config", "days", "arrivals", "hall", "from_history"])]
    pub(crate) mmc: bool,
    /// --mmc: 到达率 λ (arrivals per time unit).
    #[arg(long, value_name = "λ", allow_hyphen_values = true)]
    pub(crate) arrival_rate: Option<String>,
    /// --mmc: 服务率 μ (services per server and time unit).
    #[arg(long, value_name = "μ", allow_hyphen_values = true)]
    pub(crate) service_rate: Option<String>,
    /// --mmc: 窗口数 c (1–500).
    #[arg(long, value_name = "c", allow_hyphen_values = true)]
    pub(crate) servers: Option<String>,
    /// --mmc: customers to simulate (default 200000; the first tenth warm the queue up).
    #[arg(long, value_name = "N")]
    pub(crate) customers: Option<String>,
}

/// Runs `hallq simulate`.
pub(crate) fn run(args: &SimulateArgs) -> ExitCode {
    if args.mmc {
        return match mmc(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => usage("hallq simulate --mmc", &msg),
        };
    }
    let mmc_only = [
        ("--arrival-rate", args.arrival_rate.is_some()),
        ("--service-rate", args.service_rate.is_some()),
        ("--servers", args.servers.is_some()),
        ("--customers", args.customers.is_some()),
    ];
    if let Some((flag, _)) = mmc_only.iter().find(|(_, given)| *given) {
        let msg = format!("{flag} 仅用于 --mmc / {flag} is for --mmc");
        return usage("hallq simulate", &msg);
    }
    match hall(args) {
        Ok(code) => code,
        Err(e) => {
            // The config, the profile, the history or the days: the admin's to fix.
            eprintln!("hallq simulate: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The hall mode: the config's hall simulated for `--days` days.
fn hall(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let config = args
        .config
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--config is required without --mmc"))?;
    crate::simulate_hall::run(&crate::simulate_hall::HallRun {
        config,
        hall: args.hall.as_deref(),
        arrivals: args.arrivals.as_deref(),
        history_days: args.from_history,
        days: args.days,
        seed: args.seed,
        json: args.json,
    })
}

/// What `--mmc --json` prints: the run, the exact figures, and the relative errors.
#[derive(Serialize)]
struct MmcReport {
    /// Arrival rate λ.
    arrival_rate: f64,
    /// Service rate μ.
    service_rate: f64,
    /// Servers c.
    servers: u32,
    /// The run (customers, seed, wq_mean, p_wait, lq, utilisation).
    #[serde(flatten)]
    run: MmcRun,
    /// The exact figures of the same queue.
    erlang_c: ErlangC,
    /// wq_mean / Erlang C's wq − 1.
    wq_rel_error: f64,
    /// p_wait / Erlang C's p_wait − 1.
    p_wait_rel_error: f64,
}

fn mmc(args: &SimulateArgs) -> Result<(), String> {
    let need = |flag: &str, v: &Option<String>| -> Result<String, String> {
        v.clone()
            .ok_or_else(|| format!("--mmc 需要 {flag} / --mmc needs {flag}"))
    };
    let lambda = rate(
        "--arrival-rate",
        &need("--arrival-rate", &args.arrival_rate)?,
    )?;
    let mu = rate(
        "--service-rate",
        &need("--service-rate", &args.service_rate)?,
    )?;
    let c = servers(&need("--servers", &args.servers)?)?;
    let customers = match &args.customers {
        Some(n) => count("--customers", n, MAX_CUSTOMERS)?,
        None => DEFAULT_CUSTOMERS,
    };
    let exact = reference(lambda, mu, c, None)?;
    let run = simulate(lambda, mu, c, customers, args.seed);
    let report = MmcReport {
        arrival_rate: lambda,
        service_rate: mu,
        servers: c,
        wq_rel_error: run.wq_mean / exact.wq - 1.0,
        p_wait_rel_error: run.p_wait / exact.p_wait - 1.0,
        run,
        erlang_c: exact,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", human(&report));
    }
    Ok(())
}

/// The human output: the run, then each figure beside Erlang C's.
fn human(r: &MmcReport) -> String {
    let pct = |x: f64| format!("{:+.2} %", 100.0 * x);
    format!(
        "M/M/c 模拟 / simulated: λ={} μ={} c={}, {} customers (the first {} warm up), seed {}\n\
         平均等候 wq_mean: {} (Erlang C {}, 相对误差 relative error {})\n\
         等候概率 p_wait: {} (Erlang C {}, 相对误差 relative error {})\n\
         平均排队人数 lq: {} (Erlang C {})\n\
         利用率 utilisation: {} (Erlang C {})\n",
        r.arrival_rate,
        r.service_rate,
        r.servers,
        r.run.customers,
        r.run.customers / 10,
        r.run.seed,
        fig(r.run.wq_mean),
        fig(r.erlang_c.wq),
        pct(r.wq_rel_error),
        fig(r.run.p_wait),
        fig(r.erlang_c.p_wait),
        pct(r.p_wait_rel_error),
        fig(r.run.lq),
        fig(r.erlang_c.lq),
        fig(r.run.utilisation),
        fig(r.erlang_c.utilisation),
    )
}
