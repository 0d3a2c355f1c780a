//! The store story: the user-visible guarantees of the store — numbering, call order,
//! the window lifecycle, the outbox and leases, and correctness under concurrency — run
//! as the same async bodies against SQLite (a temp file, always) and PostgreSQL (a fresh
//! database per test, when `HALLQ_TEST_PG_URL` is set; otherwise each PG test says it
//! was skipped).

#[allow(dead_code)]
mod common;

use common::{
    act, backend_of, by_number, issue, issue_at_slot, numbers, ok, ok_ticket, refused, try_issue,
    win, Db, Svc, Win, A, B, DAY, NEXT_DAY, T0,
};
use hallq_controller::model::{Kind, Status, WindowStatus};
use hallq_controller::store::{Action, Refusal, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};

#[path = "store_story/concurrency.rs"]
mod concurrency;
use concurrency::{
    concurrent_call_next_one_replica, concurrent_call_next_two_replicas,
    concurrent_issue_one_replica, concurrent_issue_two_replicas, double_press_one_window,
};

/// Generates `NAME::sqlite` and `NAME::postgres` tests running the story `NAME`.
macro_rules! story {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                crate::common::run_sqlite(super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                crate::common::run_postgres(stringify!($name), super::$name).await;
            }
        }
    )*};
}

story!(
    numbering_per_service_per_day,
    daily_cap_refuses_and_inserts_nothing,
    call_order_priority_class_fifo,
    lifecycle_call_recall_start_finish,
    lifecycle_no_show_pause_and_call_by_number,
    transfer_to_service_keeps_arrival,
    transfer_to_window_only_that_window,
    outbox_rows_and_payloads,
    relay_lease,
    concurrent_issue_one_replica,
    concurrent_issue_two_replicas,
    concurrent_call_next_one_replica,
    concurrent_call_next_two_replicas,
    double_press_one_window,
);

// ---------------------------------------------------------------- 1. numbering

async fn numbering_per_service_per_day(db: Db) {
    let store = db.store(&[]).await;
    let mut got = Vec::new();
    for (i, svc) in [A, B, A, A, B].into_iter().enumerate() {
        let t = issue(&store, svc, Kind::WalkIn, DAY, T0 + i as i64).await;
        assert_eq!(t.status, Status::Waiting);
        assert_eq!(t.service, svc.id);
        got.push(t.number);
    }
    assert_eq!(got, ["A001", "B001", "A002", "A003", "B002"]);

    let next_day = issue(&store, A, Kind::WalkIn, NEXT_DAY, T0 + 86_400_000).await;
    assert_eq!(next_day.number, "A001", "a new day restarts at 001");
    assert_eq!(next_day.day, NEXT_DAY);
    let again = issue(&store, A, Kind::WalkIn, DAY, T0 + 10).await;
    assert_eq!(again.number, "A004", "the old day's counter is untouched");

    let ahead = try_issue(&store, B, Kind::WalkIn, None, DAY, T0 + 11).await;
    assert_eq!(ahead.expect("issue").people_ahead, 2);
    assert_eq!(store.waiting("a", DAY).await.unwrap(), 4);
    assert_eq!(store.waiting("a", NEXT_DAY).await.unwrap(), 1);
}

async fn daily_cap_refuses_and_inserts_nothing(db: Db) {
    let store = db.store(&[]).await;
    let capped = Svc { cap: 3, ..A };
    for i in 0..3 {
        issue(&store, capped, Kind::WalkIn, DAY, T0 + i).await;
    }
    for attempt in 0..2 {
        let before = store.unsent_count().await.unwrap();
        let err = try_issue(&store, capped, Kind::WalkIn, None, DAY, T0 + 10 + attempt).await;
        match err {
            Err(StoreError::Refused(Refusal::DailyCapReached(3))) => {}
            other => panic!("4th ticket with cap 3: {other:?}"),
        }
        assert_eq!(
            store.unsent_count().await.unwrap(),
            before,
            "refusal wrote outbox"
        );
        assert_eq!(store.tickets_of_day(DAY).await.unwrap().len(), 3);
    }
    // The cap is per service and per day.
    assert_eq!(
        issue(&store, B, Kind::WalkIn, DAY, T0 + 20).await.number,
        "B001"
    );
    let tomorrow = issue(&store, capped, Kind::WalkIn, NEXT_DAY, T0 + 30).await;
    assert_eq!(tomorrow.number, "A001");
}

// ---------------------------------------------------------------- 2. call order

async fn call_order_priority_class_fifo(db: Db) {
    let w1 = win("w1", &["b", "a"]);
    let store = db.store(std::slice::from_ref(&w1)).await;
    let slot_later = T0 + 3_600_000;
    let walk = |s| (s, Kind::WalkIn, None);
    let plan = [
        walk(A),                                  // A001
        (A, Kind::Green, None),                   // A002
        (A, Kind::Appointment, Some(slot_later)), // A003: slot not begun → like a walk-in
        (A, Kind::Appointment, Some(T0)),         // A004: slot begun → first in a
        walk(A),                                  // A005
        (A, Kind::Green, None),                   // A006
        walk(B),                                  // B001: b is w1's first service
    ];
    for (i, (svc, kind, slot)) in plan.into_iter().enumerate() {
        let now = T0 + 1_000 * (i as i64 + 1);
        issue_at_slot(&store, svc, kind, slot, DAY, now).await;
    }

    let now = T0 + 60_000;
    let mut order = Vec::new();
    for _ in 0..plan.len() {
        let t = ok_ticket(&store, &w1, Action::CallNext, now).await;
        assert_eq!(t.status, Status::Called);
        assert_eq!(t.window.as_deref(), Some("w1"));
        order.push(t.number);
    }
    assert_eq!(
        order,
        ["B001", "A004", "A002", "A006", "A001", "A003", "A005"]
    );

    // "Next" with nobody waiting answers queue_empty and finishes the held ticket, so a
    // window whose only key is "next" can close the day's last person.
    let r = act(&store, &w1, Action::CallNext, now + 1).await;
    assert!(
        matches!(r, Err(StoreError::Refused(Refusal::QueueEmpty))),
        "{r:?}"
    );
    assert!(store.window("w1").await.unwrap().unwrap().serving.is_none());
    assert_eq!(by_number(&store, "A005").await.status, Status::Done);
    // With nothing held, queue_empty changes nothing.
    assert_eq!(
        refused(&store, &w1, Action::CallNext, now + 2).await,
        Refusal::QueueEmpty
    );
}

// ---------------------------------------------------------------- 3. lifecycle

async fn lifecycle_call_recall_start_finish(db: Db) {
    let w1 = win("w1", &["a"]);
    let store = db.store(std::slice::from_ref(&w1)).await;
    issue(&store, A, Kind::WalkIn, DAY, T0).await;
    assert_eq!(
        refused(&store, &w1, Action::Finish, T0 + 1).await,
        Refusal::NoCurrentTicket
    );
    assert_eq!(
        refused(&store, &w1, Action::Recall, T0 + 1).await,
        Refusal::NoCurrentTicket
    );

    let called = ok_ticket(&store, &w1, Action::CallNext, T0 + 10).await;
    assert_eq!((called.number.as_str(), called.calls), ("A001", 1));
    assert_eq!(called.called_at, Some(T0 + 10));
    assert_eq!(
        refused(&store, &w1, Action::Finish, T0 + 11).await,
        Refusal::NotStarted
    );

    let recalled = ok_ticket(&store, &w1, Action::Recall, T0 + 20).await;
    assert_eq!((recalled.status, recalled.calls), (Status::Called, 2));
    assert_eq!(recalled.called_at, Some(T0 + 20));

    let started = ok_ticket(&store, &w1, Action::Start, T0 + 30).await;
    assert_eq!(started.status, Status::Serving);
    assert_eq!(
        refused(&store, &w1, Action::Start, T0 + 31).await,
        Refusal::AlreadyServing
    );
    assert_eq!(
        refused(&store, &w1, Action::Recall, T0 + 31).await,
        Refusal::AlreadyServing
    );

    let done = ok_ticket(&store, &w1, Action::Finish, T0 + 40).await;
    assert_eq!(done.status, Status::Done);
    assert!(store.window("w1").await.unwrap().unwrap().serving.is_none());
}

async fn lifecycle_no_show_pause_and_call_by_number(db: Db) {
    let w1 = win("w1", &["a"]);
    let store = db.store(std::slice::from_ref(&w1)).await;
    for i in 0..3 {
        issue(&store, A, Kind::WalkIn, DAY, T0 + i).await;
    }
    issue(&store, B, Kind::WalkIn, DAY, T0 + 5).await;

    assert_eq!(
        ok_ticket(&store, &w1, Action::CallNext, T0 + 10)
            .await
            .number,
        "A001"
    );
    let gone = ok_ticket(&store, &w1, Action::NoShow, T0 + 20).await;
    assert_eq!(
        (gone.number.as_str(), gone.status),
        ("A001", Status::NoShow)
    );
    assert!(store.window("w1").await.unwrap().unwrap().serving.is_none());

    pause_and_resume(&store, &w1).await;

    // A specific waiting ticket, out of order.
    let t = ok_ticket(&store, &w1, Action::Call("A003".into()), T0 + 60).await;
    assert_eq!(
        (t.number.as_str(), t.status, t.calls),
        ("A003", Status::Called, 1)
    );
    // The no-show came back: calling it closes A003 and calls A001 a second time.
    let back = ok_ticket(&store, &w1, Action::Call("A001".into()), T0 + 70).await;
    assert_eq!((back.status, back.calls), (Status::Called, 2));
    assert_eq!(by_number(&store, "A003").await.status, Status::Done);

    let not_here = refused(&store, &w1, Action::Call("B001".into()), T0 + 80).await;
    assert_eq!(not_here, Refusal::NotServedHere("B001".into()));
    let missing = refused(&store, &w1, Action::Call("A999".into()), T0 + 80).await;
    assert_eq!(missing, Refusal::TicketNotFound("A999".into()));
    let closed = refused(&store, &w1, Action::Call("A003".into()), T0 + 80).await;
    assert_eq!(closed, Refusal::TicketNotWaiting("A003".into()));
    assert_eq!(
        ok_ticket(&store, &w1, Action::CallNext, T0 + 90)
            .await
            .number,
        "A002"
    );
}

async fn pause_and_resume(store: &Store, w1: &Win) {
    let out = ok(store, w1, Action::Pause(Some("午休 lunch".into())), T0 + 30).await;
    assert_eq!(out.status, WindowStatus::Paused);
    let state = store.window(&w1.id).await.unwrap().unwrap();
    assert_eq!(state.pause_reason.as_deref(), Some("午休 lunch"));
    assert_eq!(
        refused(store, w1, Action::CallNext, T0 + 40).await,
        Refusal::WindowPaused
    );
    let by_number = Action::Call("A002".into());
    assert_eq!(
        refused(store, w1, by_number, T0 + 40).await,
        Refusal::WindowPaused
    );
    let out = ok(store, w1, Action::Resume, T0 + 50).await;
    assert_eq!(out.status, WindowStatus::Open);
    assert!(store
        .window(&w1.id)
        .await
        .unwrap()
        .unwrap()
        .pause_reason
        .is_none());
}

async fn transfer_to_service_keeps_arrival(db: Db) {
    let (w1, w2) = (win("w1", &["a"]), win("w2", &["b"]));
    let store = db.store(&[w1.clone(), w2.clone()]).await;
    issue(&store, A, Kind::WalkIn, DAY, T0 + 10).await;
    issue(&store, B, Kind::WalkIn, DAY, T0 + 20).await;
    issue(&store, B, Kind::WalkIn, DAY, T0 + 30).await;

    ok(&store, &w1, Action::CallNext, T0 + 100).await;
    let moved = ok_ticket(&store, &w1, Action::TransferService("b".into()), T0 + 110).await;
    assert_eq!(
        (moved.number.as_str(), moved.service.as_str()),
        ("A001", "b")
    );
    assert_eq!((moved.status, moved.arrived_at), (Status::Waiting, T0 + 10));
    assert_eq!(moved.window, None);
    assert!(store.window("w1").await.unwrap().unwrap().serving.is_none());
    assert_eq!(store.waiting("b", DAY).await.unwrap(), 3);
    assert_eq!(store.waiting("a", DAY).await.unwrap(), 0);
    assert_eq!(
        refused(&store, &w1, Action::CallNext, T0 + 120).await,
        Refusal::QueueEmpty
    );

    let mut order = Vec::new();
    for i in 0..3 {
        order.push(
            ok_ticket(&store, &w2, Action::CallNext, T0 + 200 + i)
                .await
                .number,
        );
    }
    assert_eq!(
        order,
        ["A001", "B001", "B002"],
        "the transfer keeps its place"
    );
}

async fn transfer_to_window_only_that_window(db: Db) {
    let wins = [win("w1", &["a"]), win("w2", &["a"]), win("w3", &["a"])];
    let [w1, w2, w3] = &wins;
    let store = db.store(&wins).await;
    issue(&store, A, Kind::WalkIn, DAY, T0 + 10).await;
    issue(&store, A, Kind::WalkIn, DAY, T0 + 20).await;

    ok(&store, w1, Action::CallNext, T0 + 100).await;
    let same = refused(&store, w1, Action::TransferWindow("w1".into()), T0 + 105).await;
    assert_eq!(same, Refusal::SameWindow);
    let moved = ok_ticket(&store, w1, Action::TransferWindow("w3".into()), T0 + 110).await;
    assert_eq!((moved.status, moved.arrived_at), (Status::Waiting, T0 + 10));
    assert_eq!(moved.target_window.as_deref(), Some("w3"));

    // w2 serves the same service but may not take it, neither next nor by number.
    assert_eq!(
        ok_ticket(&store, w2, Action::CallNext, T0 + 120)
            .await
            .number,
        "A002"
    );
    let r = act(&store, w2, Action::CallNext, T0 + 130).await;
    assert!(
        matches!(r, Err(StoreError::Refused(Refusal::QueueEmpty))),
        "{r:?}"
    );
    assert_eq!(by_number(&store, "A002").await.status, Status::Done);
    let by_number = refused(&store, w2, Action::Call("A001".into()), T0 + 130).await;
    assert_eq!(by_number, Refusal::NotServedHere("A001".into()));

    let t = ok_ticket(&store, w3, Action::CallNext, T0 + 140).await;
    assert_eq!((t.number.as_str(), t.calls), ("A001", 2));
    assert_eq!((t.window.as_deref(), t.target_window), (Some("w3"), None));
}

// ---------------------------------------------------------------- 4. outbox, leases

async fn outbox_rows_and_payloads(db: Db) {
    let w1 = win("w1", &["a"]);
    let store = db.store(std::slice::from_ref(&w1)).await;
    issue(&store, A, Kind::WalkIn, DAY, T0).await;
    assert_eq!(kinds(&store).await, [("queue".into(), "a".into())]);
    send_all(&store).await;

    ok(&store, &w1, Action::CallNext, T0 + 10).await;
    let rows = kinds(&store).await;
    assert!(rows.contains(&("call".into(), "w1".into())), "{rows:?}");
    assert!(rows.contains(&("window".into(), "w1".into())), "{rows:?}");
    assert!(rows.contains(&("queue".into(), "a".into())), "{rows:?}");
    check_call_payload(&store, "A001", false).await;
    send_all(&store).await;

    ok(&store, &w1, Action::Recall, T0 + 20).await;
    check_call_payload(&store, "A001", true).await;
    send_all(&store).await;

    assert_eq!(
        refused(&store, &w1, Action::Finish, T0 + 25).await,
        Refusal::NotStarted
    );
    assert_eq!(store.unsent_count().await.unwrap(), 0);
    ok(&store, &w1, Action::Pause(None), T0 + 30).await;
    assert_eq!(kinds(&store).await, [("window".into(), "w1".into())]);
    ok(&store, &w1, Action::Resume, T0 + 40).await;
    partial_mark_sent(&store).await;
}

/// (kind, subject) of the unsent rows, in id order.
async fn kinds(store: &Store) -> Vec<(String, String)> {
    let rows = store.unsent(100).await.unwrap();
    rows.into_iter().map(|r| (r.kind, r.subject)).collect()
}

async fn send_all(store: &Store) {
    let ids: Vec<i64> = store
        .unsent(1000)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    store.mark_sent(&ids, T0).await.unwrap();
    assert!(store.unsent(1000).await.unwrap().is_empty());
    assert_eq!(store.unsent_count().await.unwrap(), 0);
}

async fn check_call_payload(store: &Store, number: &str, recall: bool) {
    let rows = store.unsent(100).await.unwrap();
    let calls: Vec<_> = rows.iter().filter(|r| r.kind == "call").collect();
    assert_eq!(calls.len(), 1, "{rows:?}");
    let p: serde_json::Value = serde_json::from_str(&calls[0].payload).expect("call JSON");
    assert_eq!(p["number"], number);
    assert_eq!(p["window"], "w1");
    assert_eq!(p["window_name"], "1号窗口");
    assert_eq!(p["recall"], recall);
    assert_eq!(p["service"], "a");
}

async fn partial_mark_sent(store: &Store) {
    let rows = store.unsent(100).await.unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.windows(2).all(|p| p[0].id < p[1].id),
        "unsent in id order"
    );
    store.mark_sent(&[rows[0].id], T0 + 50).await.unwrap();
    let left: Vec<i64> = store
        .unsent(100)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let want: Vec<i64> = rows[1..].iter().map(|r| r.id).collect();
    assert_eq!(left, want);
    assert_eq!(store.unsent_count().await.unwrap(), want.len() as i64);
}

async fn relay_lease(db: Db) {
    let store = db.store(&[]).await;
    let lease = |holder: &'static str, now: i64| {
        let store = store.clone();
        async move {
            store
                .acquire_lease("outbox-relay", holder, now, 5_000)
                .await
                .unwrap()
        }
    };
    assert!(lease("A", T0).await, "A takes the free lease");
    assert!(
        !lease("B", T0 + 1_000).await,
        "B is refused while A holds it"
    );
    assert!(lease("A", T0 + 3_000).await, "A renews (until T0+8000)");
    assert!(!lease("B", T0 + 7_999).await, "renewal extended A's hold");
    assert!(lease("B", T0 + 8_001).await, "B takes it once expired");
    assert!(!lease("A", T0 + 8_002).await, "A lost it");
    store.release_lease("outbox-relay", "A").await.unwrap();
    assert!(!lease("A", T0 + 8_003).await, "only the holder can release");
    store.release_lease("outbox-relay", "B").await.unwrap();
    assert!(lease("A", T0 + 8_004).await, "released: A takes it at once");
}
