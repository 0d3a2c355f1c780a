//! Wait estimates from what a hall knows at one moment ([`Snapshot`]).
//!
//! - [`estimate_all`]: the estimator the status page shows. It plays the hall forward with
//!   the production call order ([`crate::policy::pick_next`]): every open window, each with
//!   its own services in its own priority order, becomes free when its ticket in progress is
//!   expected to end (the mean *remaining* service given the time already spent), then calls
//!   what the policy would call — including tickets of higher classes or other services not
//!   yet in the hall but expected (walk-ins and green-channel arrivals at the hall's usual
//!   rate for the hour, or else the last hour's, booked
//!   appointments at their slots, other services' walk-ins on windows that put them first),
//!   each taking its service's mean time (a no-show only the clerk's wait); a paused window
//!   comes back when the hall's pauses usually end. A ticket's wait is
//!   when it is called in that play; its range ([`Estimate::low_s`] … [`Estimate::high_s`])
//!   widens with the number of services before it and their spread.
//! - [`baseline_all`]: the estimator hallq used before (people ahead in its own service × mean
//!   of the last 20 durations ÷ windows serving it), kept to measure against.

use crate::model::{Candidate, Kind};
use crate::policy;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// What a hall knows at `now` (times in ms).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The moment.
    pub now: i64,
    /// Every window of the hall.
    pub windows: Vec<WindowNow>,
    /// Every waiting ticket of the hall's day.
    pub waiting: Vec<Candidate>,
    /// Per service figures, by service id.
    pub services: BTreeMap<String, ServiceNow>,
    /// Booked appointments not yet checked in whose slot starts later today.
    pub upcoming: Vec<Upcoming>,
    /// Local midnight of the day (ms), for [`ServiceNow::usual_per_hour`].
    pub day_start: i64,
    /// How long the hall's pauses usually last (ms); 0: [`PAUSE_MS`].
    pub pause_ms: i64,
}

/// A pause's length assumed before the hall has seen one end (ms).
pub const PAUSE_MS: i64 = 30 * 60 * 1000;

/// A paused window is expected back at least this long from now (ms).
const BACK_AT_LEAST_MS: i64 = 5 * 60 * 1000;

/// One window at the moment.
#[derive(Debug, Clone, Default)]
pub struct WindowNow {
    /// Window id.
    pub id: String,
    /// Services it calls, in its priority order.
    pub services: Vec<String>,
    /// Calling (not paused, not closed).
    pub open: bool,
    /// Paused since (ms): expected back [`Snapshot::pause_ms`] after that (a closed window
    /// has neither `open` nor this).
    pub paused_since: Option<i64>,
    /// The ticket it is serving (called, not finished).
    pub serving: Option<InService>,
}

/// A ticket being served.
#[derive(Debug, Clone)]
pub struct InService {
    /// Its service.
    pub service: String,
    /// When it was called (ms).
    pub since: i64,
}

/// What the hall knows of one service.
#[derive(Debug, Clone, Default)]
pub struct ServiceNow {
    /// Call-to-finish durations (s) of its latest finished tickets, newest first (up to
    /// [`RECENT`]).
    pub recent_durations_s: Vec<i64>,
    /// Walk-in tickets (green included) issued per hour lately.
    pub walk_ins_per_hour: f64,
    /// Green-channel tickets issued per hour lately.
    pub green_per_hour: f64,
    /// Walk-ins (green included) the hall usually sees per hour on this weekday, by local
    /// hour (24 values from its history; empty when it has none: the last hour's rate
    /// stands for the hours ahead).
    pub usual_per_hour: Vec<f64>,
    /// Share of called tickets whose holder did not come.
    pub no_show_share: f64,
    /// Seconds a clerk waits for a holder who does not come.
    pub no_show_wait_s: f64,
}

/// A booked appointment expected to check in.
#[derive(Debug, Clone)]
pub struct Upcoming {
    /// Its service.
    pub service: String,
    /// Its slot's start (ms).
    pub slot_start: i64,
}

/// An estimated wait: the point estimate and the range it can stand behind (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Estimate {
    /// Most likely wait.
    pub wait_s: i64,
    /// Lower end of the range.
    pub low_s: i64,
    /// Upper end of the range.
    pub high_s: i64,
}

/// An estimate is within tolerance when it is off by at most this share of the actual
/// wait…
pub const TOLERANCE_SHARE: f64 = 0.2;
/// …or by at most this many seconds, whichever is larger.
pub const TOLERANCE_MIN_S: f64 = 180.0;

/// Within tolerance: ±20 % of the actual wait or ±3 minutes, whichever is larger.
pub fn within_tolerance(predicted_s: f64, actual_s: f64) -> bool {
    (predicted_s - actual_s).abs() <= (TOLERANCE_SHARE * actual_s).max(TOLERANCE_MIN_S)
}

/// Finished tickets per service whose durations the estimator reads.
pub const RECENT: usize = 50;

/// How far ahead expected arrivals are played (ms).
const HORIZON_MS: i64 = 4 * 3600 * 1000;

/// Every waiting ticket's estimate, by ticket id. A ticket no open window serves (nor a
/// window it is transferred to) has none: nobody can say when calling starts. Paused
/// windows take part in the play (back when the hall's pauses usually end) but do not
/// make an estimate on their own.
pub fn estimate_all(s: &Snapshot) -> BTreeMap<i64, Estimate> {
    let mut out = BTreeMap::new();
    let open: Vec<&WindowNow> = s
        .windows
        .iter()
        .filter(|w| w.open || w.paused_since.is_some())
        .collect();
    if open.is_empty() || s.waiting.is_empty() {
        return out;
    }
    let stats: BTreeMap<&str, Stats> = s
        .services
        .iter()
        .map(|(id, n)| (id.as_str(), Stats::of(n)))
        .collect();
    let default = Stats::of(&ServiceNow::default());
    let stat = |service: &str| *stats.get(service).unwrap_or(&default);
    let mut pool = s.waiting.clone();
    let expected = expected_arrivals(s, &open);
    let mut next_expected = 0;
    let real = s.waiting.len();
    let mut heap: BinaryHeap<Reverse<(i64, usize)>> = open
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let free = w.serving.as_ref().map_or(s.now, |t| {
                s.now + stat(&t.service).remaining_ms(s.now - t.since)
            });
            let pause = if s.pause_ms > 0 { s.pause_ms } else { PAUSE_MS };
            let free = match w.paused_since.filter(|_| !w.open) {
                Some(since) => free.max(since + pause).max(s.now + BACK_AT_LEAST_MS),
                None => free,
            };
            Reverse((free, i))
        })
        .collect();
    // Services completed before each call, and their variance, for the range.
    // (A ticket in progress adds its own spread to its window's.)
    let mut done_before: Vec<f64> = open
        .iter()
        .map(|w| w.serving.as_ref().map_or(0.0, |t| stat(&t.service).var_ms2))
        .collect();
    let mut found = 0;
    while let Some(Reverse((t, w))) = heap.pop() {
        if found == real {
            break;
        }
        while next_expected < expected.len() && expected[next_expected].arrived_at <= t {
            pool.push(expected[next_expected].clone());
            next_expected += 1;
        }
        let window = open[w];
        match policy::pick_next(&window.id, &window.services, t, &pool) {
            Some(id) => {
                let at = pool.iter().position(|c| c.id == id).unwrap_or(0);
                let c = pool.swap_remove(at);
                let st = stat(&c.service);
                if id > 0 {
                    found += 1;
                    let var: f64 = done_before.iter().sum();
                    out.insert(id, range(t - s.now, var, open.len()));
                }
                done_before[w] += st.var_ms2;
                heap.push(Reverse((t + st.effective_ms, w)));
            }
            None => {
                // Idle until the next expected ticket arrives, if any is left.
                if let Some(e) = expected.get(next_expected) {
                    heap.push(Reverse((e.arrived_at.max(t + 1), w)));
                }
            }
        }
    }
    // Only a ticket an open window could call now is estimated: with every window that
    // serves it paused or closed, nobody can say when calling resumes.
    let calling = |c: &Candidate| {
        s.windows.iter().any(|w| {
            w.open
                && match &c.target_window {
                    Some(t) => *t == w.id,
                    None => w.services.contains(&c.service),
                }
        })
    };
    let callable: std::collections::BTreeSet<i64> = s
        .waiting
        .iter()
        .filter(|c| calling(c))
        .map(|c| c.id)
        .collect();
    out.retain(|id, _| callable.contains(id));
    out
}

/// Standard deviations either side of the point estimate: with the ends widened to whole
/// minutes, the range holds about nine actual waits in ten in the simulations (docs/queue.md, `range_coverage`).
const Z: f64 = 1.0;

/// The point estimate `wait_ms` and its range, ±[`Z`] standard deviations: the deviation
/// made of the services before it and the one in progress (total variance `var`, shared
/// by `windows`) and a fifth of the wait for what nobody knows yet (arrivals of higher
/// classes, pauses).
fn range(wait_ms: i64, var: f64, windows: usize) -> Estimate {
    let wait = wait_ms as f64;
    let sd_ms = (var / windows.max(1) as f64 + (0.2 * wait).powi(2)).sqrt();
    let s = |ms: f64| (ms / 1000.0).round().max(0.0) as i64;
    Estimate {
        wait_s: s(wait),
        low_s: s(wait - Z * sd_ms),
        high_s: s(wait + Z * sd_ms),
    }
}

/// Walk-ins (green included) expected per hour of `n`'s service at `t`: the hall's usual
/// rate for that hour of the day when it has one ([`ServiceNow::usual_per_hour`]), else the
/// rate of the last hour.
fn rate_at(s: &Snapshot, n: &ServiceNow, t: i64) -> f64 {
    let hour = (t - s.day_start).div_euclid(3_600_000);
    match usize::try_from(hour)
        .ok()
        .and_then(|h| n.usual_per_hour.get(h))
    {
        Some(r) if !n.usual_per_hour.is_empty() => *r,
        _ => n.walk_ins_per_hour,
    }
}

/// Expected tickets not yet in the hall, as candidates with negative ids, by arrival.
fn expected_arrivals(s: &Snapshot, open: &[&WindowNow]) -> Vec<Candidate> {
    let served = |svc: &str| open.iter().any(|w| w.services.iter().any(|x| x == svc));
    let mut out = Vec::new();
    for (svc, n) in &s.services {
        if !served(svc) {
            continue;
        }
        let green = if n.walk_ins_per_hour > 0.0 {
            (n.green_per_hour / n.walk_ins_per_hour).clamp(0.0, 1.0)
        } else {
            0.0
        };
        for (share, kind) in [(green, Kind::Green), (1.0 - green, Kind::WalkIn)] {
            // Deterministic arrivals where the expected count passes each half.
            let mut count = 0.5;
            let mut t = s.now;
            while t < s.now + HORIZON_MS {
                let step = 60_000;
                count -= rate_at(s, n, t) * share * step as f64 / 3_600_000.0;
                t += step;
                while count <= 0.0 {
                    out.push(expected(svc, kind, None, t));
                    count += 1.0;
                }
            }
        }
    }
    for u in &s.upcoming {
        if served(&u.service) && u.slot_start > s.now && u.slot_start <= s.now + HORIZON_MS {
            out.push(expected(
                &u.service,
                Kind::Appointment,
                Some(u.slot_start),
                u.slot_start,
            ));
        }
    }
    out.sort_by_key(|c| c.arrived_at);
    for (i, c) in out.iter_mut().enumerate() {
        c.id = -1 - i as i64;
    }
    out
}

fn expected(service: &str, kind: Kind, slot_start: Option<i64>, at: i64) -> Candidate {
    Candidate {
        id: 0,
        service: service.to_string(),
        kind,
        slot_start,
        arrived_at: at,
        target_window: None,
    }
}

/// A service's figures in ms.
#[derive(Debug, Clone, Copy)]
struct Stats {
    /// Mean time a call takes, no-shows included.
    effective_ms: i64,
    /// Variance of a service (ms²).
    var_ms2: f64,
    /// Sorted plausible durations (ms), for the remaining time of a ticket in progress.
    mean_ms: f64,
    cv: f64,
}

impl Stats {
    fn of(n: &ServiceNow) -> Self {
        let xs: Vec<f64> = n
            .recent_durations_s
            .iter()
            .filter(|d| crate::history::PLAUSIBLE_SERVICE_S.contains(*d))
            .map(|d| *d as f64 * 1000.0)
            .collect();
        let (mean_ms, cv) = crate::history::mean_cv(&xs)
            .filter(|_| xs.len() >= 3)
            .unwrap_or((policy::DEFAULT_SERVICE_S as f64 * 1000.0, 0.8));
        let p = n.no_show_share.clamp(0.0, 1.0);
        let effective = (1.0 - p) * mean_ms + p * n.no_show_wait_s.max(0.0) * 1000.0;
        Self {
            effective_ms: effective.round().max(1000.0) as i64,
            var_ms2: (cv * mean_ms).powi(2),
            mean_ms,
            cv,
        }
    }

    /// Expected remaining time of a service already `elapsed_ms` long: for a lognormal-ish
    /// spread the mean residual grows little; past the mean it is about a third of the mean
    /// (scaled by the spread), never below 30 s.
    fn remaining_ms(&self, elapsed_ms: i64) -> i64 {
        let e = elapsed_ms.max(0) as f64;
        let rest = if e < self.mean_ms {
            self.mean_ms - e + self.cv.min(1.5) * e * 0.25
        } else {
            self.mean_ms * (0.25 + 0.25 * self.cv.min(1.5))
        };
        rest.max(30_000.0) as i64
    }
}

/// The estimator hallq used before, on the same snapshot: people ahead in the ticket's own
/// service × the mean of the recent durations ÷ the open windows serving the service.
pub fn baseline_all(s: &Snapshot) -> BTreeMap<i64, i64> {
    s.waiting
        .iter()
        .filter_map(|t| Some((t.id, baseline_of(s, t)?)))
        .collect()
}

/// The former estimator's answer for one waiting ticket `t` of the snapshot.
pub fn baseline_of(s: &Snapshot, t: &Candidate) -> Option<i64> {
    let ahead = policy::people_ahead(t, &s.waiting, s.now) as i64;
    let open = s
        .windows
        .iter()
        .filter(|w| w.open && w.services.contains(&t.service))
        .count() as i64;
    let durations = s
        .services
        .get(&t.service)
        .map(|n| n.recent_durations_s.as_slice())
        .unwrap_or(&[]);
    policy::estimate_wait_s(ahead, durations, open)
}
