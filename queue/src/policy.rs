//! Pure policy: which ticket a window calls next, how many people are ahead of a waiting
//! ticket (derived from the same order, so the status page, the kiosk's answer and the
//! estimate never promise what the call order will not keep), and how long a wait is
//! estimated.

use crate::model::{Candidate, Kind};

/// Picks the ticket `window` calls next, or `None` when nothing it serves is waiting.
///
/// Order, first difference wins:
/// 1. tickets transferred to this very window, then the window's services in its
///    priority order (`services[0]` first);
/// 2. within that, appointment tickets whose slot has begun (`slot_start <= now`), then
///    green-channel tickets (绿色通道), then everything else (walk-ins, and appointments
///    that arrived before their slot);
/// 3. FIFO by arrival time (kept on transfer), then by id.
///
/// Tickets transferred to another window are never picked. The first of [`call_order`]
/// (found without sorting: the simulator and the estimator call it very often).
pub fn pick_next(
    window: &str,
    services: &[String],
    now: i64,
    candidates: &[Candidate],
) -> Option<i64> {
    candidates
        .iter()
        .filter_map(|c| rank(window, services, now, c).map(|r| (r, c.arrived_at, c.id)))
        .min()
        .map(|(_, _, id)| id)
}

/// The ids of the `candidates` `window` may call, in the order successive call-nexts at
/// `now` would take them ([`pick_next`] is its first): the one ordering behind both the
/// call and the clerk's preview of the next tickets.
pub fn call_order(
    window: &str,
    services: &[String],
    now: i64,
    candidates: &[Candidate],
) -> Vec<i64> {
    let mut ranked: Vec<_> = candidates
        .iter()
        .filter_map(|c| rank(window, services, now, c).map(|r| (r, c.arrived_at, c.id)))
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().map(|(_, _, id)| id).collect()
}

/// (service rank, class rank) of a candidate for this window, or `None` if not eligible.
fn rank(window: &str, services: &[String], now: i64, c: &Candidate) -> Option<(usize, u8)> {
    let service_rank = match &c.target_window {
        Some(w) if w == window => 0,
        Some(_) => return None,
        None => 1 + services.iter().position(|s| *s == c.service)?,
    };
    Some((service_rank, class(c.kind, c.slot_start, now)))
}

/// A waiting ticket's class in the call order at `now`: 0 for an appointment whose slot
/// has begun, 1 for the green channel, 2 for everything else (walk-ins, and appointments
/// checked in before their slot). The store's SQL mirrors it (`store::queue`).
pub fn class(kind: Kind, slot_start: Option<i64>, now: i64) -> u8 {
    match kind {
        Kind::Appointment if slot_start.is_some_and(|s| s <= now) => 0,
        Kind::Green => 1,
        _ => 2,
    }
}

/// Where a ticket stands in its service's queue at `now`: smaller is called first by
/// every window serving the service ([`pick_next`]'s order within one service).
pub fn queue_key(
    kind: Kind,
    slot_start: Option<i64>,
    arrived_at: i64,
    id: i64,
    now: i64,
) -> (u8, i64, i64) {
    (class(kind, slot_start, now), arrived_at, id)
}

/// People ahead of `t` at `now`: the waiting tickets of its service, not transferred to
/// one window, that [`pick_next`] calls before it (`queue` may hold anything; `t` itself
/// and other services' tickets are not counted).
pub fn people_ahead(t: &Candidate, queue: &[Candidate], now: i64) -> usize {
    let key = |c: &Candidate| queue_key(c.kind, c.slot_start, c.arrived_at, c.id, now);
    let mine = key(t);
    queue
        .iter()
        .filter(|c| c.id != t.id && c.service == t.service && c.target_window.is_none())
        .filter(|c| key(c) < mine)
        .count()
}

/// Service time assumed before any ticket of the day has been served, in seconds.
pub const DEFAULT_SERVICE_S: i64 = 180;

/// Estimated wait in seconds for someone with `people_ahead` before them.
///
/// The estimator: the mean duration (call to finish) of the service's most recent
/// finished tickets today (the caller passes up to 20, newest first), or
/// [`DEFAULT_SERVICE_S`] before any; the queue drains through every open window that
/// serves the service, so the wait is `people_ahead × mean ÷ open_windows`, rounded up.
/// Durations outside 10 s … 2 h are ignored as outliers (a forgotten finish button).
/// `None` while no window serving the service is open: nobody can say when calling starts.
pub fn estimate_wait_s(
    people_ahead: i64,
    recent_durations_s: &[i64],
    open_windows: i64,
) -> Option<i64> {
    wait_s(
        people_ahead,
        mean_service_s(recent_durations_s),
        open_windows,
    )
}

/// The mean of `recent_durations_s` without outliers, or [`DEFAULT_SERVICE_S`] (the
/// per-service half of [`estimate_wait_s`], computed once for a whole queue).
pub fn mean_service_s(recent_durations_s: &[i64]) -> i64 {
    let (sum, n) = recent_durations_s
        .iter()
        .filter(|d| (10..=7200).contains(*d))
        .fold((0i64, 0i64), |(sum, n), d| (sum + d, n + 1));
    if n == 0 {
        DEFAULT_SERVICE_S
    } else {
        sum / n
    }
}

/// The wait for `people_ahead` served `mean_s` seconds each by `open_windows` windows,
/// rounded up; `None` when no window is open (a wait with nobody calling has no length).
pub fn wait_s(people_ahead: i64, mean_s: i64, open_windows: i64) -> Option<i64> {
    if open_windows < 1 {
        return None;
    }
    Some((people_ahead.max(0) * mean_s + open_windows - 1) / open_windows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(id: i64, service: &str, kind: Kind, arrived: i64) -> Candidate {
        Candidate {
            id,
            service: service.into(),
            kind,
            slot_start: None,
            arrived_at: arrived,
            target_window: None,
        }
    }

    fn svcs(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn service_priority_then_class_then_fifo() {
        let services = svcs(&["a", "b"]);
        let mut appt = c(4, "a", Kind::Appointment, 40);
        appt.slot_start = Some(100);
        let cands = vec![
            c(1, "b", Kind::Green, 1),
            c(2, "a", Kind::WalkIn, 10),
            c(3, "a", Kind::Green, 30),
            appt.clone(),
        ];
        // Before the slot begins the appointment ranks with walk-ins: green first.
        assert_eq!(pick_next("w", &services, 50, &cands), Some(3));
        // Once it has begun, it goes first.
        assert_eq!(pick_next("w", &services, 100, &cands), Some(4));
        // Only service b waiting.
        assert_eq!(pick_next("w", &services, 0, &cands[..1]), Some(1));
    }

    #[test]
    fn an_appointment_before_its_slot_waits_behind_earlier_walk_ins() {
        let mut appt = c(3, "a", Kind::Appointment, 30);
        appt.slot_start = Some(100);
        let queue = vec![
            c(1, "a", Kind::WalkIn, 10),
            c(2, "a", Kind::Green, 40),
            appt.clone(),
        ];
        // Checked in before its slot: the walk-in and the green ticket go first.
        assert_eq!(people_ahead(&appt, &queue, 50), 2);
        assert_eq!(pick_next("w", &svcs(&["a"]), 50, &queue), Some(2));
        // Once the slot has begun it is next.
        assert_eq!(people_ahead(&appt, &queue, 100), 0);
        assert_eq!(people_ahead(&queue[0], &queue, 100), 2);
    }

    #[test]
    fn transfers() {
        let services = svcs(&["a"]);
        let mut mine = c(1, "x", Kind::WalkIn, 50);
        mine.target_window = Some("w".into());
        let mut theirs = c(2, "a", Kind::WalkIn, 1);
        theirs.target_window = Some("v".into());
        let cands = vec![c(3, "a", Kind::Green, 2), mine, theirs];
        assert_eq!(pick_next("w", &services, 0, &cands), Some(1));
        assert_eq!(pick_next("v", &services, 0, &cands), Some(2));
        assert_eq!(pick_next("u", &services, 0, &cands), Some(3));
        assert_eq!(pick_next("u", &svcs(&["z"]), 0, &cands), None);
    }

    #[test]
    fn estimate() {
        assert_eq!(estimate_wait_s(0, &[], 1), Some(0));
        assert_eq!(estimate_wait_s(3, &[], 2), Some(270));
        assert_eq!(estimate_wait_s(2, &[100, 200, 5, 9000], 1), Some(300));
        // No window open: no estimate at all, not a made-up one.
        assert_eq!(estimate_wait_s(5, &[60], 0), None);
        assert_eq!(estimate_wait_s(0, &[], 0), None);
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            Just(Kind::WalkIn),
            Just(Kind::Green),
            Just(Kind::Appointment)
        ]
    }

    fn cand() -> impl Strategy<Value = Candidate> {
        (
            0i64..1000,
            prop_oneof![Just("a"), Just("b"), Just("c")],
            kind(),
            proptest::option::of(0i64..200),
            0i64..200,
            proptest::option::of(prop_oneof![Just("w"), Just("v")]),
        )
            .prop_map(|(id, s, kind, slot, arrived, tw)| Candidate {
                id,
                service: s.into(),
                kind,
                slot_start: slot,
                arrived_at: arrived,
                target_window: tw.map(String::from),
            })
    }

    proptest! {
        #[test]
        fn picks_an_eligible_minimum(mut cands in proptest::collection::vec(cand(), 0..40), now in 0i64..200) {
            // Ids are unique in a real store.
            for (n, c) in cands.iter_mut().enumerate() { c.id = n as i64; }
            let services = svcs(&["b", "a"]);
            let picked = pick_next("w", &services, now, &cands);
            let eligible: Vec<&Candidate> = cands.iter().filter(|c| rank("w", &services, now, c).is_some()).collect();
            match picked {
                None => prop_assert!(eligible.is_empty()),
                Some(id) => {
                    let p = cands.iter().find(|c| c.id == id).unwrap();
                    prop_assert!(p.target_window.as_deref().is_none_or(|t| t == "w"));
                    prop_assert!(p.target_window.is_some() || services.contains(&p.service));
                    let key = |c: &Candidate| (rank("w", &services, now, c).unwrap(), c.arrived_at, c.id);
                    for e in &eligible {
                        prop_assert!(key(p) <= key(e));
                    }
                }
            }
        }

        #[test]
        fn order_of_input_does_not_matter(mut cands in proptest::collection::vec(cand(), 0..30), now in 0i64..200) {
            // Ids are unique in a real store.
            for (n, c) in cands.iter_mut().enumerate() { c.id = n as i64; }
            let services = svcs(&["a", "c"]);
            let first = pick_next("v", &services, now, &cands);
            cands.reverse();
            prop_assert_eq!(first, pick_next("v", &services, now, &cands));
        }

        /// Windows serving the ticket's service (each with its own other services, in its
        /// own order) call repeatedly at `now`: the tickets of its service called before
        /// it are exactly its people ahead.
        #[test]
        fn people_ahead_is_what_the_windows_call_first(
            mut cands in proptest::collection::vec(cand(), 1..40),
            now in 0i64..200,
            pick in 0usize..40,
            lists in proptest::collection::vec(proptest::sample::subsequence(vec!["a", "b", "c"], 0..=3), 1..4),
        ) {
            for (n, c) in cands.iter_mut().enumerate() { c.id = n as i64; }
            let t = {
                let n = cands.len();
                let t = &mut cands[pick % n];
                t.target_window = None;
                t.clone()
            };
            let ahead = people_ahead(&t, &cands, now);
            // Every window serves t's service somewhere in its list.
            let windows: Vec<(String, Vec<String>)> = lists.iter().enumerate().map(|(i, l)| {
                let mut l: Vec<String> = l.iter().map(|s| s.to_string()).filter(|s| *s != t.service).collect();
                l.insert(i % (l.len() + 1), t.service.clone());
                (["w", "v", "u"][i % 3].to_string(), l)
            }).collect();
            let mut left = cands.clone();
            let mut before = 0;
            'calling: loop {
                for (w, services) in &windows {
                    let Some(id) = pick_next(w, services, now, &left) else { continue };
                    if id == t.id { break 'calling; }
                    let c = left.iter().position(|c| c.id == id).unwrap();
                    let called = left.remove(c);
                    if called.service == t.service && called.target_window.is_none() { before += 1; }
                }
            }
            prop_assert_eq!(ahead, before);
        }

        /// The preview is what successive calls take: removing each pick in turn yields
        /// exactly [`call_order`].
        #[test]
        fn call_order_is_successive_picks(mut cands in proptest::collection::vec(cand(), 0..40), now in 0i64..200) {
            for (n, c) in cands.iter_mut().enumerate() { c.id = n as i64; }
            let services = svcs(&["b", "a"]);
            let order = call_order("w", &services, now, &cands);
            let mut left = cands.clone();
            let mut picked = Vec::new();
            while let Some(id) = pick_next("w", &services, now, &left) {
                picked.push(id);
                left.retain(|c| c.id != id);
            }
            prop_assert_eq!(order, picked);
        }

        #[test]
        fn no_ticket_for_services_not_served(cands in proptest::collection::vec(cand(), 0..30)) {
            let only_untargeted: Vec<Candidate> = cands.into_iter().filter(|c| c.target_window.is_none()).collect();
            prop_assert_eq!(pick_next("w", &svcs(&["zzz"]), 0, &only_untargeted), None);
        }
    }
}
