//! The audit log: who did what, when, from where, in which hall; each row is written in the
//! transaction of the action it records.

use super::{Store, StoreResult};
use sqlx::{Any, Row, Transaction};

type Tx = Transaction<'static, Any>;

impl Store {
    /// Audit rows, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn audit_log(&self, limit: i64) -> StoreResult<Vec<serde_json::Value>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail, origin FROM audit WHERE hall = $2 \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(serde_json::json!({
                    "at": r.try_get::<i64, _>("at")?, "actor": r.try_get::<String, _>("actor")?,
                    "action": r.try_get::<String, _>("action")?,
                    "subject": r.try_get::<String, _>("subject")?,
                    "detail": r.try_get::<String, _>("detail")?,
                    "origin": r.try_get::<String, _>("origin")?,
                }))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// Writes one audit row of `hall` inside `tx`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    tx: &mut Tx,
    hall: &str,
    now: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
    origin: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit (at, actor, action, subject, detail, origin, hall) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .bind(origin)
    .bind(hall)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
