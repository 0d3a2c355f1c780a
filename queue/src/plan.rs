//! Staffing advice: per service and hour of the week, the forecast arrivals, the windows
//! needed to meet a [`Target`] (Erlang C per service), suggested appointment slot capacities,
//! and the check by simulating the hall's real multi-service windows; a [`WhatIf`] (more
//! windows for some hours) answered by simulating both halls on the same seed.
//!
//! - [`Target`], [`WhatIf`]: parsed from the admin's words ("80% within 15m", "2@09:00-11:00");
//! - [`plan`]: the advice ([`Plan`]); [`to_csv`]: its table for a spreadsheet.

use crate::erlang;
use crate::profile::{clock_s, Profile, WEEKDAYS};
use crate::sim::{self, HallModel, SimOptions, WaitSample};
use serde::Serialize;
use std::str::FromStr;

/// "`share` of tickets called within `within_s`".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// 0–1.
    pub share: f64,
    /// Seconds.
    pub within_s: f64,
}

impl FromStr for Target {
    type Err = String;

    /// "80% within 15m" (also "80%/15m", "0.8 within 900s", "80% within 1h").
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("目标格式应为“80% within 15m” / target must look like \"80% within 15m\", not {s:?}")
        };
        let s = s.trim();
        let (share, wait) = s
            .split_once(" within ")
            .or_else(|| s.split_once('/'))
            .ok_or_else(bad)?;
        let share = match share.trim().strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().map_err(|_| bad())? / 100.0,
            None => share.trim().parse::<f64>().map_err(|_| bad())?,
        };
        let wait = wait.trim();
        let (num, unit) = wait.split_at(
            wait.find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(wait.len()),
        );
        let n: f64 = num.trim().parse().map_err(|_| bad())?;
        let within_s = n * match unit {
            "s" => 1.0,
            "m" | "min" | "" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        let share_ok = share > 0.0 && share < 1.0;
        let wait_ok = within_s.is_finite() && within_s > 0.0 && within_s <= 86_400.0;
        if !(share_ok && wait_ok) {
            return Err(bad());
        }
        Ok(Self { share, within_s })
    }
}

/// "Open `count` more windows from `from` to `to`", serving `services` (every one if empty).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// More windows.
    pub count: u32,
    /// Local seconds after midnight.
    pub from_s: i64,
    /// Local seconds after midnight.
    pub to_s: i64,
    /// Services they call, in order; empty: every service.
    pub services: Vec<String>,
}

impl FromStr for WhatIf {
    type Err = String;

    /// "2@09:00-11:00" or "2@09:00-11:00:property,tax-housing".
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "应为“2@09:00-11:00[:服务,…]” / expected \"2@09:00-11:00[:service,…]\", not {s:?}"
            )
        };
        let (count, rest) = s.trim().split_once('@').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let (hours, services) = match rest.get(11..) {
            Some(tail) if tail.starts_with(':') => (
                &rest[..11],
                tail[1..]
                    .split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect(),
            ),
            _ => (rest, Vec::new()),
        };
        let (a, b) = hours.split_once('-').ok_or_else(bad)?;
        let (from_s, to_s) = (
            clock_s(a.trim()).ok_or_else(bad)?,
            clock_s(b.trim()).ok_or_else(bad)?,
        );
        if count == 0 || count > 100 || from_s >= to_s {
            return Err(bad());
        }
        Ok(Self {
            count,
            from_s,
            to_s,
            services,
        })
    }
}

/// The advice.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The target it was asked for.
    pub target: Target,
    /// Per weekday, hour and service.
    pub rows: Vec<PlanRow>,
    /// Per weekday and hour, the hall as a whole, checked by simulation.
    pub hours: Vec<HourRow>,
    /// The what-if's answer, when asked.
    pub what_if: Option<WhatIfResult>,
}

/// One service in one hour of the week.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// "mon" … "sun".
    pub weekday: String,
    /// Local hour.
    pub hour: u32,
    /// Service id.
    pub service: String,
    /// Forecast arrivals in the hour.
    pub arrivals: f64,
    /// Mean service time, seconds.
    pub mean_service_s: f64,
    /// Windows' worth of work needed to meet the target (Erlang C for this service alone).
    pub windows_needed: u32,
    /// Erlang C's share called within the target's wait with that many.
    pub service_level: f64,
    /// Suggested appointments per 30-minute slot.
    pub slot_capacity: u32,
}

/// The hall in one hour of the week.
#[derive(Debug, Clone, Serialize)]
pub struct HourRow {
    /// "mon" … "sun".
    pub weekday: String,
    /// Local hour.
    pub hour: u32,
    /// Sum of the services' windows needed.
    pub windows_needed: u32,
    /// Windows the hall has.
    pub windows: u32,
    /// Simulated share of this hour's arrivals called within the target wait.
    pub simulated_within_target: f64,
    /// Simulated 90th percentile wait, seconds.
    pub simulated_p90_s: f64,
    /// Tickets simulated in the hour.
    pub simulated_tickets: usize,
}

/// Before and after the what-if, for arrivals in its hours.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIfResult {
    /// What was asked.
    pub what_if: WhatIf,
    /// p90 wait now, seconds.
    pub p90_before_s: f64,
    /// p90 wait with the windows, seconds.
    pub p90_after_s: f64,
    /// Share within the target wait now.
    pub within_before: f64,
    /// Share within the target wait with the windows.
    pub within_after: f64,
}

/// Simulated days the check runs (each of the profile's weekdays this many times).
pub const CHECK_WEEKS: u32 = 4;

/// The advice for `hall` under `profile` (forecast) for `target`, checked by simulating
/// [`CHECK_WEEKS`] of the profile's days from `seed`.
pub fn plan(
    hall: &HallModel,
    profile: &Profile,
    target: Target,
    what_if: Option<&WhatIf>,
    seed: u64,
) -> Plan {
    let mut rows = Vec::new();
    for day in &profile.days {
        let wd = crate::profile::weekday_index(day).unwrap_or(0);
        for hour in 0..24 {
            for svc in &hall.services {
                let arrivals = profile.rate(svc, wd, hour);
                if arrivals <= 0.0 {
                    continue;
                }
                let sp = &profile.services[svc];
                let mu = 3600.0 / sp.mean_s;
                let max = 500;
                let needed =
                    erlang::servers_for(arrivals, mu, target.share, target.within_s / 3600.0, max)
                        .unwrap_or(max);
                let level = erlang::erlang_c(arrivals, mu, needed, Some(target.within_s / 3600.0))
                    .ok()
                    .and_then(|e| e.service_level)
                    .unwrap_or(1.0);
                let per_slot = (arrivals * sp.appointment_share / 2.0).ceil();
                let can = (f64::from(needed) * 1800.0 / sp.mean_s).floor();
                rows.push(PlanRow {
                    weekday: day.clone(),
                    hour,
                    service: svc.clone(),
                    arrivals,
                    mean_service_s: sp.mean_s,
                    windows_needed: needed,
                    service_level: level,
                    slot_capacity: per_slot.min(can) as u32,
                });
            }
        }
    }
    let opts = SimOptions {
        days: CHECK_WEEKS * profile.days.len() as u32,
        seed,
    };
    let before = sim::run(hall, profile, &opts);
    let mut hours = Vec::new();
    for day in &profile.days {
        let wd = crate::profile::weekday_index(day).unwrap_or(0);
        for hour in 0..24 {
            let mine: Vec<&PlanRow> = rows
                .iter()
                .filter(|r| &r.weekday == day && r.hour == hour)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let waits = waits_of(&before.waits, |w| w.weekday == wd && w.hour == hour);
            hours.push(HourRow {
                weekday: day.clone(),
                hour,
                windows_needed: mine.iter().map(|r| r.windows_needed).sum(),
                windows: hall.windows.len() as u32,
                simulated_within_target: share_within(&waits, target.within_s),
                simulated_p90_s: sim::report::percentile(&waits, 0.9),
                simulated_tickets: waits.len(),
            });
        }
    }
    let what_if = what_if.map(|w| {
        let more = hall.with_extra(w.count, &w.services, w.from_s, w.to_s);
        let after = sim::run(&more, profile, &opts);
        let during = |s: &WaitSample| {
            i64::from(s.hour) * 3600 >= w.from_s && i64::from(s.hour) * 3600 < w.to_s
        };
        let (b, a) = (
            waits_of(&before.waits, during),
            waits_of(&after.waits, during),
        );
        WhatIfResult {
            what_if: w.clone(),
            p90_before_s: sim::report::percentile(&b, 0.9),
            p90_after_s: sim::report::percentile(&a, 0.9),
            within_before: share_within(&b, target.within_s),
            within_after: share_within(&a, target.within_s),
        }
    });
    Plan {
        target,
        rows,
        hours,
        what_if,
    }
}

fn waits_of(all: &[WaitSample], keep: impl Fn(&WaitSample) -> bool) -> Vec<f64> {
    let mut w: Vec<f64> = all.iter().filter(|s| keep(s)).map(|s| s.wait_s).collect();
    w.sort_by(f64::total_cmp);
    w
}

fn share_within(sorted: &[f64], within_s: f64) -> f64 {
    if sorted.is_empty() {
        return 1.0;
    }
    sorted.iter().filter(|w| **w <= within_s).count() as f64 / sorted.len() as f64
}

/// The plan's rows as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
/// Chinese header): one line per weekday, hour and service.
pub fn to_csv(plan: &Plan) -> String {
    let mut out = String::from("\u{feff}星期 weekday,时段 hour,业务 service,预计到达 arrivals,平均办理秒 mean_service_s,所需窗口 windows_needed,达标率 service_level,建议每时段预约数 slot_capacity\n");
    for r in &plan.rows {
        out.push_str(&format!(
            "{},{:02}:00,{},{:.1},{:.0},{},{:.3},{}\n",
            r.weekday,
            r.hour,
            csv_field(&r.service),
            r.arrivals,
            r.mean_service_s,
            r.windows_needed,
            r.service_level,
            r.slot_capacity
        ));
    }
    out
}

/// A field that a spreadsheet reads as text: quoted when it holds a separator or quote, and
/// prefixed when it would start a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Weekday names, Monday first (re-exported for the pages).
pub const DAYS: [&str; 7] = WEEKDAYS;
