//! What the metrics endpoint reads from the database at scrape time (besides the outbox
//! count and the trigger-kept waiting counts, which other readers share).

use super::{Store, StoreResult};

impl Store {
    /// When the oldest unpublished outbox event was committed (ms), if any.
    ///
    /// # Errors
    /// Database errors.
    pub async fn oldest_unsent_at(&self) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT created_at FROM outbox WHERE hall = $1 AND sent_at IS NULL ORDER BY id LIMIT 1",
        )
        .bind(self.hall())
        .fetch_optional(&self.read)
        .await?)
    }

    /// Every window row's id and stored status (`open`, `paused`, `closed`): a few rows.
    ///
    /// # Errors
    /// Database errors.
    pub async fn window_statuses(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT id, status FROM windows WHERE hall = $1")
                .bind(self.hall())
                .fetch_all(&self.read)
                .await?,
        )
    }
}
