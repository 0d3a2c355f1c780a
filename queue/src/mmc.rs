//! The plain M/M/c queue simulated customer by customer (Poisson arrivals, exponential
//! services, first come first served, `c` servers): the check that the simulator's clock,
//! random streams and statistics agree with [`crate::erlang`].
//!
//! Each customer takes the server that frees first (a min-heap of free times); the wait is
//! that time minus the arrival, when positive. Deterministic for a seed (ChaCha8).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What a run measured (times in the rates' unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MmcRun {
    /// Customers simulated.
    pub customers: u64,
    /// Seed.
    pub seed: u64,
    /// Mean wait in the queue.
    pub wq_mean: f64,
    /// Share of customers who waited at all.
    pub p_wait: f64,
    /// Mean queue length by Little's law (λ × wq_mean).
    pub lq: f64,
    /// Share of the servers' time busy.
    pub utilisation: f64,
}

/// An exponential variate with `rate`.
pub fn exp(rng: &mut impl Rng, rate: f64) -> f64 {
    // 1 − U is in (0, 1]: the logarithm is finite.
    -(1.0 - rng.gen::<f64>()).ln() / rate
}

/// Simulates `customers` customers of an M/M/c queue with arrival rate `lambda`, service
/// rate `mu` and `servers` servers, from `seed`. The first tenth of the customers warm the
/// queue up (it starts empty) and are not counted; a customer who finds every server busy
/// counts the conditional mean of its wait given what it finds, `(ahead + 1) / (cμ)` (the
/// same expectation as its drawn wait, with the noise of the services before it taken out).
pub fn simulate(lambda: f64, mu: f64, servers: u32, customers: u64, seed: u64) -> MmcRun {
    let mut rng = Uniforms(ChaCha8Rng::seed_from_u64(seed));
    let servers = servers.max(1) as usize;
    let mut free: BinaryHeap<Reverse<OrdF64>> =
        (0..servers).map(|_| Reverse(OrdF64(0.0))).collect();
    let warm = customers / 10;
    let (mut t, mut waited, mut sum_wait, mut busy) = (0.0f64, 0u64, 0.0f64, 0.0f64);
    let mut counted_from = 0.0;
    let mut queued: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    for n in 0..customers {
        t += rng.gap(lambda);
        if n == warm {
            counted_from = t;
        }
        let Reverse(OrdF64(at)) = free.pop().unwrap_or(Reverse(OrdF64(0.0)));
        let start = at.max(t);
        let service = rng.service(mu);
        while queued.front().is_some_and(|s| *s <= t) {
            queued.pop_front();
        }
        if n >= warm {
            // Conditional expectation of the wait given what the arrival finds (every
            // server busy and `queued` ahead): (queued + 1) / (cμ), else 0.
            if at > t {
                let w = (queued.len() as f64 + 1.0) / (servers as f64 * mu);
                sum_wait += w;
                waited += 1;
            }
            busy += service;
        }
        if start > t {
            queued.push_back(start);
        }
        free.push(Reverse(OrdF64(start + service)));
    }
    let counted = (customers - warm).max(1) as f64;
    let wq_mean = sum_wait / counted;
    let span = (t - counted_from).max(f64::MIN_POSITIVE);
    MmcRun {
        customers,
        seed,
        wq_mean,
        p_wait: waited as f64 / counted,
        lq: lambda * wq_mean,
        utilisation: busy / (span * servers as f64),
    }
}

/// The run's random stream.
struct Uniforms(ChaCha8Rng);

impl Uniforms {
    /// A gap between arrivals.
    fn gap(&mut self, lambda: f64) -> f64 {
        exp(&mut self.0, lambda)
    }

    /// A service time.
    fn service(&mut self, mu: f64) -> f64 {
        exp(&mut self.0, mu)
    }
}

/// An `f64` ordered for the heap (times are finite).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_seed_same_run() {
        let a = super::simulate(2.0, 1.0, 3, 20_000, 9);
        assert_eq!(a, super::simulate(2.0, 1.0, 3, 20_000, 9));
        assert_ne!(a, super::simulate(2.0, 1.0, 3, 20_000, 10));
    }
}
