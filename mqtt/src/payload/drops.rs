//! Counting what a consumer drops, and saying so without flooding the log: every drop at
//! debug level, a warning with the count at most once per interval.

use super::PayloadError;
use crate::repeats::Repeats;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Warnings about dropped messages at most this often, per consumer.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Messages one consumer dropped because they did not parse.
#[derive(Debug)]
pub struct Dropped {
    label: &'static str,
    count: AtomicU64,
    warned: Repeats,
}

impl Dropped {
    /// A counter for the consumer `label` (shown in the log).
    pub const fn new(label: &'static str) -> Self {
        Self {
            label,
            count: AtomicU64::new(0),
            warned: Repeats::new(WARN_EVERY),
        }
    }

    /// Messages dropped so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Notes that the message on `topic` was dropped for `why`.
    pub fn note(&self, topic: &str, why: &PayloadError) {
        self.note_at(Instant::now(), topic, why);
    }

    /// [`Dropped::note`] at `now`; returns whether a warning was written.
    pub fn note_at(&self, now: Instant, topic: &str, why: &PayloadError) -> bool {
        self.count.fetch_add(1, Ordering::Relaxed);
        let topic: String = topic.chars().take(80).collect();
        tracing::debug!("{}: dropped a message on {topic:?}: {why}", self.label);
        let Some(n) = self.warned.note_at(now) else {
            return false;
        };
        tracing::warn!(
            "{}: dropped {n} message(s) that are not the contract's payload since the last \
             warning (latest on {topic:?}: {why})",
            self.label
        );
        true
    }
}
