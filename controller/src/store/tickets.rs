//! Issuing tickets and reading them back.

use super::{outbox, ticket_from_row, Refusal, Store, StoreResult, TICKET_COLS};
use crate::model::{Kind, Status, Ticket};
use sqlx::{Any, Row, Transaction};

/// What a kiosk asks for, already validated against the config.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    /// Service id.
    pub service: &'a str,
    /// Ticket prefix letter.
    pub prefix: &'a str,
    /// Digits after the prefix.
    pub width: usize,
    /// Effective daily cap.
    pub cap: i64,
    /// Class.
    pub kind: Kind,
    /// Appointment slot start, for appointment tickets.
    pub slot_start: Option<i64>,
    /// Local day (`YYYY-MM-DD`).
    pub day: &'a str,
    /// Random token.
    pub token: &'a str,
    /// Now (ms).
    pub now: i64,
}

/// A freshly issued ticket and its place in the queue.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The ticket.
    pub ticket: Ticket,
    /// Tickets of the same service that will be called before it.
    pub people_ahead: i64,
}

impl Store {
    /// Issues the next number of `req.service` for `req.day`, atomically.
    ///
    /// # Errors
    /// [`Refusal::DailyCapReached`] when the cap is reached; database errors.
    pub async fn issue_ticket(&self, req: &IssueRequest<'_>) -> StoreResult<Issued> {
        let mut tx = self.write.begin().await?;
        // Atomic allocation: the upsert increments only while under the cap and returns
        // the new value; no row back means the cap is reached.
        let seq: Option<i64> = sqlx::query_scalar(
            "INSERT INTO counters (service, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (service, day) DO UPDATE SET last = counters.last + 1 \
             WHERE counters.last < $3 RETURNING last",
        )
        .bind(req.service)
        .bind(req.day)
        .bind(req.cap)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(seq) = seq.filter(|s| *s <= req.cap) else {
            return Err(Refusal::DailyCapReached(req.cap).into());
        };
        let number = format!("{}{:0w$}", req.prefix, seq, w = req.width);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (token, number, origin_service, service, day, seq, kind, prio, \
             status, slot_start, arrived_at, issued_at) \
             VALUES ($1, $2, $3, $3, $4, $5, $6, $7, 'waiting', $8, $9, $9) RETURNING id",
        )
        .bind(req.token)
        .bind(&number)
        .bind(req.service)
        .bind(req.day)
        .bind(seq)
        .bind(req.kind.as_str())
        .bind(req.kind.prio())
        .bind(req.slot_start)
        .bind(req.now)
        .fetch_one(&mut *tx)
        .await?;
        let ticket = Ticket {
            id,
            token: req.token.to_string(),
            number,
            service: req.service.to_string(),
            day: req.day.to_string(),
            kind: req.kind,
            status: Status::Waiting,
            window: None,
            target_window: None,
            slot_start: req.slot_start,
            arrived_at: req.now,
            issued_at: req.now,
            called_at: None,
            calls: 0,
        };
        let people_ahead = people_ahead(&mut tx, &ticket).await?;
        outbox::enqueue(&mut tx, outbox::QUEUE, req.service, "", req.now).await?;
        tx.commit().await?;
        self.outbox_signal.notify_one();
        Ok(Issued {
            ticket,
            people_ahead,
        })
    }

    /// The ticket with this token.
    ///
    /// # Errors
    /// Database errors.
    pub async fn ticket_by_token(&self, token: &str) -> StoreResult<Option<Ticket>> {
        let row = sqlx::query(&format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| ticket_from_row(&r)).transpose()?)
    }

    /// How many waiting tickets will be called before `t` (same service queue).
    ///
    /// # Errors
    /// Database errors.
    pub async fn people_ahead(&self, t: &Ticket) -> StoreResult<i64> {
        let mut conn = self.read.acquire().await?;
        Ok(count_ahead(&mut conn, t).await?)
    }

    /// Durations (s, call to finish) of the service's latest finished tickets of `day`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn recent_durations(&self, service: &str, day: &str) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT called_at, finished_at FROM tickets WHERE day = $1 AND service = $2 \
             AND status = 'done' AND called_at IS NOT NULL AND finished_at IS NOT NULL \
             ORDER BY finished_at DESC LIMIT 20",
        )
        .bind(day)
        .bind(service)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>(1)? - r.try_get::<i64, _>(0)?) / 1000))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

async fn people_ahead(tx: &mut Transaction<'static, Any>, t: &Ticket) -> Result<i64, sqlx::Error> {
    count_ahead(&mut **tx, t).await
}

/// Waiting tickets of the same service and day ahead of `t`: a better class, or the same
/// class and earlier arrival. (Tickets transferred to one window are not counted.)
async fn count_ahead(conn: &mut sqlx::AnyConnection, t: &Ticket) -> Result<i64, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM tickets WHERE day = $1 AND status = 'waiting' AND service = $2 \
         AND target_window IS NULL AND id <> $5 \
         AND (prio < $3 OR (prio = $3 AND (arrived_at < $4 OR (arrived_at = $4 AND id < $5))))",
    )
    .bind(&t.day)
    .bind(&t.service)
    .bind(t.kind.prio())
    .bind(t.arrived_at)
    .bind(t.id)
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(n)
}
