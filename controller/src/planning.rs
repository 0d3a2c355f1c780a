//! Staffing advice from the hall's own history: the store's statistics rows turned into the
//! queue crate's records in the hall's time zone, the advice computed, and its answer.
//!
//! - [`records`]: [`crate::stats::Row`] (epoch ms) → [`hallq_queue::history::Record`]
//!   (local day, weekday, seconds after local midnight);
//! - [`advise`]: the profile learned from the records and [`hallq_queue::plan::plan`] run
//!   over the hall's windows (the [`Plan`] and its [`Advice`]; empty without history);
//! - [`Advice`] and its parts: the answer of `GET /admin/staffing`, field for field the
//!   queue crate's [`Plan`] plus how much history it was learned from.

use crate::hours::to_local;
use crate::model::Status;
use crate::stats::Row;
use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use hallq_queue::history::Record;
use hallq_queue::plan::{self, Plan, Target, WhatIf};
use hallq_queue::profile::Profile;
use hallq_queue::sim::HallModel;
use serde::Serialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// The seed of the advice's simulations: the same history, the same answer.
pub const SEED: u64 = 1;

/// The statistics rows as records in the hall's time zone `tz`. The day and weekday are
/// those of the issue instant; call and finish times count from the same local midnight
/// (the wall-clock time plus the elapsed time), so durations stay true across a
/// change of clocks.
pub fn records(rows: &[Row], tz: Tz) -> Vec<Record> {
    rows.iter()
        .map(|r| {
            let issued = to_local(tz, r.issued_at);
            let issued_s = i64::from(issued.num_seconds_from_midnight());
            let after = |ms: Option<i64>| ms.map(|t| issued_s + (t - r.issued_at).div_euclid(1000));
            Record {
                day: issued.date_naive().format("%Y-%m-%d").to_string(),
                weekday: issued.weekday().num_days_from_monday() as usize,
                service: r.service.clone(),
                kind: r.kind,
                issued_s,
                called_s: after(r.called_at),
                finished_s: after(r.finished_at),
                no_show: r.status == Status::NoShow,
                window: r.window.clone(),
            }
        })
        .collect()
}

/// The records of the last `days` days (today included) of the hall `cfg` describes, read
/// from its database (for `hallq simulate` and `hallq plan` at the command line).
///
/// # Errors
/// The database cannot be opened or read.
pub async fn history(cfg: &hallq_config::Settings, days: u32) -> anyhow::Result<Vec<Record>> {
    let url = crate::app::database_url(cfg)?;
    let store = crate::store::Store::connect(&url)
        .await?
        .in_hall(&cfg.hall.id, crate::store::Scopes::of(&cfg.appointments));
    let now = chrono::Utc::now().timestamp_millis();
    let today = crate::hours::local_day(cfg.tz(), now);
    let to = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d")?;
    let from = to - chrono::Days::new(u64::from(days.max(1)) - 1);
    let rows = store
        .stat_rows(&from.format("%Y-%m-%d").to_string(), &today)
        .await?;
    Ok(records(&rows, cfg.tz()))
}

/// The advice of `records` for `hall`: the queue crate's plan (seed [`SEED`]) and its
/// answer; with no record, no rows and no hours (nothing to simulate).
pub fn advise(
    hall: &HallModel,
    records: &[Record],
    target: Target,
    what_if: Option<&WhatIf>,
) -> (Plan, Advice) {
    let days: BTreeSet<&str> = records.iter().map(|r| r.day.as_str()).collect();
    let plan = if records.is_empty() {
        Plan {
            target,
            rows: Vec::new(),
            hours: Vec::new(),
            what_if: None,
        }
    } else {
        let profile = Profile::learn(records, &hall.services);
        plan::plan(hall, &profile, target, what_if, SEED)
    };
    let advice = Advice::of(&plan, days.len(), records.len());
    (plan, advice)
}

/// GET /admin/staffing answer: the advice ([`Plan`]'s fields) and its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Advice {
    /// The target asked for.
    pub target: TargetView,
    /// Per weekday, hour and service (weekdays of the history only).
    pub rows: Vec<RowView>,
    /// Per weekday and hour, the hall as a whole, checked by simulation.
    pub hours: Vec<HourView>,
    /// The what-if's answer, when one was asked and there is history.
    pub what_if: Option<WhatIfView>,
    /// Days of the range that had tickets.
    pub history_days: usize,
    /// Tickets the advice was learned from.
    pub history_tickets: usize,
}

/// "`share` of tickets called within `within_s`".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    /// 0–1.
    pub share: f64,
    /// Seconds.
    pub within_s: f64,
}

/// One service in one hour of the week.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowView {
    /// "mon" … "sun".
    pub weekday: String,
    /// Local hour 0–23.
    pub hour: u32,
    /// Service id.
    pub service: String,
    /// Forecast arrivals in the hour.
    pub arrivals: f64,
    /// Mean service time, seconds.
    pub mean_service_s: f64,
    /// Windows needed to meet the target for this service alone (Erlang C).
    pub windows_needed: u32,
    /// Erlang C's share called within the target's wait with that many windows.
    pub service_level: f64,
    /// Suggested appointments per 30-minute slot.
    pub slot_capacity: u32,
}

/// The hall in one hour of the week.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HourView {
    /// "mon" … "sun".
    pub weekday: String,
    /// Local hour 0–23.
    pub hour: u32,
    /// Sum of the services' windows needed.
    pub windows_needed: u32,
    /// Windows the hall has.
    pub windows: u32,
    /// Simulated share of the hour's arrivals called within the target wait (0–1).
    pub simulated_within_target: f64,
    /// Simulated 90th percentile wait, seconds.
    pub simulated_p90_s: f64,
    /// Tickets simulated in the hour.
    pub simulated_tickets: usize,
}

/// What the what-if asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhatIfAsked {
    /// More windows.
    pub count: u32,
    /// Local seconds after midnight they open.
    pub from_s: i64,
    /// Local seconds after midnight they close.
    pub to_s: i64,
    /// Services they call; empty: every service.
    pub services: Vec<String>,
}

/// Before and after the what-if, for arrivals in its hours.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhatIfView {
    /// What was asked.
    pub what_if: WhatIfAsked,
    /// p90 wait now, seconds.
    pub p90_before_s: f64,
    /// p90 wait with the windows, seconds.
    pub p90_after_s: f64,
    /// Share within the target wait now.
    pub within_before: f64,
    /// Share within the target wait with the windows.
    pub within_after: f64,
}

impl Advice {
    /// The answer of `plan`, learned from `days` days and `tickets` tickets.
    pub fn of(plan: &Plan, days: usize, tickets: usize) -> Self {
        Self {
            target: TargetView {
                share: plan.target.share,
                within_s: plan.target.within_s,
            },
            rows: plan
                .rows
                .iter()
                .map(|r| RowView {
                    weekday: r.weekday.clone(),
                    hour: r.hour,
                    service: r.service.clone(),
                    arrivals: r.arrivals,
                    mean_service_s: r.mean_service_s,
                    windows_needed: r.windows_needed,
                    service_level: r.service_level,
                    slot_capacity: r.slot_capacity,
                })
                .collect(),
            hours: plan
                .hours
                .iter()
                .map(|h| HourView {
                    weekday: h.weekday.clone(),
                    hour: h.hour,
                    windows_needed: h.windows_needed,
                    windows: h.windows,
                    simulated_within_target: h.simulated_within_target,
                    simulated_p90_s: h.simulated_p90_s,
                    simulated_tickets: h.simulated_tickets,
                })
                .collect(),
            what_if: plan.what_if.as_ref().map(|w| WhatIfView {
                what_if: WhatIfAsked {
                    count: w.what_if.count,
                    from_s: w.what_if.from_s,
                    to_s: w.what_if.to_s,
                    services: w.what_if.services.clone(),
                },
                p90_before_s: w.p90_before_s,
                p90_after_s: w.p90_after_s,
                within_before: w.within_before,
                within_after: w.within_after,
            }),
            history_days: days,
            history_tickets: tickets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn row(issued: &str, called: Option<&str>, finished: Option<&str>, status: Status) -> Row {
        let ms = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        Row {
            day: "ignored".into(),
            service: "property".into(),
            window: Some("1".into()),
            kind: Kind::WalkIn,
            status,
            issued_at: ms(issued),
            called_at: called.map(ms),
            started_at: None,
            finished_at: finished.map(ms),
            slot_start: None,
            called_by: None,
        }
    }

    #[test]
    fn records_are_in_the_halls_local_time() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // 2026-12-06 23:30 UTC is Monday 2026-12-07 07:30 in Shanghai.
        let r = records(
            &[row(
                "2026-12-06T23:30:00Z",
                Some("2026-12-06T23:40:30Z"),
                Some("2026-12-06T23:45:00Z"),
                Status::Done,
            )],
            tz,
        );
        assert_eq!(r[0].day, "2026-12-07");
        assert_eq!(r[0].weekday, 0);
        assert_eq!(r[0].issued_s, 7 * 3600 + 30 * 60);
        assert_eq!(r[0].called_s, Some(7 * 3600 + 40 * 60 + 30));
        assert_eq!(r[0].finished_s, Some(7 * 3600 + 45 * 60));
        assert!(!r[0].no_show);
        let n = records(
            &[row(
                "2026-12-08T01:00:00Z",
                Some("2026-12-08T01:05:00Z"),
                Some("2026-12-08T01:06:00Z"),
                Status::NoShow,
            )],
            tz,
        );
        assert_eq!((n[0].weekday, n[0].issued_s), (1, 9 * 3600));
        assert!(n[0].no_show);
    }

    #[test]
    fn no_history_no_rows() {
        let hall = HallModel {
            services: vec!["property".into()],
            windows: Vec::new(),
        };
        let target: Target = "80% within 15m".parse().unwrap();
        let (_, a) = advise(&hall, &[], target, None);
        assert!(a.rows.is_empty() && a.hours.is_empty() && a.what_if.is_none());
        assert_eq!((a.history_days, a.history_tickets), (0, 0));
    }
}
