//! The notification outbox (`notices`): citizens' notifications — booking confirmed,
//! reminders, cancelled by the hall, no-show, banned — written **in the transaction of the
//! change they describe** with [`enqueue`] or [`enqueue_about`], then delivered by
//! `crate::notify` to every configured notifier, with retries, until each has it.
//!
//! - A row holds the event's facts ([`Notice`], JSON, masked data only — never a clear ID
//!   number); the notifier renders the body from them and the config.
//! - Reminders come from [`Store::schedule_reminders`], which any number of controllers
//!   may run at once: the unique index on `(appointment_id, type, lead_minutes)` lets one
//!   insert win, so a reminder is written (and sent) once.
//! - Delivery state: `done` (the notifiers that have it), `attempts`, `next_at`,
//!   `delivered_at`. One deliverer per database holds the lease [`NOTIFY_LEASE`].
//!
//! Other modules that change an appointment (closing a slot, a manual ban) call
//! [`enqueue_about`] (or [`enqueue`] with a hand-built [`Notice`]) inside their own
//! transaction, then [`Store::notices_written`] after the commit.

use super::{Store, StoreResult};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

/// Name of the deliverer's lease.
pub const NOTIFY_LEASE: &str = "notify-deliverer";

/// What happened, as named in every event's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeType {
    /// A booking was made.
    BookingConfirmed,
    /// A reminder before the slot (`lead_minutes` before it).
    Reminder,
    /// The hall cancelled the booking (closed slot or day), with a reason.
    CancelledByHall,
    /// The slot passed without a check-in.
    NoShow,
    /// Online booking suspended until a day, with a reason.
    Banned,
}

impl NoticeType {
    /// The snake_case name (`booking_confirmed` …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BookingConfirmed => "booking_confirmed",
            Self::Reminder => "reminder",
            Self::CancelledByHall => "cancelled_by_hall",
            Self::NoShow => "no_show",
            Self::Banned => "banned",
        }
    }
}

/// Whom a notice is for: the identity provider and the citizen's account there, and the
/// masked personal data (never a clear ID number).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Identity provider id (`[[identity.providers]] id`), when known.
    pub provider: Option<String>,
    /// The citizen's account at that provider (the assertion's `sub`), when known.
    pub subject: Option<String>,
    /// `张*三`.
    pub name_masked: String,
    /// `138****0000`.
    pub phone_masked: String,
    /// `4601**********123X`.
    pub id_masked: String,
}

/// The facts of one notification, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: NoticeType,
    /// The appointment's row id, when it is about one (dedupes reminders).
    pub appointment: Option<i64>,
    /// The booking code (for `banned`: the booking that caused it, if any).
    pub code: Option<String>,
    /// Service id.
    pub service: Option<String>,
    /// Slot start and end (ms).
    pub slot: Option<(i64, i64)>,
    /// Whom to notify.
    pub citizen: Recipient,
    /// Reminders: minutes before the slot.
    pub lead_minutes: Option<u32>,
    /// Bans: the day online booking works again (`YYYY-MM-DD`, hall's calendar).
    pub until_day: Option<String>,
    /// Bans and cancellations by the hall: why, in plain words.
    pub reason: Option<String>,
}

/// What [`enqueue_about`] adds to the appointment's own facts.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// Reminders: minutes before the slot.
    pub lead_minutes: Option<u32>,
    /// Bans: until which day.
    pub until_day: Option<String>,
    /// Bans, cancellations by the hall: why.
    pub reason: Option<String>,
}

/// Adds `notice` to the outbox inside the caller's transaction; returns its event id, or
/// `None` when that reminder (appointment, lead time) was already written.
///
/// # Errors
/// Database errors (the caller's transaction then rolls back with its change).
pub async fn enqueue(
    tx: &mut AnyConnection,
    notice: &Notice,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let facts = serde_json::to_string(notice)
        .map_err(|e| sqlx::Error::Protocol(format!("notice facts: {e}")))?;
    sqlx::query_scalar(
        "INSERT INTO notices (type, appointment_id, lead_minutes, facts, created_at, next_at, hall) \
         VALUES ($1, $2, $3, $4, $5, $5, \
           COALESCE((SELECT hall FROM appointments WHERE id = $2), '')) \
         ON CONFLICT (appointment_id, type, lead_minutes) DO NOTHING RETURNING id",
    )
    .bind(notice.kind.as_str())
    .bind(notice.appointment)
    .bind(notice.lead_minutes.map(i64::from))
    .bind(facts)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
}

/// The columns [`notice_of`] reads, prefixed for `appointments a`.
const ABOUT_COLS: &str = "a.id, a.code, a.service, a.slot_start, a.slot_end, a.provider, \
     a.subject, a.name_masked, a.phone_masked, a.id_masked";

/// The notice `kind` about the appointment in `r` (read with [`ABOUT_COLS`]), plus `about`.
fn notice_of(r: &sqlx::any::AnyRow, kind: NoticeType, about: About) -> Result<Notice, sqlx::Error> {
    Ok(Notice {
        kind,
        appointment: Some(r.try_get("id")?),
        code: Some(r.try_get("code")?),
        service: Some(r.try_get("service")?),
        slot: Some((r.try_get("slot_start")?, r.try_get("slot_end")?)),
        citizen: Recipient {
            provider: r.try_get("provider")?,
            subject: r.try_get("subject")?,
            name_masked: r.try_get("name_masked")?,
            phone_masked: r.try_get("phone_masked")?,
            id_masked: r.try_get("id_masked")?,
        },
        lead_minutes: about.lead_minutes,
        until_day: about.until_day,
        reason: about.reason,
    })
}

/// Adds a notice about appointment `id` (its code, service, slot, provider, account and
/// masked data, read in `tx`) plus `about`; `None` when there is no such appointment or
/// the reminder exists.
///
/// # Errors
/// Database errors.
pub async fn enqueue_about(
    tx: &mut AnyConnection,
    kind: NoticeType,
    id: i64,
    about: About,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ABOUT_COLS} FROM appointments a WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(r) = row else { return Ok(None) };
    enqueue(tx, &notice_of(&r, kind, about)?, now).await
}

/// A reminder, written only while its appointment is still booked (it was read outside
/// this transaction) and once per (appointment, lead time). True when written.
async fn remind(tx: &mut AnyConnection, notice: &Notice, now: i64) -> Result<bool, sqlx::Error> {
    let facts = serde_json::to_string(notice)
        .map_err(|e| sqlx::Error::Protocol(format!("notice facts: {e}")))?;
    let done = sqlx::query(
        "INSERT INTO notices (type, appointment_id, lead_minutes, facts, created_at, next_at, hall) \
         SELECT 'reminder', $1, $2, $3, $4, $4, hall FROM appointments \
         WHERE id = $1 AND status = 'booked' \
         ON CONFLICT (appointment_id, type, lead_minutes) DO NOTHING",
    )
    .bind(notice.appointment)
    .bind(notice.lead_minutes.map(i64::from))
    .bind(facts)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One undelivered notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    /// Event id (per database).
    pub id: i64,
    /// The facts.
    pub notice: Notice,
    /// When it was written (ms).
    pub created_at: i64,
    /// Failed attempts so far.
    pub attempts: i64,
    /// Notifiers that have it.
    pub done: Vec<String>,
}

/// The outcome of one delivery pass over a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Every notifier has it.
    Delivered,
    /// A notifier failed: try again at `at` (ms).
    Retry {
        /// When the next attempt is due (ms).
        at: i64,
        /// What failed (no personal data).
        error: String,
    },
    /// Some notifiers got it, others were skipped (down this pass); still due.
    Progress,
}

/// Reminders scanned per statement.
const REMINDER_BATCH: i64 = 500;

impl Store {
    /// Wakes the deliverer (after a commit that wrote notices).
    pub fn notices_written(&self) {
        self.notice_signal.notify_one();
    }

    /// Fired after commits that wrote notices.
    pub fn notice_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.notice_signal.for_hall(&self.hall)
    }

    /// Writes the reminders due at `now` for `leads` (minutes, any order): for lead `L`,
    /// booked appointments whose slot starts in `(now + L', now + L]` — `L'` the next
    /// shorter lead, or 0 — and that were booked at least `L` before their slot (a
    /// booking made an hour before its slot gets no "day before" reminder). Idempotent:
    /// a second sweep, or another controller, writes nothing again. Returns how many
    /// were written.
    ///
    /// # Errors
    /// Database errors.
    pub async fn schedule_reminders(&self, leads: &[u32], now: i64) -> StoreResult<usize> {
        let mut leads: Vec<i64> = leads.iter().map(|m| i64::from(*m)).collect();
        leads.sort_unstable_by(|a, b| b.cmp(a));
        leads.dedup();
        let mut written = 0;
        for (i, lead) in leads.iter().enumerate() {
            let next = leads.get(i + 1).copied().unwrap_or(0);
            let (lead_ms, next_ms) = (lead * 60_000, next * 60_000);
            loop {
                let rows = sqlx::query(&format!(
                    "SELECT {ABOUT_COLS} FROM appointments a WHERE a.hall = $6 AND a.status = 'booked' \
                     AND a.slot_start > $1 + $2 AND a.slot_start <= $1 + $3 \
                     AND a.created_at + $3 <= a.slot_start \
                     AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.appointment_id = a.id \
                       AND n.type = 'reminder' AND n.lead_minutes = $4) \
                     ORDER BY a.slot_start, a.id LIMIT $5"
                ))
                .bind(now)
                .bind(next_ms)
                .bind(lead_ms)
                .bind(*lead)
                .bind(REMINDER_BATCH)
                .bind(self.hall())
                .fetch_all(&self.read)
                .await?;
                let about = || About {
                    lead_minutes: u32::try_from(*lead).ok(),
                    ..About::default()
                };
                let notices = rows
                    .iter()
                    .map(|r| notice_of(r, NoticeType::Reminder, about()))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut tx = self.begin_write().await?;
                let mut n = 0;
                for notice in &notices {
                    if remind(&mut tx, notice, now).await? {
                        n += 1;
                    }
                }
                tx.commit().await?;
                written += n;
                if n > 0 {
                    self.notices_written();
                }
                // Another controller may have written some of this batch: stop when a
                // batch brought nothing new, or was the last.
                if n == 0 || (rows.len() as i64) < REMINDER_BATCH {
                    break;
                }
            }
        }
        Ok(written)
    }

    /// Undelivered notices due at `now`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// Database errors (a row whose facts do not parse is reported as one).
    pub async fn due_notices(&self, now: i64, limit: i64) -> StoreResult<Vec<NoticeRow>> {
        let rows = sqlx::query(
            "SELECT id, facts, created_at, attempts, done FROM notices \
             WHERE hall = $3 AND delivered_at IS NULL AND next_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let facts: String = r.try_get("facts")?;
                let done: String = r.try_get("done")?;
                Ok(NoticeRow {
                    id: r.try_get("id")?,
                    notice: serde_json::from_str(&facts)
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                    created_at: r.try_get("created_at")?,
                    attempts: r.try_get("attempts")?,
                    done: done
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Records one pass's attempts, in one transaction (a pass writes once, not once per
    /// notice, so delivery does not compete with bookings for the single writer): for each
    /// notice id, the notifiers that now have it and the outcome.
    ///
    /// # Errors
    /// Database errors.
    pub async fn notices_attempted(
        &self,
        outcomes: &[(i64, Vec<String>, Attempt)],
    ) -> StoreResult<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let now = chrono::Utc::now().timestamp_millis();
        let mut tx = self.begin_write().await?;
        for (id, done, attempt) in outcomes {
            let done = done.join(",");
            let q = match attempt {
                Attempt::Delivered => sqlx::query(
                    "UPDATE notices SET done = $2, delivered_at = $3, last_error = NULL \
                     WHERE id = $1 AND delivered_at IS NULL",
                )
                .bind(*id)
                .bind(done)
                .bind(now),
                Attempt::Retry { at, error } => sqlx::query(
                    "UPDATE notices SET done = $2, attempts = attempts + 1, next_at = $3, \
                     last_error = $4 WHERE id = $1 AND delivered_at IS NULL",
                )
                .bind(*id)
                .bind(done)
                .bind(*at)
                .bind(error.chars().take(500).collect::<String>()),
                Attempt::Progress => sqlx::query(
                    "UPDATE notices SET done = $2 WHERE id = $1 AND delivered_at IS NULL",
                )
                .bind(*id)
                .bind(done),
            };
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Notices not yet delivered to every notifier.
    ///
    /// # Errors
    /// Database errors.
    pub async fn pending_notices(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notices WHERE hall = $1 AND delivered_at IS NULL",
        )
        .bind(self.hall())
        .fetch_one(&self.read)
        .await?)
    }

    /// Deletes delivered notices written before `delivered_before`, and every notice
    /// (delivered or not) written before `any_before` (the retention cut-off). Returns
    /// how many went.
    ///
    /// # Errors
    /// Database errors.
    pub async fn prune_notices(&self, delivered_before: i64, any_before: i64) -> StoreResult<u64> {
        Ok(sqlx::query(
            "DELETE FROM notices WHERE hall = $3 AND ((delivered_at IS NOT NULL AND created_at < $1) \
             OR created_at < $2)",
        )
        .bind(delivered_before)
        .bind(any_before)
        .bind(self.hall())
        .execute(&self.write)
        .await?
        .rows_affected())
    }
}
