//! Booking slots as pure calendar arithmetic: which days a service can be booked, the
//! slots of a day (laid out only inside the hall's opening periods of that date: a slot
//! never spans the lunch break, the grid restarts when a period starts, a holiday has
//! none), whether a slot is still bookable, and the check-in window. Pure: the caller
//! passes `now`.

use crate::hours::{to_local, Timetable};
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use hallq_config::booking::{Calendar, CheckinOpens, Rules, ServiceBooking};
use hallq_config::{parse_hhmm, weekday, Period, Settings};

/// One slot: start and end in ms since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Start (ms).
    pub start: i64,
    /// End (ms).
    pub end: i64,
}

/// Whether the service takes bookings on `date`: a listed weekday that is not a public
/// holiday, or a make-up working day.
pub fn day_is_open(b: &ServiceBooking, cal: &Calendar, date: NaiveDate) -> bool {
    cal.override_of(date).unwrap_or_else(|| {
        b.days
            .iter()
            .filter_map(|d| weekday(d))
            .any(|d| d == date.weekday())
    })
}

use crate::hours::date_start_ms as midnight;

/// Open and close (minutes after midnight) and slot length of a service's booking day.
fn frame(b: &ServiceBooking) -> Option<(u32, u32, u32)> {
    Some((
        parse_hhmm(&b.open)?,
        parse_hhmm(&b.close)?,
        b.slot_minutes.max(1),
    ))
}

/// Where the service's booking hours meet the hall's periods on `date` (minutes after
/// local midnight); none when the service or the hall is closed that day.
fn stretches_of(b: &ServiceBooking, t: &Timetable<'_>, date: NaiveDate) -> Vec<Period> {
    if !day_is_open(b, t.calendar(), date) {
        return Vec::new();
    }
    let Some((open, close, _)) = frame(b) else {
        return Vec::new();
    };
    hallq_config::hours::stretches(open, close, &t.day_periods(date))
}

/// The slots of `date`: from the start of each stretch where the service's booking hours
/// meet the hall's periods, as many whole slots as fit (empty when the day is closed).
pub fn slots_of_day(b: &ServiceBooking, t: &Timetable<'_>, date: NaiveDate) -> Vec<Slot> {
    let Some(base) = midnight(t.tz(), date) else {
        return Vec::new();
    };
    let len = b.slot_minutes.max(1);
    let at = |m: u32| base + i64::from(m) * 60_000;
    stretches_of(b, t, date)
        .into_iter()
        .flat_map(|st| {
            (st.start..st.end)
                .step_by(len as usize)
                .filter(move |m| m + len <= st.end)
        })
        .map(|m| Slot {
            start: at(m),
            end: at(m + len),
        })
        .collect()
}

/// Whether `date` lies within the booking horizon seen from `now_ms`.
pub fn in_horizon(b: &ServiceBooking, tz: Tz, now_ms: i64, date: NaiveDate) -> bool {
    let today = to_local(tz, now_ms).date_naive();
    date >= today && date < today + Duration::days(i64::from(b.horizon_days))
}

/// Whether a slot can still be booked at `now_ms` (before its start minus the cut-off).
pub fn bookable(b: &ServiceBooking, now_ms: i64, slot_start: i64) -> bool {
    now_ms < slot_start - i64::from(b.cutoff_minutes) * 60_000
}

/// How long after a slot's start check-in stays open (ms): the moment it closes is also
/// the moment a booked appointment becomes a no-show (the sweep uses this).
pub fn checkin_closes_after_start_ms(rules: &Rules) -> i64 {
    i64::from(rules.checkin_closes_after_start_minutes) * 60_000
}

/// The check-in window of a slot, `[from, until)` in ms: from the hall's opening on the
/// slot's day (or `checkin_opens` minutes before the slot) until
/// `checkin_closes_after_start_minutes` after its start, that moment excluded. The one
/// definition the kiosk's decision, the appointment view, the booking page and the
/// no-show sweep share.
pub fn checkin_window(cfg: &Settings, slot_start: i64) -> (i64, i64) {
    let r = &cfg.appointments;
    let until = slot_start + checkin_closes_after_start_ms(r);
    let from = match r.checkin_opens {
        CheckinOpens::HallOpen => {
            let date = to_local(cfg.tz(), slot_start).date_naive();
            crate::hours::Timetable::of(cfg)
                .day_opens(date)
                .map_or(slot_start, |open| open.min(slot_start))
        }
        CheckinOpens::MinutesBefore(m) => slot_start - i64::from(m) * 60_000,
    };
    (from, until)
}

/// The slot starting at `start`, if the service has one: the same answer as looking it up
/// in [`slots_of_day`], computed without listing the day.
pub fn find(b: &ServiceBooking, t: &Timetable<'_>, start: i64) -> Option<Slot> {
    let date = to_local(t.tz(), start).date_naive();
    let (_, _, len) = frame(b)?;
    let offset = start - midnight(t.tz(), date)?;
    if offset < 0 || offset % 60_000 != 0 {
        return None;
    }
    let (m, len) = (offset / 60_000, i64::from(len));
    let on_grid = stretches_of(b, t, date).iter().any(|st| {
        let (s, e) = (i64::from(st.start), i64::from(st.end));
        m >= s && m + len <= e && (m - s) % len == 0
    });
    on_grid.then_some(Slot {
        start,
        end: start + len * 60_000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking() -> ServiceBooking {
        hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[[sections]]\nid='s'\nname='s'\n[[sections.services]]\nid='a'\nname='a'\nprefix='A'\n\
             [sections.services.booking]\nopen='09:00'\nclose='11:00'\nslot_minutes=30\n[identity]\nid_hash_key='k'\ndev_provider=true\n",
        )
        .unwrap()
        .sections[0]
            .services[0]
            .booking
            .clone()
            .map(|mut b| {
                // Past the config check, which refuses a grid that leaves 10:30–11:00
                // unused: what the pure layout does with it.
                b.slot_minutes = 45;
                b
            })
            .unwrap()
    }

    /// A hall open around the clock every day.
    fn all_day() -> hallq_config::Hours {
        hallq_config::Hours {
            periods: Some(vec!["00:00-24:00".into()]),
            days: Some(
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .map(String::from)
                    .to_vec(),
            ),
            ..Default::default()
        }
    }

    fn tz() -> Tz {
        "Asia/Shanghai".parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn slots_fit_inside_the_hours() {
        let (h, cal) = (all_day(), Calendar::default());
        let t = Timetable::new(&h, &cal, tz());
        let s = slots_of_day(&booking(), &t, d("2026-12-01"));
        // 09:00-09:45, 09:45-10:30; 10:30-11:15 would overrun.
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].start, ms("2026-12-01T09:00:00+08:00"));
        assert_eq!(s[1].end, ms("2026-12-01T10:30:00+08:00"));
    }

    #[test]
    fn find_matches_a_lookup_in_the_listing_for_every_minute() {
        let cal = Calendar::default();
        let (all, mut lunch) = (all_day(), all_day());
        lunch.periods = Some(vec!["08:00-12:00".into(), "14:30-17:45".into()]);
        for h in [&all, &lunch] {
            let t = Timetable::new(h, &cal, tz());
            for (len, open, close) in [
                (1, "00:00", "24:00"),
                (7, "08:30", "17:10"),
                (45, "09:05", "12:00"),
            ] {
                let mut b = booking();
                (b.slot_minutes, b.open, b.close) = (len, open.into(), close.into());
                // The day before and after too: minutes outside 0..1440 belong to them.
                let listed: Vec<Slot> = ["2026-11-30", "2026-12-01", "2026-12-02"]
                    .iter()
                    .flat_map(|day| slots_of_day(&b, &t, d(day)))
                    .collect();
                let base = ms("2026-12-01T00:00:00+08:00");
                for m in -10..(24 * 60 + 10) {
                    for extra in [0, 1, 30_000] {
                        let start = base + m * 60_000 + extra;
                        let want = listed.iter().copied().find(|s| s.start == start);
                        assert_eq!(
                            find(&b, &t, start),
                            want,
                            "len {len} minute {m} +{extra} ms"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn find_agrees_with_the_listing() {
        let b = booking();
        let (h, cal) = (all_day(), Calendar::default());
        let t = Timetable::new(&h, &cal, tz());
        for s in slots_of_day(&b, &t, d("2026-12-01")) {
            assert_eq!(find(&b, &t, s.start), Some(s));
            assert_eq!(find(&b, &t, s.start + 60_000), None);
        }
        assert_eq!(find(&b, &t, ms("2026-12-01T10:30:00+08:00")), None); // would overrun
        assert_eq!(find(&b, &t, ms("2026-12-06T09:00:00+08:00")), None); // Sunday
    }

    #[test]
    fn slots_lie_inside_the_halls_periods() {
        let mut b = booking();
        (b.open, b.close, b.slot_minutes) = ("09:00".into(), "17:30".into(), 30);
        b.days.push("sat".into());
        let mut h = all_day();
        h.periods = Some(vec!["09:00-12:00".into(), "14:30-17:30".into()]);
        h.sat = Some(vec!["09:00-12:00".into()]);
        h.days = Some(
            ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
        );
        let cal = Calendar {
            holidays: vec!["2026-12-02".into()],
            workdays: vec!["2026-12-06".into()],
        };
        let t = Timetable::new(&h, &cal, tz());
        let starts = |day: &str| -> Vec<String> {
            slots_of_day(&b, &t, d(day))
                .iter()
                .map(|s| crate::hours::rfc3339(tz(), s.start)[11..16].to_string())
                .collect()
        };
        let tue = starts("2026-12-01");
        assert_eq!(tue.len(), 12, "{tue:?}");
        assert_eq!(tue[5], "11:30"); // ends at 12:00
        assert_eq!(tue[6], "14:30"); // the grid restarts after the break
        assert!(!tue.iter().any(|s| ("12:00".."14:30").contains(&s.as_str())));
        assert!(starts("2026-12-02").is_empty(), "a holiday has no slots");
        assert_eq!(starts("2026-12-05").len(), 6, "Saturday: the morning");
        assert_eq!(starts("2026-12-06").len(), 12, "a make-up Sunday");
        assert!(starts("2026-12-13").is_empty(), "an ordinary Sunday");
        assert_eq!(find(&b, &t, ms("2026-12-01T12:30:00+08:00")), None);
        assert!(find(&b, &t, ms("2026-12-01T14:30:00+08:00")).is_some());
    }

    #[test]
    fn calendar_holidays_and_makeup_days() {
        let b = booking(); // mon-fri
        let cal = Calendar {
            holidays: vec!["2026-12-01".into()],
            workdays: vec!["2026-12-05".into()],
        };
        assert!(!day_is_open(&b, &cal, d("2026-12-01"))); // Tuesday, holiday
        assert!(day_is_open(&b, &cal, d("2026-12-02")));
        assert!(day_is_open(&b, &cal, d("2026-12-05"))); // Saturday, make-up day
        assert!(!day_is_open(&b, &cal, d("2026-12-06"))); // Sunday
    }

    #[test]
    fn horizon_cutoff_and_checkin() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let mut b = booking(); // horizon 7 days
        let now = ms("2026-12-01T10:00:00+08:00");
        assert!(in_horizon(&b, tz, now, d("2026-12-01")));
        assert!(in_horizon(&b, tz, now, d("2026-12-07")));
        assert!(!in_horizon(&b, tz, now, d("2026-12-08")));
        assert!(!in_horizon(&b, tz, now, d("2026-11-30")));
        b.cutoff_minutes = 30;
        assert!(bookable(&b, now, now + 31 * 60_000));
        assert!(!bookable(&b, now, now + 30 * 60_000));
    }

    #[test]
    fn checkin_from_the_halls_opening_until_the_slot_starts() {
        let cfg = hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[hall.hours]\nopen='08:30'\n[[sections]]\nid='s'\nname='s'\n\
             [[sections.services]]\nid='a'\nname='a'\nprefix='A'\n[identity]\nid_hash_key='k'\n",
        )
        .unwrap();
        let slot = ms("2026-12-01T14:00:00+08:00");
        let (from, until) = checkin_window(&cfg, slot);
        assert_eq!(from, ms("2026-12-01T08:30:00+08:00"));
        assert_eq!(until, slot);
        let mut cfg = cfg;
        cfg.appointments.checkin_opens = CheckinOpens::MinutesBefore(60);
        cfg.appointments.checkin_closes_after_start_minutes = 15;
        assert_eq!(
            checkin_window(&cfg, slot),
            (slot - 3_600_000, slot + 900_000)
        );
        assert_eq!(checkin_closes_after_start_ms(&cfg.appointments), 900_000);
    }
}
