//! `[appointments]` in `hallq config check`: rule values out of their bounds, the replaced
//! check-in keys, inconsistent check-in keys and unknown notice placeholders are refused
//! with FILE:LINE:COL and the key; sane values load. Each case is a small valid hall plus an
//! `[appointments]` table (its first key on line 26).

use hallq_config::booking::CheckinOpens;
use hallq_config::{load_str, ConfigError};

const BASE: &str = r#"[hall]
id = "h"
name = "测试大厅"

[hall.hours]
open = "08:30"
close = "17:30"

[[sections]]
id = "s"
name = "不动产"

[[sections.services]]
id = "property"
name = "不动产登记"
prefix = "A"

[sections.services.booking]
open = "09:00"

[identity]
id_hash_key = "k"
dev_provider = true

[appointments]
"#;

/// Line of the first key written after `[appointments]`.
const FIRST: usize = 26;

fn refused(extra: &str) -> Vec<String> {
    let src = format!("{BASE}{extra}");
    match load_str("hall.toml", &src) {
        Ok(_) => panic!("loaded, expected a refusal:\n{src}"),
        Err(ConfigError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

/// Exactly one diagnostic, at `line` and `col`, for `key`, containing `msg`.
fn one(extra: &str, line: usize, col: usize, key: &str, msg: &str) {
    let got = refused(extra);
    assert_eq!(got.len(), 1, "{got:?}");
    let want = format!("hall.toml:{line}:{col}: {key}: ");
    assert!(got[0].starts_with(&want), "want {want:?}, got {:?}", got[0]);
    assert!(got[0].contains(msg), "want {msg:?} in {:?}", got[0]);
}

#[test]
fn the_base_hall_loads_with_the_published_rules() {
    let s = load_str("hall.toml", BASE).expect("loads");
    let r = &s.appointments;
    assert_eq!(
        (r.daily_limit, r.no_show_limit, r.no_show_ban_months),
        (2, 3, 3)
    );
    assert_eq!((r.false_info_limit, r.false_info_ban_months), (3, 1));
    assert_eq!(r.checkin_opens, CheckinOpens::HallOpen);
    assert_eq!(r.checkin_closes_after_start_minutes, 0);
    assert_eq!(r.notice.len(), 8);
}

#[test]
fn zero_limits_and_zero_month_bans_are_refused() {
    for key in [
        "daily_limit",
        "active_per_day",
        "no_show_period_months",
        "no_show_limit",
        "no_show_ban_months",
        "false_info_limit",
        "false_info_ban_months",
    ] {
        one(
            &format!("{key} = 0\n"),
            FIRST,
            1,
            &format!("appointments.{key}"),
            "must be 1 to",
        );
    }
    one(
        "daily_limit = 21\n",
        FIRST,
        1,
        "appointments.daily_limit",
        "must be 1 to 20, not 21",
    );
    one(
        "no_show_ban_months = 61\n",
        FIRST,
        1,
        "appointments.no_show_ban_months",
        "1 to 60",
    );
    one(
        "retention_days = 7\n",
        FIRST,
        1,
        "appointments.retention_days",
        "must be 30 to 3650",
    );
    // Indented: the column points at the key.
    one(
        "  no_show_limit = 0\n",
        FIRST,
        3,
        "appointments.no_show_limit",
        "must be 1 to 100",
    );
}

#[test]
fn sane_rule_values_load() {
    let s = load_str(
        "hall.toml",
        &format!(
            "{BASE}daily_limit = 1\nno_show_limit = 1\nno_show_ban_months = 1\nfalse_info_limit = 1\n\
             false_info_ban_months = 60\nretention_days = 30\ncheckin_opens = 60\n\
             checkin_closes_after_start_minutes = 15\n"
        ),
    )
    .expect("loads");
    assert_eq!(
        s.appointments.checkin_opens,
        CheckinOpens::MinutesBefore(60)
    );
    assert_eq!(s.appointments.checkin_closes_after_start_minutes, 15);
}

#[test]
fn the_replaced_checkin_keys_point_to_their_successors() {
    one(
        "checkin_before_minutes = 60\n",
        FIRST,
        1,
        "appointments.checkin_before_minutes",
        "replaced by checkin_opens",
    );
    one(
        "checkin_grace_minutes = 15\n",
        FIRST,
        1,
        "appointments.checkin_grace_minutes",
        "replaced by checkin_closes_after_start_minutes",
    );
}

#[test]
fn checkin_keys_must_leave_time_to_check_in() {
    one(
        "checkin_opens = \"at_dawn\"\n",
        FIRST,
        17,
        "appointments.checkin_opens",
        "\"hall_open\" or minutes before the slot starts",
    );
    one(
        "checkin_opens = -5\n",
        FIRST,
        17,
        "appointments.checkin_opens",
        "\"hall_open\" or minutes",
    );
    one(
        "checkin_opens = 0\n",
        FIRST,
        1,
        "appointments.checkin_opens",
        "leaves no time to check in",
    );
    one(
        "checkin_closes_after_start_minutes = 241\n",
        FIRST,
        1,
        "appointments.checkin_closes_after_start_minutes",
        "0 to 240",
    );
    // Bookings from 08:00 in a hall opening at 08:30: the 08:00 slot could never be
    // checked in from the hall's opening.
    let src = BASE.replace("open = \"09:00\"", "open = \"08:00\"");
    let got = match load_str("hall.toml", &src) {
        Err(ConfigError::Invalid(d)) => d.iter().map(ToString::to_string).collect::<Vec<_>>(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("hall.toml:19:1: sections[0].services[0].booking.open: "),
        "{got:?}"
    );
    assert!(got[0].contains("before the hall opens (08:30)"), "{got:?}");
}

#[test]
fn unknown_notice_placeholders_are_refused_where_they_are() {
    let extra = "notice = [\n  \"每天{daily_limit}次\",\n  \"爽约{no_show_limt}次\",\n]\n";
    one(
        extra,
        FIRST + 2,
        3,
        "appointments.notice[1]",
        "unknown placeholder {no_show_limt}",
    );
    one(
        "notice = [\"a { b\"]\n",
        FIRST,
        11,
        "appointments.notice[0]",
        "never closed",
    );
    let s = load_str(
        "hall.toml",
        &format!("{BASE}daily_limit = 3\nnotice = [\"同一用户每天只能预约{{daily_limit}}次\"]\n"),
    )
    .expect("loads");
    assert_eq!(
        hallq_config::notice::render(&s.appointments),
        vec!["同一用户每天只能预约3次".to_string()]
    );
}
