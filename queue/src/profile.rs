//! A hall's demand, as the simulator and the staffing advice read it: per service, arrivals
//! per hour of the day (optionally per weekday), service times, and the shares of green-channel
//! tickets, appointments and no-shows; windows' pauses (lunch breaks).
//!
//! - [`Profile`]: the profile file (TOML, see docs/queue.md), parsed with its errors named;
//! - [`Profile::learn`]: the same figures learned from a hall's recorded tickets ([`Record`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Weekday names as the hall's config writes them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A hall's demand profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Days simulated, in order, repeated for more days (default Monday to Friday).
    #[serde(default = "default_days")]
    pub days: Vec<String>,
    /// Seconds a clerk waits for a called person who does not come before calling the next.
    #[serde(default = "default_no_show_wait")]
    pub no_show_wait_s: f64,
    /// Minutes before their slot that appointment holders check in, on average.
    #[serde(default = "default_early")]
    pub checkin_early_min: f64,
    /// Per service.
    pub services: BTreeMap<String, ServiceProfile>,
    /// Windows' pauses (lunch breaks, meetings), every simulated day.
    #[serde(default)]
    pub pauses: Vec<Pause>,
}

/// One service's demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceProfile {
    /// Arrivals per hour, by local hour ("8" = 08:00–09:00); hours not named have none.
    #[serde(default)]
    pub per_hour: BTreeMap<String, f64>,
    /// A weekday's own arrivals per hour ("mon" → hour → rate), overriding `per_hour`.
    #[serde(default)]
    pub by_weekday: BTreeMap<String, BTreeMap<String, f64>>,
    /// Mean service time (call to finish), seconds.
    pub mean_s: f64,
    /// Coefficient of variation of service time (lognormal; 1.0 ≈ exponential spread).
    #[serde(default = "default_cv")]
    pub cv: f64,
    /// Share of walk-in arrivals that take a green-channel ticket.
    #[serde(default)]
    pub green_share: f64,
    /// Share of arrivals that come with an appointment (booked slots).
    #[serde(default)]
    pub appointment_share: f64,
    /// Share of called tickets whose holder does not come.
    #[serde(default)]
    pub no_show_share: f64,
}

/// A pause of some windows every day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// Window ids.
    pub windows: Vec<String>,
    /// Local "HH:MM".
    pub from: String,
    /// Local "HH:MM".
    pub to: String,
}

fn default_days() -> Vec<String> {
    WEEKDAYS[..5].iter().map(|d| d.to_string()).collect()
}
fn default_no_show_wait() -> f64 {
    60.0
}
fn default_early() -> f64 {
    10.0
}
fn default_cv() -> f64 {
    0.8
}

/// A profile that does not make sense, named for the person who wrote it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Not TOML, or not the profile's shape.
    #[error("{0}")]
    Syntax(String),
    /// A value out of its range.
    #[error("{0}")]
    Invalid(String),
}

impl Profile {
    /// Parses and checks a profile file's text.
    ///
    /// # Errors
    /// [`ProfileError`] naming the field.
    pub fn parse(text: &str) -> Result<Self, ProfileError> {
        let p: Self = toml::from_str(text).map_err(|e| ProfileError::Syntax(e.to_string()))?;
        p.check()?;
        Ok(p)
    }

    /// Ranges: rates and times finite and non-negative, shares within 0–1, hours 0–23,
    /// weekdays and clock times well formed.
    ///
    /// # Errors
    /// [`ProfileError::Invalid`] naming the field.
    pub fn check(&self) -> Result<(), ProfileError> {
        let bad = |m: String| Err(ProfileError::Invalid(m));
        if self.days.is_empty() {
            return bad("days: 至少一天 / at least one day".into());
        }
        for d in &self.days {
            if weekday_index(d).is_none() {
                return bad(format!("days: unknown weekday {d:?} (mon … sun)"));
            }
        }
        if !(0.0..=3600.0).contains(&self.no_show_wait_s) {
            return bad("no_show_wait_s: 0 … 3600".into());
        }
        if !(-600.0..=600.0).contains(&self.checkin_early_min) {
            return bad("checkin_early_min: -600 … 600".into());
        }
        for (id, s) in &self.services {
            let rates = s.per_hour.iter().chain(s.by_weekday.values().flatten());
            for (h, r) in rates {
                if hour(h).is_none() {
                    return bad(format!("services.{id}: hour {h:?} is not 0 … 23"));
                }
                if !(r.is_finite() && (0.0..=10_000.0).contains(r)) {
                    return bad(format!(
                        "services.{id}: arrivals {r} per hour out of 0 … 10000"
                    ));
                }
            }
            for d in s.by_weekday.keys() {
                if weekday_index(d).is_none() {
                    return bad(format!("services.{id}.by_weekday: unknown weekday {d:?}"));
                }
            }
            if !(s.mean_s.is_finite() && (1.0..=86_400.0).contains(&s.mean_s)) {
                return bad(format!("services.{id}.mean_s: 1 … 86400 seconds"));
            }
            if !(s.cv.is_finite() && (0.0..=5.0).contains(&s.cv)) {
                return bad(format!("services.{id}.cv: 0 … 5"));
            }
            for (name, v) in [
                ("green_share", s.green_share),
                ("appointment_share", s.appointment_share),
                ("no_show_share", s.no_show_share),
            ] {
                if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                    return bad(format!("services.{id}.{name}: 0 … 1"));
                }
            }
        }
        for p in &self.pauses {
            match (clock_s(&p.from), clock_s(&p.to)) {
                (Some(a), Some(b)) if a < b => {}
                _ => {
                    return bad(format!(
                        "pauses: {:?}–{:?} is not HH:MM–HH:MM",
                        p.from, p.to
                    ))
                }
            }
        }
        Ok(())
    }

    /// Arrivals per hour of `service` on `weekday` (0 = Monday) in local `hour`.
    pub fn rate(&self, service: &str, weekday: usize, hour_of_day: u32) -> f64 {
        let Some(s) = self.services.get(service) else {
            return 0.0;
        };
        let table = WEEKDAYS
            .get(weekday)
            .and_then(|d| s.by_weekday.get(*d))
            .unwrap_or(&s.per_hour);
        table
            .iter()
            .filter(|(h, _)| hour(h) == Some(hour_of_day))
            .map(|(_, r)| *r)
            .sum()
    }
}

/// 0 for "mon" … 6 for "sun".
pub fn weekday_index(d: &str) -> Option<usize> {
    WEEKDAYS.iter().position(|w| *w == d)
}

/// An hour key "0" … "23" (also "08").
pub fn hour(h: &str) -> Option<u32> {
    h.parse::<u32>().ok().filter(|h| *h < 24)
}

/// Seconds after midnight of "HH:MM" (24:00 allowed).
pub fn clock_s(s: &str) -> Option<i64> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    let ok = (0..24).contains(&h) && (0..60).contains(&m) || (h == 24 && m == 0);
    ok.then_some(h * 3600 + m * 60)
}

pub use crate::history::Record;
