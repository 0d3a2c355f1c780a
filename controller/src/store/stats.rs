//! Reads behind the admin dashboard: ticket rows of a day range for the statistics
//! (aggregated in [`crate::stats`]), and live extras the snapshot does not carry.

use super::rows::StatRow;
use super::{Store, StoreResult};
use crate::stats::Row;
use sqlx::FromRow;

/// Most rows one statistics request reads (about a year of a busy hall).
pub const MAX_STAT_ROWS: i64 = 500_000;

impl Store {
    /// Tickets issued on local days `from..=to` (`YYYY-MM-DD`), as statistics rows.
    ///
    /// # Errors
    /// Database errors.
    pub async fn stat_rows(&self, from: &str, to: &str) -> StoreResult<Vec<Row>> {
        let rows = sqlx::query(
            "SELECT day, service, window_id, kind, status, issued_at, called_at, started_at, \
             finished_at, slot_start, called_by FROM tickets WHERE hall = $4 AND day >= $1 \
             AND day <= $2 ORDER BY id LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(MAX_STAT_ROWS)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| StatRow::from_row(r).map(Row::from))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Issue time (ms) of the oldest ticket waiting per service on `day`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn oldest_waiting(&self, day: &str) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT service, MIN(issued_at) FROM tickets WHERE hall = $2 AND day = $1 \
             AND status = 'waiting' GROUP BY service",
        )
        .bind(day)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?)
    }

    /// Per window holding a ticket: (window, called_at, started_at) in ms.
    ///
    /// # Errors
    /// Database errors.
    pub async fn held_times(&self) -> StoreResult<Vec<(String, Option<i64>, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT window_id, called_at, started_at FROM tickets \
             WHERE hall = $1 AND status IN ('called', 'serving') AND window_id IS NOT NULL",
        )
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?)
    }
}
