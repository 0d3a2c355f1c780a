//! A booking in the writer's group commit: the ban check, the slot's capacity and the
//! person's counters (booking acts per calendar day, active appointments per appointment
//! day) are conditional upserts in one savepoint, and the `booking_confirmed` notice is
//! written with it. The person's counters are kept under the daily limit's scope key: one
//! row shared by every hall for a city-wide limit.

use super::appointments::{active_ban, from_row, Appointment, COLS};
use super::writer::Tx;
use super::{notices, Refusal, StoreResult};

/// A booking that can cross a channel to the writer task.
pub(crate) struct BookJob {
    /// The hall it books in.
    pub(super) hall: std::sync::Arc<str>,
    /// The key of the person's counters (booking acts, active per day): '' when the
    /// daily limit counts over the city, the hall's id when per hall.
    pub(super) limit_key: String,
    pub(super) service: String,
    pub(super) slot: (i64, i64),
    pub(super) day: String,
    pub(super) capacity: i64,
    pub(super) daily_limit: i64,
    pub(super) active_per_day: i64,
    pub(super) today: String,
    pub(super) who: crate::model::Citizen,
    pub(super) now: i64,
}

impl super::writer::Work for BookJob {
    type Output = Appointment;

    /// The slot's row first (the person's counters follow; a rare cycle through them is
    /// retried by the writer).
    fn lock_key(&self) -> String {
        format!("{}\u{0}{}\u{0}{:020}", self.hall, self.service, self.slot.0)
    }

    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
        batch: &'a mut super::writer::Batch,
    ) -> futures::future::BoxFuture<'a, Result<StoreResult<Appointment>, sqlx::Error>> {
        Box::pin(async move {
            let r = book_in_savepoint(tx, self).await?;
            if let Ok(a) = &r {
                batch.appointment = batch.appointment.max(a.id);
            }
            Ok(r)
        })
    }
}

/// Books inside a savepoint of the writer's transaction: a refusal rolls back only this
/// booking's counter changes; a (rare) booking-code collision retries with a new code.
pub(crate) async fn book_in_savepoint(
    tx: &mut Tx,
    b: &BookJob,
) -> Result<StoreResult<Appointment>, sqlx::Error> {
    for _ in 0..3 {
        let mut sp = sqlx::Acquire::begin(&mut **tx).await?;
        match book_steps(&mut sp, b).await {
            Ok(Ok(a)) => {
                sp.commit().await?;
                return Ok(Ok(a));
            }
            Ok(Err(refusal)) => {
                sp.rollback().await?;
                return Ok(Err(refusal.into()));
            }
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => sp.rollback().await?,
            Err(e) => return Err(e),
        }
    }
    Ok(Err(Refusal::Contention.into()))
}

async fn book_steps(
    tx: &mut sqlx::AnyConnection,
    req: &BookJob,
) -> Result<Result<Appointment, Refusal>, sqlx::Error> {
    let hall = &*req.hall;
    if let Some((until_day, reason)) =
        active_ban(tx, hall, req.who.lookup_hashes(), req.now).await?
    {
        return Ok(Err(Refusal::Banned { until_day, reason }));
    }
    let got: Option<i64> = sqlx::query_scalar(
        "INSERT INTO slots (hall, service, slot_start, slot_end, capacity, booked) \
         VALUES ($5, $1, $2, $3, $4, 1) \
         ON CONFLICT (hall, service, slot_start) DO UPDATE SET booked = slots.booked + 1, capacity = $4 \
         WHERE slots.booked < $4 AND slots.closed = 0 RETURNING booked",
    )
    .bind(&req.service)
    .bind(req.slot.0)
    .bind(req.slot.1)
    .bind(req.capacity)
    .bind(hall)
    .fetch_optional(&mut *tx)
    .await?;
    if got.is_none() {
        // Closed by the hall ([`super::desk`]), or full.
        let closed: Option<i64> = sqlx::query_scalar(
            "SELECT closed FROM slots WHERE hall = $3 AND service = $1 AND slot_start = $2",
        )
        .bind(&req.service)
        .bind(req.slot.0)
        .bind(hall)
        .fetch_optional(&mut *tx)
        .await?;
        return Ok(Err(if closed.unwrap_or(0) != 0 {
            Refusal::SlotClosed
        } else {
            Refusal::SlotFull
        }));
    }
    // Booking acts of the person today: a cancel never gives one back. The row lock this
    // upsert takes also orders one person's concurrent bookings on PostgreSQL, in every
    // hall when the limit counts over the city (one shared row, scope key '').
    let acts: Option<i64> = sqlx::query_scalar(
        "INSERT INTO booking_acts (person, day, acts, key_version, scope_key) \
         SELECT $1, $2, 1, $4, $5 WHERE $3 > 0 \
         ON CONFLICT (person, day, scope_key) DO UPDATE SET acts = booking_acts.acts + 1 \
         WHERE booking_acts.acts < $3 RETURNING acts",
    )
    .bind(&req.who.id_hash)
    .bind(&req.today)
    .bind(req.daily_limit)
    .bind(req.who.key_version)
    .bind(&req.limit_key)
    .fetch_optional(&mut *tx)
    .await?;
    if acts.is_none() {
        return Ok(Err(Refusal::DailyLimit(req.daily_limit)));
    }
    let active: Option<i64> = sqlx::query_scalar(
        "INSERT INTO person_days (person, day, active, key_version, scope_key) \
         SELECT $1, $2, 1, $4, $5 WHERE $3 > 0 \
         ON CONFLICT (person, day, scope_key) DO UPDATE SET active = person_days.active + 1 \
         WHERE person_days.active < $3 RETURNING active",
    )
    .bind(&req.who.id_hash)
    .bind(&req.day)
    .bind(req.active_per_day)
    .bind(req.who.key_version)
    .bind(&req.limit_key)
    .fetch_optional(&mut *tx)
    .await?;
    if active.is_none() {
        return Ok(Err(Refusal::ActivePerDay(req.active_per_day)));
    }
    let code = format!("{:08}", rand::random::<u32>() % 100_000_000);
    let row = sqlx::query(&format!(
        "INSERT INTO appointments (code, service, slot_start, slot_end, day, person, id_masked, \
         name_masked, phone_masked, channel, method, status, created_at, changed_at, key_version, \
         provider, subject, contact, hall) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'booked', $12, $12, $13, $14, $15, $16, $17) \
         RETURNING {COLS}"
    ))
    .bind(&code)
    .bind(&req.service)
    .bind(req.slot.0)
    .bind(req.slot.1)
    .bind(&req.day)
    .bind(&req.who.id_hash)
    .bind(&req.who.id_masked)
    .bind(&req.who.name_masked)
    .bind(&req.who.phone_masked)
    .bind(&req.who.channel)
    .bind(&req.who.method)
    .bind(req.now)
    .bind(req.who.key_version)
    .bind(&req.who.provider)
    .bind(req.who.subject.as_deref())
    .bind(&req.who.contact_hash)
    .bind(hall)
    .fetch_one(&mut *tx)
    .await?;
    let a = from_row(&row)?;
    notices::enqueue(&mut *tx, &confirmed(&a, &req.who), req.now).await?;
    Ok(Ok(a))
}

/// The `booking_confirmed` notice of a new appointment.
fn confirmed(a: &Appointment, who: &crate::model::Citizen) -> notices::Notice {
    notices::Notice {
        kind: notices::NoticeType::BookingConfirmed,
        appointment: Some(a.id),
        code: Some(a.code.clone()),
        service: Some(a.service.clone()),
        slot: Some((a.slot_start, a.slot_end)),
        citizen: notices::Recipient {
            provider: Some(who.provider.clone()).filter(|p| !p.is_empty()),
            subject: who.subject.clone(),
            name_masked: a.name_masked.clone(),
            phone_masked: a.phone_masked.clone(),
            id_masked: a.id_masked.clone(),
        },
        lead_minutes: None,
        until_day: None,
        reason: None,
    }
}
