//! Button presses in the store: a press id acts once per window, also when the same press
//! arrives twice, ten times at once, or at two replicas; a refused press is recorded too.
//! Runs on SQLite (a temp file) always and on PostgreSQL when `HALLQ_TEST_PG_URL` is set.

#[allow(dead_code, unused_imports)]
mod common;

use hallq_controller::model::Status;
use hallq_controller::store::{Action, Actor, Press, Refusal, Store, WindowInfo};

const BUTTON: Actor<'static> = Actor {
    name: "button-1",
    origin: "mqtt",
};

const DAY: &str = "2026-03-02";
/// 2026-03-02T09:00:00+08:00 in ms.
const T0: i64 = 1_772_413_200_000;
const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn services() -> Vec<String> {
    vec!["a".to_string()]
}

fn w1(services: &[String]) -> WindowInfo<'_> {
    WindowInfo {
        id: "w1",
        name: "1号窗口",
        services,
        start_on_call: false,
    }
}

fn w2(services: &[String]) -> WindowInfo<'_> {
    WindowInfo {
        id: "w2",
        name: "2号窗口",
        services,
        start_on_call: false,
    }
}

async fn replica(url: &str) -> Store {
    let store = Store::connect(url).await.expect("connect store");
    let ids = ["w1".to_string(), "w2".to_string()];
    store.sync_windows(&ids, T0).await.expect("sync windows");
    store
}

async fn issue(store: &Store, n: usize) {
    common::issue_walk_ins(store, n).await;
}

async fn press(store: &Store, w: WindowInfo<'_>, id: &str, action: &Action, at: i64) -> Press {
    store
        .button_action(w, id, action, BUTTON, DAY, T0 + at, TZ)
        .await
        .expect("button action")
}

/// Numbers of the tickets called so far (called or later), in number order.
async fn called(store: &Store) -> Vec<String> {
    let mut v: Vec<String> = store
        .tickets_of_day(DAY)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.status != Status::Waiting)
        .map(|t| t.number)
        .collect();
    v.sort();
    v
}

/// Call events in the outbox.
async fn call_events(store: &Store) -> usize {
    store
        .unsent(10_000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.kind == "call")
        .count()
}

fn done_number(p: &Press) -> String {
    match p {
        Press::Done(out) => out.ticket.as_ref().expect("a ticket").number.clone(),
        other => panic!("expected the action to run, got {other:?}"),
    }
}

async fn story(url: String) {
    let store = replica(&url).await;
    let other = replica(&url).await;
    let svc = services();
    issue(&store, 3).await;

    // The same press twice: one call.
    let first = press(&store, w1(&svc), "p1", &Action::CallNext, 10).await;
    assert_eq!(done_number(&first), "A001");
    let again = press(&store, w1(&svc), "p1", &Action::CallNext, 11).await;
    assert!(matches!(again, Press::Repeated), "{again:?}");
    let again = press(&other, w1(&svc), "p1", &Action::CallNext, 12).await;
    assert!(
        matches!(again, Press::Repeated),
        "another replica: {again:?}"
    );
    assert_eq!(called(&store).await, ["A001"]);
    assert_eq!(call_events(&store).await, 1);
    assert_eq!(store.waiting("a", DAY).await.unwrap(), 2);

    // Ten identical presses at once, spread over two replicas: one call.
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let s = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            let svc = svc.clone();
            tokio::spawn(async move {
                s.button_action(w1(&svc), "p2", &Action::CallNext, BUTTON, DAY, T0 + 20, TZ)
                    .await
                    .expect("button action")
            })
        })
        .collect();
    let mut done = Vec::new();
    let mut repeated = 0;
    for t in tasks {
        match t.await.unwrap() {
            Press::Done(out) => done.push(out.ticket.unwrap().number),
            Press::Repeated => repeated += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(done, ["A002"], "exactly one of ten identical presses acts");
    assert_eq!(repeated, 9);
    assert_eq!(called(&store).await, ["A001", "A002"]);
    assert_eq!(call_events(&store).await, 2);

    // Two different press ids: two calls.
    let a = press(&store, w1(&svc), "p3", &Action::CallNext, 30).await;
    issue(&store, 1).await;
    let b = press(&other, w1(&svc), "p4", &Action::CallNext, 31).await;
    assert_eq!(
        [done_number(&a), done_number(&b)],
        ["A003".to_string(), "A004".to_string()]
    );
    assert_eq!(call_events(&store).await, 4);

    // Press ids are per window: "p1" at window 2 is a new press.
    issue(&store, 1).await;
    let p = press(&store, w2(&svc), "p1", &Action::CallNext, 40).await;
    assert_eq!(done_number(&p), "A005");

    // A refused press is recorded: redelivered once the rules would allow it, it does
    // nothing. Window 2 pauses by button, then "call next" is refused…
    let p = press(&store, w2(&svc), "pause-1", &Action::Pause(None), 50).await;
    assert!(matches!(p, Press::Done(_)), "{p:?}");
    issue(&store, 1).await;
    let p = press(&store, w2(&svc), "n1", &Action::CallNext, 51).await;
    assert!(matches!(p, Press::Refused(Refusal::WindowPaused)), "{p:?}");
    let p = press(&store, w2(&svc), "resume-1", &Action::Resume, 52).await;
    assert!(matches!(p, Press::Done(_)), "{p:?}");
    // …and its redelivery after the resume does not call A006.
    let p = press(&store, w2(&svc), "n1", &Action::CallNext, 53).await;
    assert!(matches!(p, Press::Repeated), "{p:?}");
    assert_eq!(store.waiting("a", DAY).await.unwrap(), 1);
    let w = store.window("w2").await.unwrap().unwrap();
    assert_eq!(w.serving.map(|t| t.number).as_deref(), Some("A005"));

    // A refusal undoes whatever the action wrote (window 1 holds A004; "recall" of a
    // serving ticket is refused) and leaves the window as it was.
    let p = press(&store, w1(&svc), "s1", &Action::Start, 60).await;
    assert!(matches!(p, Press::Done(_)), "{p:?}");
    let events = store.unsent(10_000).await.unwrap().len();
    let p = press(&store, w1(&svc), "r1", &Action::Recall, 61).await;
    assert!(
        matches!(p, Press::Refused(Refusal::AlreadyServing)),
        "{p:?}"
    );
    assert_eq!(store.unsent(10_000).await.unwrap().len(), events);
    let w = store.window("w1").await.unwrap().unwrap();
    let t = w.serving.expect("window 1 still serves");
    assert_eq!((t.number.as_str(), t.status), ("A004", Status::Serving));
    assert_eq!(call_events(&store).await, 5);

    store.close().await;
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn button_presses_sqlite() {
    common::run_sqlite(|db| story(db.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn button_presses_postgres() {
    common::run_postgres("button presses", |db| story(db.url)).await;
}
