//! Statistics of the admin dashboard, aggregated in pure Rust from ticket rows: tickets by
//! service and hour of issue, waits (issued → first call), service times (start → finish)
//! per window and clerk, the no-show rate and appointment punctuality.
//!
//! Outcomes, counted apart everywhere (totals, services, windows, clerks): `served` =
//! started and finished; `no_show` = called and did not come; `not_started` = closed by a
//! call without ever being started (a call button's "next", a clerk moving on).
//!
//! Durations are in milliseconds; hours are local hours (0–23) of the hall's time zone.

use crate::model::{Kind, Status};
use chrono::Timelike;
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

mod export;
pub use export::csv;

/// What the statistics need of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Local day of issue.
    pub day: String,
    /// Service it was (last) queued for.
    pub service: String,
    /// Window that called it, if any.
    pub window: Option<String>,
    /// Walk-in, green channel or appointment.
    pub kind: Kind,
    /// Status now.
    pub status: Status,
    /// Issued (ms).
    pub issued_at: i64,
    /// Last called (ms).
    pub called_at: Option<i64>,
    /// Service started (ms).
    pub started_at: Option<i64>,
    /// Finished or marked no-show (ms).
    pub finished_at: Option<i64>,
    /// Appointment slot start (ms).
    pub slot_start: Option<i64>,
    /// Who called it (a clerk's username, or a credential / button name).
    pub called_by: Option<String>,
}

/// Tickets of one service issued in one local hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HourCount {
    /// Service id.
    pub service: String,
    /// Local hour 0–23.
    pub hour: u32,
    /// Tickets issued.
    pub count: i64,
}

/// One service over the range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceStats {
    /// Service id.
    pub service: String,
    /// Tickets issued.
    pub issued: i64,
    /// Tickets called at least once.
    pub called: i64,
    /// Tickets closed (`done`): served and not started.
    pub done: i64,
    /// Tickets started and finished.
    pub served: i64,
    /// Tickets marked no-show.
    pub no_show: i64,
    /// Tickets closed without ever being started.
    pub not_started: i64,
    /// Mean wait issued → called (ms), over called tickets.
    pub wait_mean_ms: Option<i64>,
    /// 90th percentile of the wait (ms, nearest rank).
    pub wait_p90_ms: Option<i64>,
}

/// One window over the range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WindowStats {
    /// Window id.
    pub window: String,
    /// Tickets started and finished there.
    pub served: i64,
    /// Mean service time (ms) of the served: start → finish.
    pub service_mean_ms: Option<i64>,
    /// No-shows marked there.
    pub no_show: i64,
    /// Tickets closed there without ever being started.
    pub not_started: i64,
}

/// One clerk at one window over the range (by who called the tickets).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClerkStats {
    /// Username of a signed-in clerk, or the credential / button name.
    pub clerk: String,
    /// Window id.
    pub window: String,
    /// Tickets they called there that were started and finished.
    pub served: i64,
    /// Mean service time (ms), as for windows.
    pub service_mean_ms: Option<i64>,
    /// Tickets they called there that did not come.
    pub no_show: i64,
    /// Tickets they called there that were closed without being started.
    pub not_started: i64,
}

/// A share: part of whole, with the rate (None when nothing counted).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Share {
    /// Counted (no-shows; punctual appointment tickets).
    pub part: i64,
    /// Out of (called tickets; appointment tickets).
    pub whole: i64,
    /// part / whole.
    pub rate: Option<f64>,
}

impl Share {
    fn new(part: i64, whole: i64) -> Self {
        let rate = (whole > 0).then(|| part as f64 / whole as f64);
        Self { part, whole, rate }
    }
}

/// Everything the dashboard charts.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Stats {
    /// Tickets issued.
    pub total: i64,
    /// Tickets started and finished.
    pub served: i64,
    /// Tickets closed without ever being started (no-shows are `no_show.part`).
    pub not_started: i64,
    /// Tickets per local day.
    pub by_day: BTreeMap<String, i64>,
    /// Tickets by service and hour (only non-zero cells), service then hour order.
    pub by_hour: Vec<HourCount>,
    /// Per service, in first-seen order of `services` then any others.
    pub services: Vec<ServiceStats>,
    /// Per window, by id.
    pub windows: Vec<WindowStats>,
    /// Per clerk and window, by window then clerk.
    pub clerks: Vec<ClerkStats>,
    /// Overall waits (ms).
    pub wait_mean_ms: Option<i64>,
    /// Overall p90 wait (ms).
    pub wait_p90_ms: Option<i64>,
    /// No-shows out of called tickets.
    pub no_show: Share,
    /// Appointment tickets issued (checked in) before their slot started.
    pub punctuality: Share,
}

/// Mean, rounded to the nearest ms.
pub fn mean(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    let n = values.len() as i128;
    Some(((sum * 2 + n) / (2 * n)) as i64)
}

/// Percentile `p` (0–100) by the nearest-rank method.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = (p as usize * v.len()).div_ceil(100).max(1);
    Some(v[rank.min(v.len()) - 1])
}

/// Start → finish of a served ticket.
fn service_time(r: &Row) -> Option<i64> {
    let (from, to) = (r.started_at?, r.finished_at?);
    Some((to - from).max(0))
}

/// How a closed ticket ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Served,
    NoShow,
    NotStarted,
}

impl Outcome {
    /// `None` while the ticket is still open (or expired unserved).
    fn of(r: &Row) -> Option<Self> {
        match r.status {
            Status::Done if r.started_at.is_some() => Some(Self::Served),
            Status::Done => Some(Self::NotStarted),
            Status::NoShow => Some(Self::NoShow),
            _ => None,
        }
    }
}

/// Served, no-show and not-started counts.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    served: i64,
    no_show: i64,
    not_started: i64,
}

impl Tally {
    fn add(&mut self, o: Option<Outcome>) {
        match o {
            Some(Outcome::Served) => self.served += 1,
            Some(Outcome::NoShow) => self.no_show += 1,
            Some(Outcome::NotStarted) => self.not_started += 1,
            None => {}
        }
    }
}

/// Aggregates `rows`; `services` gives the order of services (the config's).
pub fn aggregate(rows: &[Row], services: &[String], tz: Tz) -> Stats {
    let mut by_day: BTreeMap<String, i64> = BTreeMap::new();
    let mut hours: BTreeMap<(String, u32), i64> = BTreeMap::new();
    let mut per_service: BTreeMap<String, (ServiceStats, Vec<i64>)> = BTreeMap::new();
    let mut per_window: BTreeMap<String, (Tally, Vec<i64>)> = BTreeMap::new();
    let mut per_clerk: BTreeMap<(String, String), (Tally, Vec<i64>)> = BTreeMap::new();
    let mut all_waits = Vec::new();
    let mut totals = Tally::default();
    let (mut called, mut appts, mut punctual) = (0, 0, 0);
    for r in rows {
        *by_day.entry(r.day.clone()).or_default() += 1;
        let hour = crate::hours::to_local(tz, r.issued_at).hour();
        *hours.entry((r.service.clone(), hour)).or_default() += 1;
        let (s, waits) = per_service.entry(r.service.clone()).or_insert_with(|| {
            (
                ServiceStats {
                    service: r.service.clone(),
                    issued: 0,
                    called: 0,
                    done: 0,
                    served: 0,
                    no_show: 0,
                    not_started: 0,
                    wait_mean_ms: None,
                    wait_p90_ms: None,
                },
                Vec::new(),
            )
        });
        s.issued += 1;
        if let Some(c) = r.called_at {
            s.called += 1;
            called += 1;
            let w = (c - r.issued_at).max(0);
            waits.push(w);
            all_waits.push(w);
        }
        let outcome = Outcome::of(r);
        match outcome {
            Some(Outcome::Served) => s.served += 1,
            Some(Outcome::NoShow) => s.no_show += 1,
            Some(Outcome::NotStarted) => s.not_started += 1,
            None => {}
        }
        if r.status == Status::Done {
            s.done += 1;
        }
        totals.add(outcome);
        if let Some(win) = &r.window {
            let took = service_time(r).filter(|_| outcome == Some(Outcome::Served));
            let (tally, times) = per_window.entry(win.clone()).or_default();
            tally.add(outcome);
            times.extend(took);
            if let Some(by) = &r.called_by {
                let (tally, t) = per_clerk.entry((win.clone(), by.clone())).or_default();
                tally.add(outcome);
                t.extend(took);
            }
        }
        if r.kind == Kind::Appointment {
            if let Some(slot) = r.slot_start {
                appts += 1;
                if r.issued_at <= slot {
                    punctual += 1;
                }
            }
        }
    }
    let mut order: Vec<String> = services
        .iter()
        .filter(|s| per_service.contains_key(*s))
        .cloned()
        .collect();
    order.extend(
        per_service
            .keys()
            .filter(|k| !services.contains(k))
            .cloned(),
    );
    let services_out = order
        .iter()
        .filter_map(|k| per_service.remove(k))
        .map(|(mut s, waits)| {
            s.wait_mean_ms = mean(&waits);
            s.wait_p90_ms = percentile(&waits, 90);
            s
        })
        .collect();
    let rank = |s: &str| services.iter().position(|x| x == s).unwrap_or(usize::MAX);
    let mut by_hour: Vec<HourCount> = hours
        .into_iter()
        .map(|((service, hour), count)| HourCount {
            service,
            hour,
            count,
        })
        .collect();
    by_hour.sort_by(|a, b| {
        (rank(&a.service), &a.service, a.hour).cmp(&(rank(&b.service), &b.service, b.hour))
    });
    Stats {
        total: rows.len() as i64,
        served: totals.served,
        not_started: totals.not_started,
        by_day,
        by_hour,
        services: services_out,
        windows: per_window
            .into_iter()
            .map(|(window, (t, times))| WindowStats {
                window,
                served: t.served,
                service_mean_ms: mean(&times),
                no_show: t.no_show,
                not_started: t.not_started,
            })
            .collect(),
        clerks: per_clerk
            .into_iter()
            // Who only called tickets still open has nothing to show yet.
            .filter(|(_, (t, _))| t.served + t.no_show + t.not_started > 0)
            .map(|((window, clerk), (t, times))| ClerkStats {
                clerk,
                window,
                served: t.served,
                service_mean_ms: mean(&times),
                no_show: t.no_show,
                not_started: t.not_started,
            })
            .collect(),
        wait_mean_ms: mean(&all_waits),
        wait_p90_ms: percentile(&all_waits, 90),
        no_show: Share::new(totals.no_show, called),
        punctuality: Share::new(punctual, appts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Asia::Shanghai;
    /// 2026-03-02T09:00:00+08:00.
    const T0: i64 = 1_772_413_200_000;
    const MIN: i64 = 60_000;

    fn row(service: &str, issued: i64) -> Row {
        Row {
            day: "2026-03-02".into(),
            service: service.into(),
            window: None,
            kind: Kind::WalkIn,
            status: Status::Waiting,
            issued_at: issued,
            called_at: None,
            started_at: None,
            finished_at: None,
            slot_start: None,
            called_by: None,
        }
    }

    fn done(service: &str, w: &str, issued: i64, wait: i64, serve: i64) -> Row {
        Row {
            window: Some(w.into()),
            status: Status::Done,
            called_at: Some(issued + wait),
            started_at: Some(issued + wait + MIN),
            finished_at: Some(issued + wait + MIN + serve),
            ..row(service, issued)
        }
    }

    #[test]
    fn mean_and_nearest_rank_p90() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1, 2]), Some(2)); // 1.5 rounds half up
        assert_eq!(mean(&[10, 20, 30]), Some(20));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[5], 90), Some(5));
        let v: Vec<i64> = (1..=20).rev().collect();
        assert_eq!(percentile(&v, 90), Some(18));
        assert_eq!(percentile(&[], 90), None);
    }

    #[test]
    fn counts_by_service_and_local_hour() {
        let rows = vec![
            row("b", T0),
            row("a", T0 + 5 * MIN),
            row("a", T0 + 59 * MIN),
            row("a", T0 + 60 * MIN),
            // 23:30 local on the same day, 15:30 UTC.
            row("a", T0 + 14 * 60 * MIN + 30 * MIN),
        ];
        let s = aggregate(&rows, &["a".into(), "b".into()], TZ);
        assert_eq!(s.total, 5);
        let cells: Vec<(&str, u32, i64)> = s
            .by_hour
            .iter()
            .map(|h| (h.service.as_str(), h.hour, h.count))
            .collect();
        assert_eq!(
            cells,
            vec![("a", 9, 2), ("a", 10, 1), ("a", 23, 1), ("b", 9, 1)]
        );
        assert_eq!(s.services[0].service, "a");
        assert_eq!(s.services[0].issued, 4);
        assert_eq!(s.services[0].wait_mean_ms, None);
        assert_eq!(s.by_day.get("2026-03-02"), Some(&5));
    }

    #[test]
    fn waits_service_times_no_shows_and_punctuality() {
        let mut ns = done("a", "1", T0, 4 * MIN, 0);
        ns.status = Status::NoShow;
        ns.started_at = None;
        let mut never_started = done("b", "2", T0, 2 * MIN, 0);
        never_started.started_at = None;
        never_started.finished_at = Some(T0 + 2 * MIN + 3 * MIN);
        let mut appt_early = done("a", "1", T0, MIN, MIN);
        appt_early.kind = Kind::Appointment;
        appt_early.slot_start = Some(T0 + 10 * MIN);
        let mut appt_late = row("a", T0 + 20 * MIN);
        appt_late.kind = Kind::Appointment;
        appt_late.slot_start = Some(T0 + 10 * MIN);
        let rows = vec![
            done("a", "1", T0, 2 * MIN, 4 * MIN),
            done("a", "1", T0, 6 * MIN, 8 * MIN),
            ns,
            never_started,
            appt_early,
            appt_late,
            row("a", T0),
        ];
        let s = aggregate(&rows, &["a".into(), "b".into()], TZ);
        let a = &s.services[0];
        assert_eq!((a.issued, a.called, a.done, a.no_show), (6, 4, 3, 1));
        // Waits of a: 2, 6, 4, 1 minutes.
        assert_eq!(a.wait_mean_ms, Some(13 * MIN / 4));
        assert_eq!(a.wait_p90_ms, Some(6 * MIN));
        let w1 = &s.windows[0];
        assert_eq!((w1.window.as_str(), w1.served, w1.no_show), ("1", 3, 1));
        assert_eq!(w1.service_mean_ms, Some(13 * MIN / 3));
        // Never started: not served, no service time, counted apart.
        let w2 = &s.windows[1];
        assert_eq!(
            (w2.served, w2.not_started, w2.service_mean_ms),
            (0, 1, None)
        );
        assert_eq!((w1.not_started, a.served, a.not_started), (0, 3, 0));
        assert_eq!((s.services[1].done, s.services[1].served), (1, 0));
        assert_eq!(s.services[1].not_started, 1);
        assert_eq!((s.served, s.not_started, s.no_show.part), (3, 1, 1));
        assert_eq!(s.no_show, Share::new(1, 5));
        assert_eq!(s.no_show.rate, Some(0.2));
        assert_eq!((s.punctuality.part, s.punctuality.whole), (1, 2));
        assert_eq!(s.punctuality.rate, Some(0.5));
    }

    #[test]
    fn empty_range_has_no_rates() {
        let s = aggregate(&[], &["a".into()], TZ);
        assert_eq!(s.total, 0);
        assert!(s.services.is_empty());
        assert_eq!(s.no_show.rate, None);
        assert_eq!(s.punctuality.rate, None);
    }

    #[test]
    fn csv_has_bom_header_and_rows() {
        let by = |mut r: Row, who: &str| {
            r.called_by = Some(who.into());
            r
        };
        let rows = vec![
            by(done("a", "1", T0, 2 * MIN, 4 * MIN), "zhang"),
            by(done("a", "1", T0, 2 * MIN, 6 * MIN), "li"),
            by(done("a", "1", T0, 2 * MIN, 8 * MIN), "li"),
            row("b", T0),
        ];
        let s = aggregate(&rows, &["a".into(), "b".into()], TZ);
        let text = csv(&s, "2026-03-02", "2026-03-02", &|id| format!("业务,{id}"));
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "section,from,to,service,service_name,window,hour,count,whole,mean_s,p90_s,rate,clerk,served,no_show,not_started"
        );
        assert!(lines.contains(&"hour,2026-03-02,2026-03-02,a,\"业务,a\",,9,3,,,,,,,,"));
        assert!(
            lines.contains(&"service,2026-03-02,2026-03-02,a,\"业务,a\",,,3,,120.0,120.0,,,3,0,0")
        );
        assert!(lines.contains(&"window,2026-03-02,2026-03-02,,,1,,3,,360.0,,,,3,0,0"));
        // Per clerk: li served two (6 and 8 minutes), zhang one (4).
        assert!(
            lines.contains(&"clerk,2026-03-02,2026-03-02,,,1,,2,,420.0,,,li,2,0,0"),
            "{lines:?}"
        );
        assert!(lines.contains(&"clerk,2026-03-02,2026-03-02,,,1,,1,,240.0,,,zhang,1,0,0"));
        assert!(lines.contains(&"total,2026-03-02,2026-03-02,,,,,4,,,,,,3,0,0"));
        assert!(lines.contains(&"no_show,2026-03-02,2026-03-02,,,,,0,3,,,0.0000,,,,"));
        assert!(lines.contains(&"punctuality,2026-03-02,2026-03-02,,,,,0,0,,,,,,,"));
    }
}
