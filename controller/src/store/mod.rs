//! Persistence: every state change happens in one SQL transaction together with its
//! outbox event. Works on SQLite (default, WAL) and PostgreSQL through sqlx's `Any`
//! driver with runtime queries; SQL uses `$n` placeholders, which both accept.
//!
//! Concurrency is settled in the database, never by check-then-insert in Rust: ticket
//! numbers come from an atomic upsert on `counters`, a call is a conditional
//! `UPDATE … WHERE status = 'waiting'`, and a partial unique index keeps one ticket per
//! window. On SQLite each process writes through a single connection (SQLite has one
//! writer anyway); on PostgreSQL row locks order concurrent writers. Citizens'
//! notifications have their own outbox, [`notices`], written the same way.

pub mod acked;
mod adopt;
mod appointments;
mod audit_log;
pub mod backup;
mod bans;
mod booking;
mod buttons;
mod desk;
mod errors;
mod estimates;
mod failover;
mod metrics;
mod migrate;
pub mod notices;
mod outbox;
mod personal;
mod queue;
mod rows;
mod sessions;
mod snapshot;
mod staffing;
mod stats;
mod tickets;
mod views;
mod windows;
mod writer;

pub use appointments::{Appointment, BookRequest};
pub use bans::{Ban, BanRule, ManualBan};
pub use buttons::Press;
pub use desk::{Closure, NewClosure};
pub use errors::{Refusal, StoreError, StoreResult, UNAVAILABLE};
pub use estimates::EstimateRow;
pub use outbox::{OutboxRow, RELAY_LEASE};
pub use personal::Purged;
pub use sessions::{InUse, NewSession, Session, WindowSignIn};
pub(crate) use tickets::NewTicket;
pub use tickets::{IssueRequest, Issued};
pub use views::{QueueCount, WindowState};
pub use windows::{
    Action, ActionOutcome, Actor, DeskAppointment, DeskNoShow, DeskTicket, DeskView, WindowInfo,
};

use hallq_config::SqliteSynchronous;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

pub(crate) use rows::{ticket_from_row, TICKET_COLS};

/// The wake-up of the relays (outbox) or the notification deliverers (notices): one
/// [`Notify`] per hall handle that asked for it, all notified after a commit in any hall.
/// `notify_one` on each stores a permit for a waiter that is busy right now, so a commit
/// made while a relay publishes still wakes it at its next wait.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    halls: std::sync::Mutex<Vec<(Arc<str>, Arc<Notify>)>>,
}

impl Signal {
    /// The [`Notify`] of `hall`'s waiter.
    pub(crate) fn for_hall(&self, hall: &str) -> Arc<Notify> {
        let mut halls = self.halls.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, n)) = halls.iter().find(|(h, _)| &**h == hall) {
            return n.clone();
        }
        let n = Arc::new(Notify::new());
        halls.push((Arc::from(hall), n.clone()));
        n
    }

    /// Wakes every hall's waiter (or leaves each a permit).
    pub(crate) fn notify_one(&self) {
        let halls = self.halls.lock().unwrap_or_else(|e| e.into_inner());
        for (_, n) in halls.iter() {
            n.notify_one();
        }
    }
}

/// Handle to the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    write: AnyPool,
    read: AnyPool,
    backend: Backend,
    outbox_signal: Arc<Signal>,
    notice_signal: Arc<Signal>,
    writer: writer::Writer,
    /// The WAL the writer's batches wait for (SQLite, power-cut safe), for readers of
    /// committed rows that must not pass them on before they are durable (the relay).
    unsynced_wal: Option<Arc<std::path::PathBuf>>,
    /// The newest writes this controller acknowledged (checked after a failover).
    acked: Arc<acked::Acked>,
    /// The hall this handle reads and writes (see [`Store::in_hall`]).
    hall: Arc<str>,
    /// Where the city-wide booking rules count.
    scopes: Scopes,
}

/// Where each city-wide booking rule counts (`[appointments] *_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes {
    /// The daily booking limit and the active appointments per day.
    pub daily_limit: hallq_config::Scope,
    /// No-shows and the ban they lead to.
    pub no_shows: hallq_config::Scope,
    /// False-information marks and the ban they lead to.
    pub false_info: hallq_config::Scope,
}

impl Scopes {
    /// The scopes a hall's `[appointments]` rules set.
    pub fn of(rules: &hallq_config::booking::Rules) -> Self {
        Self {
            daily_limit: rules.daily_limit_scope,
            no_shows: rules.no_show_scope,
            false_info: rules.false_info_scope,
        }
    }
}

impl Store {
    /// Connects, applies migrations, and returns a ready store.
    ///
    /// `url` is `sqlite://PATH` (created if missing) or `postgres://…`.
    ///
    /// # Errors
    /// When the database cannot be reached or migrated.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, SqliteSynchronous::Full).await
    }

    /// [`Store::connect`] with SQLite's sync mode (`server.sqlite_synchronous`; ignored on
    /// PostgreSQL, whose own `synchronous_commit` decides).
    ///
    /// # Errors
    /// When the database cannot be reached or migrated.
    pub async fn connect_with(url: &str, sync: SqliteSynchronous) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let acked = Arc::<acked::Acked>::default();
        let wal_full = Arc::new(AtomicBool::new(false));
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let (write, read, writer_pool, durability) = match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url);
                let write = sqlite_pool(&url, 1, sync).await?;
                migrate::run(&write, backend).await?;
                let read = sqlite_pool(&url, 4, sync).await?;
                spawn_checkpointer(read.clone(), wal_full.clone());
                // Power-cut safe and fast: the group-commit writer commits on its own
                // connection without syncing and syncs the WAL outside its transaction
                // (writer.rs); every other write commits with FULL on `write`.
                // The migrations wrote: the WAL must be where we sync it, else every
                // commit syncs itself (SQLite's FULL on the writer too).
                match (sync, wal_file(&url).filter(|w| w.exists())) {
                    (SqliteSynchronous::Full, Some(wal)) => {
                        let own = sqlite_pool(&url, 1, SqliteSynchronous::Normal).await?;
                        (write, read, own, writer::Durability::SyncWal(wal))
                    }
                    _ => (write.clone(), read, write, writer::Durability::Commit),
                }
            }
            Backend::Postgres => {
                let pool = failover::pool(url, 16, acked.clone()).await?;
                migrate::run(&pool, backend).await?;
                warn_without_autovacuum(&pool).await;
                (pool.clone(), pool.clone(), pool, writer::Durability::Commit)
            }
        };
        let outbox_signal = Arc::new(Signal::default());
        let unsynced_wal = match &durability {
            writer::Durability::SyncWal(wal) => Some(Arc::new(wal.clone())),
            writer::Durability::Commit => None,
        };
        let writer = writer::Writer::spawn(
            writer_pool,
            outbox_signal.clone(),
            durability,
            acked.clone(),
            wal_full,
        );
        Ok(Self {
            write,
            read,
            backend,
            outbox_signal,
            notice_signal: Arc::new(Signal::default()),
            writer,
            unsynced_wal,
            acked,
            hall: Arc::from(""),
            scopes: Scopes::default(),
        })
    }

    /// The same database, reading and writing the rows of `hall` (numbers, queues,
    /// windows, devices, statistics), with the city-wide rules counted as `scopes` say.
    /// A store from [`Store::connect`] works on hall `""` until bound.
    pub fn in_hall(&self, hall: &str, scopes: Scopes) -> Self {
        Self {
            hall: Arc::from(hall),
            scopes,
            ..self.clone()
        }
    }

    /// The hall this handle works on.
    pub fn hall(&self) -> &str {
        &self.hall
    }

    /// Where the city-wide rules count for this handle.
    pub fn scopes(&self) -> Scopes {
        self.scopes
    }

    /// Gives rows that belong to no hall (a database made before halls existed) to `hall`;
    /// returns how many rows moved.
    ///
    /// # Errors
    /// On database failure.
    pub async fn adopt_unowned(&self, hall: &str) -> StoreResult<u64> {
        adopt::adopt_unowned(self, hall).await
    }

    /// Ids this controller acknowledged that a new primary lacked after failovers, per
    /// marker table ([`acked`]).
    pub fn failover_lost(&self) -> [(&'static str, u64); 2] {
        self.acked.lost().map(|(m, n)| (m.table(), n))
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Notified after every commit that wrote outbox rows (in any hall: each hall's
    /// handle has its own [`Notify`], and a commit notifies every one, so the relays of
    /// several halls waiting at once are all woken and none misses a commit made while it
    /// was busy).
    pub fn outbox_signal(&self) -> Arc<Notify> {
        self.outbox_signal.for_hall(&self.hall)
    }

    /// The key a per-person counter of a rule with `scope` is kept under: `''` for a
    /// city-wide rule (one row shared by every hall), the hall's id for a per-hall one.
    pub(crate) fn scope_key(&self, scope: hallq_config::Scope) -> &str {
        match scope {
            hallq_config::Scope::City => "",
            hallq_config::Scope::Hall => &self.hall,
        }
    }

    /// The hall of the ticket with this token (city-wide: tokens are unique over every
    /// hall), for the root status page.
    ///
    /// # Errors
    /// Database errors.
    pub async fn hall_of_ticket(&self, token: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT hall FROM tickets WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The hall of the appointment with this booking code (city-wide: codes are unique
    /// over every hall).
    ///
    /// # Errors
    /// Database errors.
    pub async fn hall_of_appointment(&self, code: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT hall FROM appointments WHERE code = $1")
                .bind(code)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Makes sure every configured window has a row. New windows start closed: a window
    /// opens when a clerk signs in or acts there ([`staffing`]).
    ///
    /// # Errors
    /// On database failure.
    pub async fn sync_windows(&self, ids: &[String], now: i64) -> StoreResult<()> {
        for id in ids {
            sqlx::query(
                "INSERT INTO windows (hall, id, status, updated_at) VALUES ($3, $1, 'closed', $2) \
                 ON CONFLICT (hall, id) DO NOTHING",
            )
            .bind(id)
            .bind(now)
            .bind(self.hall())
            .execute(&self.write)
            .await?;
        }
        Ok(())
    }

    /// Begins a write transaction on the hall's write connection. On SQLite it takes the
    /// write lock at once (`BEGIN IMMEDIATE`): the group-commit writer writes beside it, and
    /// a transaction that read first could not take the lock later without failing.
    pub(crate) async fn begin_write(&self) -> Result<writer::Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.write.begin().await,
        }
    }

    /// Makes every row committed so far durable: a reader that passes committed rows on
    /// (the relay, to MQTT) calls this first, as the group-commit writer's batches are
    /// committed before their WAL is synced. A no-op where every commit syncs.
    ///
    /// # Errors
    /// When the WAL cannot be synced.
    pub async fn make_durable(&self) -> StoreResult<()> {
        let Some(wal) = self.unsynced_wal.clone() else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || writer::sync_wal(&wal))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
            .map_err(|e| StoreError::Db(sqlx::Error::Io(e)))
    }

    /// Closes the pools.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Warns when the PostgreSQL server runs without autovacuum: every call and finish leaves
/// a dead ticket row behind, and the queue's index scans wade through them, so calls slow
/// down all day (a day-long run on such a server saw the call p99 climb from 60 ms to
/// 1.3 s within 12 minutes).
async fn warn_without_autovacuum(pool: &AnyPool) {
    let on: Result<String, _> = sqlx::query_scalar("SHOW autovacuum").fetch_one(pool).await;
    if on.is_ok_and(|v| v == "off") {
        tracing::warn!(
            "PostgreSQL 的 autovacuum 已关闭：叫号会越来越慢，请开启（autovacuum = on）/ \
             autovacuum is off on this PostgreSQL server: dead ticket rows pile up and calls \
             slow down through the day; turn it on (autovacuum = on)"
        );
    }
}

/// WAL frames (about 16 MB at 4 KiB pages) past which the writer truncates the WAL.
const WAL_TRUNCATE_FRAMES: i64 = 4096;

/// Copies the WAL back into the database file every second from a reader connection
/// (`PASSIVE` never blocks the writer), so commits never pay for a checkpoint's fsync.
///
/// A passive checkpoint copies what it can, but the WAL only starts over when no reader
/// still uses it — which, with phones and screens reading all day, may never happen: a
/// day-long run (`hallq-bench day`) saw the WAL reach 60 MB beside a 5 MB database and
/// keep growing. So when the WAL holds more than [`WAL_TRUNCATE_FRAMES`] frames, this
/// raises `wal_full` and the group-commit writer, between two batches (when it holds no
/// lock, so the checkpoint does not wait behind it), runs a `TRUNCATE` checkpoint.
fn spawn_checkpointer(pool: AnyPool, wal_full: Arc<AtomicBool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            let passive: Result<(i64, i64, i64), _> =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&pool)
                    .await;
            match passive {
                Ok((_, frames, _)) => {
                    if frames > WAL_TRUNCATE_FRAMES {
                        wal_full.store(true, Ordering::Relaxed);
                    }
                }
                Err(e) => tracing::debug!("WAL checkpoint: {e}"),
            }
        }
    });
}

/// The database file of a `sqlite:` URL (None for other URLs).
pub(crate) fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

/// The WAL file of a SQLite URL's database (None for an in-memory one).
fn wal_file(url: &str) -> Option<std::path::PathBuf> {
    let path = sqlite_file(url)?;
    (!path.is_empty() && !path.contains(":memory:")).then(|| format!("{path}-wal").into())
}

fn sqlite_url(url: &str) -> String {
    let base = if url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    };
    if base.contains('?') || base.contains(":memory:") {
        base
    } else {
        format!("{base}?mode=rwc")
    }
}

async fn sqlite_pool(url: &str, max: u32, sync: SqliteSynchronous) -> StoreResult<AnyPool> {
    let pragmas = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA busy_timeout = 5000; \
         PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;",
        sync.pragma()
    );
    Ok(AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            let pragmas = pragmas.clone();
            Box::pin(async move {
                // WAL: readers never block the writer. synchronous=FULL syncs the WAL at
                // every commit (one sync per group commit of the writer task), so what was
                // answered survives a power cut; NORMAL only a killed process.
                conn.execute(pragmas.as_str()).await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
}
