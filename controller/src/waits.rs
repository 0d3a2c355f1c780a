//! The hall's wait estimates, one play of the hall shared by the readers that ask at the
//! same moment: a play costs time quadratic in the queue, so many status reads at once
//! (a crowd opening their status pages) must not each play the hall. [`Waits`] makes one
//! play at a time; a reader takes the first play *begun after it asked* (so it never sees
//! the hall from before its own question), waiting for it when one is being made. The
//! status feeds play once per change and share that play over every service it touched
//! (`watch::feed`).

use crate::state::AppState;
use crate::store::StoreError;
use hallq_queue::estimate::{estimate_all, Estimate, Snapshot};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One play of the hall.
#[derive(Debug)]
pub struct Play {
    /// What it was played from.
    pub snapshot: Snapshot,
    /// Every waiting ticket's estimate, by id.
    pub estimates: BTreeMap<i64, Estimate>,
    began: Instant,
    day: String,
}

/// The last play, and the lock a new play is made under.
#[derive(Debug, Default)]
pub struct Waits {
    last: Mutex<Option<Arc<Play>>>,
    playing: tokio::sync::Mutex<()>,
}

impl Waits {
    /// The last play if it began at or after `asked`, on `today`.
    fn since(&self, asked: Instant, today: &str) -> Option<Arc<Play>> {
        let last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        last.filter(|p| p.began >= asked && p.day == today)
    }
}

impl AppState {
    /// The hall's estimates on `today`, from a play begun after this call.
    ///
    /// # Errors
    /// Database errors.
    pub async fn hall_waits(&self, today: &str) -> Result<Arc<Play>, StoreError> {
        let asked = Instant::now();
        let _playing = self.waits.playing.lock().await;
        // Another reader may have played, after this one asked, while it waited.
        if let Some(p) = self.waits.since(asked, today) {
            return Ok(p);
        }
        let began = Instant::now();
        let snapshot = self.hall_snapshot(today, self.now()).await?;
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
            began,
            day: today.to_string(),
        });
        *self
            .waits
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(p.clone());
        Ok(p)
    }
}
