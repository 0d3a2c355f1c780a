//! What a hall usually sees, for the wait estimator: per service the walk-ins (green
//! included) per local hour on today's weekday, the mean over the same weekdays of the last
//! four weeks of its history, and call-to-finish durations of the last days (standing in
//! until today's first tickets are finished). Learned once a day per hall ([`UsualCache`]).
//!
//! - [`learn`]: the figures from the history's records;
//! - [`AppState::hall_snapshot`]: the store's snapshot with them, the one the status page,
//!   its live feeds and the recorded estimates all read.

use crate::state::AppState;
use crate::store::StoreError;
use hallq_queue::estimate::{Snapshot, RECENT};
use hallq_queue::history::{Record, PLAUSIBLE_SERVICE_S};
use hallq_queue::model::Kind;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Weeks of history the usual arrivals are learned from.
pub const WEEKS: i64 = 4;

/// A hall's usual figures for one local day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usual {
    /// Service → 24 walk-in rates by local hour (empty map: no history).
    pub per_hour: BTreeMap<String, Vec<f64>>,
    /// Service → recent durations (s) of earlier days, newest first.
    pub durations: BTreeMap<String, Vec<i64>>,
}

/// The usual figures of the day they were learned for.
#[derive(Debug, Default)]
pub struct UsualCache(Mutex<Option<(String, Arc<Usual>)>>);

impl UsualCache {
    fn get(&self, day: &str) -> Option<Arc<Usual>> {
        let g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.as_ref().filter(|(d, _)| d == day).map(|(_, u)| u.clone())
    }

    fn put(&self, day: &str, u: Arc<Usual>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((day.into(), u));
    }
}

/// The usual figures of `records` (earlier days) for a day of `weekday` (0 = Monday).
pub fn learn(records: &[Record], weekday: usize) -> Usual {
    let days: BTreeSet<&str> = records
        .iter()
        .filter(|r| r.weekday == weekday)
        .map(|r| r.day.as_str())
        .collect();
    let mut per_hour: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in records
        .iter()
        .filter(|r| r.weekday == weekday && r.kind != Kind::Appointment)
    {
        let h = (r.issued_s.clamp(0, 86_399) / 3600) as usize;
        per_hour
            .entry(r.service.clone())
            .or_insert_with(|| vec![0.0; 24])[h] += 1.0 / days.len().max(1) as f64;
    }
    let mut durations: BTreeMap<String, Vec<(String, i64, i64)>> = BTreeMap::new();
    for r in records.iter().filter(|r| !r.no_show) {
        if let (Some(c), Some(f)) = (r.called_s, r.finished_s) {
            if PLAUSIBLE_SERVICE_S.contains(&(f - c)) {
                durations
                    .entry(r.service.clone())
                    .or_default()
                    .push((r.day.clone(), f, f - c));
            }
        }
    }
    let durations = durations
        .into_iter()
        .map(|(s, mut v)| {
            v.sort_by(|a, b| (&b.0, b.1).cmp(&(&a.0, a.1)));
            (s, v.into_iter().take(RECENT).map(|x| x.2).collect())
        })
        .collect();
    Usual {
        per_hour,
        durations,
    }
}

impl AppState {
    /// The hall at `now` as the wait estimator reads it: the store's snapshot of `today`,
    /// with the hall's usual arrivals by hour, earlier days' durations where today has
    /// fewer than three, and today's local midnight.
    ///
    /// # Errors
    /// Database errors.
    pub async fn hall_snapshot(&self, today: &str, now: i64) -> Result<Snapshot, StoreError> {
        let (mut snap, usual) = tokio::try_join!(
            self.store.snapshot(&self.cfg.windows, today, now),
            self.usual(today),
        )?;
        snap.day_start = crate::hours::local_midnight(self.cfg.tz(), now);
        for (service, n) in &mut snap.services {
            if let Some(h) = usual.per_hour.get(service) {
                n.usual_per_hour.clone_from(h);
            }
        }
        for (service, d) in &usual.durations {
            let n = snap.services.entry(service.clone()).or_default();
            if n.recent_durations_s.len() < 3 {
                n.recent_durations_s
                    .extend(d.iter().take(RECENT - n.recent_durations_s.len()));
            }
        }
        Ok(snap)
    }

    /// Today's usual figures, learned from the history at the first ask of the day.
    async fn usual(&self, today: &str) -> Result<Arc<Usual>, StoreError> {
        if let Some(u) = self.usual.get(today) {
            return Ok(u);
        }
        let Ok(day) = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d") else {
            return Ok(Arc::default());
        };
        let from = (day - chrono::Days::new(7 * WEEKS as u64))
            .format("%Y-%m-%d")
            .to_string();
        let to = (day - chrono::Days::new(1)).format("%Y-%m-%d").to_string();
        let rows = self.store.stat_rows(&from, &to).await?;
        let records = crate::planning::records(&rows, self.cfg.tz());
        let weekday = chrono::Datelike::weekday(&day).num_days_from_monday() as usize;
        let u = Arc::new(learn(&records, weekday));
        self.usual.put(today, u.clone());
        Ok(u)
    }
}
