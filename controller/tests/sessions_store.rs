//! Staff sessions in the store: a session is found by its token hash until it expires or
//! ends; ending is audited once; sign-in attempts count every attempt since the last
//! success, concurrent ones included (each is committed before it is counted), so a
//! burst of guesses cannot slip past the lockout. Runs on SQLite always and on PostgreSQL
//! when `HALLQ_TEST_PG_URL` is set.

#[allow(dead_code, unused_imports)]
mod common;

use common::T0;
use hallq_controller::store::{NewSession, Store};

const MIN: i64 = 60_000;

fn new_session<'a>(hash: &'a str, window: Option<&'a str>) -> NewSession<'a> {
    NewSession {
        token_sha256: hash,
        username: "zhang",
        role: "clerk",
        window,
        origin: "10.0.0.7",
        ttl_ms: 30 * MIN,
    }
}

async fn story(url: String) {
    let store = Store::connect(&url).await.expect("connect");

    // A session lives for its ttl, no longer.
    let id = store
        .open_session(new_session("h1", Some("3")), T0)
        .await
        .expect("open");
    let s = store
        .session("h1", T0 + 29 * MIN)
        .await
        .unwrap()
        .expect("live");
    assert_eq!(
        (s.id, s.username.as_str(), s.window.as_deref()),
        (id, "zhang", Some("3"))
    );
    assert_eq!(s.expires_at, T0 + 30 * MIN);
    assert!(store.session("h1", T0 + 30 * MIN).await.unwrap().is_none());
    assert!(store.session("nope", T0).await.unwrap().is_none());
    assert!(!store
        .end_session(id, "admin", "end_session", "x", T0 + 31 * MIN)
        .await
        .unwrap());

    // Ending: once, audited once; the token stops working at once.
    let id2 = store
        .open_session(new_session("h2", None), T0)
        .await
        .unwrap();
    assert_eq!(store.sessions(T0 + MIN).await.unwrap().len(), 2);
    assert!(store
        .end_session(id2, "admin", "end_session", "10.0.0.1", T0 + MIN)
        .await
        .unwrap());
    assert!(!store
        .end_session(id2, "admin", "end_session", "10.0.0.1", T0 + MIN)
        .await
        .unwrap());
    assert!(store.session("h2", T0 + MIN).await.unwrap().is_none());
    let live: Vec<i64> = store
        .sessions(T0 + MIN)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(live, vec![id]);
    let audit = store.audit_log(100).await.unwrap();
    let ends: Vec<_> = audit
        .iter()
        .filter(|a| a["action"] == "end_session")
        .collect();
    assert_eq!(ends.len(), 1, "{audit:?}");
    assert_eq!(ends[0]["subject"], id2.to_string());
    assert_eq!(ends[0]["origin"], "10.0.0.1");
    assert_eq!(audit.iter().filter(|a| a["action"] == "sign_in").count(), 2);

    // Attempts: 20 concurrent ones are all counted; the highest count sees all 20.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .sign_in_attempt("li", 15 * MIN, T0 + 2 * MIN + i)
                .await
                .expect("attempt")
        }));
    }
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(*counts.last().unwrap(), 20, "{counts:?}");
    // Whatever the interleaving, at most k attempts saw a count ≤ k: with a limit of 5,
    // no more than 5 of the burst get their password checked.
    assert!(
        counts.iter().filter(|&&c| c <= 5).count() <= 5,
        "{counts:?}"
    );
    // Old attempts fall out of the window; a success clears them.
    assert_eq!(
        store
            .sign_in_attempt("li", 15 * MIN, T0 + 10 * MIN)
            .await
            .unwrap(),
        21
    );
    assert_eq!(
        store
            .sign_in_attempt("li", 15 * MIN, T0 + 30 * MIN)
            .await
            .unwrap(),
        1,
        "attempts older than the window do not count"
    );
    let mut li = new_session("h3", Some("1"));
    li.username = "li";
    store.open_session(li, T0 + 41 * MIN).await.unwrap();
    assert_eq!(
        store
            .sign_in_attempt("li", 15 * MIN, T0 + 42 * MIN)
            .await
            .unwrap(),
        1,
        "a success clears the attempts"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_sqlite() {
    common::run_sqlite(|db| story(db.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_postgres() {
    common::run_postgres("sessions", |db| story(db.url)).await;
}
