//! The waiting counts kept by triggers (migration 0006) stay equal to a count of the
//! tickets themselves through a long pseudo-random run of every window action — issue,
//! call next, call a number, recall, no-show, start, finish, transfers to a service and
//! to a window, pause — on SQLite always and on PostgreSQL when `HALLQ_TEST_PG_URL` is
//! set. Through the same run, with appointment tickets whose slots begin as the clock moves
//! on, every "people ahead" the store answers — a new ticket's (`issue`), a waiting ticket's
//! (`people_ahead`, the status page) and the queue order the phones' positions come from
//! (`waiting_order`, one aggregated value) — is the one the pure call order gives
//! (`policy::people_ahead` / `policy::queue_key`, property-tested against `pick_next`):
//! the SQL mirror of the class and the policy cannot drift apart.

#[allow(dead_code, unused_imports)]
mod common;

use common::{try_issue, win, Win, A, B, DAY, T0, TZ};
use hallq_controller::model::{Candidate, Kind, Status, Ticket};
use hallq_controller::policy;
use hallq_controller::store::{Action, Actor, Store};
use std::collections::BTreeMap;

/// Waiting tickets per service, counted from the tickets.
async fn counted(store: &Store) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for t in store.tickets_of_day(DAY).await.expect("tickets") {
        if t.status == Status::Waiting {
            *m.entry(t.service.clone()).or_insert(0) += 1;
        }
    }
    m
}

/// The queue order of `service` at `now`, from the tickets themselves and the pure policy:
/// waiting, not sent to one window, by [`policy::queue_key`].
async fn ordered(store: &Store, service: &str, now: i64) -> Vec<i64> {
    let mut q: Vec<_> = store
        .tickets_of_day(DAY)
        .await
        .expect("tickets")
        .into_iter()
        .filter(|t| t.status == Status::Waiting && t.service == service)
        .filter(|t| t.target_window.is_none())
        .map(|t| policy::queue_key(t.kind, t.slot_start, t.arrived_at, t.id, now))
        .collect();
    q.sort();
    q.into_iter().map(|(_, _, id)| id).collect()
}

/// A ticket as the policy sees it.
fn candidate(t: &Ticket) -> Candidate {
    Candidate {
        id: t.id,
        service: t.service.clone(),
        kind: t.kind,
        slot_start: t.slot_start,
        arrived_at: t.arrived_at,
        target_window: t.target_window.clone(),
    }
}

/// The waiting tickets of the day as the policy sees them.
async fn waiting(store: &Store) -> Vec<Candidate> {
    store
        .tickets_of_day(DAY)
        .await
        .expect("tickets")
        .iter()
        .filter(|t| t.status == Status::Waiting)
        .map(candidate)
        .collect()
}

async fn kept(store: &Store) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for q in store.queue_counts(DAY).await.expect("queue counts") {
        m.insert(q.service.clone(), q.waiting);
    }
    for s in ["a", "b"] {
        let w = store.waiting(s, DAY).await.expect("waiting");
        assert_eq!(
            w,
            m.get(s).copied().unwrap_or(0),
            "waiting({s}) vs queue_counts"
        );
    }
    m
}

/// A small deterministic generator (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn action(r: &mut Lcg, numbers: &[String]) -> Action {
    match r.next(11) {
        0..=2 => Action::CallNext,
        3 => Action::Call(numbers[r.next(numbers.len() as u64) as usize].clone()),
        4 => Action::Recall,
        5 => Action::NoShow,
        6 => Action::Start,
        7 => Action::Finish,
        8 => Action::TransferService(if r.next(2) == 0 { "a" } else { "b" }.into()),
        9 => Action::TransferWindow(format!("w{}", 1 + r.next(3))),
        _ => {
            if r.next(2) == 0 {
                Action::Pause(None)
            } else {
                Action::Resume
            }
        }
    }
}

async fn story(db: common::Db) {
    let windows: Vec<Win> = vec![win("w1", &["a"]), win("w2", &["b", "a"]), win("w3", &["b"])];
    let store = db.store(&windows).await;
    let mut r = Lcg(7);
    let mut numbers = Vec::new();
    for step in 0..400i64 {
        let now = T0 + step * 1000;
        if r.next(3) == 0 || numbers.is_empty() {
            let svc = if r.next(2) == 0 { A } else { B };
            // Appointment tickets' slots begin during the run (steps 0 to 400).
            let (kind, slot) = match r.next(6) {
                0 => (Kind::Green, None),
                1 | 2 => (Kind::Appointment, Some(T0 + r.next(400) as i64 * 1000)),
                _ => (Kind::WalkIn, None),
            };
            let queue = waiting(&store).await;
            let issued = try_issue(&store, svc, kind, slot, DAY, now)
                .await
                .expect("issue");
            let new = candidate(&issued.ticket);
            assert_eq!(
                issued.people_ahead as usize,
                policy::people_ahead(&new, &queue, now),
                "step {step}: people ahead of a new {kind:?} ticket"
            );
            numbers.push(issued.ticket.number.clone());
        } else {
            let w = &windows[r.next(3) as usize];
            let a = action(&mut r, &numbers);
            // Refusals are fine (nothing waiting, paused, …): the counts must hold anyway.
            let _ = store
                .window_action(w.info(), &a, Actor::system(), DAY, now, TZ)
                .await;
        }
        assert_eq!(kept(&store).await, counted(&store).await, "step {step}");
        for s in ["a", "b"] {
            let order = store.waiting_order(s, DAY, now).await.expect("order");
            assert_eq!(
                order,
                ordered(&store, s, now).await,
                "step {step}: order of {s}"
            );
        }
        if step % 10 == 0 {
            let queue = waiting(&store).await;
            for t in store.tickets_of_day(DAY).await.expect("tickets") {
                if t.status != Status::Waiting || t.target_window.is_some() {
                    continue;
                }
                let ahead = store.people_ahead(&t, now).await.expect("ahead");
                let want = policy::people_ahead(&candidate(&t), &queue, now);
                assert_eq!(
                    ahead as usize, want,
                    "step {step}: people ahead of {}",
                    t.number
                );
            }
        }
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiting_counts_sqlite() {
    common::run_sqlite(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiting_counts_postgres() {
    common::run_postgres("waiting_counts", story).await;
}
