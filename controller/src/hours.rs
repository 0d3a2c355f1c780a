//! Local time of the hall: days (ticket numbering resets at local midnight) and opening
//! hours. Pure: the caller passes `now`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use hallq_config::{parse_hhmm, weekday, Hours};

/// Local date of `now_ms` in `tz`, as `YYYY-MM-DD` (the ticket counter's day).
pub fn local_day(tz: Tz, now_ms: i64) -> String {
    to_local(tz, now_ms)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// `now_ms` as a local date-time.
pub fn to_local(tz: Tz, ms: i64) -> DateTime<Tz> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
}

/// RFC 3339 with the hall's offset, e.g. `2026-12-01T09:00:00+08:00`.
pub fn rfc3339(tz: Tz, ms: i64) -> String {
    to_local(tz, ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Whether tickets may be issued at `now_ms`.
pub fn is_open(hours: &Hours, tz: Tz, now_ms: i64) -> bool {
    let local = to_local(tz, now_ms);
    let open_day = hours
        .days
        .iter()
        .filter_map(|d| weekday(d))
        .any(|d| d == local.weekday());
    let minute = local.hour() * 60 + local.minute();
    let open = parse_hhmm(&hours.open).unwrap_or(0);
    let close = parse_hhmm(&hours.close).unwrap_or(0);
    open_day && minute >= open && minute < close
}

/// Milliseconds of local midnight starting `day` (`YYYY-MM-DD`), if it parses.
pub fn day_start_ms(tz: Tz, day: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let local = tz
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()?;
    Some(local.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn day_rolls_at_local_midnight() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        assert_eq!(local_day(tz, ms("2026-12-01T15:59:59Z")), "2026-12-01");
        assert_eq!(local_day(tz, ms("2026-12-01T16:00:00Z")), "2026-12-02");
        assert_eq!(
            rfc3339(tz, ms("2026-12-01T01:00:00Z")),
            "2026-12-01T09:00:00+08:00"
        );
        assert_eq!(
            day_start_ms(tz, "2026-12-02"),
            Some(ms("2026-12-01T16:00:00Z"))
        );
    }

    #[test]
    fn opening_hours() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let h = Hours::default(); // mon-fri 08:30-17:30
        assert!(is_open(&h, tz, ms("2026-12-01T08:30:00+08:00"))); // Tuesday
        assert!(!is_open(&h, tz, ms("2026-12-01T08:29:59+08:00")));
        assert!(!is_open(&h, tz, ms("2026-12-01T17:30:00+08:00")));
        assert!(!is_open(&h, tz, ms("2026-12-05T10:00:00+08:00"))); // Saturday
        let all = Hours {
            open: "00:00".into(),
            close: "24:00".into(),
            days: vec!["sat".into()],
        };
        assert!(is_open(&all, tz, ms("2026-12-05T23:59:00+08:00")));
    }
}
