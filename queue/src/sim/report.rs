//! What a simulation measured: per ticket an [`Outcome`] (wait, both estimators' answers at
//! issue), per window busy and open time; [`summarise`] turns them into the [`SimReport`]
//! (`hallq simulate --json`).

use super::{HallModel, SimOptions};
use crate::estimate::{within_tolerance as within, Estimate};
use serde::Serialize;
use std::collections::BTreeMap;

/// One ticket's day.
#[derive(Debug, Clone)]
pub struct Outcome {
    service: String,
    weekday: usize,
    /// Local ms after midnight it entered the queue.
    at_ms: i64,
    estimate: Option<Estimate>,
    baseline: Option<i64>,
    wait_ms: Option<i64>,
    no_show: bool,
}

impl Outcome {
    pub(super) fn new(
        service: String,
        weekday: usize,
        at_ms: i64,
        estimate: Option<Estimate>,
        baseline: Option<i64>,
    ) -> Self {
        Self {
            service,
            weekday,
            at_ms,
            estimate,
            baseline,
            wait_ms: None,
            no_show: false,
        }
    }

    pub(super) fn called(&mut self, wait_ms: i64, no_show: bool, _window: &str) {
        self.wait_ms = Some(wait_ms);
        self.no_show = no_show;
    }
}

/// Everything recorded over the run.
#[derive(Debug, Default)]
pub struct Log {
    tickets: Vec<Outcome>,
    windows: BTreeMap<String, (i64, i64)>,
}

impl Log {
    pub(super) fn window(&mut self, id: &str, busy_ms: i64, open_ms: i64) {
        let e = self.windows.entry(id.to_string()).or_default();
        e.0 += busy_ms;
        e.1 += open_ms;
    }

    pub(super) fn day(&mut self, outcomes: Vec<Outcome>) {
        self.tickets.extend(outcomes);
    }
}

/// `hallq simulate`'s answer.
#[derive(Debug, Clone, Serialize)]
pub struct SimReport {
    /// Days simulated.
    pub days: u32,
    /// Seed.
    pub seed: u64,
    /// Tickets issued.
    pub tickets: usize,
    /// Per service.
    pub services: BTreeMap<String, ServiceReport>,
    /// Per window.
    pub windows: BTreeMap<String, WindowReport>,
    /// Both estimators over every ticket, at issue.
    #[serde(flatten)]
    pub accuracy: Accuracy,
    /// Every ticket's wait, for the staffing advice.
    #[serde(skip)]
    pub waits: Vec<WaitSample>,
}

/// One service's figures (seconds).
#[derive(Debug, Clone, Serialize)]
pub struct ServiceReport {
    /// Tickets issued.
    pub tickets: usize,
    /// Called and served.
    pub served: usize,
    /// Called and not come.
    pub no_show: usize,
    /// Wait (issue or check-in to call).
    pub wait_mean_s: f64,
    /// Median wait.
    pub wait_p50_s: f64,
    /// 90th percentile.
    pub wait_p90_s: f64,
    /// Longest.
    pub wait_max_s: f64,
    /// Both estimators on this service's tickets.
    #[serde(flatten)]
    pub accuracy: Accuracy,
}

/// A window's share of its open time spent on calls.
#[derive(Debug, Clone, Serialize)]
pub struct WindowReport {
    /// Busy ÷ open.
    pub utilisation: f64,
}

/// How right the estimates were: mean absolute error (s) and the share within tolerance
/// (±20 % of the actual wait or ±3 minutes, whichever is larger), for the estimator and for
/// the former one on the same tickets; and how often the actual wait fell in the range shown.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Accuracy {
    /// Tickets both estimators answered for and that were called.
    pub estimated: usize,
    /// The estimator's mean absolute error.
    pub estimate_mae_s: f64,
    /// The former estimator's.
    pub estimate_mae_s_baseline: f64,
    /// The estimator's share within tolerance.
    pub within_tolerance: f64,
    /// The former estimator's.
    pub within_tolerance_baseline: f64,
    /// The estimator's mean signed error (positive: it said longer than it was).
    pub estimate_bias_s: f64,
    /// Share of actual waits within the range shown (low … high, widened to whole minutes).
    pub range_coverage: f64,
}

/// One ticket's wait, where and when it arrived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitSample {
    /// Service index in the hall's list.
    pub service: usize,
    /// 0 = Monday.
    pub weekday: usize,
    /// Local hour of arrival.
    pub hour: u32,
    /// Seconds.
    pub wait_s: f64,
}

fn accuracy<'a>(tickets: impl Iterator<Item = &'a Outcome>) -> Accuracy {
    let (mut n, mut e, mut b, mut we, mut wb, mut cov) = (0usize, 0.0, 0.0, 0usize, 0usize, 0usize);
    let mut bias = 0.0;
    for t in tickets {
        let (Some(est), Some(base), Some(wait)) = (t.estimate, t.baseline, t.wait_ms) else {
            continue;
        };
        let actual = wait as f64 / 1000.0;
        n += 1;
        e += (est.wait_s as f64 - actual).abs();
        bias += est.wait_s as f64 - actual;
        b += (base as f64 - actual).abs();
        we += usize::from(within(est.wait_s as f64, actual));
        wb += usize::from(within(base as f64, actual));
        let lo = (est.low_s as f64 / 60.0).floor() * 60.0;
        let hi = (est.high_s as f64 / 60.0).ceil() * 60.0;
        cov += usize::from((lo..=hi).contains(&actual));
    }
    let d = n.max(1) as f64;
    Accuracy {
        estimated: n,
        estimate_mae_s: e / d,
        estimate_mae_s_baseline: b / d,
        within_tolerance: we as f64 / d,
        within_tolerance_baseline: wb as f64 / d,
        estimate_bias_s: bias / d,
        range_coverage: cov as f64 / d,
    }
}

/// The value at fraction `p` (0–1) of sorted `xs` (nearest rank), 0 when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(super) fn summarise(hall: &HallModel, opts: &SimOptions, log: Log) -> SimReport {
    let mut services = BTreeMap::new();
    for svc in &hall.services {
        let mine: Vec<&Outcome> = log.tickets.iter().filter(|t| &t.service == svc).collect();
        let mut waits: Vec<f64> = mine
            .iter()
            .filter_map(|t| t.wait_ms)
            .map(|w| w as f64 / 1000.0)
            .collect();
        waits.sort_by(f64::total_cmp);
        let mean = waits.iter().sum::<f64>() / waits.len().max(1) as f64;
        services.insert(
            svc.clone(),
            ServiceReport {
                tickets: mine.len(),
                served: mine
                    .iter()
                    .filter(|t| t.wait_ms.is_some() && !t.no_show)
                    .count(),
                no_show: mine.iter().filter(|t| t.no_show).count(),
                wait_mean_s: mean,
                wait_p50_s: percentile(&waits, 0.5),
                wait_p90_s: percentile(&waits, 0.9),
                wait_max_s: waits.last().copied().unwrap_or(0.0),
                accuracy: accuracy(mine.iter().copied()),
            },
        );
    }
    let windows = log
        .windows
        .iter()
        .map(|(id, (busy, open))| {
            let u = if *open > 0 {
                *busy as f64 / *open as f64
            } else {
                0.0
            };
            (
                id.clone(),
                WindowReport {
                    utilisation: u.min(1.0),
                },
            )
        })
        .collect();
    let waits = log
        .tickets
        .iter()
        .filter_map(|t| {
            Some(WaitSample {
                service: hall.services.iter().position(|s| *s == t.service)?,
                weekday: t.weekday,
                hour: (t.at_ms / 3_600_000).clamp(0, 23) as u32,
                wait_s: t.wait_ms? as f64 / 1000.0,
            })
        })
        .collect();
    SimReport {
        days: opts.days,
        seed: opts.seed,
        tickets: log.tickets.len(),
        services,
        windows,
        accuracy: accuracy(log.tickets.iter()),
        waits,
    }
}
