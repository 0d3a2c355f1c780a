//! `hallq plan`: staffing advice for a hall (docs/queue.md "Staffing advice").

use clap::Args;
use hallq_queue::plan::{self, Target, WhatIf};
use std::path::PathBuf;
use std::process::ExitCode;

/// 人员排班建议 / staffing advice.
#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The hall's config (a city file: its first hall, or `--hall`).
    #[arg(long)]
    config: PathBuf,
    /// A hall of a city file.
    #[arg(long)]
    hall: Option<String>,
    /// Learn the demand from this many days of the hall's recorded tickets.
    #[arg(long, default_value_t = 28, value_parser = clap::value_parser!(u32).range(1..=366))]
    from_history: u32,
    /// A demand profile file instead of the history (docs/queue.md).
    #[arg(long)]
    arrivals: Option<PathBuf>,
    /// The service target, e.g. "80% within 15m".
    #[arg(long, value_parser = |s: &str| s.parse::<Target>())]
    target: Target,
    /// What if: "2@09:00-11:00" opens 2 more windows (every service) from 09:00 to 11:00;
    /// "1@13:00-14:00:property,tax-housing" one serving those services.
    #[arg(long, value_parser = |s: &str| s.parse::<WhatIf>())]
    what_if: Option<WhatIf>,
    /// Random seed of the simulations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the advice as JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the per-service table as CSV.
    #[arg(long)]
    csv: bool,
}

/// Runs `hallq plan`.
pub fn run(a: &PlanArgs) -> ExitCode {
    let (hall, profile) = match crate::demand::load(
        &a.config,
        a.hall.as_deref(),
        a.arrivals.as_deref(),
        a.from_history,
    ) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("hallq plan: {e:#}");
            return ExitCode::from(2);
        }
    };
    let p = plan::plan(&hall, &profile, a.target, a.what_if.as_ref(), a.seed);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&p).unwrap_or_default());
    } else if a.csv {
        print!("{}", plan::to_csv(&p));
    } else {
        human(&p);
    }
    ExitCode::SUCCESS
}

fn human(p: &plan::Plan) {
    println!(
        "目标 target: {:.0}% 在 {:.0} 分钟内叫号 / called within {:.0} min",
        p.target.share * 100.0,
        p.target.within_s / 60.0,
        p.target.within_s / 60.0
    );
    println!("星期 时段   所需窗口 needed  现有 have  模拟达标 simulated  模拟P90 p90");
    for h in &p.hours {
        let flag = if h.windows_needed > h.windows || h.simulated_within_target < p.target.share {
            "  ⚠"
        } else {
            ""
        };
        println!(
            "{}  {:02}:00  {:>8}  {:>9}  {:>18.0}%  {:>7.1} 分钟{flag}",
            h.weekday,
            h.hour,
            h.windows_needed,
            h.windows,
            h.simulated_within_target * 100.0,
            h.simulated_p90_s / 60.0
        );
    }
    if let Some(w) = &p.what_if {
        println!(
            "假如 what if: 增开 {} 个窗口 {:02}:{:02}–{:02}:{:02}：P90 等候 {:.1} → {:.1} 分钟，达标 {:.0}% → {:.0}%",
            w.what_if.count,
            w.what_if.from_s / 3600,
            w.what_if.from_s % 3600 / 60,
            w.what_if.to_s / 3600,
            w.what_if.to_s % 3600 / 60,
            w.p90_before_s / 60.0,
            w.p90_after_s / 60.0,
            w.within_before * 100.0,
            w.within_after * 100.0
        );
    }
    println!("每项业务的明细：--csv 或 --json / per service: --csv or --json");
}
