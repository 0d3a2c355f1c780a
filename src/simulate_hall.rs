//! `hallq simulate --config FILE`: the hall of a config simulated day by day with the
//! production call order (docs/queue.md "The hall simulator"), human or `--json`.

use hallq_queue::sim::{self, SimOptions, SimReport};
use std::path::Path;
use std::process::ExitCode;

/// The most days one run simulates (a year: an admin's what-if answers in seconds).
pub const MAX_DAYS: u32 = 366;

/// What the hall mode needs.
pub struct HallRun<'a> {
    /// Config file (a city file: its first hall or `hall`).
    pub config: &'a Path,
    /// A hall of a city file.
    pub hall: Option<&'a str>,
    /// A profile file, else the database's history.
    pub arrivals: Option<&'a Path>,
    /// Days of history to learn from.
    pub history_days: u32,
    /// Days to simulate.
    pub days: u32,
    /// Seed.
    pub seed: u64,
    /// JSON out.
    pub json: bool,
}

/// Runs the hall mode.
///
/// # Errors
/// The config, the profile or the database, named; days out of range.
pub fn run(r: &HallRun<'_>) -> anyhow::Result<ExitCode> {
    if !(1..=MAX_DAYS).contains(&r.days) {
        anyhow::bail!("--days 应为 1–{MAX_DAYS} / --days must be 1 to {MAX_DAYS}");
    }
    let (hall, profile) = crate::demand::load(r.config, r.hall, r.arrivals, r.history_days)?;
    let report = sim::run(
        &hall,
        &profile,
        &SimOptions {
            days: r.days,
            seed: r.seed,
        },
    );
    if r.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        human(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn human(r: &SimReport) {
    let min = |s: f64| s / 60.0;
    println!(
        "模拟 {} 天（种子 {}），共 {} 张票 / {} days simulated (seed {}), {} tickets",
        r.days, r.seed, r.tickets, r.days, r.seed, r.tickets
    );
    println!("业务 service            办结 served  未到 no-show  平均/P50/P90/最长等候 wait mean/p50/p90/max (分钟 min)");
    for (id, s) in &r.services {
        println!(
            "{id:<22} {:>11} {:>13}  {:>6.1} / {:>5.1} / {:>5.1} / {:>5.1}",
            s.served,
            s.no_show,
            min(s.wait_mean_s),
            min(s.wait_p50_s),
            min(s.wait_p90_s),
            min(s.wait_max_s)
        );
    }
    let busy: Vec<String> = r
        .windows
        .iter()
        .map(|(id, w)| format!("{id}: {:.0}%", w.utilisation * 100.0))
        .collect();
    println!("窗口忙碌率 utilisation: {}", busy.join(", "));
    let a = &r.accuracy;
    println!(
        "等候预估 estimate: 平均误差 MAE {:.1} 分钟（原估算 baseline {:.1}），±20%或±3分钟内 within tolerance {:.0}%（原 {:.0}%），区间命中 range holds {:.0}%",
        min(a.estimate_mae_s),
        min(a.estimate_mae_s_baseline),
        a.within_tolerance * 100.0,
        a.within_tolerance_baseline * 100.0,
        a.range_coverage * 100.0
    );
}
