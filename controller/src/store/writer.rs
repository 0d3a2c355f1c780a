//! The group-commit writer of the hot paths (tickets, bookings): one task takes every job
//! waiting in its channel and commits them in one transaction. Each job still settles its
//! own numbers and seats with atomic SQL, so replicas and other writers stay correct;
//! batching only saves commits. A database error fails the whole batch and changes nothing.
//!
//! The writer knows no kind of job: a job is a [`Work`] (what to do in the transaction and
//! what it answers), sent with [`Store::write`](super::Store::write).
//!
//! On a power-cut-safe SQLite hall ([`Durability::SyncWal`]) the writer's own connection
//! commits without syncing and a second task, the syncer, syncs the WAL file before it
//! answers the batch's jobs: one sync covers every batch committed meanwhile, and the next
//! batch runs while the disk syncs. No job is answered before its commit is on the disk.

use super::acked::{Acked, Marker};
use super::{outbox, Signal, StoreError, StoreResult};
use futures::future::BoxFuture;
use sqlx::{Any, AnyPool, Transaction};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The batch's transaction.
pub(crate) type Tx = Transaction<'static, Any>;

/// What the jobs of one batch share (a batch may hold jobs of several halls: every memo
/// is keyed by hall).
#[derive(Default)]
pub(crate) struct Batch {
    /// Per (hall, service, class, time): waiting tickets ahead of a new arrival, counted
    /// once a batch.
    pub(crate) ahead: HashMap<(String, String, i64, i64), i64>,
    /// (Hall, service) whose queue changed: one `queue` event each when the batch ends.
    pub(crate) queues: Vec<(String, String)>,
    /// The latest time of the batch's jobs (ms), for those events.
    pub(crate) now: i64,
    /// The newest appointment the batch booked (0: none), noted once it is committed.
    pub(crate) appointment: i64,
}

impl Batch {
    /// Notes that `service`'s queue of `hall` changed at `now`.
    pub(crate) fn queue_changed(&mut self, hall: &str, service: &str, now: i64) {
        if !self.queues.iter().any(|(h, s)| h == hall && s == service) {
            self.queues.push((hall.to_string(), service.to_string()));
        }
        self.now = self.now.max(now);
    }
}

/// One kind of job: what it does inside the batch's transaction.
pub(crate) trait Work: Send + Sync + 'static {
    /// What the caller gets back.
    type Output: Send + 'static;
    /// Runs in the transaction. `Ok(Err(_))` is this job's refusal (the batch goes on);
    /// `Err(_)` is a database error (the batch fails).
    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
        batch: &'a mut Batch,
    ) -> BoxFuture<'a, Result<StoreResult<Self::Output>, sqlx::Error>>;

    /// The rows this job locks first, as a sortable key: a batch runs its jobs in key
    /// order (arrival order among equal keys), so two controllers' batches take shared
    /// rows in the same order instead of deadlocking on them.
    fn lock_key(&self) -> String {
        String::new()
    }
}

/// A job on its way: its work, and where its answer goes once the batch is settled.
trait Job: Send {
    fn run<'a>(
        &'a mut self,
        tx: &'a mut Tx,
        batch: &'a mut Batch,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>>;
    fn answer(self: Box<Self>, failed: Option<&str>);
    fn lock_key(&self) -> String;
}

struct Pending<W: Work> {
    work: W,
    outcome: Option<StoreResult<W::Output>>,
    reply: oneshot::Sender<StoreResult<W::Output>>,
}

impl<W: Work> Job for Pending<W> {
    fn lock_key(&self) -> String {
        self.work.lock_key()
    }

    fn run<'a>(
        &'a mut self,
        tx: &'a mut Tx,
        batch: &'a mut Batch,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            self.outcome = Some(self.work.run(tx, batch).await?);
            Ok(())
        })
    }

    fn answer(self: Box<Self>, failed: Option<&str>) {
        let r = match (failed, self.outcome) {
            (None, Some(outcome)) => outcome,
            (Some(e), _) => Err(sqlx::Error::Protocol(format!("batch failed: {e}")).into()),
            (None, None) => Err(sqlx::Error::Protocol("job not run".into()).into()),
        };
        let _ = self.reply.send(r);
    }
}

/// Most jobs committed in one transaction.
const MAX_BATCH: usize = 128;
/// How long one batch may take: a database host that vanished without closing the
/// connection would otherwise hold every write until TCP gives up (minutes).
const COMMIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Committed batches that may wait for the syncer before the writer waits too.
const MAX_UNSYNCED: usize = 64;

/// How a batch becomes durable before its jobs are answered.
#[derive(Clone, Debug)]
pub(crate) enum Durability {
    /// The commit itself is (PostgreSQL; SQLite with `synchronous = FULL` on the writer's
    /// connection, or `NORMAL` where the hall chose it).
    Commit,
    /// SQLite: the writer's connection commits with `synchronous = NORMAL`; this WAL file is
    /// synced (`fdatasync`) before the batch's jobs are answered.
    SyncWal(PathBuf),
}

/// Handle to the writer task of this process.
#[derive(Clone, Debug)]
pub(crate) struct Writer(mpsc::Sender<Box<dyn Job>>);

type Jobs = Vec<Box<dyn Job>>;

impl Writer {
    /// Starts the writer task on `pool`; `signal` is told after every durable commit (the
    /// relay waits on it for new outbox events); `acked` notes each committed batch's
    /// newest outbox event and appointment.
    pub(crate) fn spawn(
        pool: AnyPool,
        signal: Arc<Signal>,
        durability: Durability,
        acked: Arc<Acked>,
        wal_full: Arc<AtomicBool>,
    ) -> Self {
        let (tx, mut rx) = mpsc::channel::<Box<dyn Job>>(4096);
        let synced = match durability {
            Durability::Commit => None,
            Durability::SyncWal(wal) => Some(spawn_syncer(wal, signal.clone())),
        };
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                if wal_full.swap(false, Ordering::Relaxed) {
                    truncate_wal(&pool).await;
                }
                let mut jobs = vec![first];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                // Shared rows (counters, slots) in one order over every controller.
                jobs.sort_by_cached_key(|j| j.lock_key());
                let committed = tokio::time::timeout(
                    COMMIT_TIMEOUT,
                    commit_retrying(&pool, &mut jobs, synced.is_some()),
                )
                .await
                .unwrap_or_else(|_| Err(sqlx::Error::PoolTimedOut));
                match committed {
                    Ok((event, appointment)) => {
                        acked.note(Marker::Outbox, event);
                        acked.note(Marker::Appointments, appointment);
                        match &synced {
                            Some(syncer) => {
                                if let Err(mpsc::error::SendError(jobs)) = syncer.send(jobs).await {
                                    answer(jobs, Some("the WAL syncer stopped"));
                                }
                            }
                            None => {
                                signal.notify_one();
                                answer(jobs, None);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::error!("writing a batch failed: {e}");
                        answer(jobs, Some(&e.to_string()));
                    }
                }
            }
        });
        Self(tx)
    }

    /// Hands `work` to the writer task and waits until its batch is committed.
    pub(crate) async fn write<W: Work>(&self, work: W) -> StoreResult<W::Output> {
        let closed = || StoreError::Db(sqlx::Error::PoolClosed);
        let (reply, rx) = oneshot::channel();
        let job = Pending {
            work,
            outcome: None,
            reply,
        };
        self.0.send(Box::new(job)).await.map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }
}

fn answer(jobs: Jobs, failed: Option<&str>) {
    jobs.into_iter().for_each(|j| j.answer(failed));
}

/// The syncer: takes every committed batch waiting, syncs the WAL once, answers them all.
fn spawn_syncer(wal: PathBuf, signal: Arc<Signal>) -> mpsc::Sender<Jobs> {
    let (tx, mut rx) = mpsc::channel::<Jobs>(MAX_UNSYNCED);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batches = vec![first];
            while let Ok(b) = rx.try_recv() {
                batches.push(b);
            }
            let path = wal.clone();
            let synced = tokio::task::spawn_blocking(move || sync_wal(&path))
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e)));
            let failed = match synced {
                Ok(()) => {
                    signal.notify_one();
                    None
                }
                Err(e) => {
                    tracing::error!("syncing the WAL {} failed: {e}", wal.display());
                    Some(format!("sync failed: {e}"))
                }
            };
            for jobs in batches {
                answer(jobs, failed.as_deref());
            }
        }
    });
    tx
}

/// A `TRUNCATE` checkpoint on the writer's connection, between batches: SQLite syncs the
/// WAL, copies it into the database file, syncs that, and empties the WAL (what the syncer
/// has not synced yet is then in the synced database file).
async fn truncate_wal(pool: &AnyPool) {
    let r: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(pool)
        .await;
    match r {
        Ok((0, _, _)) => tracing::debug!("WAL truncated"),
        Ok(busy) => tracing::debug!(?busy, "WAL truncation could not finish, readers busy"),
        Err(e) => tracing::warn!("truncating the WAL failed: {e}"),
    }
}

/// `fdatasync` of the WAL file, opened anew each time (SQLite may delete and recreate it).
/// A missing WAL was checkpointed into the database file, which SQLite synced then.
pub(crate) fn sync_wal(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::File::open(path) {
        Ok(f) => f.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Batches PostgreSQL chose as a deadlock's victim or failed to serialise run again (the
/// failed transaction changed nothing), at most this many times more.
const RETRIES: usize = 3;

/// [`commit`], run again when the database rolled the batch back for a deadlock or a
/// serialisation failure with another controller's transaction.
async fn commit_retrying(
    pool: &AnyPool,
    jobs: &mut [Box<dyn Job>],
    immediate: bool,
) -> Result<(i64, i64), sqlx::Error> {
    let mut tries = 0;
    loop {
        match commit(pool, jobs, immediate).await {
            Err(sqlx::Error::Database(e))
                if tries < RETRIES && matches!(e.code().as_deref(), Some("40P01" | "40001")) =>
            {
                tries += 1;
                tracing::debug!("batch rolled back ({e}); running it again");
            }
            other => return other,
        }
    }
}

/// Runs and commits the batch; returns its newest outbox event and appointment (0: none).
async fn commit(
    pool: &AnyPool,
    jobs: &mut [Box<dyn Job>],
    immediate: bool,
) -> Result<(i64, i64), sqlx::Error> {
    // Beside the hall's other write connection, take SQLite's write lock at BEGIN: a
    // deferred transaction that read first could not take it later without failing.
    let mut tx = if immediate {
        pool.begin_with("BEGIN IMMEDIATE").await?
    } else {
        pool.begin().await?
    };
    let mut batch = Batch::default();
    for job in jobs.iter_mut() {
        job.run(&mut tx, &mut batch).await?;
    }
    let mut event = 0;
    for (hall, service) in &batch.queues {
        event = outbox::enqueue(&mut tx, hall, outbox::QUEUE, service, "", batch.now).await?;
    }
    tx.commit().await?;
    Ok((event, batch.appointment))
}
