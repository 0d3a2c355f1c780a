//! The waiting counts kept by triggers (migration 0006) stay equal to a count of the
//! tickets themselves through a long pseudo-random run of every window action — issue,
//! call next, call a number, recall, no-show, start, finish, transfers to a service and
//! to a window, pause — on SQLite always and on PostgreSQL when `HALLQ_TEST_PG_URL` is
//! set; and a new ticket's "people ahead" is the number of waiting tickets of its service
//! in its class or better. Through the same run, the queue order the phones' positions come
//! from (`waiting_order`, one aggregated value) stays the order of the tickets themselves by
//! class, arrival and id — with green-channel tickets and transfers, that is not id order.

#[allow(dead_code, unused_imports)]
mod common;

use common::{try_issue, win, Win, A, B, DAY, T0, TZ};
use hallq_controller::model::{Kind, Status};
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

/// The queue order of `service`, from the tickets themselves: waiting, not sent to one
/// window, by class, arrival, id.
async fn ordered(store: &Store, service: &str) -> Vec<i64> {
    let mut q: Vec<_> = store
        .tickets_of_day(DAY)
        .await
        .expect("tickets")
        .into_iter()
        .filter(|t| t.status == Status::Waiting && t.service == service)
        .filter(|t| t.target_window.is_none())
        .map(|t| (t.kind.prio(), t.arrived_at, t.id))
        .collect();
    q.sort();
    q.into_iter().map(|(_, _, id)| id).collect()
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
            let kind = if r.next(5) == 0 {
                Kind::Green
            } else {
                Kind::WalkIn
            };
            let ahead = store
                .tickets_of_day(DAY)
                .await
                .unwrap()
                .iter()
                .filter(|x| {
                    x.status == Status::Waiting
                        && x.service == svc.id
                        && x.target_window.is_none()
                        && x.kind.prio() <= kind.prio()
                })
                .count();
            let issued = try_issue(&store, svc, kind, None, DAY, now)
                .await
                .expect("issue");
            assert_eq!(
                issued.people_ahead as usize, ahead,
                "step {step}: people ahead"
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
            let order = store.waiting_order(s, DAY).await.expect("order");
            assert_eq!(order, ordered(&store, s).await, "step {step}: order of {s}");
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
