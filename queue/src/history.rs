//! A hall's recorded tickets, as the learning of a [`Profile`] reads them ([`Record`]), and
//! [`Profile::learn`]: arrivals per service and hour (per weekday where the history has
//! it), service times, green, appointment and no-show shares.

use crate::model::Kind;
use crate::profile::{Profile, ServiceProfile, WEEKDAYS};
use std::collections::{BTreeMap, BTreeSet};

/// One recorded ticket, in the hall's local time.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Local day ("2026-12-01").
    pub day: String,
    /// 0 = Monday.
    pub weekday: usize,
    /// Service it was queued for.
    pub service: String,
    /// Walk-in, green or appointment.
    pub kind: Kind,
    /// Seconds after local midnight it was issued.
    pub issued_s: i64,
    /// Seconds after local midnight it was (last) called.
    pub called_s: Option<i64>,
    /// Seconds after local midnight it was finished (or marked no-show).
    pub finished_s: Option<i64>,
    /// Called, and its holder never came.
    pub no_show: bool,
    /// The window that called it.
    pub window: Option<String>,
}

/// Service times outside this range (seconds) are a forgotten finish button, not a service.
pub const PLAUSIBLE_SERVICE_S: std::ops::RangeInclusive<i64> = 10..=7200;

impl Profile {
    /// The profile the `records` show, for `services` (services without records get none).
    /// Arrivals per hour are the mean over the days of each weekday present; `days` are the
    /// weekdays present, Monday first.
    pub fn learn(records: &[Record], services: &[String]) -> Self {
        let mut days_of: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
        for r in records {
            days_of.entry(r.weekday).or_default().insert(&r.day);
        }
        let all_days: usize = days_of.values().map(BTreeSet::len).sum();
        let mut out = BTreeMap::new();
        for s in services {
            let mine: Vec<&Record> = records.iter().filter(|r| &r.service == s).collect();
            if mine.is_empty() {
                continue;
            }
            out.insert(s.clone(), learn_service(&mine, &days_of, all_days));
        }
        Self {
            days: days_of
                .keys()
                .map(|d| WEEKDAYS[*d % 7].to_string())
                .collect(),
            no_show_wait_s: 60.0,
            checkin_early_min: 10.0,
            services: out,
            pauses: Vec::new(),
        }
    }
}

fn learn_service(
    mine: &[&Record],
    days_of: &BTreeMap<usize, BTreeSet<&str>>,
    all_days: usize,
) -> ServiceProfile {
    let mut by_weekday: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let mut per_hour: BTreeMap<String, f64> = BTreeMap::new();
    for r in mine {
        let h = (r.issued_s.clamp(0, 86_399) / 3600).to_string();
        let n_days = days_of.get(&r.weekday).map_or(1, BTreeSet::len).max(1) as f64;
        *by_weekday
            .entry(WEEKDAYS[r.weekday % 7].to_string())
            .or_default()
            .entry(h.clone())
            .or_default() += 1.0 / n_days;
        *per_hour.entry(h).or_default() += 1.0 / all_days.max(1) as f64;
    }
    let times: Vec<f64> = mine
        .iter()
        .filter(|r| !r.no_show)
        .filter_map(|r| Some(r.finished_s? - r.called_s?))
        .filter(|d| PLAUSIBLE_SERVICE_S.contains(d))
        .map(|d| d as f64)
        .collect();
    let (mean_s, cv) = mean_cv(&times).unwrap_or((180.0, 0.8));
    let count = |k: Kind| mine.iter().filter(|r| r.kind == k).count() as f64;
    let (walk, green, appt) = (
        count(Kind::WalkIn),
        count(Kind::Green),
        count(Kind::Appointment),
    );
    let called = mine.iter().filter(|r| r.called_s.is_some()).count() as f64;
    let no_show = mine.iter().filter(|r| r.no_show).count() as f64;
    ServiceProfile {
        per_hour,
        by_weekday,
        mean_s,
        cv,
        green_share: ratio(green, walk + green),
        appointment_share: ratio(appt, mine.len() as f64),
        no_show_share: ratio(no_show, called),
    }
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// Mean and coefficient of variation of `xs`, `None` when empty.
pub fn mean_cv(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    Some((mean, if mean > 0.0 { var.sqrt() / mean } else { 0.0 }))
}
