//! Check-in decisions (预约取号): whether a kiosk may turn an appointment into its
//! appointment ticket now, and which of a person's booked appointments of the day an ID
//! card means. Pure: the caller passes `now` and what it read; the store then does the
//! atomic part (a racing cancel or a second check-in still loses there).

use crate::hours::{local_day, to_local};
use crate::model::AppointmentStatus;
use crate::slots::checkin_window;
use chrono::NaiveTime;
use hallq_config::Settings;

/// What the decision reads of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<'a> {
    /// Where the appointment is in its life.
    pub status: AppointmentStatus,
    /// The local day of its slot (`YYYY-MM-DD`).
    pub day: &'a str,
    /// Its slot's start (ms).
    pub slot_start: i64,
    /// The keyed hash of its holder's ID number.
    pub holder: &'a str,
}

/// The decision on one check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Check it in: issue its appointment ticket.
    CheckIn,
    /// Refuse; nothing changes.
    Refuse(Refused),
}

/// Why an appointment cannot be checked in now. Each maps to one contract error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The ID number presented is not the holder's.
    #[error("身份证与预约人不一致 / this ID card does not match the appointment")]
    NotTheHolder,
    /// Already checked in, cancelled, a no-show or done.
    #[error("该预约当前状态为 {0}，不能办理 / the appointment is {0}")]
    NotBooked(AppointmentStatus),
    /// Booked for another day (`YYYY-MM-DD`).
    #[error("该预约日期为 {0}，请当天取号 / the appointment is on {0}")]
    NotToday(String),
    /// The check-in window opens later, at this local time.
    #[error("请于 {} 后取号 / check in from {}", .0.format("%H:%M"), .0.format("%H:%M"))]
    TooEarly(NaiveTime),
    /// The check-in window has passed.
    #[error("已超过取号时间，预约已失效 / the check-in time has passed")]
    Closed,
}

impl Refused {
    /// The contract's error code (`forbidden`, `not_booked`, `not_today`, `too_early`,
    /// `checkin_closed`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotTheHolder => "forbidden",
            Self::NotBooked(_) => "not_booked",
            Self::NotToday(_) => "not_today",
            Self::TooEarly(_) => "too_early",
            Self::Closed => "checkin_closed",
        }
    }
}

/// Decides whether the appointment `a` may be checked in at `now` under the hall's rules
/// and time zone (`cfg`). `presented` is the keyed hashes of an ID number given with the request (under the
/// current key and, during a rotation, the previous one), if any: one must be the holder's. The first rule broken is the answer, in this order: the holder,
/// the status, the day, the check-in window ([`checkin_window`]: open from its first
/// millisecond, closed from its end on).
pub fn decide(cfg: &Settings, now: i64, a: &Facts<'_>, presented: Option<&[&str]>) -> Decision {
    let refuse = Decision::Refuse;
    let tz = cfg.tz();
    if presented.is_some_and(|p| !p.contains(&a.holder)) {
        return refuse(Refused::NotTheHolder);
    }
    if a.status != AppointmentStatus::Booked {
        return refuse(Refused::NotBooked(a.status));
    }
    if a.day != local_day(tz, now) {
        return refuse(Refused::NotToday(a.day.to_string()));
    }
    let (from, until) = checkin_window(cfg, a.slot_start);
    if now < from {
        return refuse(Refused::TooEarly(to_local(tz, from).time()));
    }
    if now >= until {
        return refuse(Refused::Closed);
    }
    Decision::CheckIn
}

/// Which of a person's booked appointments of the day (in slot order) an ID card means:
/// the earliest whose check-in window is open at `now`, else the first (whose decision
/// then says why not); `None` when there is none.
pub fn pick<'a, T>(
    booked: &'a [T],
    slot_start: impl Fn(&T) -> i64,
    cfg: &Settings,
    now: i64,
) -> Option<&'a T> {
    booked
        .iter()
        .find(|a| {
            let (from, until) = checkin_window(cfg, slot_start(a));
            (from..until).contains(&now)
        })
        .or(booked.first())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIN: i64 = 60_000;

    fn tz() -> chrono_tz::Tz {
        "Asia/Shanghai".parse().unwrap()
    }

    /// A hall opening at 08:30 (Shanghai) with the default rules: check-in from the
    /// opening on the slot's day until the slot starts.
    fn cfg() -> Settings {
        hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[hall.hours]\nopen='08:30'\n[[sections]]\nid='s'\nname='s'\n\
             [[sections.services]]\nid='a'\nname='a'\nprefix='A'\n[identity]\nid_hash_key='k'\n",
        )
        .unwrap()
    }

    /// [`cfg`] with check-in from `before` minutes before the slot until `after` after.
    fn cfg_minutes(before: u32, after: u32) -> Settings {
        let mut c = cfg();
        c.appointments.checkin_opens = hallq_config::booking::CheckinOpens::MinutesBefore(before);
        c.appointments.checkin_closes_after_start_minutes = after;
        c
    }

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    /// Booked for 2026-12-01 10:00 (Shanghai); check-in from 08:30 until 10:00 (excluded).
    fn booked() -> Facts<'static> {
        Facts {
            status: AppointmentStatus::Booked,
            day: "2026-12-01",
            slot_start: ms("2026-12-01T10:00:00+08:00"),
            holder: "holder-hash",
        }
    }

    fn at(now: &str, a: &Facts<'_>, presented: Option<&[&str]>) -> Decision {
        decide(&cfg(), ms(now), a, presented)
    }

    fn refused(d: Decision) -> Refused {
        match d {
            Decision::Refuse(r) => r,
            Decision::CheckIn => panic!("checked in, expected a refusal"),
        }
    }

    #[test]
    fn the_window_is_open_from_the_halls_opening_until_the_slot_starts() {
        let a = booked();
        assert_eq!(at("2026-12-01T08:30:00+08:00", &a, None), Decision::CheckIn);
        assert_eq!(at("2026-12-01T09:59:59+08:00", &a, None), Decision::CheckIn);
        assert_eq!(
            at("2026-12-01T09:59:59.999+08:00", &a, None),
            Decision::CheckIn
        );
        let early = refused(at("2026-12-01T08:29:59.999+08:00", &a, None));
        assert_eq!(early.code(), "too_early");
        assert_eq!(early.to_string(), "请于 08:30 后取号 / check in from 08:30");
        let late = refused(at("2026-12-01T10:00:00+08:00", &a, None));
        assert_eq!(late.code(), "checkin_closed");
        assert_eq!(late, Refused::Closed);
    }

    #[test]
    fn an_afternoon_slot_checks_in_early_in_the_morning() {
        let a = Facts {
            slot_start: ms("2026-12-01T15:00:00+08:00"),
            ..booked()
        };
        assert_eq!(at("2026-12-01T08:31:00+08:00", &a, None), Decision::CheckIn);
    }

    #[test]
    fn another_day_is_refused_with_its_date() {
        let a = Facts {
            day: "2026-12-02",
            slot_start: ms("2026-12-02T10:00:00+08:00"),
            ..booked()
        };
        let r = refused(at("2026-12-01T10:00:00+08:00", &a, None));
        assert_eq!(r.code(), "not_today");
        assert_eq!(
            r.to_string(),
            "该预约日期为 2026-12-02，请当天取号 / the appointment is on 2026-12-02"
        );
    }

    #[test]
    fn only_a_booked_appointment_checks_in() {
        use AppointmentStatus::*;
        for status in [CheckedIn, Cancelled, NoShow, Done] {
            let a = Facts { status, ..booked() };
            let r = refused(at("2026-12-01T10:00:00+08:00", &a, None));
            assert_eq!(r, Refused::NotBooked(status));
            assert_eq!(r.code(), "not_booked");
            assert_eq!(
                r.to_string(),
                format!("该预约当前状态为 {status}，不能办理 / the appointment is {status}")
            );
        }
    }

    #[test]
    fn the_holders_card_passes_and_another_is_refused_first() {
        let a = booked();
        let now = "2026-12-01T09:30:00+08:00";
        assert_eq!(at(now, &a, Some(&["holder-hash"])), Decision::CheckIn);
        // Someone else's card learns nothing about the appointment's state.
        let gone = Facts {
            status: AppointmentStatus::Cancelled,
            ..a
        };
        let r = refused(at(now, &gone, Some(&["other-hash"])));
        assert_eq!((r.code(), r), ("forbidden", Refused::NotTheHolder));
    }

    #[test]
    fn a_card_means_the_appointment_whose_window_is_open() {
        let rules = cfg_minutes(60, 15);
        let slots = [
            ms("2026-12-01T09:00:00+08:00"),
            ms("2026-12-01T10:00:00+08:00"),
            ms("2026-12-01T11:00:00+08:00"),
        ];
        let id = |s: &i64| *s;
        // 09:50 (check-in from 60 min before to 15 after): the 09:00 window closed at
        // 09:15; 10:00's is open (11:00's opens at 10:00).
        let now = ms("2026-12-01T09:50:00+08:00");
        assert_eq!(pick(&slots, id, &rules, now), Some(&slots[1]));
        // 07:00: none open yet, the first one (whose decision says "too early").
        let now = ms("2026-12-01T07:00:00+08:00");
        assert_eq!(pick(&slots, id, &rules, now), Some(&slots[0]));
        assert_eq!(pick(&[] as &[i64], id, &rules, now), None);
    }

    proptest! {
        #[test]
        fn checks_in_exactly_inside_the_window(
            before in 0u32..10, grace in 0u32..10,
            slot_min in 0i64..(24 * 60), offset_min in -12i64..12, jitter in -1i64..=1,
        ) {
            let rules = cfg_minutes(before, grace);
            let slot_start = ms("2026-12-01T00:00:00+08:00") + slot_min * MIN;
            let day = local_day(tz(), slot_start);
            let a = Facts { day: &day, slot_start, ..booked() };
            // Whole minutes off the slot, give or take a millisecond: the window's edges.
            let now = slot_start + offset_min * MIN + jitter;
            let (from, to) = (slot_start - i64::from(before) * MIN, slot_start + i64::from(grace) * MIN);
            let d = decide(&rules, now, &a, Some(&[a.holder]));
            let want = if local_day(tz(), now) != day {
                Decision::Refuse(Refused::NotToday(day.clone()))
            } else if now < from {
                Decision::Refuse(Refused::TooEarly(to_local(tz(), from).time()))
            } else if now >= to {
                Decision::Refuse(Refused::Closed)
            } else {
                Decision::CheckIn
            };
            prop_assert_eq!(d, want);
        }

        #[test]
        fn picks_the_earliest_open_else_the_first(
            mut slots in proptest::collection::vec(0i64..(12 * 60), 0..8),
            now_min in -60i64..(13 * 60),
        ) {
            slots.sort_unstable();
            let slots: Vec<i64> = slots.into_iter().map(|m| m * MIN).collect();
            let rules = cfg_minutes(60, 15);
            let now = now_min * MIN;
            let open = |s: &i64| {
                let (from, to) = checkin_window(&rules, *s);
                (from..to).contains(&now)
            };
            let got = pick(&slots, |s| *s, &rules, now);
            prop_assert_eq!(got.is_some(), !slots.is_empty());
            match slots.iter().position(open) {
                Some(i) => prop_assert!(std::ptr::eq(got.unwrap(), &slots[i])),
                None => prop_assert_eq!(got, slots.first()),
            }
        }
    }
}
