//! The hall's wait estimates, computed once per change of the hall and shared by every
//! reader: the status page's answers, the status feeds' refreshes (one per touched
//! service, all after one change) and the estimate recorded for a new ticket. A play of
//! the hall costs O(waiting²), so it is not repeated per request: [`Waits`] keeps the
//! last snapshot and its estimates while the hall's change counter (`hall_changed`) and
//! the day stand and they are under [`FRESH_MS`] old, and plays again for a ticket it does
//! not hold yet.

use crate::state::AppState;
use crate::store::StoreError;
use hallq_queue::estimate::{estimate_all, Estimate, Snapshot};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// How long a play stands for the same hall (ms): time moves the estimates (the services
/// in progress age), a few seconds do not move them by a minute.
pub const FRESH_MS: i64 = 5_000;

/// One play of the hall.
#[derive(Debug)]
pub struct Play {
    /// What it was played from.
    pub snapshot: Snapshot,
    /// Every waiting ticket's estimate, by id.
    pub estimates: BTreeMap<i64, Estimate>,
    day: String,
    version: u64,
}

/// The last play, and the lock one new play is made under (readers that find the last
/// play stale while another is being made wait for it instead of playing again).
#[derive(Debug, Default)]
pub struct Waits {
    last: Mutex<Option<Arc<Play>>>,
    playing: tokio::sync::Mutex<()>,
}

impl Waits {
    /// The last play if it stands for `version`, `today`, `now` and `need`.
    fn standing(
        &self,
        version: u64,
        today: &str,
        now: i64,
        need: Option<i64>,
    ) -> Option<Arc<Play>> {
        let last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        last.filter(|p| {
            p.version == version
                && p.day == today
                && (0..FRESH_MS).contains(&(now - p.snapshot.now))
                && need.is_none_or(|id| p.snapshot.waiting.iter().any(|c| c.id == id))
        })
    }
}

impl AppState {
    /// The hall's estimates at `now` on `today`: the last play while it stands (same
    /// change counter and day, under [`FRESH_MS`] old, and holding `need` when given),
    /// else a new one.
    ///
    /// # Errors
    /// Database errors.
    pub async fn hall_waits(
        &self,
        today: &str,
        now: i64,
        need: Option<i64>,
    ) -> Result<Arc<Play>, StoreError> {
        let version = *self.hall_changed.borrow();
        if let Some(p) = self.waits.standing(version, today, now, need) {
            return Ok(p);
        }
        let _playing = self.waits.playing.lock().await;
        // Another reader may have played while this one waited.
        let (version, now) = (*self.hall_changed.borrow(), self.now());
        if let Some(p) = self.waits.standing(version, today, now, need) {
            return Ok(p);
        }
        let snapshot = self.hall_snapshot(today, now).await?;
        // Up to tens of milliseconds for a long queue: not on an async worker.
        let play = tokio::task::spawn_blocking(move || {
            let estimates = estimate_all(&snapshot);
            (snapshot, estimates)
        })
        .await;
        let (snapshot, estimates) = match play {
            Ok(x) => x,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        let p = Arc::new(Play {
            snapshot,
            estimates,
            day: today.to_string(),
            version,
        });
        *self
            .waits
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(p.clone());
        Ok(p)
    }
}
