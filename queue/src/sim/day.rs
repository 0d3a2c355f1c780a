//! One simulated day: the day's arrivals drawn from the profile (walk-ins, green channel,
//! appointments checking in around their slots), then events in time order — an arrival
//! (estimated by both estimators from what the hall knows at that moment, then offered to
//! idle windows), a window finishing (its next call by the policy), a window coming back
//! from a pause. Windows open at the day's first hour with arrivals and call until the queue
//! is empty; a called holder who does not come costs the clerk's wait.

use super::report::{Log, Outcome};
use super::HallModel;
use crate::estimate::{self, InService, ServiceNow, Snapshot, Upcoming, WindowNow};
use crate::model::{Candidate, Kind};
use crate::policy;
use crate::profile::{clock_s, Profile};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    /// Ticket (index) enters the queue.
    Arrive(usize),
    /// Window (index) finishes its call.
    Free(usize),
    /// Window (index) may call again (opening, end of a pause).
    Wake(usize),
}

struct Tk {
    service: String,
    kind: Kind,
    slot_start: Option<i64>,
    arrive: i64,
}

struct Win {
    /// Intervals (ms) it may call in.
    open: Vec<(i64, i64)>,
    serving: Option<InService>,
    busy: bool,
    busy_ms: i64,
}

impl Win {
    fn available(&self, t: i64) -> bool {
        self.open.iter().any(|(a, b)| (*a..*b).contains(&t))
    }
    /// When its pause began, if it is in one (between two calling intervals).
    fn paused_since(&self, t: i64) -> Option<i64> {
        self.next_open(t)?;
        let began = self
            .open
            .iter()
            .map(|(_, b)| *b)
            .filter(|b| *b <= t)
            .max()?;
        (!self.available(t)).then_some(began)
    }

    /// Its pauses that ended in (`from`, `to`] (ms).
    fn pauses_ended(&self, from: i64, to: i64) -> impl Iterator<Item = i64> + '_ {
        self.open
            .windows(2)
            .map(|p| (p[0].1, p[1].0))
            .filter(move |(_, b)| *b > from && *b <= to)
            .map(|(a, b)| b - a)
    }

    fn next_open(&self, t: i64) -> Option<i64> {
        self.open.iter().map(|(a, _)| *a).filter(|a| *a > t).min()
    }
}

/// Plays day `d` (weekday 0 = Monday) into `log`; `k` is what the hall knows, kept from
/// day to day (recent durations, no-shows) as its database keeps it.
pub(super) fn play(
    hall: &HallModel,
    profile: &Profile,
    d: u32,
    weekday: usize,
    rng: &mut ChaCha8Rng,
    k: &mut Known,
    log: &mut Log,
) {
    k.new_day(profile, weekday);
    let base = i64::from(d) * DAY_MS;
    let hours: Vec<u32> = (0..24)
        .filter(|h| {
            hall.services
                .iter()
                .any(|s| profile.rate(s, weekday, *h) > 0.0)
        })
        .collect();
    let (Some(first), Some(last)) = (hours.first(), hours.last()) else {
        return;
    };
    let (open, close) = (
        base + i64::from(*first) * HOUR_MS,
        base + i64::from(last + 1) * HOUR_MS,
    );
    let tickets = arrivals(hall, profile, base, weekday, open, rng);
    let mut wins: Vec<Win> = hall
        .windows
        .iter()
        .map(|w| Win {
            open: window_hours(w, profile, base, open),
            serving: None,
            busy: false,
            busy_ms: 0,
        })
        .collect();
    let mut events: BinaryHeap<Reverse<(i64, Ev)>> = BinaryHeap::new();
    for (i, t) in tickets.iter().enumerate() {
        events.push(Reverse((t.arrive, Ev::Arrive(i))));
    }
    for (i, w) in wins.iter().enumerate() {
        if let Some((a, _)) = w.open.first() {
            events.push(Reverse((*a, Ev::Wake(i))));
        }
    }
    let mut waiting: Vec<Candidate> = Vec::new();
    let mut outcome: Vec<Outcome> = Vec::with_capacity(tickets.len());
    let mut end = close;
    while let Some(Reverse((t, ev))) = events.pop() {
        end = end.max(t);
        let idle: Vec<usize> = match ev {
            Ev::Arrive(i) => {
                let tk = &tickets[i];
                waiting.push(Candidate {
                    id: i as i64 + 1,
                    service: tk.service.clone(),
                    kind: tk.kind,
                    slot_start: tk.slot_start,
                    arrived_at: tk.arrive,
                    target_window: None,
                });
                k.arrived(tk, t);
                let snap = k.snapshot(hall, &wins, &waiting, &tickets, t);
                let est = estimate::estimate_all(&snap).get(&(i as i64 + 1)).copied();
                let base_est = waiting.last().and_then(|c| estimate::baseline_of(&snap, c));
                outcome.push(Outcome::new(
                    tk.service.clone(),
                    weekday,
                    t - base,
                    est,
                    base_est,
                ));
                (0..wins.len()).filter(|w| !wins[*w].busy).collect()
            }
            Ev::Free(w) => {
                let win = &mut wins[w];
                win.busy = false;
                if let Some(s) = win.serving.take() {
                    k.finished(&s.service, t - s.since);
                }
                vec![w]
            }
            Ev::Wake(w) if !wins[w].busy => vec![w],
            Ev::Wake(_) => vec![],
        };
        for w in idle {
            let win = &mut wins[w];
            if !win.available(t) {
                if let Some(a) = win.next_open(t) {
                    events.push(Reverse((a, Ev::Wake(w))));
                }
                continue;
            }
            let services = &hall.windows[w].services;
            let Some(id) = policy::pick_next(&hall.windows[w].id, services, t, &waiting) else {
                continue;
            };
            let at = waiting.iter().position(|c| c.id == id).unwrap_or(0);
            let c = waiting.swap_remove(at);
            let sp = profile.services.get(&c.service);
            let no_show = rng.gen::<f64>() < sp.map_or(0.0, |s| s.no_show_share);
            let took = if no_show {
                (profile.no_show_wait_s * 1000.0) as i64
            } else {
                sp.map_or(180_000, |s| lognormal_ms(rng, s.mean_s, s.cv))
            };
            k.called(&c.service, no_show);
            let o = &mut outcome[(id - 1) as usize];
            o.called(t - c.arrived_at, no_show, &hall.windows[w].id);
            win.busy = true;
            win.busy_ms += took;
            win.serving = (!no_show).then(|| InService {
                service: c.service.clone(),
                since: t,
            });
            events.push(Reverse((t + took.max(1), Ev::Free(w))));
        }
    }
    for (w, win) in wins.iter().enumerate() {
        let open_ms: i64 = win
            .open
            .iter()
            .map(|(a, b)| (*b).min(end) - a)
            .filter(|x| *x > 0)
            .sum();
        log.window(&hall.windows[w].id, win.busy_ms, open_ms);
    }
    log.day(outcome);
}

/// The day's tickets by arrival: per service and hour a Poisson stream; a share books an
/// appointment in the 30-minute slot it falls in and checks in around it; a share of the
/// walk-ins takes the green channel.
fn arrivals(
    hall: &HallModel,
    profile: &Profile,
    base: i64,
    weekday: usize,
    open: i64,
    rng: &mut ChaCha8Rng,
) -> Vec<Tk> {
    let mut out = Vec::new();
    for svc in &hall.services {
        let Some(sp) = profile.services.get(svc) else {
            continue;
        };
        for h in 0..24u32 {
            let rate = profile.rate(svc, weekday, h);
            if rate <= 0.0 {
                continue;
            }
            let (from, to) = (
                base + i64::from(h) * HOUR_MS,
                base + i64::from(h + 1) * HOUR_MS,
            );
            let mut t = from as f64;
            loop {
                t += crate::mmc::exp(rng, rate / HOUR_MS as f64);
                if t >= to as f64 {
                    break;
                }
                let at = t as i64;
                let (kind, slot_start, arrive) = if rng.gen::<f64>() < sp.appointment_share {
                    let slot = at - (at - base).rem_euclid(HOUR_MS / 2);
                    let early = profile.checkin_early_min * 60_000.0;
                    let offset = crate::mmc::exp(rng, 1.0 / early.abs().max(1.0)) * early.signum();
                    (
                        Kind::Appointment,
                        Some(slot),
                        (slot - offset as i64).max(open),
                    )
                } else if rng.gen::<f64>() < sp.green_share {
                    (Kind::Green, None, at)
                } else {
                    (Kind::WalkIn, None, at)
                };
                out.push(Tk {
                    service: svc.clone(),
                    kind,
                    slot_start,
                    arrive,
                });
            }
        }
    }
    out.sort_by_key(|t| t.arrive);
    out
}

/// A window's calling intervals on the day: from the hall's opening (or its own what-if
/// hours) without its pauses.
fn window_hours(
    w: &super::WindowModel,
    profile: &Profile,
    base: i64,
    open: i64,
) -> Vec<(i64, i64)> {
    let (from, to) = w.hours.map_or((open, base + 2 * DAY_MS), |(a, b)| {
        (base + a * 1000, base + b * 1000)
    });
    let mut spans = vec![(from, to)];
    for p in profile.pauses.iter().filter(|p| p.windows.contains(&w.id)) {
        let (Some(a), Some(b)) = (clock_s(&p.from), clock_s(&p.to)) else {
            continue;
        };
        let (a, b) = (base + a * 1000, base + b * 1000);
        spans = spans
            .into_iter()
            .flat_map(|(x, y)| [(x, y.min(a)), (x.max(b), y)])
            .filter(|(x, y)| x < y)
            .collect();
    }
    spans
}

/// A lognormal service time (ms) with mean `mean_s` and coefficient of variation `cv`.
fn lognormal_ms(rng: &mut ChaCha8Rng, mean_s: f64, cv: f64) -> i64 {
    let s2 = (1.0 + cv * cv).ln();
    let mu = mean_s.ln() - s2 / 2.0;
    // Box–Muller.
    let (u1, u2): (f64, f64) = (1.0 - rng.gen::<f64>(), rng.gen());
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    ((mu + s2.sqrt() * z).exp() * 1000.0).round().max(1000.0) as i64
}

/// What the hall knows, as the controller would: recent durations, recent arrivals, no-shows.
pub(super) struct Known {
    services: BTreeMap<String, ServiceNow>,
    arrivals: BTreeMap<String, VecDeque<(i64, Kind)>>,
    calls: BTreeMap<String, (u32, u32)>,
    /// Lengths of the pauses that ended (ms), and up to when they were collected.
    pauses: Vec<i64>,
    pauses_seen_to: i64,
}

impl Known {
    pub(super) fn new(hall: &HallModel, profile: &Profile) -> Self {
        let now = |_: &String| ServiceNow {
            no_show_wait_s: profile.no_show_wait_s,
            ..ServiceNow::default()
        };
        Self {
            services: hall.services.iter().map(|s| (s.clone(), now(s))).collect(),
            arrivals: BTreeMap::new(),
            calls: BTreeMap::new(),
            pauses: Vec::new(),
            pauses_seen_to: i64::MIN,
        }
    }

    /// A new day: no arrivals yet; the usual walk-ins per hour are the profile's for the
    /// weekday (what weeks of history show a hall).
    fn new_day(&mut self, profile: &Profile, weekday: usize) {
        self.arrivals.clear();
        for (svc, n) in &mut self.services {
            let walk_in = 1.0
                - profile
                    .services
                    .get(svc)
                    .map_or(0.0, |p| p.appointment_share);
            n.usual_per_hour = (0..24)
                .map(|h| profile.rate(svc, weekday, h) * walk_in)
                .collect();
        }
    }

    /// The mean length of the pauses that have ended so far (ms), 0 before any.
    fn pause_ms(&mut self, wins: &[Win], t: i64) -> i64 {
        for w in wins {
            self.pauses.extend(w.pauses_ended(self.pauses_seen_to, t));
        }
        self.pauses_seen_to = t;
        self.pauses.iter().sum::<i64>() / (self.pauses.len().max(1) as i64)
    }

    fn arrived(&mut self, tk: &Tk, t: i64) {
        if tk.kind != Kind::Appointment {
            self.arrivals
                .entry(tk.service.clone())
                .or_default()
                .push_back((t, tk.kind));
        }
    }

    fn finished(&mut self, service: &str, ms: i64) {
        if let Some(n) = self.services.get_mut(service) {
            n.recent_durations_s.insert(0, ms / 1000);
            n.recent_durations_s.truncate(estimate::RECENT);
        }
    }

    fn called(&mut self, service: &str, no_show: bool) {
        let c = self.calls.entry(service.to_string()).or_default();
        c.0 += 1;
        c.1 += u32::from(no_show);
    }

    fn snapshot(
        &mut self,
        hall: &HallModel,
        wins: &[Win],
        waiting: &[Candidate],
        tickets: &[Tk],
        t: i64,
    ) -> Snapshot {
        for (svc, q) in &mut self.arrivals {
            while q.front().is_some_and(|(a, _)| *a <= t - HOUR_MS) {
                q.pop_front();
            }
            if let Some(n) = self.services.get_mut(svc) {
                n.walk_ins_per_hour = q.len() as f64;
                n.green_per_hour = q.iter().filter(|(_, k)| *k == Kind::Green).count() as f64;
            }
        }
        for (svc, (calls, no)) in &self.calls {
            if let Some(n) = self.services.get_mut(svc) {
                n.no_show_share = f64::from(*no) / f64::from((*calls).max(1));
            }
        }
        Snapshot {
            now: t,
            windows: hall
                .windows
                .iter()
                .zip(wins)
                .map(|(m, w)| WindowNow {
                    id: m.id.clone(),
                    services: m.services.clone(),
                    open: w.available(t),
                    paused_since: w.paused_since(t),
                    serving: w.serving.clone(),
                })
                .collect(),
            waiting: waiting.to_vec(),
            services: self.services.clone(),
            pause_ms: self.pause_ms(wins, t),
            day_start: t - t.rem_euclid(DAY_MS),
            upcoming: tickets
                .iter()
                .filter(|k| k.arrive > t && k.slot_start.is_some_and(|s| s > t))
                .map(|k| Upcoming {
                    service: k.service.clone(),
                    slot_start: k.slot_start.unwrap_or_default(),
                })
                .collect(),
        }
    }
}
