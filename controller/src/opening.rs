//! What the hall says about its opening at an instant: open or not, why not (a break, a
//! holiday, closed for the day), when tickets are issued again, and the line people read
//! ("午休中，14:30 开始取号"). One wording for the kiosk, `GET /services` and the walk-in
//! refusal (409 `hall_closed`). Pure over [`Timetable`]: the caller passes `now`.

use crate::hours::{to_local, Opening, Timetable};
use chrono::{Datelike, NaiveDate, Timelike};
use serde::Serialize;

/// Why the hall issues no tickets now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Between two periods of the day (a lunch break).
    Break,
    /// Before the day's first period, after its last, or a weekday the hall is closed.
    Closed,
    /// A public holiday of `[calendar]`.
    Holiday,
}

/// The hall's opening at an instant, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Whether tickets are issued now.
    pub open: bool,
    /// Why not, when closed.
    pub reason: Option<Reason>,
    /// When tickets are issued again (ms), when closed and an opening lies within 60 days.
    pub opens_at: Option<i64>,
    /// When the current period ends (ms), when open.
    pub closes_at: Option<i64>,
    /// The status line in Chinese, e.g. `午休中，14:30 开始取号`.
    pub zh: String,
    /// The same in English, e.g. `lunch break: tickets from 14:30`.
    pub en: String,
}

impl Status {
    /// `中文 / English`, the form of the API's error messages.
    pub fn message(&self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

const WEEK_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

fn hm(t: &Timetable<'_>, ms: i64) -> String {
    to_local(t.tz(), ms).format("%H:%M").to_string()
}

/// "今天 09:00" / "明天 12月3日（周四）09:00" / "12月7日（周一）09:00", and in English.
fn when(t: &Timetable<'_>, today: NaiveDate, ms: i64) -> (String, String) {
    let local = to_local(t.tz(), ms);
    let (date, time) = (local.date_naive(), local.format("%H:%M").to_string());
    let md = format!("{}月{}日", date.month(), date.day());
    let wd = WEEK_ZH[date.weekday().num_days_from_monday() as usize];
    let en_day = date.format("%a %-d %b").to_string();
    if date == today {
        (format!("今天 {time}"), format!("{time} today"))
    } else if today.succ_opt() == Some(date) {
        (
            format!("明天 {md}（{wd}）{time}"),
            format!("{time} tomorrow ({en_day})"),
        )
    } else {
        (format!("{md}（{wd}）{time}"), format!("{en_day} {time}"))
    }
}

/// The hall's opening at `now_ms`, worded for people; `hours_text` is said when no
/// opening lies within 60 days.
pub fn status(t: &Timetable<'_>, now_ms: i64, hours_text: &str) -> Status {
    let local = to_local(t.tz(), now_ms);
    let today = local.date_naive();
    match t.at(now_ms) {
        Opening::Open { until } => {
            // A period to midnight ends at 24:00, not at 00:00.
            let end = if to_local(t.tz(), until).date_naive() > today {
                "24:00".to_string()
            } else {
                hm(t, until)
            };
            Status {
                open: true,
                reason: None,
                opens_at: None,
                closes_at: Some(until),
                zh: format!("取号中，{end} 停止取号"),
                en: format!("tickets until {end}"),
            }
        }
        Opening::Break { next } => {
            // A break around noon is the lunch break; any other is a pause.
            let lunch = (11..15).contains(&local.hour());
            let (zh, en) = if lunch {
                ("午休中", "lunch break")
            } else {
                ("暂停取号", "break")
            };
            Status {
                open: false,
                reason: Some(Reason::Break),
                opens_at: Some(next),
                closes_at: None,
                zh: format!("{zh}，{} 开始取号", hm(t, next)),
                en: format!("{en}: tickets from {}", hm(t, next)),
            }
        }
        Opening::Closed { next } => {
            let holiday = t.is_holiday(today);
            let reason = if holiday {
                Reason::Holiday
            } else {
                Reason::Closed
            };
            let later_today = next.is_some_and(|n| to_local(t.tz(), n).date_naive() == today);
            let rest_day = t.periods_on(today).is_empty();
            let (zh, en) = if holiday {
                ("节假日休息", "closed for the public holiday")
            } else if later_today {
                ("尚未开始", "not open yet")
            } else if rest_day {
                ("今日休息", "closed today")
            } else {
                ("今日已停止取号", "closed for today")
            };
            let (zh, en) = match next {
                Some(n) => {
                    let (wz, we) = when(t, today, n);
                    (
                        format!("{zh}，{wz} 开始取号"),
                        format!("{en}: tickets from {we}"),
                    )
                }
                None => (
                    format!("暂停取号（{hours_text}）"),
                    "tickets are not issued now".to_string(),
                ),
            };
            Status {
                open: false,
                reason: Some(reason),
                opens_at: next,
                closes_at: None,
                zh,
                en,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn each_closed_state_says_why_and_when() {
        let c = hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[hall.hours]\nperiods=['09:00-12:00','14:30-17:30']\n\
             [calendar]\nholidays=['2026-12-04']\n\
             [[sections]]\nid='s'\nname='s'\n[[sections.services]]\nid='a'\nname='a'\nprefix='A'\n",
        )
        .unwrap();
        let t = Timetable::of(&c);
        let line = |s: &str| {
            let st = status(&t, ms(s), "x");
            (st.zh, st.en, st.reason)
        };
        // Wednesday 2 December 2026.
        assert_eq!(
            line("2026-12-02T12:35:00+08:00"),
            (
                "午休中，14:30 开始取号".into(),
                "lunch break: tickets from 14:30".into(),
                Some(Reason::Break)
            )
        );
        assert_eq!(
            line("2026-12-02T08:00:00+08:00"),
            (
                "尚未开始，今天 09:00 开始取号".into(),
                "not open yet: tickets from 09:00 today".into(),
                Some(Reason::Closed)
            )
        );
        assert_eq!(
            line("2026-12-02T17:30:00+08:00"),
            (
                "今日已停止取号，明天 12月3日（周四）09:00 开始取号".into(),
                "closed for today: tickets from 09:00 tomorrow (Thu 3 Dec)".into(),
                Some(Reason::Closed)
            )
        );
        // Friday is a holiday: the next opening is Monday.
        assert_eq!(
            line("2026-12-04T10:00:00+08:00"),
            (
                "节假日休息，12月7日（周一）09:00 开始取号".into(),
                "closed for the public holiday: tickets from Mon 7 Dec 09:00".into(),
                Some(Reason::Holiday)
            )
        );
        let open = status(&t, ms("2026-12-02T10:00:00+08:00"), "x");
        assert!(open.open);
        assert_eq!(open.closes_at, Some(ms("2026-12-02T12:00:00+08:00")));
        assert_eq!(open.zh, "取号中，12:00 停止取号");
        let all = hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[hall.hours]\nopen='00:00'\nclose='24:00'\n\
             [[sections]]\nid='s'\nname='s'\n[[sections.services]]\nid='a'\nname='a'\nprefix='A'\n",
        )
        .unwrap();
        let night = status(&Timetable::of(&all), ms("2026-12-02T23:00:00+08:00"), "x");
        assert_eq!(night.en, "tickets until 24:00");
    }
}
