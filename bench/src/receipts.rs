//! Arrival times noted by thousands of reader tasks. A reader only appends under a short
//! lock; the measuring task looks every millisecond instead of being woken per arrival, so
//! the load generator spends as little of the shared cores as it can (the arrival time is
//! taken by the reader when the bytes are read, so the polling adds nothing to it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Receipts of events (an id per event; 0 where there is none).
#[derive(Default)]
pub(crate) struct Receipts {
    all: Mutex<Vec<(u64, Instant)>>,
    /// Receipts noted since the last `take`, of any event.
    noted: AtomicUsize,
}

impl Receipts {
    /// Notes that event `id` arrived at `at`.
    pub(crate) fn push(&self, id: u64, at: Instant) {
        self.all
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, at));
        self.noted.fetch_add(1, Ordering::Relaxed);
    }

    /// Waits until `n` receipts of `id` are in or `limit` has passed, then returns their
    /// arrival times and forgets every receipt noted so far.
    pub(crate) async fn take(&self, id: u64, n: usize, limit: Duration) -> Vec<Instant> {
        let deadline = Instant::now() + limit;
        loop {
            // The exact count only once enough receipts of any event are in.
            let enough = self.noted.load(Ordering::Relaxed) >= n && self.count(id) >= n;
            if enough || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let mut all = self.all.lock().unwrap_or_else(|e| e.into_inner());
        self.noted.store(0, Ordering::Relaxed);
        all.drain(..)
            .filter(|(i, _)| *i == id)
            .map(|(_, at)| at)
            .collect()
    }

    /// Forgets every receipt noted so far (late or repeated ones).
    pub(crate) fn clear(&self) {
        self.all.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.noted.store(0, Ordering::Relaxed);
    }

    fn count(&self, id: u64) -> usize {
        let all = self.all.lock().unwrap_or_else(|e| e.into_inner());
        all.iter().filter(|(i, _)| *i == id).count()
    }
}

#[cfg(test)]
mod tests {
    use super::Receipts;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn takes_the_receipts_of_one_event_and_forgets_the_rest() {
        let r = Receipts::default();
        let t = Instant::now();
        r.push(1, t);
        r.push(2, t);
        r.push(2, t);
        assert_eq!(r.take(2, 2, Duration::from_secs(1)).await.len(), 2);
        assert!(r.take(1, 1, Duration::ZERO).await.is_empty(), "forgotten");
        let start = Instant::now();
        assert!(r.take(3, 1, Duration::from_millis(20)).await.is_empty());
        assert!(
            start.elapsed() >= Duration::from_millis(20),
            "waited the limit"
        );
    }
}
