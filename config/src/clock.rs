//! The hall's clock for the pages: every page shows the hall's time (`hall.time_zone`),
//! whatever the browser's zone or clock. The server writes [`boot_json`] into the page
//! (`<script id="hall-clock" type="application/json">`), and [`SCRIPT`] (served as
//! `hallclock.js`) reads it: the hall's UTC offsets over the coming year and the server's
//! time. No `Intl` time-zone support is needed in the browser (old WebViews lack it).

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The browser side (ES5): `window.HallClock` with `now()`, `parts(ms)`, `date(ms)`,
/// `time(ms)`, `hm(ms)`, `addDays(ymd, n)`, `sync(serverMs)`.
pub const SCRIPT: &str = include_str!("../assets/hallclock.js");

/// How far ahead the offset table reaches (a TV left on for a year still changes to
/// summer time in a zone that has one).
const AHEAD_DAYS: i64 = 400;

fn offset_min(tz: Tz, ms: i64) -> i32 {
    let at = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
        / 60
}

/// `{"zone": "Asia/Shanghai", "now": "2026-12-02T15:42:12+08:00", "offsets": [[ms, min], …]}`:
/// the zone, the server's time `now_ms` in RFC 3339 with the hall's offset, and the UTC
/// offset (minutes east) in force from each instant (ms since the epoch) on, starting
/// with the one in force now. Safe inside a `<script>` element (no `<`).
pub fn boot_json(tz: Tz, now_ms: i64) -> String {
    let mut offsets = vec![(now_ms, offset_min(tz, now_ms))];
    let day = 86_400_000;
    let mut t = now_ms;
    while t < now_ms + AHEAD_DAYS * day {
        let next = t + day;
        let last = offsets.last().map_or(0, |o| o.1);
        if offset_min(tz, next) != last {
            // Narrow the change down to the minute.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 60_000 {
                let mid = lo + (hi - lo) / 2;
                if offset_min(tz, mid) == last {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            // Changes fall on whole minutes: the one minute in (lo, hi].
            let at = (lo.div_euclid(60_000) + 1) * 60_000;
            offsets.push((at, offset_min(tz, at)));
        }
        t = next;
    }
    let now = Utc
        .timestamp_millis_opt(now_ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz);
    let list: Vec<String> = offsets
        .iter()
        .map(|(ms, min)| format!("[{ms},{min}]"))
        .collect();
    format!(
        "{{\"zone\":\"{}\",\"now\":\"{}\",\"offsets\":[{}]}}",
        tz.name().replace(['"', '<', '\\'], ""),
        rfc3339(now),
        list.join(",")
    )
}

fn rfc3339(t: DateTime<Tz>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_has_one_offset() {
        // 2026-12-02T07:42:12Z
        let j = boot_json(chrono_tz::Asia::Shanghai, 1_796_197_332_000);
        assert_eq!(
            j,
            "{\"zone\":\"Asia/Shanghai\",\"now\":\"2026-12-02T15:42:12.000+08:00\",\"offsets\":[[1796197332000,480]]}"
        );
    }

    #[test]
    fn berlin_changes_twice_a_year_to_the_minute() {
        let j = boot_json(chrono_tz::Europe::Berlin, 1_796_197_332_000);
        // 2027-03-28T01:00:00Z to +120, 2027-10-31T01:00:00Z back to +60.
        assert!(j.contains("[1806195600000,120]"), "{j}");
        assert!(j.contains("[1824944400000,60]"), "{j}");
        assert!(j.contains("\"offsets\":[[1796197332000,60],"), "{j}");
    }
}
