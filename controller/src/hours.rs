//! Local time of the hall: days (ticket numbering resets at local midnight) and the
//! timetable ([`Timetable`]: opening periods, lunch breaks, holidays and make-up working
//! days as instants). Pure: the caller passes `now`.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use hallq_config::booking::Calendar;
use hallq_config::{Hours, Period, Settings};

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

/// The instant (ms) the local day of `now_ms` began: the local time of day taken off (the
/// hours of a day that changes clocks count from there).
pub fn local_midnight(tz: Tz, now_ms: i64) -> i64 {
    use chrono::Timelike;
    let t = to_local(tz, now_ms);
    now_ms
        - i64::from(t.num_seconds_from_midnight()) * 1000
        - i64::from(t.timestamp_subsec_millis())
}

/// RFC 3339 with the hall's offset, e.g. `2026-12-01T09:00:00+08:00`.
pub fn rfc3339(tz: Tz, ms: i64) -> String {
    to_local(tz, ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The hall's timetable in instants: `[hall.hours]` and `[calendar]` in the hall's zone.
#[derive(Debug, Clone, Copy)]
pub struct Timetable<'a> {
    hours: &'a Hours,
    cal: &'a Calendar,
    tz: Tz,
}

/// Whether the hall is open at an instant, and if not, why and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Open; closes (or breaks) at `until` (ms).
    Open {
        /// End of the current period (ms).
        until: i64,
    },
    /// Between two periods of the same day (a lunch break); opens again at `next` (ms).
    Break {
        /// Start of the next period (ms).
        next: i64,
    },
    /// Closed for the day (before the first period, after the last, a closed weekday or
    /// a holiday); `next` is the next opening within 60 days, if any.
    Closed {
        /// Start of the next period (ms).
        next: Option<i64>,
    },
}

impl<'a> Timetable<'a> {
    /// The timetable of a config.
    pub fn of(cfg: &'a Settings) -> Self {
        Self {
            hours: &cfg.hall.hours,
            cal: &cfg.calendar,
            tz: cfg.tz(),
        }
    }

    /// The timetable of explicit parts (tests, tools).
    pub fn new(hours: &'a Hours, cal: &'a Calendar, tz: Tz) -> Self {
        Self { hours, cal, tz }
    }

    /// The hall's time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The hall's calendar (holidays, make-up working days).
    pub fn calendar(&self) -> &'a Calendar {
        self.cal
    }

    /// The opening periods of a local date in minutes after local midnight (none on a
    /// holiday; a make-up working day's on 调休).
    pub fn day_periods(&self, date: NaiveDate) -> Vec<Period> {
        self.hours.periods_on(self.cal, date)
    }

    /// Whether `date` is one of the calendar's public holidays (and not a make-up day):
    /// [`Calendar::override_of`], the one precedence.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.cal.override_of(date) == Some(false)
    }

    /// The opening periods of a local date, as `[start, end)` instants (ms), in order.
    pub fn periods_on(&self, date: NaiveDate) -> Vec<(i64, i64)> {
        let Some(base) = date_start_ms(self.tz, date) else {
            return Vec::new();
        };
        // Minutes count from local midnight; across a DST change the wall clock and the
        // count differ by the shift, which the halls this serves do not observe.
        self.day_periods(date)
            .into_iter()
            .map(|p| {
                (
                    base + i64::from(p.start) * 60_000,
                    base + i64::from(p.end) * 60_000,
                )
            })
            .collect()
    }

    /// Whether the hall is open at `now_ms`, and if not, until when it is closed.
    pub fn at(&self, now_ms: i64) -> Opening {
        let today = to_local(self.tz, now_ms).date_naive();
        let periods = self.periods_on(today);
        if let Some(&(_, until)) = periods.iter().find(|(s, e)| *s <= now_ms && now_ms < *e) {
            return Opening::Open { until };
        }
        let later_today = periods.iter().find(|(s, _)| *s > now_ms).map(|p| p.0);
        let started = periods.iter().any(|(s, _)| *s <= now_ms);
        match later_today {
            Some(next) if started => Opening::Break { next },
            Some(next) => Opening::Closed { next: Some(next) },
            None => Opening::Closed {
                next: (1..=60)
                    .filter_map(|n| today.checked_add_days(Days::new(n)))
                    .find_map(|d| self.periods_on(d).first().map(|p| p.0)),
            },
        }
    }

    /// Whether tickets may be issued at `now_ms`.
    pub fn is_open(&self, now_ms: i64) -> bool {
        matches!(self.at(now_ms), Opening::Open { .. })
    }

    /// The first opening of a local date (ms), if the hall opens that day.
    pub fn day_opens(&self, date: NaiveDate) -> Option<i64> {
        self.periods_on(date).first().map(|p| p.0)
    }

    /// The closing of a local date: the end of its last period (ms), if it opens.
    pub fn day_closes(&self, date: NaiveDate) -> Option<i64> {
        self.periods_on(date).last().map(|p| p.1)
    }
}

/// Local midnight starting `date` (ms; the earliest instant across a DST change).
pub fn date_start_ms(tz: Tz, date: NaiveDate) -> Option<i64> {
    let local = tz
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()?;
    Some(local.timestamp_millis())
}

/// Milliseconds of local midnight starting `day` (`YYYY-MM-DD`), if it parses.
pub fn day_start_ms(tz: Tz, day: &str) -> Option<i64> {
    date_start_ms(tz, NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?)
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

    fn cfg(hours: &str, calendar: &str) -> Settings {
        hallq_config::load_str(
            "t",
            &format!(
                "[hall]\nid='h'\nname='厅'\n[hall.hours]\n{hours}\n[calendar]\n{calendar}\n\
                 [[sections]]\nid='s'\nname='s'\n[[sections.services]]\nid='a'\nname='a'\nprefix='A'\n"
            ),
        )
        .unwrap()
    }

    #[test]
    fn opening_hours() {
        let c = cfg("", ""); // mon-fri 08:30-17:30
        let t = Timetable::of(&c);
        assert!(t.is_open(ms("2026-12-01T08:30:00+08:00"))); // Tuesday
        assert!(!t.is_open(ms("2026-12-01T08:29:59+08:00")));
        assert!(!t.is_open(ms("2026-12-01T17:30:00+08:00")));
        assert!(!t.is_open(ms("2026-12-05T10:00:00+08:00"))); // Saturday
        let all = cfg("open='00:00'\nclose='24:00'\ndays=['sat']", "");
        assert!(Timetable::of(&all).is_open(ms("2026-12-05T23:59:00+08:00")));
    }

    #[test]
    fn lunch_break_saturday_holiday_and_makeup_day() {
        let c = cfg(
            "periods=['09:00-12:00','14:30-17:30']\nsat=['09:00-12:00']",
            "holidays=['2026-12-01']\nworkdays=['2026-12-06']",
        );
        let t = Timetable::of(&c);
        let at = |s: &str| t.at(ms(s));
        // Wednesday: morning, lunch, afternoon, evening (next: Thursday 09:00).
        assert_eq!(
            at("2026-12-02T11:59:00+08:00"),
            Opening::Open {
                until: ms("2026-12-02T12:00:00+08:00")
            }
        );
        assert_eq!(
            at("2026-12-02T12:35:00+08:00"),
            Opening::Break {
                next: ms("2026-12-02T14:30:00+08:00")
            }
        );
        assert!(t.is_open(ms("2026-12-02T14:30:00+08:00")));
        assert_eq!(
            at("2026-12-02T17:30:00+08:00"),
            Opening::Closed {
                next: Some(ms("2026-12-03T09:00:00+08:00"))
            }
        );
        assert_eq!(
            at("2026-12-02T07:00:00+08:00"),
            Opening::Closed {
                next: Some(ms("2026-12-02T09:00:00+08:00"))
            }
        );
        // Tuesday 1 Dec is a holiday: closed all day, opens Wednesday.
        assert_eq!(
            at("2026-12-01T10:00:00+08:00"),
            Opening::Closed {
                next: Some(ms("2026-12-02T09:00:00+08:00"))
            }
        );
        // Saturday: the morning only; Sunday 6 Dec is a make-up working day (full day).
        assert!(t.is_open(ms("2026-12-05T11:00:00+08:00")));
        assert!(!t.is_open(ms("2026-12-05T15:00:00+08:00")));
        assert!(t.is_open(ms("2026-12-06T15:00:00+08:00")));
        assert!(!t.is_open(ms("2026-12-13T10:00:00+08:00"))); // an ordinary Sunday
        assert_eq!(
            t.day_closes(d("2026-12-05")),
            Some(ms("2026-12-05T12:00:00+08:00"))
        );
        // A make-up Saturday is a full working day, not Saturday's short morning.
        let c2 = cfg(
            "periods=['09:00-12:00','14:30-17:30']\nsat=['09:00-12:00']",
            "workdays=['2026-12-12']",
        );
        let t2 = Timetable::of(&c2);
        assert!(t2.is_open(ms("2026-12-12T15:00:00+08:00")));
        assert!(!t2.is_open(ms("2026-12-05T15:00:00+08:00")));
        assert_eq!(
            c.hall.hours.describe(),
            "周一至周五 09:00–12:00，14:30–17:30；周六 09:00–12:00"
        );
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
}
