//! The config check of each service's booking hours against the hall's timetable: slots
//! are laid out only inside the hall's opening periods ([`crate::hours::stretches`]), so
//! booking hours reaching outside the hall's hours on every booking weekday, a booking
//! weekday on which the hall is closed, and a slot grid that leaves the end of a bookable
//! stretch unused are refused, each at the booking key to change. Pure.

use crate::booking::ServiceBooking;
use crate::hours::{stretches, Period, DAYS};
use crate::locate::Seg;
use crate::schema::Settings;

type Problems = Vec<(Vec<Seg>, String)>;

/// Problems of every bookable service's hours against `[hall.hours]`.
pub(crate) fn validate(s: &Settings, p: &mut Problems) {
    for (si, sec) in s.sections.iter().enumerate() {
        for (vi, sv) in sec.services.iter().enumerate() {
            let Some(b) = &sv.booking else { continue };
            let at = |key: &str| {
                vec![
                    Seg::Key("sections".into()),
                    Seg::Index(si),
                    Seg::Key("services".into()),
                    Seg::Index(vi),
                    Seg::Key("booking".into()),
                    Seg::Key(key.into()),
                ]
            };
            service(s, b, &at, p);
        }
    }
}

fn service(s: &Settings, b: &ServiceBooking, at: &dyn Fn(&str) -> Vec<Seg>, p: &mut Problems) {
    let (Some(open), Some(close)) = (crate::parse_hhmm(&b.open), crate::parse_hhmm(&b.close))
    else {
        return; // refused by the booking check already
    };
    if open >= close || !(5..=480).contains(&b.slot_minutes) {
        return;
    }
    let hours = &s.hall.hours;
    // The hall's periods on each booking weekday it opens.
    let mut open_days: Vec<(&str, Vec<Period>)> = Vec::new();
    for (n, d) in b.days.iter().enumerate() {
        let Some((name, wd)) = DAYS.iter().find(|(name, _)| *name == d.as_str()) else {
            continue; // an unknown day is refused by the booking check
        };
        let periods = hours.periods_on_weekday(*wd);
        if periods.is_empty() {
            let mut path = at("days");
            path.push(Seg::Index(n));
            p.push((
                path,
                format!(
                    "the hall is closed on {name} ([hall.hours]): no slot could be served; \
                     remove {name:?} from days or open the hall on {name}"
                ),
            ));
        } else {
            open_days.push((name, periods));
        }
    }
    let Some(first) = open_days
        .iter()
        .filter_map(|(_, ps)| ps.first())
        .map(|x| x.start)
        .min()
    else {
        return;
    };
    let last = open_days
        .iter()
        .filter_map(|(_, ps)| ps.last())
        .map(|x| x.end)
        .max()
        .unwrap_or(first);
    if open < first {
        p.push((
            at("open"),
            format!(
                "slots from {} start before the hall opens ({}): they could never be served; \
                 make open {} or later",
                b.open,
                Period::hhmm(first),
                Period::hhmm(first)
            ),
        ));
    }
    if close > last {
        p.push((
            at("close"),
            format!(
                "slots until {} end after the hall closes ({}): they could never be served; \
                 make close {} or earlier",
                b.close,
                Period::hhmm(last),
                Period::hhmm(last)
            ),
        ));
    }
    if open < first || close > last {
        return;
    }
    grid(b, open, close, &open_days, at, p);
}

/// A slot grid that leaves the end of a bookable stretch unused: reported once per
/// service, for the first such stretch.
fn grid(
    b: &ServiceBooking,
    open: u32,
    close: u32,
    open_days: &[(&str, Vec<Period>)],
    at: &dyn Fn(&str) -> Vec<Seg>,
    p: &mut Problems,
) {
    let len = b.slot_minutes;
    for (name, periods) in open_days {
        for st in stretches(open, close, periods) {
            let rest = (st.end - st.start) % len;
            if rest == 0 {
                continue;
            }
            let unused = Period {
                start: st.end - rest,
                end: st.end,
            };
            let (key, fix) = if st.end == close {
                (
                    "close",
                    format!("make close {}, or ", Period::hhmm(unused.start)),
                )
            } else {
                ("slot_minutes", String::new())
            };
            p.push((
                at(key),
                format!(
                    "{len}-minute slots from {} leave {unused} on {name} unused: it would be \
                     dropped; {fix}choose slot_minutes that divide {st}",
                    Period::hhmm(st.start)
                ),
            ));
            return;
        }
    }
}
