//! The consult desk's reads (appointments by contact hash, a day's bookings) and the
//! hall's closures of slots and days.
//!
//! A closure is one transaction: it marks every slot it covers `closed` in `slots` (the
//! row booking's conditional upsert counts on, so a booking racing the closure either
//! commits first and is then cancelled by it, or waits for the row and is refused
//! `slot_closed`), cancels every booked appointment in it with the reason (freeing the
//! person's daily count), records the closure with the number cancelled and writes the
//! audit row.

use super::appointments::{from_row, Appointment, COLS};
use super::bans::audit;
use super::notices::{self, About, NoticeType};
use super::{Actor, Store, StoreResult};
use sqlx::Row;

/// A closure as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    /// Row id.
    pub id: i64,
    /// Local day closed.
    pub day: String,
    /// The service closed; `None`: every service.
    pub service: Option<String>,
    /// The slot closed (ms); `None`: the whole day.
    pub slot_start: Option<i64>,
    /// Why (shown to the people whose bookings it cancelled).
    pub reason: String,
    /// Bookings it cancelled.
    pub cancelled: i64,
    /// When (ms).
    pub created_at: i64,
    /// Who.
    pub created_by: String,
}

/// A closure to make: what it covers and the slots that are no longer offered.
#[derive(Debug, Clone)]
pub struct NewClosure<'a> {
    /// Local day.
    pub day: &'a str,
    /// One service, or `None` for all.
    pub service: Option<&'a str>,
    /// One slot's start (ms), or `None` for the whole day.
    pub slot_start: Option<i64>,
    /// Every slot it closes: (service, start, end, capacity), from the calendar.
    pub slots: &'a [(String, i64, i64, i64)],
    /// Why.
    pub reason: &'a str,
    /// Who and from where (audited).
    pub by: Actor<'a>,
    /// Now (ms).
    pub now: i64,
}

fn closure_from_row(r: &sqlx::any::AnyRow) -> Result<Closure, sqlx::Error> {
    Ok(Closure {
        id: r.try_get("id")?,
        day: r.try_get("day")?,
        service: r.try_get("service")?,
        slot_start: r.try_get("slot_start")?,
        reason: r.try_get("reason")?,
        cancelled: r.try_get("cancelled")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
    })
}

const CLOSURE_COLS: &str =
    "id, day, service, slot_start, reason, cancelled, created_at, created_by";

fn all(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<Appointment>> {
    rows.iter()
        .map(from_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

impl Store {
    /// Appointments whose contact hash (name + phone's last 4, see
    /// `identity::Identity::hash_contact_all`) is one of `contacts`, newest slot first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn appointments_by_contact(
        &self,
        contacts: [&str; 2],
    ) -> StoreResult<Vec<Appointment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM appointments WHERE hall = $3 AND contact IN ($1, $2) \
             ORDER BY slot_start DESC, id DESC LIMIT 100"
        ))
        .bind(contacts[0])
        .bind(contacts[1])
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        all(&rows)
    }

    /// A day's appointments (all statuses), of one service or all, by slot.
    ///
    /// # Errors
    /// Database errors.
    pub async fn appointments_of_day(
        &self,
        day: &str,
        service: Option<&str>,
    ) -> StoreResult<Vec<Appointment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM appointments WHERE hall = $3 AND day = $1 \
             AND ($2 = '' OR service = $2) ORDER BY service, slot_start, id LIMIT 5000"
        ))
        .bind(day)
        .bind(service.unwrap_or(""))
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        all(&rows)
    }

    /// Starts (ms) of the closed slots of a service in `[from, to)`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn closed_slots(&self, service: &str, from: i64, to: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT slot_start FROM slots WHERE hall = $4 AND service = $1 AND slot_start >= $2 \
             AND slot_start < $3 AND closed <> 0",
        )
        .bind(service)
        .bind(from)
        .bind(to)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?)
    }

    /// Closes slots (see the module doc) and answers the closure and the appointments it
    /// cancelled, in one transaction.
    ///
    /// # Errors
    /// Database errors (nothing changed).
    pub async fn close_slots(
        &self,
        c: &NewClosure<'_>,
    ) -> StoreResult<(Closure, Vec<Appointment>)> {
        // PostgreSQL may pick this transaction as a deadlock's victim (a group of bookings
        // holding rows it needs while waiting for a slot it holds): it rolled back whole,
        // so it runs again.
        for _ in 0..2 {
            match self.close_once(c).await {
                Err(sqlx::Error::Database(d))
                    if matches!(d.code().as_deref(), Some("40P01" | "40001")) => {}
                done => return done.map_err(Into::into),
            }
        }
        self.close_once(c).await.map_err(Into::into)
    }

    async fn close_once(
        &self,
        c: &NewClosure<'_>,
    ) -> Result<(Closure, Vec<Appointment>), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        // First the slot rows: from here on no booking can take them.
        for (service, start, end, capacity) in c.slots {
            sqlx::query(
                "INSERT INTO slots (hall, service, slot_start, slot_end, capacity, booked, closed) \
                 VALUES ($5, $1, $2, $3, $4, 0, 1) \
                 ON CONFLICT (hall, service, slot_start) DO UPDATE SET closed = 1",
            )
            .bind(service)
            .bind(start)
            .bind(end)
            .bind(capacity)
            .bind(self.hall())
            .execute(&mut *tx)
            .await?;
        }
        // Then the bookings, read after every racing booking of those rows committed.
        let rows = sqlx::query(&format!(
            "UPDATE appointments SET status = 'cancelled', cancel_reason = $1, changed_at = $2 \
             WHERE hall = $6 AND day = $3 AND status = 'booked' AND ($4 = '' OR service = $4) \
             AND ($5 < 0 OR slot_start = $5) RETURNING {COLS}"
        ))
        .bind(c.reason)
        .bind(c.now)
        .bind(c.day)
        .bind(c.service.unwrap_or(""))
        .bind(c.slot_start.unwrap_or(-1))
        .bind(self.hall())
        .fetch_all(&mut *tx)
        .await?;
        let cancelled = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        for a in &cancelled {
            self.release_seat(&mut tx, a).await?;
            let about = About {
                reason: Some(c.reason.to_string()),
                ..About::default()
            };
            notices::enqueue_about(&mut tx, NoticeType::CancelledByHall, a.id, about, c.now)
                .await?;
        }
        let n = i64::try_from(cancelled.len()).unwrap_or(i64::MAX);
        let row = sqlx::query(&format!(
            "INSERT INTO closures (day, service, slot_start, reason, cancelled, created_at, \
             created_by, hall) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {CLOSURE_COLS}"
        ))
        .bind(c.day)
        .bind(c.service)
        .bind(c.slot_start)
        .bind(c.reason)
        .bind(n)
        .bind(c.now)
        .bind(c.by.name)
        .bind(self.hall())
        .fetch_one(&mut *tx)
        .await?;
        let closure = closure_from_row(&row)?;
        let subject = format!(
            "{} {} {}",
            c.day,
            c.service.unwrap_or("*"),
            c.slot_start.map_or("*".to_string(), |s| s.to_string())
        );
        let detail = serde_json::json!({"closure": closure.id, "reason": c.reason, "cancelled": n})
            .to_string();
        audit(
            &mut tx,
            self.hall(),
            c.now,
            c.by.name,
            "close",
            &subject,
            &detail,
            c.by.origin,
        )
        .await?;
        tx.commit().await?;
        if !cancelled.is_empty() {
            self.notices_written();
        }
        Ok((closure, cancelled))
    }

    /// Closures, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn closures(&self) -> StoreResult<Vec<Closure>> {
        let rows = sqlx::query(&format!(
            "SELECT {CLOSURE_COLS} FROM closures WHERE hall = $1 ORDER BY id DESC LIMIT 500"
        ))
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(closure_from_row)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    /// One audit row on its own, for an action that changes nothing (a desk search for a
    /// person's bookings).
    ///
    /// # Errors
    /// Database errors.
    pub async fn record(
        &self,
        by: Actor<'_>,
        action: &str,
        subject: &str,
        detail: &str,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let (name, origin) = (by.name, by.origin);
        audit(
            &mut tx,
            self.hall(),
            now,
            name,
            action,
            subject,
            detail,
            origin,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
