//! Appointments in SQL: capacity and the per-person limits (booking acts per calendar day,
//! active appointments per appointment day) are counters changed by conditional upserts
//! in the booking transaction (never check-then-insert), cancel and
//! check-in are conditional updates of the appointment's status (exactly one wins), and
//! the no-show sweep and false-information marks turn into bans in the same transaction.
//! A booking writes its `booking_confirmed` notice ([`super::notices`]) in its savepoint.

use super::acked::Marker;
use super::booking::BookJob;
use super::tickets::{issue_one, NewTicket};
use super::{outbox, Refusal, Store, StoreResult};

use super::writer::Tx;

/// An appointment row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Appointment {
    /// Row id.
    pub id: i64,
    /// Booking code (8 digits).
    pub code: String,
    /// Service id.
    pub service: String,
    /// Slot start (ms).
    pub slot_start: i64,
    /// Slot end (ms).
    pub slot_end: i64,
    /// Local day of the slot.
    pub day: String,
    /// Keyed hash of the ID number.
    pub person: String,
    /// Version of the key that made it.
    pub key_version: i32,
    /// Masked ID number.
    pub id_masked: String,
    /// Masked name.
    pub name_masked: String,
    /// Masked phone.
    pub phone_masked: String,
    /// Channel the booking came through.
    pub channel: String,
    /// Verification method.
    pub method: String,
    /// Booked, checked in, cancelled, no-show or done.
    pub status: crate::model::AppointmentStatus,
    /// The ticket issued at check-in.
    pub ticket_id: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// Why the hall cancelled it (a closure); `None` when its holder cancelled.
    pub cancel_reason: Option<String>,
}

impl Appointment {
    /// What the check-in decision reads of it.
    pub fn facts(&self) -> crate::checkin::Facts<'_> {
        crate::checkin::Facts {
            status: self.status,
            day: &self.day,
            slot_start: self.slot_start,
            holder: &self.person,
        }
    }
}

pub(super) const COLS: &str = "id, code, service, slot_start, slot_end, day, person, key_version, \
     id_masked, name_masked, phone_masked, channel, method, status, ticket_id, created_at, \
     cancel_reason";

pub(super) fn from_row(r: &sqlx::any::AnyRow) -> Result<Appointment, sqlx::Error> {
    sqlx::FromRow::from_row(r)
}

/// A booking request, already checked against the config and the calendar.
#[derive(Debug, Clone)]
pub struct BookRequest<'a> {
    /// Service id.
    pub service: &'a str,
    /// Slot start and end (ms).
    pub slot: (i64, i64),
    /// Local day of the slot.
    pub day: &'a str,
    /// Slot capacity.
    pub capacity: i64,
    /// Bookings a person may make per calendar day of the booking moment, cancelled
    /// ones included.
    pub daily_limit: i64,
    /// Active appointments a person may hold on one appointment day.
    pub active_per_day: i64,
    /// Local day of the booking moment (`YYYY-MM-DD`, the hall's time zone).
    pub today: &'a str,
    /// Who (hash + masked forms + channel + method).
    pub who: &'a crate::model::Citizen,
    /// Now (ms).
    pub now: i64,
}

/// Booked-so-far counts of a service's slots in `[from, to)`.
pub type SlotCounts = Vec<(i64, i64)>;

impl Store {
    /// Books atomically: refuses a banned person, a full slot, a person who booked
    /// `daily_limit` times today (cancelled bookings count) or holds `active_per_day`
    /// appointments on the slot's day, changing nothing. Runs in the writer task's group commit.
    ///
    /// # Errors
    /// [`Refusal::Banned`], [`Refusal::SlotFull`], [`Refusal::DailyLimit`],
    /// [`Refusal::ActivePerDay`]; database errors.
    pub async fn book(&self, req: &BookRequest<'_>) -> StoreResult<Appointment> {
        let booked = self
            .writer
            .write(BookJob {
                hall: self.hall.clone(),
                limit_key: self.scope_key(self.scopes.daily_limit).to_string(),
                service: req.service.to_string(),
                slot: req.slot,
                day: req.day.to_string(),
                capacity: req.capacity,
                daily_limit: req.daily_limit,
                active_per_day: req.active_per_day,
                today: req.today.to_string(),
                who: req.who.clone(),
                now: req.now,
            })
            .await;
        if booked.is_ok() {
            self.notices_written();
        }
        booked
    }

    /// Cancels the person's booked appointment before its slot starts, freeing the slot
    /// and the day's active count in the same transaction (the booking act stays counted). `persons`: the person's hashes under
    /// the current and the previous key ([`crate::model::Citizen::lookup_hashes`]).
    ///
    /// # Errors
    /// [`Refusal::AppointmentNotFound`] (unknown, or someone else's), [`Refusal::TooLate`],
    /// [`Refusal::NotBooked`]; database errors.
    pub async fn cancel(
        &self,
        code: &str,
        persons: [&str; 2],
        now: i64,
    ) -> StoreResult<Appointment> {
        let mut tx = self.begin_write().await?;
        let a = by_code(&mut tx, self.hall(), code)
            .await?
            .filter(|a| persons.contains(&a.person.as_str()))
            .ok_or(Refusal::AppointmentNotFound)?;
        if now >= a.slot_start {
            return Err(Refusal::TooLate.into());
        }
        let done = sqlx::query("UPDATE appointments SET status = 'cancelled', changed_at = $2 WHERE id = $1 AND status = 'booked'")
            .bind(a.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Refusal::NotBooked(a.status.to_string()).into());
        }
        self.release_seat(&mut tx, &a).await?;
        let a = by_code(&mut tx, self.hall(), code)
            .await?
            .ok_or(Refusal::AppointmentNotFound)?;
        tx.commit().await?;
        Ok(a)
    }

    /// The appointment with this code.
    ///
    /// # Errors
    /// Database errors.
    pub async fn appointment(&self, code: &str) -> StoreResult<Option<Appointment>> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM appointments WHERE code = $1 AND hall = $2"
        ))
        .bind(code)
        .bind(self.hall())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| from_row(&r)).transpose()?)
    }

    /// A person's appointments (by the hashes under the current and previous key),
    /// newest slot first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn appointments_of(&self, persons: [&str; 2]) -> StoreResult<Vec<Appointment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM appointments WHERE hall = $3 AND person IN ($1, $2) \
             ORDER BY slot_start DESC, id DESC LIMIT 100"
        ))
        .bind(persons[0])
        .bind(persons[1])
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(from_row)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    /// Booked counts of a service's slots starting in `[from, to)`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn slot_counts(&self, service: &str, from: i64, to: i64) -> StoreResult<SlotCounts> {
        Ok(sqlx::query_as(
            "SELECT slot_start, booked FROM slots \
             WHERE hall = $4 AND service = $1 AND slot_start >= $2 AND slot_start < $3",
        )
        .bind(service)
        .bind(from)
        .bind(to)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?)
    }

    /// Checks in a booked appointment and issues its appointment-class ticket, in one
    /// transaction: a racing cancel or a second check-in loses.
    ///
    /// # Errors
    /// [`Refusal::NotBooked`] when it is no longer booked; database errors.
    pub async fn check_in(
        &self,
        a: &Appointment,
        ticket: NewTicket,
        on_behalf: Option<&super::Actor<'_>>,
    ) -> StoreResult<super::Issued> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE appointments SET status = 'checked_in', changed_at = $2 \
             WHERE id = $1 AND hall = $3 AND status = 'booked'",
        )
        .bind(a.id)
        .bind(ticket.now)
        .bind(self.hall())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            let now_status = by_code(&mut tx, self.hall(), &a.code)
                .await?
                .map_or_else(|| "unknown".into(), |x| x.status.to_string());
            return Err(Refusal::NotBooked(now_status).into());
        }
        let mut ahead = std::collections::HashMap::new();
        let issued = match issue_one(&mut tx, self.hall(), &ticket, &mut ahead).await? {
            Ok(i) => i,
            Err(e) => return Err(e),
        };
        sqlx::query("UPDATE appointments SET ticket_id = $2 WHERE id = $1")
            .bind(a.id)
            .bind(issued.ticket.id)
            .execute(&mut *tx)
            .await?;
        let event = outbox::enqueue(
            &mut tx,
            self.hall(),
            outbox::QUEUE,
            &ticket.service,
            "",
            ticket.now,
        )
        .await?;
        if let Some(by) = on_behalf {
            let detail = serde_json::json!({"ticket": issued.ticket.number}).to_string();
            let (name, origin) = (by.name, by.origin);
            super::bans::audit(
                &mut tx,
                self.hall(),
                ticket.now,
                name,
                "desk_checkin",
                &a.code,
                &detail,
                origin,
            )
            .await?;
        }
        tx.commit().await?;
        self.acked.note(Marker::Outbox, event);
        self.outbox_signal.notify_one();
        Ok(issued)
    }

    /// Today's booked appointments of a person (by the hashes under the current and
    /// previous key; for check-in by ID card).
    ///
    /// # Errors
    /// Database errors.
    pub async fn booked_of_day(
        &self,
        persons: [&str; 2],
        day: &str,
    ) -> StoreResult<Vec<Appointment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM appointments WHERE hall = $4 AND person IN ($1, $3) AND day = $2 \
             AND status = 'booked' ORDER BY slot_start"
        ))
        .bind(persons[0])
        .bind(day)
        .bind(persons[1])
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(from_row)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }
}

pub(super) async fn by_code(
    tx: &mut Tx,
    hall: &str,
    code: &str,
) -> Result<Option<Appointment>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLS} FROM appointments WHERE code = $1 AND hall = $2"
    ))
    .bind(code)
    .bind(hall)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// The end day and reason of a ban in force at `now` in `hall` on a person (by the
/// hashes under the current and previous key), if any: a ban of this hall or a
/// city-wide one (hall `''`).
pub(crate) async fn active_ban(
    tx: &mut sqlx::AnyConnection,
    hall: &str,
    persons: [&str; 2],
    now: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT until_day, reason FROM bans WHERE person IN ($1, $3) AND lifted_at IS NULL \
         AND until_ms > $2 AND (hall = '' OR hall = $4) ORDER BY until_ms DESC LIMIT 1",
    )
    .bind(persons[0])
    .bind(now)
    .bind(persons[1])
    .bind(hall)
    .fetch_optional(&mut *tx)
    .await
}

impl Store {
    /// Gives a cancelled appointment's seat back to its slot and takes it off the person's
    /// active appointments of that day (in this hall, under the daily limit's scope).
    pub(super) async fn release_seat(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        a: &Appointment,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE slots SET booked = booked - 1 \
             WHERE hall = $3 AND service = $1 AND slot_start = $2 AND booked > 0",
        )
        .bind(&a.service)
        .bind(a.slot_start)
        .bind(self.hall())
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE person_days SET active = active - 1 \
             WHERE person = $1 AND day = $2 AND scope_key = $3 AND active > 0",
        )
        .bind(&a.person)
        .bind(&a.day)
        .bind(self.scope_key(self.scopes.daily_limit))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
