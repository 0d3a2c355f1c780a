//! Saying that something keeps failing without flooding the log: the first occurrence is
//! reported at once, later ones at most once per interval with how many there were, and
//! the end of a run of failures resets it (the next failure is reported at once again).
//!
//! Shared by every part that talks to devices or the broker (dropped MQTT messages, LED
//! boards that do not answer, card readers, printers, refused MQTT logins). Pure: the
//! caller passes the time and writes the log line.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The default interval between summaries: once a minute.
pub const ONCE_A_MINUTE: Duration = Duration::from_secs(60);

/// One repeating failure (per device, per client…); see the module docs.
#[derive(Debug)]
pub struct Repeats {
    every: Duration,
    /// When the last report was due, and the occurrences since it.
    state: Mutex<Option<(Instant, u64)>>,
}

impl Repeats {
    /// Reports at most once per `every`.
    #[must_use]
    pub const fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new(None),
        }
    }

    /// Reports at most once a minute.
    #[must_use]
    pub const fn per_minute() -> Self {
        Self::new(ONCE_A_MINUTE)
    }

    /// Notes one occurrence now; see [`Repeats::note_at`].
    pub fn note(&self) -> Option<u64> {
        self.note_at(Instant::now())
    }

    /// Notes one occurrence at `now`. `Some(n)` when the caller should log now: `n` is how
    /// many occurred since the last report, this one included (1 for the first).
    pub fn note_at(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *state {
            Some((at, n)) if now.saturating_duration_since(*at) < self.every => {
                *n += 1;
                None
            }
            Some((at, n)) => {
                let count = *n + 1;
                *at = now;
                *n = 0;
                Some(count)
            }
            None => {
                *state = Some((now, 0));
                Some(1)
            }
        }
    }

    /// The failure ended (the device answered again): returns how many occurrences were not
    /// reported yet, and the next occurrence is reported at once.
    pub fn clear(&self) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.take().map_or(0, |(_, n)| n)
    }

    /// Whether a run of failures is going on (noted and not cleared).
    pub fn active(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_at_once_then_once_per_interval_with_the_count() {
        let r = Repeats::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(r.note_at(t0), Some(1));
        for s in 1..60 {
            assert_eq!(r.note_at(t0 + Duration::from_secs(s)), None, "at {s}s");
        }
        // 59 suppressed + this one.
        assert_eq!(r.note_at(t0 + Duration::from_secs(60)), Some(60));
        assert_eq!(r.note_at(t0 + Duration::from_secs(61)), None);
        assert_eq!(r.clear(), 1);
        assert!(!r.active());
        assert_eq!(r.note_at(t0 + Duration::from_secs(62)), Some(1));
        assert!(r.active());
    }
}
