//! Read models: what screens, the snapshot and the relay show.

use super::rows::{window_cols, WindowRow};
use super::{ticket_from_row, Backend, Store, StoreResult, TICKET_COLS};
use crate::model::{Ticket, WindowStatus};
use sqlx::FromRow;

/// A window as the hall sees it.
#[derive(Debug, Clone)]
pub struct WindowState {
    /// Window id.
    pub id: String,
    /// Open, paused or closed.
    pub status: WindowStatus,
    /// Reason given when paused.
    pub pause_reason: Option<String>,
    /// The ticket it holds (called or serving).
    pub serving: Option<Ticket>,
    /// Last change (ms).
    pub updated_at: i64,
}

/// Waiting tickets of one service.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueueCount {
    /// Service id.
    pub service: String,
    /// Tickets waiting today.
    pub waiting: i64,
}

impl Store {
    /// Every window with the ticket it holds.
    ///
    /// # Errors
    /// Database errors.
    pub async fn windows(&self) -> StoreResult<Vec<WindowState>> {
        self.windows_where("", None).await
    }

    /// One window's state.
    ///
    /// # Errors
    /// Database errors.
    pub async fn window(&self, id: &str) -> StoreResult<Option<WindowState>> {
        Ok(self.windows_where("AND w.id = $2", Some(id)).await?.pop())
    }

    async fn windows_where(&self, filter: &str, id: Option<&str>) -> StoreResult<Vec<WindowState>> {
        let sql = format!(
            "SELECT {} FROM windows w \
             LEFT JOIN tickets t ON t.hall = w.hall AND t.window_id = w.id \
             AND t.status IN ('called', 'serving') \
             WHERE w.hall = $1 {filter} ORDER BY w.id",
            window_cols()
        );
        let mut q = sqlx::query(&sql).bind(self.hall());
        if let Some(id) = id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                let w = WindowRow::from_row(r)?;
                Ok(WindowState {
                    status: w.status(),
                    serving: WindowRow::ticket(r)?,
                    id: w.w_id,
                    pause_reason: w.w_pause_reason,
                    updated_at: w.w_updated_at,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Waiting counts of `day`, for the services that have any.
    ///
    /// # Errors
    /// Database errors.
    pub async fn queue_counts(&self, day: &str) -> StoreResult<Vec<QueueCount>> {
        let rows = sqlx::query(
            "SELECT service, CAST(SUM(n) AS BIGINT) AS waiting FROM waiting_counts \
             WHERE hall = $2 AND day = $1 GROUP BY service HAVING SUM(n) > 0",
        )
        .bind(day)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(QueueCount::from_row)
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Waiting count of one service on `day`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn waiting(&self, service: &str, day: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM waiting_counts \
             WHERE hall = $3 AND day = $1 AND service = $2",
        )
        .bind(day)
        .bind(service)
        .bind(self.hall())
        .fetch_one(&self.read)
        .await?)
    }

    /// Every ticket of `day` (tests and audits).
    ///
    /// # Errors
    /// Database errors.
    pub async fn tickets_of_day(&self, day: &str) -> StoreResult<Vec<Ticket>> {
        let rows = sqlx::query(&format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE hall = $2 AND day = $1 ORDER BY id"
        ))
        .bind(day)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(ticket_from_row)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    /// Ids of the service's waiting tickets in call order at `now` (the call order's
    /// [`crate::policy::queue_key`]: class, then arrival, then id): a ticket's index is
    /// the number of people ahead of it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn waiting_order(&self, service: &str, day: &str, now: i64) -> StoreResult<Vec<i64>> {
        // One row holding the ids as text: a queue of 10,000 is read as one value, not
        // 10,000 rows through the driver. SQLite keeps the ORDER BY of a FROM subquery when
        // the outer query has none and is no join, so group_concat takes the ids in queue
        // order. The class depends on `now` (an appointment moves up when its slot begins), so the order is
        // sorted rather than read off the index. The order is checked against the tickets
        // themselves and the pure policy in controller/tests/waiting_counts.rs.
        let class = super::queue::class_sql("$3");
        let sql = match self.backend {
            Backend::Sqlite => format!(
                "SELECT group_concat(id, ',') FROM (SELECT id FROM tickets \
                 WHERE hall = $4 AND day = $1 AND status = 'waiting' AND service = $2 \
                 AND target_window IS NULL ORDER BY {class}, arrived_at, id)"
            ),
            Backend::Postgres => format!(
                "SELECT string_agg(CAST(id AS TEXT), ',' ORDER BY {class}, arrived_at, id) \
                 FROM tickets WHERE hall = $4 AND day = $1 AND status = 'waiting' \
                 AND service = $2 AND target_window IS NULL"
            ),
        };
        let list: Option<String> = sqlx::query_scalar(&sql)
            .bind(day)
            .bind(service)
            .bind(now)
            .bind(self.hall())
            .fetch_one(&self.read)
            .await?;
        list.as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|e| sqlx::Error::Decode(format!("ticket id {s:?}: {e}").into()).into())
            })
            .collect()
    }

    /// The tickets with these ids (any order).
    ///
    /// # Errors
    /// Database errors.
    pub async fn tickets_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Ticket>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let rows = sqlx::query(&format!(
                "SELECT {TICKET_COLS} FROM tickets WHERE hall = $1 AND id IN ({})",
                list.join(",")
            ))
            .bind(self.hall())
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                out.push(ticket_from_row(r)?);
            }
        }
        Ok(out)
    }

    /// Numbers issued so far on `day`, per service.
    ///
    /// # Errors
    /// Database errors.
    pub async fn issued_counts(&self, day: &str) -> StoreResult<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT service, last FROM counters WHERE hall = $2 AND day = $1")
                .bind(day)
                .bind(self.hall())
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Records how printing a ticket went (`printed` or `failed`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_print_status(&self, id: i64, status: &str) -> StoreResult<()> {
        sqlx::query("UPDATE tickets SET print_status = $2 WHERE id = $1 AND hall = $3")
            .bind(id)
            .bind(status)
            .bind(self.hall())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Today's tickets still in the hall whose paper copy failed to print.
    ///
    /// # Errors
    /// Database errors.
    pub async fn print_failed(&self, day: &str) -> StoreResult<Vec<Ticket>> {
        let rows = sqlx::query(&format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE hall = $2 AND day = $1 \
             AND print_status = 'failed' AND status IN ('waiting', 'called', 'serving') ORDER BY id"
        ))
        .bind(day)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(ticket_from_row)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    /// Keyed hash of the ID number of a ticket's holder (appointment tickets), if known.
    ///
    /// # Errors
    /// Database errors.
    pub async fn ticket_person(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT person FROM tickets WHERE id = $1 AND hall = $2")
                .bind(id)
                .bind(self.hall())
                .fetch_optional(&self.read)
                .await?
                .flatten(),
        )
    }
}
