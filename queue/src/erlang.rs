//! The M/M/c queue's exact figures (Erlang C), the reference the simulator and the
//! staffing advice are checked against.
//!
//! Computed through the Erlang B recursion `B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))`
//! (a = λ/μ), which never forms a factorial or a power, so it stays exact to rounding for
//! hundreds of servers; then `C = B / (1 − ρ(1 − B))`.

use serde::Serialize;

/// The figures of an M/M/c queue (times in the rates' unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangC {
    /// Arrival rate λ.
    pub arrival_rate: f64,
    /// Service rate μ of one server.
    pub service_rate: f64,
    /// Servers c.
    pub servers: u32,
    /// Offered load a = λ/μ (erlangs).
    pub offered_load: f64,
    /// ρ = λ / (cμ).
    pub utilisation: f64,
    /// Probability an arrival waits at all.
    pub p_wait: f64,
    /// Mean wait in the queue.
    pub wq: f64,
    /// Mean number waiting.
    pub lq: f64,
    /// With a target wait T: probability of being called within T.
    pub service_level: Option<f64>,
    /// The target wait T it was asked for.
    pub target_wait: Option<f64>,
}

/// Rates or servers that describe no stable M/M/c queue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErlangError {
    /// A rate not positive and finite, or no server.
    #[error("rates must be positive and finite and servers at least 1")]
    Invalid,
    /// λ ≥ cμ: the queue grows without bound.
    #[error("unstable: arrival rate {0} ≥ servers × service rate {1}")]
    Unstable(f64, f64),
}

/// Erlang B: the blocking probability of `servers` servers offered `load` erlangs.
pub fn erlang_b(load: f64, servers: u32) -> f64 {
    (1..=servers).fold(1.0, |b, k| load * b / (f64::from(k) + load * b))
}

/// The M/M/c figures for arrival rate `lambda`, service rate `mu` and `servers`; with
/// `target_wait` also the probability of waiting at most that long.
///
/// # Errors
/// [`ErlangError`] for rates that are not positive, no servers, or an unstable queue.
pub fn erlang_c(
    lambda: f64,
    mu: f64,
    servers: u32,
    target_wait: Option<f64>,
) -> Result<ErlangC, ErlangError> {
    let finite = |x: f64| x.is_finite() && x > 0.0;
    if !finite(lambda)
        || !finite(mu)
        || servers == 0
        || target_wait.is_some_and(|t| !(t.is_finite() && t >= 0.0))
    {
        return Err(ErlangError::Invalid);
    }
    let c = f64::from(servers);
    let a = lambda / mu;
    let rho = a / c;
    if rho >= 1.0 {
        return Err(ErlangError::Unstable(lambda, c * mu));
    }
    let b = erlang_b(a, servers);
    let p_wait = b / (1.0 - rho * (1.0 - b));
    let wq = p_wait / (c * mu - lambda);
    Ok(ErlangC {
        arrival_rate: lambda,
        service_rate: mu,
        servers,
        offered_load: a,
        utilisation: rho,
        p_wait,
        wq,
        lq: lambda * wq,
        service_level: target_wait.map(|t| 1.0 - p_wait * (-(c * mu - lambda) * t).exp()),
        target_wait,
    })
}

/// The fewest servers (at most `max`) whose queue meets "`share` of arrivals called within
/// `target_wait`", or `None` when even `max` do not.
pub fn servers_for(lambda: f64, mu: f64, share: f64, target_wait: f64, max: u32) -> Option<u32> {
    if lambda <= 0.0 {
        return Some(0);
    }
    let from = (lambda / mu).floor() as u32 + 1;
    (from.max(1)..=max).find(|c| {
        erlang_c(lambda, mu, *c, Some(target_wait))
            .ok()
            .and_then(|e| e.service_level)
            .is_some_and(|sl| sl >= share)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_arrivals_one_service_three_servers() {
        let e = erlang_c(2.0, 1.0, 3, None).unwrap();
        assert!((e.p_wait - 4.0 / 9.0).abs() < 1e-12, "{e:?}");
        assert!((e.wq - 4.0 / 9.0).abs() < 1e-12, "{e:?}");
        assert!((e.lq - 8.0 / 9.0).abs() < 1e-12, "{e:?}");
    }

    #[test]
    fn refuses_what_is_no_queue() {
        assert_eq!(
            erlang_c(3.0, 1.0, 3, None),
            Err(ErlangError::Unstable(3.0, 3.0))
        );
        assert_eq!(erlang_c(0.0, 1.0, 3, None), Err(ErlangError::Invalid));
        assert_eq!(erlang_c(1.0, f64::NAN, 3, None), Err(ErlangError::Invalid));
        assert_eq!(erlang_c(1.0, 1.0, 0, None), Err(ErlangError::Invalid));
    }
}
