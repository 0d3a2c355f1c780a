//! The config check of `[appointments]`: rule values within sane bounds (a zero limit
//! would ban at the first no-show, a zero-month ban would ban nobody), the check-in keys
//! consistent with each other, the notice's placeholders known, and
//! the replaced check-in keys refused with a pointer to their successors. Pure.

use crate::booking::{CheckinOpens, Rules};
use crate::locate::Seg;
use crate::schema::Settings;

/// Inclusive bounds of each numeric rule, and why.
const BOUNDS: [(&str, u32, u32); 8] = [
    ("daily_limit", 1, 20),
    ("active_per_day", 1, 20),
    ("no_show_period_months", 1, 60),
    ("no_show_limit", 1, 100),
    ("no_show_ban_months", 1, 60),
    ("false_info_limit", 1, 100),
    ("false_info_ban_months", 1, 60),
    ("retention_days", 30, 3650),
];

/// Most minutes after a slot's start check-in may stay open.
const CLOSES_MAX: u32 = 240;

fn numeric(r: &Rules, key: &str) -> u32 {
    match key {
        "daily_limit" => r.daily_limit,
        "active_per_day" => r.active_per_day,
        "no_show_period_months" => r.no_show_period_months,
        "no_show_limit" => r.no_show_limit,
        "no_show_ban_months" => r.no_show_ban_months,
        "false_info_limit" => r.false_info_limit,
        "false_info_ban_months" => r.false_info_ban_months,
        _ => r.retention_days,
    }
}

/// Rule violations of `[appointments]`.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let r = &s.appointments;
    let at = |key: &str| vec![Seg::Key("appointments".into()), Seg::Key(key.into())];
    for (key, lo, hi) in BOUNDS {
        let v = numeric(r, key);
        if !(lo..=hi).contains(&v) {
            p.push((at(key), format!("must be {lo} to {hi}, not {v}")));
        }
    }
    if r.checkin_before_minutes.is_some() {
        p.push((
            at("checkin_before_minutes"),
            "replaced by checkin_opens: \"hall_open\" (the default: from the hall's opening on the \
             slot's day) or minutes before the slot starts"
                .into(),
        ));
    }
    if r.checkin_grace_minutes.is_some() {
        p.push((
            at("checkin_grace_minutes"),
            "replaced by checkin_closes_after_start_minutes (0, the default: check-in closes as \
             the slot starts)"
                .into(),
        ));
    }
    let closes = r.checkin_closes_after_start_minutes;
    if closes > CLOSES_MAX {
        p.push((
            at("checkin_closes_after_start_minutes"),
            format!("must be 0 to {CLOSES_MAX} minutes"),
        ));
    }
    if r.checkin_opens == CheckinOpens::MinutesBefore(0) && closes == 0 {
        p.push((
            at("checkin_opens"),
            "0 minutes before the slot with checkin_closes_after_start_minutes = 0 leaves no time \
             to check in"
                .into(),
        ));
    }
    for (n, point) in r.notice.iter().enumerate() {
        if let Some(problem) = crate::notice::check(point) {
            let mut path = at("notice");
            path.push(Seg::Index(n));
            p.push((path, problem));
        }
    }
}
