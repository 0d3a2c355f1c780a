//! Personal data over time: single-use identity assertions already used (one atomic
//! insert per use), and the retention purge — appointments, tickets' person hashes,
//! ended bans, recorded no-shows and the per-person counters older than the retention
//! period.

use super::{Store, StoreResult};

/// What one retention purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Appointments whose slot started before the cut-off.
    pub appointments: u64,
    /// Tickets issued before the cut-off whose person hash was cleared.
    pub ticket_persons: u64,
    /// Bans that ended (expired or lifted) before the cut-off.
    pub bans: u64,
    /// Per-person counters (`people`), recorded no-shows (`no_shows`) and daily counts
    /// (`person_days`, `booking_acts`) dropped.
    pub counters: u64,
    /// Expired records of used assertions.
    pub assertion_uses: u64,
}

impl Purged {
    /// Whether nothing was removed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Store {
    /// Records the use of assertion `key` (`{provider}:{jti}`) for `purpose`, kept until
    /// `expires_ms`. Returns `false` when it was used for that purpose before. One insert
    /// that does nothing on conflict: two concurrent uses cannot both pass.
    ///
    /// # Errors
    /// Database errors.
    pub async fn use_assertion(
        &self,
        purpose: &str,
        key: &str,
        expires_ms: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO assertion_uses (purpose, jti, expires_at, used_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (purpose, jti) DO NOTHING",
        )
        .bind(purpose)
        .bind(key)
        .bind(expires_ms)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes personal data older than `cutoff` (ms) in one transaction: appointments
    /// whose slot started before it, the person hash of tickets issued before it, bans
    /// that ended before it, no-shows recorded before it, daily counts (active
    /// appointments, booking acts) of days before `cutoff_day`; and records of used
    /// assertions expired at `now`. The false-information streak (`people`) is brought
    /// within the retention period: it never exceeds the marks still on record, and a
    /// person without one is forgotten.
    ///
    /// # Errors
    /// Database errors.
    pub async fn purge_personal_data(
        &self,
        cutoff: i64,
        cutoff_day: &str,
        now: i64,
    ) -> StoreResult<Purged> {
        let mut tx = self.begin_write().await?;
        let persons: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT person FROM appointments WHERE slot_start < $1")
                .bind(cutoff)
                .fetch_all(&mut *tx)
                .await?;
        let appointments = sqlx::query("DELETE FROM appointments WHERE slot_start < $1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for person in &persons {
            let marks: i64 = sqlx::query_scalar(
                "SELECT COALESCE(SUM(CASE WHEN false_info = 1 THEN 1 ELSE 0 END), 0) \
                 FROM appointments WHERE person = $1",
            )
            .bind(person)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE people SET \
                   false_streak = CASE WHEN false_streak > $2 THEN $2 ELSE false_streak END \
                 WHERE person = $1",
            )
            .bind(person)
            .bind(marks)
            .execute(&mut *tx)
            .await?;
        }
        let mut counters = sqlx::query("DELETE FROM people WHERE false_streak = 0")
            .execute(&mut *tx)
            .await?
            .rows_affected();
        counters += sqlx::query("DELETE FROM no_shows WHERE at < $1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for table in ["person_days", "booking_acts"] {
            counters += sqlx::query(&format!("DELETE FROM {table} WHERE day < $1"))
                .bind(cutoff_day)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        let ticket_persons = sqlx::query(
            "UPDATE tickets SET person = NULL, person_key_version = NULL \
             WHERE person IS NOT NULL AND issued_at < $1",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let bans = sqlx::query(
            "DELETE FROM bans WHERE (lifted_at IS NOT NULL AND lifted_at < $1) \
             OR (lifted_at IS NULL AND until_ms < $1)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let assertion_uses = sqlx::query("DELETE FROM assertion_uses WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(Purged {
            appointments,
            ticket_persons,
            bans,
            counters,
            assertion_uses,
        })
    }
}
