//! Shared setup for the store story: one database per test (a temp SQLite file, or a
//! fresh PostgreSQL database when `HALLQ_TEST_PG_URL` is set), a small hall (services,
//! windows), and helpers that check the "refused means nothing changed" and "every change
//! writes outbox rows" guarantees around each action.

use futures::FutureExt;
use hallq_controller::model::{Kind, Ticket, WindowStatus};
use hallq_controller::store::{
    Action, ActionOutcome, Actor, Backend, IssueRequest, Issued, QueueCount, Refusal, Store,
    StoreError, StoreResult, WindowInfo,
};
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Environment variable naming the PostgreSQL server used by the PG variants.
pub(crate) const PG_ENV: &str = "HALLQ_TEST_PG_URL";

/// The local day every story runs on, and the next one.
pub(crate) const DAY: &str = "2026-03-02";
pub(crate) const NEXT_DAY: &str = "2026-03-03";

/// 2026-03-02T09:00:00+08:00 in ms; stories add offsets to it.
pub(crate) const T0: i64 = 1_772_413_200_000;

/// The hall's time zone.
pub(crate) const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// A service as the config would describe it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Svc {
    pub(crate) id: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) cap: i64,
}

/// Service "a", numbers A001…
pub(crate) const A: Svc = Svc {
    id: "a",
    prefix: "A",
    cap: 999,
};

/// Service "b", numbers B001…
pub(crate) const B: Svc = Svc {
    id: "b",
    prefix: "B",
    cap: 999,
};

/// A configured window.
#[derive(Debug, Clone)]
pub(crate) struct Win {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) services: Vec<String>,
}

impl Win {
    pub(crate) fn info(&self) -> WindowInfo<'_> {
        WindowInfo {
            id: &self.id,
            name: &self.name,
            services: &self.services,
            start_on_call: false,
        }
    }
}

/// Window `id` serving `services`, highest priority first.
pub(crate) fn win(id: &str, services: &[&str]) -> Win {
    Win {
        id: id.to_string(),
        name: format!("{}号窗口", id.trim_start_matches('w')),
        services: services.iter().map(|s| s.to_string()).collect(),
    }
}

/// Where a story's database lives.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    pub(crate) url: String,
}

impl Db {
    /// A new store (a "replica") on this database, with these windows synced.
    pub(crate) async fn store(&self, windows: &[Win]) -> Store {
        let store = Store::connect(&self.url).await.expect("connect store");
        let ids: Vec<String> = windows.iter().map(|w| w.id.clone()).collect();
        store.sync_windows(&ids, T0).await.expect("sync windows");
        store
    }
}

/// Runs `body` on a fresh SQLite file in a temp directory.
pub(crate) async fn run_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("hallq.db").display());
    let result = catch(body(Db { url })).await;
    drop(dir);
    rethrow(result);
}

/// Runs `body` on a fresh PostgreSQL database, or prints why it is skipped.
pub(crate) async fn run_postgres<F, Fut>(story: &str, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(admin) = std::env::var(PG_ENV) else {
        println!("skipped: {PG_ENV} not set (PostgreSQL store story: {story})");
        return;
    };
    let name = format!("hallq_t_{:016x}", rand::random::<u64>());
    pg_exec(&admin, &format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let result = catch(body(Db {
        url: with_database(&admin, &name),
    }))
    .await;
    if let Err(e) = pg_exec(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await
    {
        eprintln!("warning: could not drop test database {name}: {e}");
    }
    rethrow(result);
}

/// Runs a story body, keeping a panic for after the clean-up.
async fn catch(body: impl Future<Output = ()>) -> std::thread::Result<()> {
    AssertUnwindSafe(body).catch_unwind().await
}

fn rethrow(result: std::thread::Result<()>) {
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn pg_exec(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    conn.close().await
}

/// `url` with its database name replaced by `name` (query string kept).
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// Issues a ticket of `svc` on `day` at `now` (a fresh random token each time).
pub(crate) async fn try_issue(
    store: &Store,
    svc: Svc,
    kind: Kind,
    slot_start: Option<i64>,
    day: &str,
    now: i64,
) -> StoreResult<Issued> {
    let token = hex::encode(rand::random::<[u8; 16]>());
    store
        .issue_ticket(&IssueRequest {
            service: svc.id,
            prefix: svc.prefix,
            width: 3,
            cap: svc.cap,
            kind,
            slot_start,
            day,
            token: &token,
            now,
        })
        .await
}

/// Issues `n` walk-in tickets of service "a" on [`DAY`], a millisecond apart from [`T0`].
pub(crate) async fn issue_walk_ins(store: &Store, n: usize) {
    for i in 0..n {
        try_issue(store, A, Kind::WalkIn, None, DAY, T0 + i as i64)
            .await
            .expect("issue");
    }
}

/// Issues a ticket that must succeed, and checks it wrote its queue event.
pub(crate) async fn issue(store: &Store, svc: Svc, kind: Kind, day: &str, now: i64) -> Ticket {
    issue_at_slot(store, svc, kind, None, day, now).await
}

/// [`issue`] with an appointment slot.
pub(crate) async fn issue_at_slot(
    store: &Store,
    svc: Svc,
    kind: Kind,
    slot_start: Option<i64>,
    day: &str,
    now: i64,
) -> Ticket {
    let before = store.unsent_count().await.expect("unsent count");
    let issued = try_issue(store, svc, kind, slot_start, day, now)
        .await
        .expect("issue ticket");
    let after = store.unsent_count().await.expect("unsent count");
    assert!(
        after > before,
        "issuing {} wrote no outbox row",
        issued.ticket.number
    );
    issued.ticket
}

/// Applies `action` at `w` on [`DAY`].
pub(crate) async fn act(
    store: &Store,
    w: &Win,
    action: Action,
    now: i64,
) -> StoreResult<ActionOutcome> {
    store
        .window_action(w.info(), &action, Actor::system(), DAY, now, TZ)
        .await
}

/// An action that must succeed and write outbox rows, including the window's state.
pub(crate) async fn ok(store: &Store, w: &Win, action: Action, now: i64) -> ActionOutcome {
    let before = store.unsent(i64::MAX).await.expect("unsent");
    let out = act(store, w, action.clone(), now)
        .await
        .unwrap_or_else(|e| panic!("{action:?} at {}: {e}", w.id));
    let after = store.unsent(i64::MAX).await.expect("unsent");
    let last = before.last().map_or(i64::MIN, |r| r.id);
    let new: Vec<_> = after.iter().filter(|r| r.id > last).collect();
    assert!(
        new.iter().any(|r| r.kind == "window" && r.subject == w.id),
        "{action:?} at {} wrote no window event: {new:?}",
        w.id
    );
    out
}

/// Shorthand for the ticket an action was about.
pub(crate) async fn ok_ticket(store: &Store, w: &Win, action: Action, now: i64) -> Ticket {
    ok(store, w, action, now)
        .await
        .ticket
        .expect("outcome ticket")
}

/// A window's row as a refused action must leave it: id, status, pause reason, the
/// ticket it holds, last change.
type WindowRow = (String, WindowStatus, Option<String>, Option<Ticket>, i64);

/// Everything a refused action must leave untouched.
#[derive(Debug, PartialEq)]
pub(crate) struct Snapshot {
    tickets: Vec<Ticket>,
    windows: Vec<WindowRow>,
    queues: Vec<QueueCount>,
    unsent: i64,
}

/// Reads the state of [`DAY`].
pub(crate) async fn snapshot(store: &Store) -> Snapshot {
    let windows = store.windows().await.expect("windows");
    let mut queues = store.queue_counts(DAY).await.expect("queues");
    queues.sort_by(|x, y| x.service.cmp(&y.service));
    Snapshot {
        tickets: store.tickets_of_day(DAY).await.expect("tickets"),
        windows: windows
            .into_iter()
            .map(|w| (w.id, w.status, w.pause_reason, w.serving, w.updated_at))
            .collect(),
        queues,
        unsent: store.unsent_count().await.expect("unsent count"),
    }
}

/// An action the rules must refuse, changing nothing (no state, no outbox row).
pub(crate) async fn refused(store: &Store, w: &Win, action: Action, now: i64) -> Refusal {
    let before = snapshot(store).await;
    let result = act(store, w, action.clone(), now).await;
    let after = snapshot(store).await;
    assert_eq!(
        before, after,
        "refused {action:?} at {} changed state",
        w.id
    );
    match result {
        Err(StoreError::Refused(r)) => r,
        Err(e) => panic!("{action:?} at {}: database error {e}", w.id),
        Ok(o) => panic!("{action:?} at {} was accepted: {o:?}", w.id),
    }
}

/// The ticket numbered `number` on [`DAY`].
pub(crate) async fn by_number(store: &Store, number: &str) -> Ticket {
    store
        .tickets_of_day(DAY)
        .await
        .expect("tickets")
        .into_iter()
        .find(|t| t.number == number)
        .unwrap_or_else(|| panic!("no ticket {number}"))
}

/// Numbers `prefix` 001..=n.
pub(crate) fn numbers(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i:03}")).collect()
}

/// The engine behind a store, for messages.
pub(crate) fn backend_of(store: &Store) -> &'static str {
    match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}
