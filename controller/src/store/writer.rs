//! The group-commit writer of the hot paths (tickets, bookings): one task takes every job
//! waiting in its channel and commits them in one transaction. Each job still settles its
//! own numbers and seats with atomic SQL, so replicas and other writers stay correct;
//! batching only saves commits. A database error fails the whole batch and changes nothing.
//!
//! The writer knows no kind of job: a job is a [`Work`] (what to do in the transaction and
//! what it answers), sent with [`Store::write`](super::Store::write).

use super::{outbox, StoreError, StoreResult};
use futures::future::BoxFuture;
use sqlx::{Any, AnyPool, Transaction};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// The batch's transaction.
pub(crate) type Tx = Transaction<'static, Any>;

/// What the jobs of one batch share.
#[derive(Default)]
pub(crate) struct Batch {
    /// Per (service, class, time): waiting tickets ahead of a new arrival, counted once a
    /// batch.
    pub(crate) ahead: HashMap<(String, i64, i64), i64>,
    /// Services whose queue changed: one `queue` event each when the batch ends.
    pub(crate) queues: Vec<String>,
    /// The latest time of the batch's jobs (ms), for those events.
    pub(crate) now: i64,
}

impl Batch {
    /// Notes that `service`'s queue changed at `now`.
    pub(crate) fn queue_changed(&mut self, service: &str, now: i64) {
        if !self.queues.iter().any(|s| s == service) {
            self.queues.push(service.to_string());
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
}

/// A job on its way: its work, and where its answer goes once the batch is settled.
trait Job: Send {
    fn run<'a>(
        &'a mut self,
        tx: &'a mut Tx,
        batch: &'a mut Batch,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>>;
    fn answer(self: Box<Self>, failed: Option<&str>);
}

struct Pending<W: Work> {
    work: W,
    outcome: Option<StoreResult<W::Output>>,
    reply: oneshot::Sender<StoreResult<W::Output>>,
}

impl<W: Work> Job for Pending<W> {
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

/// Handle to the writer task of this process.
#[derive(Clone, Debug)]
pub(crate) struct Writer(mpsc::Sender<Box<dyn Job>>);

impl Writer {
    /// Starts the writer task on `pool`; `signal` is told after every commit (the relay
    /// waits on it for new outbox events).
    pub(crate) fn spawn(pool: AnyPool, signal: Arc<Notify>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Box<dyn Job>>(4096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                match commit(&pool, &mut jobs).await {
                    Ok(()) => {
                        signal.notify_one();
                        jobs.into_iter().for_each(|j| j.answer(None));
                    }
                    Err(e) => {
                        tracing::error!("writing a batch failed: {e}");
                        let e = e.to_string();
                        jobs.into_iter().for_each(|j| j.answer(Some(&e)));
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

async fn commit(pool: &AnyPool, jobs: &mut [Box<dyn Job>]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut batch = Batch::default();
    for job in jobs.iter_mut() {
        job.run(&mut tx, &mut batch).await?;
    }
    for service in &batch.queues {
        outbox::enqueue(&mut tx, outbox::QUEUE, service, "", batch.now).await?;
    }
    tx.commit().await
}
