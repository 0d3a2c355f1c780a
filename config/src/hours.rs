//! `[hall.hours]`: the hall's timetable — opening periods per day (a lunch break is the gap
//! between two periods), per-weekday overrides, and how `[calendar]` holidays and make-up
//! working days (调休) change a date. Pure: the controller turns dates into instants.

use crate::booking::Calendar;
use crate::locate::Seg;
use crate::validate::{parse_hhmm, weekday};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// Opening hours. `periods` (or the one-period shorthand `open`/`close`) applies on each
/// weekday in `days`; a weekday key (`sat = ["09:00-12:00"]`) gives that weekday its own
/// periods (an empty list closes it). Keys left out take their default (08:30–17:30,
/// Monday to Friday).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Hours {
    /// Opening periods of an open day, `"HH:MM-HH:MM"`, in order, e.g.
    /// `["09:00-12:00", "14:30-17:30"]`.
    pub periods: Option<Vec<String>>,
    /// One-period shorthand: local time the first ticket may be issued, `HH:MM`.
    pub open: Option<String>,
    /// One-period shorthand: local time after which no ticket is issued, `HH:MM`
    /// (`24:00` = end of day).
    pub close: Option<String>,
    /// Weekdays the hall is open with `periods`: `mon` … `sun`.
    pub days: Option<Vec<String>>,
    /// Monday's own periods.
    pub mon: Option<Vec<String>>,
    /// Tuesday's own periods.
    pub tue: Option<Vec<String>>,
    /// Wednesday's own periods.
    pub wed: Option<Vec<String>>,
    /// Thursday's own periods.
    pub thu: Option<Vec<String>>,
    /// Friday's own periods.
    pub fri: Option<Vec<String>>,
    /// Saturday's own periods.
    pub sat: Option<Vec<String>>,
    /// Sunday's own periods.
    pub sun: Option<Vec<String>>,
}

/// One opening period: minutes after local midnight, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First minute open.
    pub start: u32,
    /// First minute closed again (1440 = midnight).
    pub end: u32,
}

impl Period {
    /// `HH:MM` of a minute of the day (`24:00` for 1440).
    pub fn hhmm(minute: u32) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}–{}", Self::hhmm(self.start), Self::hhmm(self.end))
    }
}

/// `"HH:MM-HH:MM"` (end after start), if it parses.
pub fn parse_period(s: &str) -> Option<Period> {
    let (a, b) = s.split_once('-')?;
    let (start, end) = (parse_hhmm(a.trim())?, parse_hhmm(b.trim())?);
    (start < end).then_some(Period { start, end })
}

/// The stretches of `[open, close)` (minutes) inside `periods`: where a service's booking
/// hours meet the hall's opening periods of a day. Slots are laid out from each stretch's
/// start, so a slot never spans a lunch break.
pub fn stretches(open: u32, close: u32, periods: &[Period]) -> Vec<Period> {
    periods
        .iter()
        .map(|p| Period {
            start: p.start.max(open),
            end: p.end.min(close),
        })
        .filter(|p| p.start < p.end)
        .collect()
}

/// The weekdays by their config names, Monday first.
pub const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

impl Hours {
    fn own(&self, d: Weekday) -> Option<&Vec<String>> {
        match d {
            Weekday::Mon => self.mon.as_ref(),
            Weekday::Tue => self.tue.as_ref(),
            Weekday::Wed => self.wed.as_ref(),
            Weekday::Thu => self.thu.as_ref(),
            Weekday::Fri => self.fri.as_ref(),
            Weekday::Sat => self.sat.as_ref(),
            Weekday::Sun => self.sun.as_ref(),
        }
    }

    /// The periods of an ordinary open day (`periods`, or `open`–`close`).
    pub fn periods(&self) -> Vec<Period> {
        match &self.periods {
            Some(list) => list.iter().filter_map(|p| parse_period(p)).collect(),
            None => {
                let open = self.open.as_deref().unwrap_or("08:30");
                let close = self.close.as_deref().unwrap_or("17:30");
                match (parse_hhmm(open), parse_hhmm(close)) {
                    (Some(start), Some(end)) if start < end => vec![Period { start, end }],
                    _ => Vec::new(),
                }
            }
        }
    }

    /// The weekdays listed in `days` (default Monday to Friday).
    pub fn open_weekdays(&self) -> Vec<Weekday> {
        match &self.days {
            Some(days) => days.iter().filter_map(|d| weekday(d)).collect(),
            None => DAYS[..5].iter().map(|(_, d)| *d).collect(),
        }
    }

    /// The periods of a weekday by the week's plan alone: its own list when it has one,
    /// else `periods` when listed in `days`, else none.
    pub fn periods_on_weekday(&self, d: Weekday) -> Vec<Period> {
        if let Some(own) = self.own(d) {
            return own.iter().filter_map(|p| parse_period(p)).collect();
        }
        if self.open_weekdays().contains(&d) {
            self.periods()
        } else {
            Vec::new()
        }
    }

    /// The periods of `date`: none on a public holiday; on a make-up working day (调休) the
    /// ordinary day's `periods` (a full working day, whatever the weekday's own hours);
    /// else the weekday's.
    pub fn periods_on(&self, cal: &Calendar, date: NaiveDate) -> Vec<Period> {
        match cal.override_of(date) {
            Some(true) => self.periods(),
            Some(false) => Vec::new(),
            None => self.periods_on_weekday(date.weekday()),
        }
    }

    /// A short description for people: `周一至周五 09:00–12:00, 14:30–17:30；周六 09:00–12:00`.
    pub fn describe(&self) -> String {
        const NAMES: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        let mut groups: Vec<(usize, usize, Vec<Period>)> = Vec::new();
        for (n, (_, d)) in DAYS.iter().enumerate() {
            let p = self.periods_on_weekday(*d);
            if p.is_empty() {
                continue;
            }
            match groups.last_mut() {
                Some((_, last, q)) if *last + 1 == n && *q == p => *last = n,
                _ => groups.push((n, n, p)),
            }
        }
        groups
            .iter()
            .map(|(a, b, p)| {
                let days = match b - a {
                    0 => NAMES[*a].to_string(),
                    1 => format!("{}、{}", NAMES[*a], NAMES[*b]),
                    _ => format!("{}至{}", NAMES[*a], NAMES[*b]),
                };
                let times: Vec<String> = p.iter().map(ToString::to_string).collect();
                format!("{days} {}", times.join("，"))
            })
            .collect::<Vec<_>>()
            .join("；")
    }
}

type Problems = Vec<(Vec<Seg>, String)>;

fn k(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

/// Checks a list of periods: each `HH:MM-HH:MM`, in order, not overlapping.
fn check_list(list: &[String], key: &str, p: &mut Problems) {
    let mut prev_end = None;
    for (n, s) in list.iter().enumerate() {
        let at = vec![k("hall"), k("hours"), k(key), Seg::Index(n)];
        match parse_period(s) {
            None => p.push((
                at,
                format!(
                    "{s:?} must be a period \"HH:MM-HH:MM\" with the end after the start, \
                     e.g. \"09:00-12:00\""
                ),
            )),
            Some(per) => {
                if prev_end == Some(per.start) {
                    p.push((
                        at,
                        format!(
                            "{s:?} starts where the previous period ends: write the two as one \
                             period (a lunch break is a gap between two)"
                        ),
                    ));
                } else if prev_end.is_some_and(|e| per.start < e) {
                    p.push((
                        at,
                        format!(
                            "{s:?} starts before the previous period ends: list periods in \
                             order, without overlap (a lunch break is the gap between two)"
                        ),
                    ));
                }
                prev_end = Some(per.end);
            }
        }
    }
}

/// Every problem of `[hall.hours]`.
pub(crate) fn validate(h: &Hours, p: &mut Problems) {
    let path = |key: &str| vec![k("hall"), k("hours"), k(key)];
    if h.periods.is_some() {
        for key in ["open", "close"] {
            let given = if key == "open" { &h.open } else { &h.close };
            if given.is_some() {
                p.push((
                    path(key),
                    format!(
                        "give either periods or open/close, not both: put this time into \
                         periods = [\"HH:MM-HH:MM\", …] and remove {key}"
                    ),
                ));
            }
        }
    }
    let open = h.open.as_deref().map(|o| (o, parse_hhmm(o)));
    let close = h.close.as_deref().map(|c| (c, parse_hhmm(c)));
    if let Some((_, None)) = open {
        p.push((path("open"), "must be a time HH:MM, e.g. \"08:30\"".into()));
    }
    if let Some((_, None)) = close {
        p.push((
            path("close"),
            "must be a time HH:MM, e.g. \"17:30\" (\"24:00\" = midnight)".into(),
        ));
    }
    let (o, c) = (
        open.map_or(Some(8 * 60 + 30), |(_, m)| m),
        close.map_or(Some(17 * 60 + 30), |(_, m)| m),
    );
    if let (Some(o), Some(c)) = (o, c) {
        if o >= c && h.periods.is_none() {
            p.push((path("close"), "must be later than hours.open".into()));
        }
    }
    if let Some(list) = &h.periods {
        if list.is_empty() {
            p.push((
                path("periods"),
                "must list at least one period, e.g. [\"09:00-12:00\", \"14:30-17:30\"] \
                 (close a weekday with days, or with its own key: sun = [])"
                    .into(),
            ));
        }
        check_list(list, "periods", p);
    }
    for (name, d) in DAYS {
        if let Some(list) = h.own(d) {
            check_list(list, name, p);
        }
    }
    // Judged on what is written (not on parsed periods, whose own errors are reported).
    let scheduled = |d: Weekday| match h.own(d) {
        Some(own) => !own.is_empty(),
        None => h.open_weekdays().contains(&d),
    };
    if !DAYS.iter().any(|(_, d)| scheduled(*d)) {
        p.push((
            path("days"),
            "the hall never opens: list its weekdays, e.g. days = [\"mon\", \"tue\", \"wed\", \
             \"thu\", \"fri\"], or give a weekday its own periods (sat = [\"09:00-12:00\"])"
                .into(),
        ));
    }
    let mut seen = Vec::new();
    for (n, d) in h.days.iter().flatten().enumerate() {
        let at = vec![k("hall"), k("hours"), k("days"), Seg::Index(n)];
        if weekday(d).is_none() {
            p.push((
                at,
                format!("unknown day {d:?}: use mon, tue, wed, thu, fri, sat, sun"),
            ));
        } else if seen.contains(d) {
            p.push((at, format!("day {d:?} listed twice")));
        }
        seen.push(d.clone());
    }
}
