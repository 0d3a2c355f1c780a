//! The audit log of staff actions in the store: a window action writes one audit row in
//! its own transaction (who, what, when, from where); a refused action writes none; a
//! call-button press is audited with origin `mqtt` and its press id; a repeated press
//! adds nothing. Runs on SQLite (a temp file) always and on PostgreSQL when
//! `HALLQ_TEST_PG_URL` is set.

#[allow(dead_code, unused_imports)]
mod common;

use hallq_controller::store::{Action, Actor, Press, Refusal, Store, StoreError, WindowInfo};
use serde_json::Value;

const DAY: &str = "2026-03-02";
/// 2026-03-02T09:00:00+08:00 in ms.
const T0: i64 = 1_772_413_200_000;
const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

const CLERK: Actor<'static> = Actor {
    name: "clerk-1",
    origin: "127.0.0.1",
};

const BUTTON: Actor<'static> = Actor {
    name: "button-1",
    origin: "mqtt",
};

async fn issue(store: &Store, n: usize) {
    common::issue_walk_ins(store, n).await;
}

/// Audit rows, oldest first.
async fn log(store: &Store) -> Vec<Value> {
    let mut v = store.audit_log(1000).await.expect("audit log");
    v.reverse();
    v
}

fn detail(row: &Value) -> Value {
    serde_json::from_str(row["detail"].as_str().expect("detail text")).expect("detail is JSON")
}

async fn story(url: String) {
    let store = Store::connect(&url).await.expect("connect store");
    store
        .sync_windows(&["w1".to_string()], T0)
        .await
        .expect("sync windows");
    let services = vec!["a".to_string()];
    let w = WindowInfo {
        id: "w1",
        name: "1号窗口",
        services: &services,
        start_on_call: false,
    };
    assert!(
        log(&store).await.is_empty(),
        "a fresh database has no audit"
    );

    // Refused: nothing is held, so there is nothing to recall; nothing is audited.
    let r = store
        .window_action(w, &Action::Recall, CLERK, DAY, T0 + 10, TZ)
        .await;
    assert!(
        matches!(r, Err(StoreError::Refused(Refusal::NoCurrentTicket))),
        "{r:?}"
    );
    assert!(log(&store).await.is_empty(), "a refused action is audited");

    // A call-next by clerk-1 from 127.0.0.1: exactly one row with those values.
    issue(&store, 3).await;
    let out = store
        .window_action(w, &Action::CallNext, CLERK, DAY, T0 + 20, TZ)
        .await
        .expect("call next");
    let number = out.ticket.expect("a ticket was called").number;
    let rows = log(&store).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["at"], T0 + 20);
    assert_eq!(row["actor"], "clerk-1");
    assert_eq!(row["action"], "call_next");
    assert_eq!(row["subject"], "w1");
    assert_eq!(row["origin"], "127.0.0.1");
    assert_eq!(detail(row)["ticket"], number.as_str());

    // Refused again (start of a called ticket is fine, finish before start is not).
    let r = store
        .window_action(w, &Action::Finish, CLERK, DAY, T0 + 30, TZ)
        .await;
    assert!(
        matches!(r, Err(StoreError::Refused(Refusal::NotStarted))),
        "{r:?}"
    );
    assert_eq!(log(&store).await.len(), 1, "a refused finish was audited");

    // A pause keeps its reason in the detail.
    store
        .window_action(
            w,
            &Action::Pause(Some("午休".into())),
            CLERK,
            DAY,
            T0 + 40,
            TZ,
        )
        .await
        .expect("pause");
    let rows = log(&store).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1]["action"], "pause");
    assert_eq!(detail(&rows[1])["reason"], "午休");

    // A button press: one row, origin mqtt, the press id in the detail.
    let p = store
        .button_action(w, "press-42", &Action::Resume, BUTTON, DAY, T0 + 50, TZ)
        .await
        .expect("button press");
    assert!(matches!(p, Press::Done(_)), "{p:?}");
    let rows = log(&store).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let row = &rows[2];
    assert_eq!(row["actor"], "button-1");
    assert_eq!(row["action"], "resume");
    assert_eq!(row["subject"], "w1");
    assert_eq!(row["origin"], "mqtt");
    assert_eq!(detail(row)["press_id"], "press-42");

    // The same press again does nothing, and audits nothing.
    let p = store
        .button_action(w, "press-42", &Action::Resume, BUTTON, DAY, T0 + 60, TZ)
        .await
        .expect("repeated press");
    assert!(matches!(p, Press::Repeated), "{p:?}");
    // A refused press (recall while a ticket is called is fine; start twice is not).
    store
        .button_action(w, "press-43", &Action::Start, BUTTON, DAY, T0 + 70, TZ)
        .await
        .expect("start press");
    let p = store
        .button_action(w, "press-44", &Action::Start, BUTTON, DAY, T0 + 80, TZ)
        .await
        .expect("second start press");
    assert!(matches!(p, Press::Refused(_)), "{p:?}");
    let rows = log(&store).await;
    let presses: Vec<&str> = rows
        .iter()
        .filter(|r| r["origin"] == "mqtt")
        .map(|r| r["detail"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(presses[1].contains("press-43"), "{presses:?}");

    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_sqlite() {
    common::run_sqlite(|db| story(db.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_postgres() {
    common::run_postgres("audit", |db| story(db.url)).await;
}
