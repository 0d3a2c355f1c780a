//! Issuing tickets and reading them back.

use super::writer::{Batch, Tx, Work};
use super::{ticket_from_row, Refusal, Store, StoreResult, TICKET_COLS};
use crate::model::{Kind, Status, Ticket};
use futures::future::BoxFuture;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

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

/// A ticket to create, owned so it can cross a channel.
pub struct NewTicket {
    pub(crate) service: String,
    pub(crate) prefix: String,
    pub(crate) width: usize,
    pub(crate) cap: i64,
    pub(crate) kind: Kind,
    pub(crate) slot_start: Option<i64>,
    pub(crate) day: String,
    pub(crate) token: String,
    pub(crate) now: i64,
    /// Keyed hash of the holder's ID number (appointment tickets).
    pub(crate) person: Option<String>,
    /// Version of the key that made it.
    pub(crate) person_key_version: Option<i32>,
}

/// A ticket to issue in one hall (the writer's batches mix halls).
pub(crate) struct HallTicket {
    pub(crate) hall: std::sync::Arc<str>,
    pub(crate) ticket: NewTicket,
}

impl Work for HallTicket {
    type Output = Issued;

    /// The ticket's counter row (and its queue's waiting count).
    fn lock_key(&self) -> String {
        format!(
            "{}\u{0}{}\u{0}{}",
            self.hall, self.ticket.service, self.ticket.day
        )
    }

    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
        batch: &'a mut Batch,
    ) -> BoxFuture<'a, Result<StoreResult<Issued>, sqlx::Error>> {
        Box::pin(async move {
            let r = issue_one(tx, &self.hall, &self.ticket, &mut batch.ahead).await?;
            if r.is_ok() {
                batch.queue_changed(&self.hall, &self.ticket.service, self.ticket.now);
            }
            Ok(r)
        })
    }
}

/// Issues one ticket of `hall` inside the batch's transaction. `ahead` memoises, per
/// (hall, service, class, time), how many waiting tickets precede a new arrival of that class then, so a
/// batch counts each queue once.
pub(crate) async fn issue_one(
    tx: &mut Transaction<'static, Any>,
    hall: &str,
    job: &NewTicket,
    ahead: &mut HashMap<(String, String, i64, i64), i64>,
) -> Result<StoreResult<Issued>, sqlx::Error> {
    // Atomic allocation: the upsert increments only while under the cap and returns
    // the new value; no row back means the cap is reached.
    let seq: Option<i64> = sqlx::query_scalar(
        "INSERT INTO counters (hall, service, day, last) VALUES ($4, $1, $2, 1) \
         ON CONFLICT (hall, service, day) DO UPDATE SET last = counters.last + 1 \
         WHERE counters.last < $3 RETURNING last",
    )
    .bind(&job.service)
    .bind(&job.day)
    .bind(job.cap)
    .bind(hall)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(seq) = seq.filter(|s| *s <= job.cap) else {
        return Ok(Err(Refusal::DailyCapReached(job.cap).into()));
    };
    let prio = job.kind.prio();
    let class = i64::from(crate::policy::class(job.kind, job.slot_start, job.now));
    let key = (hall.to_string(), job.service.clone(), class, job.now);
    let people_ahead = match ahead.get(&key) {
        Some(n) => *n,
        None => count_before_new(tx, hall, &job.service, &job.day, class, job.now).await?,
    };
    let number = format!("{}{:0w$}", job.prefix, seq, w = job.width);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (token, number, origin_service, service, day, seq, kind, prio, \
         status, slot_start, arrived_at, issued_at, person, person_key_version, hall) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, 'waiting', $8, $9, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&job.token)
    .bind(&number)
    .bind(&job.service)
    .bind(&job.day)
    .bind(seq)
    .bind(job.kind.as_str())
    .bind(prio)
    .bind(job.slot_start)
    .bind(job.now)
    .bind(&job.person)
    .bind(job.person_key_version)
    .bind(hall)
    .fetch_one(&mut **tx)
    .await?;
    ahead.insert(key, people_ahead);
    // This ticket is ahead of every later arrival of its class or a worse one at the same
    // time; counts for other times are read again (a slot may have begun in between).
    ahead.retain(|(h, s, _, at), _| h != hall || *s != job.service || *at == job.now);
    for ((h, s, c, _), n) in ahead.iter_mut() {
        if h == hall && *s == job.service && *c >= class {
            *n += 1;
        }
    }
    let ticket = Ticket {
        id,
        token: job.token.clone(),
        number,
        service: job.service.clone(),
        day: job.day.clone(),
        kind: job.kind,
        status: Status::Waiting,
        window: None,
        target_window: None,
        slot_start: job.slot_start,
        arrived_at: job.now,
        issued_at: job.now,
        called_at: None,
        calls: 0,
    };
    Ok(Ok(Issued {
        ticket,
        people_ahead,
    }))
}

/// Waiting tickets of a service that a new arrival of `class` at `now` queues behind:
/// every ticket of its class or a better one ([`crate::policy::class`]; the arrival is the
/// latest). The counts per stored class come from `waiting_counts`; only begun
/// appointments are counted in `tickets` (by index).
async fn count_before_new(
    tx: &mut Transaction<'static, Any>,
    hall: &str,
    service: &str,
    day: &str,
    class: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    // waiting_counts is kept by triggers (migration 0006): a few rows, not the queue.
    let by_prio = |lo: i64, hi: i64| {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM waiting_counts \
             WHERE hall = $5 AND day = $1 AND service = $2 AND targeted = 0 \
             AND prio >= $3 AND prio <= $4",
        )
        .bind(day)
        .bind(service)
        .bind(lo)
        .bind(hi)
        .bind(hall)
    };
    if class >= 2 {
        return by_prio(0, 2).fetch_one(&mut **tx).await;
    }
    let begun: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE hall = $4 AND day = $1 AND status = 'waiting' \
         AND service = $2 AND target_window IS NULL AND prio = 0 AND slot_start <= $3",
    )
    .bind(day)
    .bind(service)
    .bind(now)
    .bind(hall)
    .fetch_one(&mut **tx)
    .await?;
    let green = if class >= 1 {
        by_prio(1, 1).fetch_one(&mut **tx).await?
    } else {
        0
    };
    Ok(begun + green)
}

impl Store {
    /// Issues the next number of `req.service` for `req.day`, atomically.
    ///
    /// # Errors
    /// [`Refusal::DailyCapReached`] when the cap is reached; database errors.
    pub async fn issue_ticket(&self, req: &IssueRequest<'_>) -> StoreResult<Issued> {
        self.writer
            .write(HallTicket {
                hall: self.hall.clone(),
                ticket: NewTicket {
                    service: req.service.to_string(),
                    prefix: req.prefix.to_string(),
                    width: req.width,
                    cap: req.cap,
                    kind: req.kind,
                    slot_start: req.slot_start,
                    day: req.day.to_string(),
                    token: req.token.to_string(),
                    now: req.now,
                    person: None,
                    person_key_version: None,
                },
            })
            .await
    }

    /// The ticket with this token.
    ///
    /// # Errors
    /// Database errors.
    pub async fn ticket_by_token(&self, token: &str) -> StoreResult<Option<Ticket>> {
        let row = sqlx::query(&format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE token = $1 AND hall = $2"
        ))
        .bind(token)
        .bind(self.hall())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| ticket_from_row(&r)).transpose()?)
    }

    /// How many waiting tickets will be called before `t` at `now` (same service queue,
    /// the call order's [`crate::policy::queue_key`]).
    ///
    /// # Errors
    /// Database errors.
    pub async fn people_ahead(&self, t: &Ticket, now: i64) -> StoreResult<i64> {
        let mut conn = self.read.acquire().await?;
        Ok(count_ahead(&mut conn, self.hall(), t, now).await?)
    }

    /// Durations (s, call to finish) of the service's latest finished tickets of `day`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn recent_durations(&self, service: &str, day: &str) -> StoreResult<Vec<i64>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT called_at, finished_at FROM tickets WHERE hall = $3 AND day = $1 \
             AND service = $2 AND status = 'done' AND called_at IS NOT NULL \
             AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 20",
        )
        .bind(day)
        .bind(service)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(called_at, finished_at)| (finished_at - called_at) / 1000)
            .collect())
    }
}

/// Waiting tickets of the same service and day ahead of `t` at `now`: a better class in
/// the call order, or the same class and earlier arrival (then lower id). Tickets
/// transferred to one window are not counted.
async fn count_ahead(
    conn: &mut sqlx::AnyConnection,
    hall: &str,
    t: &Ticket,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let class = super::queue::class_sql("$6");
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM tickets WHERE hall = $7 AND day = $1 AND status = 'waiting' \
         AND service = $2 AND target_window IS NULL AND id <> $5 \
         AND ({class} < $3 OR ({class} = $3 AND (arrived_at < $4 OR (arrived_at = $4 AND id < $5))))"
    ))
    .bind(&t.day)
    .bind(&t.service)
    .bind(i64::from(crate::policy::class(t.kind, t.slot_start, now)))
    .bind(t.arrived_at)
    .bind(t.id)
    .bind(now)
    .bind(hall)
    .fetch_one(conn)
    .await?;
    Ok(n)
}
