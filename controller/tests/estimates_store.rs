//! Recorded wait estimates in the store: the first estimate of a ticket wins, another hall
//! cannot write it, and a day's rows list the called tickets with an estimate (never a
//! transferred one, whose call ends another wait; never another day's). Runs on SQLite (a
//! temp file) always and on PostgreSQL when `HALLQ_TEST_PG_URL` is set.

#[allow(dead_code, unused_imports)]
mod common;

use common::{act, issue, win, Db, A, B, DAY, NEXT_DAY, T0};
use hallq_controller::model::Kind;
use hallq_controller::store::{Action, EstimateRow, Scopes};

async fn story(db: Db) {
    // Window 1 serves a then b; window 2 serves b.
    let w1 = win("w1", &["a", "b"]);
    let w2 = win("w2", &["b"]);
    let store = db.store(&[w1.clone(), w2.clone()]).await;
    let a1 = issue(&store, A, Kind::WalkIn, DAY, T0).await;
    let a2 = issue(&store, A, Kind::WalkIn, DAY, T0 + 1_000).await;
    let b1 = issue(&store, B, Kind::Green, DAY, T0 + 2_000).await;
    let a3 = issue(&store, A, Kind::WalkIn, DAY, T0 + 3_000).await;
    let tomorrow = issue(&store, A, Kind::WalkIn, NEXT_DAY, T0 + 86_400_000).await;

    // First wins.
    assert_eq!(store.estimate_of(a1.id).await.unwrap(), None);
    assert!(store.record_estimate(a1.id, 120, None).await.unwrap());
    assert!(!store.record_estimate(a1.id, 999, None).await.unwrap());
    assert_eq!(store.estimate_of(a1.id).await.unwrap(), Some(120));
    // Another hall's handle cannot write this hall's ticket.
    let other = store.in_hall("elsewhere", Scopes::default());
    assert!(!other.record_estimate(a2.id, 5, None).await.unwrap());
    assert_eq!(store.estimate_of(a2.id).await.unwrap(), None);
    assert!(store.record_estimate(a2.id, 300, Some(420)).await.unwrap());
    assert!(store.record_estimate(b1.id, 60, None).await.unwrap());
    assert!(store.record_estimate(tomorrow.id, 30, None).await.unwrap());
    // a3 is shown no estimate.

    // Nobody called yet: nothing to compare.
    assert!(store.estimate_rows(DAY).await.unwrap().is_empty());

    // A001 is called, then sent to service b: its later call ends another wait.
    act(&store, &w1, Action::CallNext, T0 + 200_500)
        .await
        .unwrap();
    act(
        &store,
        &w1,
        Action::TransferService("b".into()),
        T0 + 210_000,
    )
    .await
    .unwrap();
    // A002 at window 1; at window 2 B001 (green first), then A001.
    let c = act(&store, &w1, Action::CallNext, T0 + 300_000)
        .await
        .unwrap();
    assert_eq!(c.ticket.unwrap().number, "A002");
    let c = act(&store, &w2, Action::CallNext, T0 + 500_000)
        .await
        .unwrap();
    assert_eq!(c.ticket.unwrap().number, "B001");
    let c = act(&store, &w2, Action::CallNext, T0 + 550_000)
        .await
        .unwrap();
    assert_eq!(c.ticket.unwrap().number, "A001");
    let c = act(&store, &w1, Action::CallNext, T0 + 600_000)
        .await
        .unwrap();
    assert_eq!(c.ticket.unwrap().number, a3.number);

    let rows = store.estimate_rows(DAY).await.unwrap();
    assert_eq!(
        rows,
        vec![
            EstimateRow {
                service: "a".into(),
                number: "A002".into(),
                kind: "walk_in".into(),
                issued_at: T0 + 1_000,
                called_at: T0 + 300_000,
                estimate_s: 300,
                estimate_baseline_s: Some(420),
            },
            EstimateRow {
                service: "b".into(),
                number: "B001".into(),
                kind: "green".into(),
                issued_at: T0 + 2_000,
                called_at: T0 + 500_000,
                estimate_s: 60,
                estimate_baseline_s: None,
            },
        ],
        "{}",
        common::backend_of(&store)
    );
    assert!(other.estimate_rows(DAY).await.unwrap().is_empty());
    // The next day's ticket was not called.
    assert!(store.estimate_rows(NEXT_DAY).await.unwrap().is_empty());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estimates_sqlite() {
    common::run_sqlite(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estimates_postgres() {
    common::run_postgres("recorded estimates", story).await;
}
