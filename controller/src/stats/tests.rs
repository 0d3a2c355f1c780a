//! Unit tests of the aggregation and the CSV export.

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
    assert!(lines.contains(&"service,2026-03-02,2026-03-02,a,\"业务,a\",,,3,,120.0,120.0,,,3,0,0"));
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
