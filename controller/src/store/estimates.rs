//! Recorded wait estimates: [`Store::record_estimate`] keeps the first estimate a ticket's
//! holder was shown, and [`Store::estimate_rows`] reads a day's called tickets that have
//! one, for the estimate-accuracy panel (predicted vs actual wait). Parts: the row
//! ([`EstimateRow`]), the writer's job (`Record`), the write, the reads.

use super::writer::{Batch, Tx, Work};
use super::{Store, StoreResult};
use futures::future::BoxFuture;
use sqlx::FromRow;
use std::sync::Arc;

/// A called ticket of a day with the estimate recorded when it was issued.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct EstimateRow {
    /// Service it waited for.
    pub service: String,
    /// Printed number, e.g. A012.
    pub number: String,
    /// Stored kind (`walk_in`, `green`, `appointment`).
    pub kind: String,
    /// Issue time (ms since the epoch).
    pub issued_at: i64,
    /// (Last) call time (ms since the epoch).
    pub called_at: i64,
    /// The wait first shown (seconds).
    pub estimate_s: i64,
    /// What the former estimator said at the same moment (seconds).
    pub estimate_baseline_s: Option<i64>,
}

/// A first estimate to write, in the group-commit writer's next batch (it shares the
/// batch's commit and sync with the tickets being issued instead of paying its own).
struct Record {
    hall: Arc<str>,
    ticket_id: i64,
    estimate_s: i64,
    baseline_s: Option<i64>,
}

impl Work for Record {
    type Output = bool;

    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
        _batch: &'a mut Batch,
    ) -> BoxFuture<'a, Result<StoreResult<bool>, sqlx::Error>> {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE tickets SET estimate_s = $1, estimate_baseline_s = $4 WHERE id = $2 \
                 AND hall = $3 AND estimate_s IS NULL",
            )
            .bind(self.estimate_s)
            .bind(self.ticket_id)
            .bind(&*self.hall)
            .bind(self.baseline_s)
            .execute(&mut **tx)
            .await?;
            Ok(Ok(done.rows_affected() == 1))
        })
    }
}

impl Store {
    /// Records the wait (seconds) ticket `ticket_id` of this hall was first shown, and
    /// what the former estimator said then (`baseline_s`); a later estimate never replaces
    /// them (`UPDATE … WHERE estimate_s IS NULL`). Returns whether this call recorded it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn record_estimate(
        &self,
        ticket_id: i64,
        estimate_s: i64,
        baseline_s: Option<i64>,
    ) -> StoreResult<bool> {
        self.writer
            .write(Record {
                hall: self.hall.clone(),
                ticket_id,
                estimate_s,
                baseline_s,
            })
            .await
    }

    /// The recorded estimate of ticket `ticket_id` of this hall (None: none recorded, or
    /// no such ticket).
    ///
    /// # Errors
    /// Database errors.
    pub async fn estimate_of(&self, ticket_id: i64) -> StoreResult<Option<i64>> {
        let v: Option<Option<i64>> =
            sqlx::query_scalar("SELECT estimate_s FROM tickets WHERE id = $1 AND hall = $2")
                .bind(ticket_id)
                .bind(self.hall())
                .fetch_optional(&self.read)
                .await?;
        Ok(v.flatten())
    }

    /// Tickets issued on local day `day` (`YYYY-MM-DD`) that were called and have a
    /// recorded estimate, in issue order. Tickets ever transferred are left out: their
    /// call time is the call after the transfer, not the end of the wait that was
    /// estimated. At most [`super::stats::MAX_STAT_ROWS`] rows.
    ///
    /// # Errors
    /// Database errors.
    pub async fn estimate_rows(&self, day: &str) -> StoreResult<Vec<EstimateRow>> {
        Ok(sqlx::query_as(
            "SELECT service, number, kind, issued_at, called_at, estimate_s, estimate_baseline_s \
             FROM tickets \
             WHERE hall = $1 AND day = $2 AND called_at IS NOT NULL \
             AND estimate_s IS NOT NULL AND from_window IS NULL ORDER BY id LIMIT $3",
        )
        .bind(self.hall())
        .bind(day)
        .bind(super::stats::MAX_STAT_ROWS)
        .fetch_all(&self.read)
        .await?)
    }
}
