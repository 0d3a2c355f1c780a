//! Staff sessions in the store: a session is found by its token hash until it expires or
//! ends; ending is audited once, naming whose session it was; sign-in attempts are
//! admitted up to the limit, a concurrent burst included, and refused ones do not prolong
//! a lockout; expired attempts of every account are purged. Runs on SQLite always and on PostgreSQL
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
        credential: "c1",
        origin: "10.0.0.7",
        ttl_ms: 30 * MIN,
        city_wide: false,
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
    assert_eq!(ends[0]["detail"], "session of zhang");
    assert_eq!(audit.iter().filter(|a| a["action"] == "sign_in").count(), 2);

    // Attempts: of 20 concurrent ones at most 5 (the limit) are admitted.
    let t1 = T0 + 2 * MIN;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .sign_in_attempt("li", 15 * MIN, 5, t1)
                .await
                .expect("attempt")
        }));
    }
    let mut admitted = 0;
    for t in tasks {
        admitted += usize::from(t.await.unwrap());
    }
    assert!(admitted <= 5, "{admitted} of a burst of 20 admitted");
    // One at a time, the rest of the 5 are admitted, then the account is locked.
    for _ in admitted..5 {
        assert!(store.sign_in_attempt("li", 15 * MIN, 5, t1).await.unwrap());
    }
    assert!(!store.sign_in_attempt("li", 15 * MIN, 5, t1).await.unwrap());
    // Retrying while locked does not prolong the lockout: it ends 15 minutes after the
    // attempts that caused it, however often someone tried in between.
    for m in 1..15 {
        assert!(!store
            .sign_in_attempt("li", 15 * MIN, 5, t1 + m * MIN)
            .await
            .unwrap());
    }
    assert!(store
        .sign_in_attempt("li", 15 * MIN, 5, t1 + 15 * MIN + 1)
        .await
        .unwrap());
    // Other accounts are not affected.
    assert!(store
        .sign_in_attempt("wang", 15 * MIN, 5, t1)
        .await
        .unwrap());
    // A success clears the attempts.
    for _ in 0..4 {
        store
            .sign_in_attempt("zhao", 15 * MIN, 5, t1)
            .await
            .unwrap();
    }
    let mut zhao = new_session("h3", Some("1"));
    zhao.username = "zhao";
    store.open_session(zhao, t1 + MIN).await.unwrap();
    for _ in 0..5 {
        assert!(store
            .sign_in_attempt("zhao", 15 * MIN, 5, t1 + MIN)
            .await
            .unwrap());
    }
    // Made-up usernames (a guesser's flood) leave no row beyond the window: the next
    // attempt of any account purges every expired one.
    let t2 = t1 + 60 * MIN;
    for i in 0..30 {
        store
            .sign_in_attempt(&format!("guess{i}"), 15 * MIN, 5, t2)
            .await
            .unwrap();
    }
    assert!(attempt_rows(&url).await >= 30);
    assert!(store
        .sign_in_attempt("li", 15 * MIN, 5, t2 + 15 * MIN + 1)
        .await
        .unwrap());
    assert_eq!(attempt_rows(&url).await, 1);
    store.close().await;
}

async fn attempt_rows(url: &str) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let n = sqlx::query("SELECT COUNT(*) FROM staff_sign_in_attempts")
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_sqlite() {
    common::run_sqlite(|db| story(db.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_postgres() {
    common::run_postgres("sessions", |db| story(db.url)).await;
}
