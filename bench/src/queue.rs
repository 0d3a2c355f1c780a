//! `hallq-bench queue`: the speed of the queue simulators, so an admin's what-if answers
//! while they wait (issue "Queue science").
//!
//! - [`run`]: every measurement, one line each with its PASS/FAIL against its budget; an
//!   error when any fails;
//! - [`mmc_200k`]: a 200,000-customer M/M/c run (`hallq_queue::mmc::simulate`, ten servers
//!   at ρ = 0.9), median of 5, against 1 s;
//! - [`hall_30_days`]: 30 simulated days of the demo hall under its profile
//!   (`hallq_queue::sim::run`, both estimators at every issue), median of 5, against 10 s;
//! - [`Measurement`], [`time_runs`]: what a measurement reports and how it is timed.

use std::time::{Duration, Instant};

/// Runs of each measurement; the median is reported.
const RUNS: usize = 5;

/// One timed measurement and its budget.
pub(crate) struct Measurement {
    /// What was timed.
    pub(crate) name: String,
    /// Each run's time, ms, in order.
    pub(crate) runs_ms: Vec<f64>,
    /// The budget the median must stay under.
    pub(crate) budget: Duration,
}

impl Measurement {
    /// The median run, ms.
    pub(crate) fn median(&self) -> f64 {
        let mut v = self.runs_ms.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    /// Under budget.
    pub(crate) fn pass(&self) -> bool {
        self.median() < self.budget.as_secs_f64() * 1000.0
    }
}

/// Times `f` `RUNS` times (run index from 0): each run in ms.
pub(crate) fn time_runs<T>(mut f: impl FnMut(u64) -> T) -> Vec<f64> {
    (0..RUNS as u64)
        .map(|i| {
            let t0 = Instant::now();
            std::hint::black_box(f(i));
            t0.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

/// Every measurement, printed; fails when one is over its budget.
pub(crate) fn run() -> anyhow::Result<()> {
    let all = [mmc_200k(), hall_30_days()?];
    let mut failed = Vec::new();
    for m in &all {
        let runs: Vec<String> = m.runs_ms.iter().map(|r| format!("{r:.1}")).collect();
        let verdict = if m.pass() { "PASS" } else { "FAIL" };
        println!(
            "{}: median {:.1} ms of {RUNS} (runs {} ms) — budget {} ms: {verdict}",
            m.name,
            m.median(),
            runs.join(", "),
            m.budget.as_millis()
        );
        if !m.pass() {
            failed.push(m.name.clone());
        }
    }
    anyhow::ensure!(failed.is_empty(), "over budget: {}", failed.join(", "));
    Ok(())
}

/// A 200,000-customer M/M/c run: λ = 9, μ = 1, c = 10 (ρ = 0.9), seeds 1 to 5.
pub(crate) fn mmc_200k() -> Measurement {
    let (lambda, mu, c, n) = (9.0, 1.0, 10, 200_000);
    let runs_ms = time_runs(|i| hallq_queue::mmc::simulate(lambda, mu, c, n, i + 1));
    Measurement {
        name: format!("M/M/c {n} customers (λ={lambda}, μ={mu}, c={c})"),
        runs_ms,
        budget: Duration::from_secs(1),
    }
}

/// 30 simulated days of the demo hall (config/examples/demo-hall.toml) under its profile
/// (config/examples/demo-profile.toml), seeds 1 to 5.
pub(crate) fn hall_30_days() -> anyhow::Result<Measurement> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/examples");
    let cfg = hallq_config::load_file(&root.join("demo-hall.toml"))
        .map_err(|e| anyhow::anyhow!("demo config: {e}"))?;
    let profile = hallq_queue::profile::Profile::parse(&std::fs::read_to_string(
        root.join("demo-profile.toml"),
    )?)?;
    let hall = hallq_queue::sim::HallModel::of(&cfg);
    let mut tickets = 0;
    let runs_ms = time_runs(|i| {
        let opts = hallq_queue::sim::SimOptions {
            days: 30,
            seed: i + 1,
        };
        tickets = hallq_queue::sim::run(&hall, &profile, &opts).tickets;
    });
    Ok(Measurement {
        name: format!("demo hall, 30 simulated days (~{tickets} tickets)"),
        runs_ms,
        budget: Duration::from_secs(10),
    })
}
