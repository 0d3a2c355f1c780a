//! The outbox: events written in the same transaction as the change they describe, read
//! and marked by the relay. A lease row elects one relay among controller replicas, so
//! events leave in one ordered stream.

use super::{Store, StoreResult};
use sqlx::{Any, Transaction};

/// A call (payload stored as JSON, without its event id).
pub(crate) const CALL: &str = "call";
/// A window's state changed (rendered from the tables when published).
pub(crate) const WINDOW: &str = "window";
/// A service's queue changed (rendered from the tables when published).
pub(crate) const QUEUE: &str = "queue";

/// Name of the relay's lease.
pub const RELAY_LEASE: &str = "outbox-relay";

/// One unsent event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    /// Event id (monotonic per database).
    pub id: i64,
    /// `call`, `window` or `queue`.
    pub kind: String,
    /// Window id or service id.
    pub subject: String,
    /// JSON payload for calls; empty for state events.
    pub payload: String,
    /// When the change committed (ms).
    pub created_at: i64,
}

/// Adds an event to the current transaction; returns its id.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'static, Any>,
    hall: &str,
    kind: &str,
    subject: &str,
    payload: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (kind, subject, payload, created_at, hall) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind)
    .bind(subject)
    .bind(payload)
    .bind(now)
    .bind(hall)
    .fetch_one(&mut **tx)
    .await
}

/// Adds several events in one statement, in the order given (ids follow that order), and
/// returns their ids.
pub(crate) async fn enqueue_all(
    tx: &mut Transaction<'static, Any>,
    hall: &str,
    rows: &[(&str, &str, String)],
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("(${}, ${}, ${}, $1, $2)", 3 * i + 3, 3 * i + 4, 3 * i + 5))
        .collect();
    let sql = format!(
        "INSERT INTO outbox (kind, subject, payload, created_at, hall) VALUES {} RETURNING id",
        values.join(", ")
    );
    let mut q = sqlx::query_scalar(&sql).bind(now).bind(hall);
    for (kind, subject, payload) in rows {
        q = q.bind(*kind).bind(*subject).bind(payload.as_str());
    }
    q.fetch_all(&mut **tx).await
}

impl Store {
    /// The lease `name` of this handle's hall: `name:hall`, or `name` itself for hall `""`
    /// (each hall has its own relay and deliverer).
    pub fn lease_name(&self, name: &str) -> String {
        if self.hall().is_empty() {
            name.to_string()
        } else {
            format!("{name}:{}", self.hall())
        }
    }

    /// The oldest unsent events, in id order.
    ///
    /// # Errors
    /// Database errors.
    pub async fn unsent(&self, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        let rows = sqlx::query(
            "SELECT id, kind, subject, payload, created_at FROM outbox \
             WHERE hall = $2 AND sent_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(<OutboxRow as sqlx::FromRow<_>>::from_row)
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Marks events as published.
    ///
    /// # Errors
    /// Database errors.
    pub async fn mark_sent(&self, ids: &[i64], now: i64) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sqlx::query(&format!(
            "UPDATE outbox SET sent_at = $1 WHERE id IN ({}) AND sent_at IS NULL AND hall = $2",
            list.join(",")
        ))
        .bind(now)
        .bind(self.hall())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The newest event id (0 when the outbox is empty): the id that state republished
    /// from the tables carries, since those tables reflect every event up to it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn last_event_id(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM outbox WHERE hall = $1",
        )
        .bind(self.hall())
        .fetch_one(&self.read)
        .await?)
    }

    /// Number of events not yet published.
    ///
    /// # Errors
    /// Database errors.
    pub async fn unsent_count(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE hall = $1 AND sent_at IS NULL")
                .bind(self.hall())
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// Takes or renews the lease `name` for `holder` until `now + ttl_ms`; true when held.
    ///
    /// # Errors
    /// Database errors.
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        ttl_ms: i64,
    ) -> StoreResult<bool> {
        let name = &self.lease_name(name);
        let got: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3 \
             WHERE leases.holder = $2 OR leases.expires_at < $4 RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now + ttl_ms)
        .bind(now)
        .fetch_optional(&self.write)
        .await?;
        Ok(got.as_deref() == Some(holder))
    }

    /// Gives the lease up (on shutdown), so another replica takes over at once.
    ///
    /// # Errors
    /// Database errors.
    pub async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let name = &self.lease_name(name);
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
