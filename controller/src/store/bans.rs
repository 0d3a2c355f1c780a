//! No-shows, false information and bans. Every rule applies inside one transaction with
//! the change that triggers it, so two replicas sweeping at once count each no-show once;
//! the citizen's `no_show` and `banned` notices are written in that transaction too.

use super::notices::{self, About, NoticeType};
use super::{Store, StoreResult};
use sqlx::{Any, Row, Transaction};

type Tx = Transaction<'static, Any>;

/// How a ban is worked out: counts and lengths from the config, dates from the hall's
/// calendar (the caller computes `until` for "now + N months").
#[derive(Debug, Clone)]
pub struct BanRule {
    /// Strikes that lead to a ban.
    pub limit: i64,
    /// Ban end: local day (`YYYY-MM-DD`) and its first instant (ms).
    pub until: (String, i64),
    /// Reason shown to the person.
    pub reason: String,
}

/// A ban as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Ban {
    /// Row id.
    pub id: i64,
    /// Masked ID number.
    pub id_masked: String,
    /// Why.
    pub reason: String,
    /// From (ms).
    pub starts_at: i64,
    /// Until (local day).
    pub until_day: String,
    /// Lifted at (ms), if lifted.
    pub lifted_at: Option<i64>,
    /// Who lifted it.
    pub lifted_by: Option<String>,
}

/// A ban given by hand: who (keyed hash under the current key, its version, the mask),
/// why, and until when.
#[derive(Debug, Clone)]
pub struct ManualBan<'a> {
    /// Keyed hash of the ID number (current key).
    pub person: &'a str,
    /// Version of that key.
    pub key_version: i32,
    /// Masked ID number.
    pub id_masked: &'a str,
    /// Why (shown to the person when they try to book).
    pub reason: &'a str,
    /// Ban end: local day (`YYYY-MM-DD`; booking works again that day) and its first
    /// instant (ms).
    pub until: (&'a str, i64),
}

/// A person as stored on an appointment: the hash, the version of its key, the mask.
struct Person {
    hash: String,
    key_version: i32,
    masked: String,
}

impl Person {
    fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            hash: r.try_get(0)?,
            masked: r.try_get(1)?,
            key_version: r.try_get(2)?,
        })
    }
}

/// Inserts a ban that applies in `hall` (`''`: in every hall); returns its id.
async fn ban(
    tx: &mut Tx,
    hall: &str,
    who: &Person,
    rule: &BanRule,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (person, id_masked) = (&who.hash, &who.masked);
    sqlx::query_scalar(
        "INSERT INTO bans (person, id_masked, reason, starts_at, until_ms, until_day, key_version, hall) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(person)
    .bind(id_masked)
    .bind(&rule.reason)
    .bind(now)
    .bind(rule.until.1)
    .bind(&rule.until.0)
    .bind(who.key_version)
    .bind(hall)
    .fetch_one(&mut **tx)
    .await
}

/// The `banned` notice of a ban that appointment `id` caused (its code, the ban's end
/// day and reason).
async fn banned_notice(tx: &mut Tx, id: i64, rule: &BanRule, now: i64) -> Result<(), sqlx::Error> {
    let about = About {
        until_day: Some(rule.until.0.clone()),
        reason: Some(rule.reason.clone()),
        ..About::default()
    };
    notices::enqueue_about(tx, NoticeType::Banned, id, about, now).await?;
    Ok(())
}

impl Store {
    /// Marks booked appointments whose check-in window has closed at `now` (it closes
    /// `closes_after_start_ms` after the slot's start, that moment included) as no-shows,
    /// records each with its slot's start, and bans whoever has `rule.limit` no-shows
    /// since `since` (the rolling period) not yet spent on an earlier ban; the ban spends
    /// them. Returns the number of no-shows marked.
    ///
    /// # Errors
    /// Database errors.
    pub async fn sweep_no_shows(
        &self,
        closes_after_start_ms: i64,
        since: i64,
        rule: &BanRule,
        now: i64,
    ) -> StoreResult<usize> {
        // Where no-shows count and their ban applies: '' over the city, else this hall.
        let key = self.scope_key(self.scopes.no_shows).to_string();
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "UPDATE appointments SET status = 'no_show', changed_at = $1 \
             WHERE hall = $3 AND status = 'booked' AND slot_start + $2 <= $1 \
             RETURNING person, id_masked, key_version, slot_start, id",
        )
        .bind(now)
        .bind(closes_after_start_ms)
        .bind(self.hall())
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let who = Person::from_row(r)?;
            let at: i64 = r.try_get(3)?;
            let appointment: i64 = r.try_get(4)?;
            notices::enqueue_about(
                &mut tx,
                NoticeType::NoShow,
                appointment,
                About::default(),
                now,
            )
            .await?;
            // The person's row, locked: two replicas counting one person's no-shows at
            // once take turns, so neither misses the other's.
            sqlx::query(
                "INSERT INTO people (person, key_version, scope_key) VALUES ($1, $2, $3) \
                 ON CONFLICT (person, scope_key) DO UPDATE SET key_version = people.key_version",
            )
            .bind(&who.hash)
            .bind(who.key_version)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO no_shows (person, at, spent, key_version, hall) \
                 VALUES ($1, $2, 0, $3, $4)",
            )
            .bind(&who.hash)
            .bind(at)
            .bind(who.key_version)
            .bind(self.hall())
            .execute(&mut *tx)
            .await?;
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM no_shows WHERE person = $1 AND spent = 0 AND at >= $2 \
                 AND ($3 = '' OR hall = $3)",
            )
            .bind(&who.hash)
            .bind(since)
            .bind(&key)
            .fetch_one(&mut *tx)
            .await?;
            if n >= rule.limit {
                ban(&mut tx, &key, &who, rule, now).await?;
                banned_notice(&mut tx, appointment, rule, now).await?;
                sqlx::query(
                    "UPDATE no_shows SET spent = 1 WHERE person = $1 AND spent = 0 \
                     AND ($2 = '' OR hall = $2)",
                )
                .bind(&who.hash)
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        if !rows.is_empty() {
            self.notices_written();
        }
        Ok(rows.len())
    }

    /// Records "false information" on the appointment behind ticket `ticket_id`, marked by
    /// `by` at `window`; bans after `rule.limit` consecutive marks. The audit row goes in
    /// the same transaction. Returns whether a ban followed.
    ///
    /// # Errors
    /// [`super::Refusal::NotAppointment`] for a walk-in ticket,
    /// [`super::Refusal::AlreadyMarked`] for a ticket marked before; database errors.
    pub async fn mark_false_info(
        &self,
        ticket_id: i64,
        window: &str,
        by: super::Actor<'_>,
        rule: &BanRule,
        now: i64,
    ) -> StoreResult<bool> {
        // Where the marks count and their ban applies: '' over the city, else this hall.
        let key = self.scope_key(self.scopes.false_info).to_string();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE appointments SET false_info = 1, changed_at = $2 \
             WHERE ticket_id = $1 AND hall = $3 AND false_info = 0 \
             RETURNING person, id_masked, key_version, id",
        )
        .bind(ticket_id)
        .bind(now)
        .bind(self.hall())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let marked: Option<i64> = sqlx::query_scalar(
                "SELECT false_info FROM appointments WHERE ticket_id = $1 AND hall = $2",
            )
            .bind(ticket_id)
            .bind(self.hall())
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match marked {
                Some(_) => super::Refusal::AlreadyMarked,
                None => super::Refusal::NotAppointment,
            }
            .into());
        };
        let who = Person::from_row(&row)?;
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO people (person, false_streak, key_version, scope_key) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (person, scope_key) DO UPDATE SET false_streak = people.false_streak + 1 \
             RETURNING false_streak",
        )
        .bind(&who.hash)
        .bind(who.key_version)
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?;
        let banned = n >= rule.limit;
        if banned {
            ban(&mut tx, &key, &who, rule, now).await?;
            banned_notice(&mut tx, row.try_get(3)?, rule, now).await?;
            sqlx::query("UPDATE people SET false_streak = 0 WHERE person = $1 AND scope_key = $2")
                .bind(&who.hash)
                .bind(&key)
                .execute(&mut *tx)
                .await?;
        }
        let number: String = sqlx::query_scalar("SELECT number FROM tickets WHERE id = $1")
            .bind(ticket_id)
            .fetch_one(&mut *tx)
            .await?;
        let detail = serde_json::json!({"ticket": number, "banned": banned}).to_string();
        audit(
            &mut tx,
            self.hall(),
            now,
            by.name,
            "false_info",
            window,
            &detail,
            by.origin,
        )
        .await?;
        tx.commit().await?;
        if banned {
            self.notices_written();
        }
        Ok(banned)
    }

    /// Bans that apply in this hall (its own and the city-wide ones), newest first (`all`
    /// includes lifted and expired ones).
    ///
    /// # Errors
    /// Database errors.
    pub async fn bans(&self, all: bool, now: i64) -> StoreResult<Vec<Ban>> {
        let filter = if all {
            ""
        } else {
            "AND lifted_at IS NULL AND until_ms > $2"
        };
        let sql = format!(
            "SELECT id, id_masked, reason, starts_at, until_day, lifted_at, lifted_by FROM bans \
             WHERE (hall = $1 OR hall = '') {filter} ORDER BY id DESC LIMIT 500"
        );
        let mut q = sqlx::query_as::<_, Ban>(&sql).bind(self.hall());
        if !all {
            q = q.bind(now);
        }
        Ok(q.fetch_all(&self.read).await?)
    }

    /// Bans a person by hand in this hall (a handle bound to hall `""` bans in every
    /// hall), with the audit row; see [`Store::ban_by_hand_in`].
    ///
    /// # Errors
    /// Database errors.
    pub async fn ban_by_hand(
        &self,
        who: &ManualBan<'_>,
        by: super::Actor<'_>,
        now: i64,
    ) -> StoreResult<Ban> {
        self.ban_by_hand_in(who, by, now, false).await
    }

    /// A city-wide admin's ban: stored with hall `''`, it refuses bookings in every hall
    /// (and is listed in every hall). The audit row is this hall's.
    ///
    /// # Errors
    /// Database errors.
    pub async fn ban_by_hand_city(
        &self,
        who: &ManualBan<'_>,
        by: super::Actor<'_>,
        now: i64,
    ) -> StoreResult<Ban> {
        self.ban_by_hand_in(who, by, now, true).await
    }
}

impl Store {
    /// Bans a person by hand (an admin, with a reason) until `until` (local day and its
    /// first instant), in this hall or (`city_wide`) in every hall, writing the audit row
    /// in the same transaction; returns the ban.
    ///
    /// # Errors
    /// Database errors.
    pub async fn ban_by_hand_in(
        &self,
        who: &ManualBan<'_>,
        by: super::Actor<'_>,
        now: i64,
        city_wide: bool,
    ) -> StoreResult<Ban> {
        let mut tx = self.begin_write().await?;
        let person = Person {
            hash: who.person.to_string(),
            key_version: who.key_version,
            masked: who.id_masked.to_string(),
        };
        let rule = BanRule {
            limit: 0,
            until: (who.until.0.to_string(), who.until.1),
            reason: who.reason.to_string(),
        };
        let hall = if city_wide { "" } else { self.hall() };
        let id = ban(&mut tx, hall, &person, &rule, now).await?;
        // The citizen is reached through the provider account of their latest booking;
        // a person who never booked here has none, and is told when refused.
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE person = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(&person.hash)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(appointment) = latest {
            banned_notice(&mut tx, appointment, &rule, now).await?;
        }
        let row = sqlx::query(
            "SELECT id, id_masked, reason, starts_at, until_day, lifted_at, lifted_by FROM bans \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let b = <Ban as sqlx::FromRow<_>>::from_row(&row)?;
        let detail = serde_json::json!({
            "id_masked": b.id_masked, "reason": b.reason, "until": b.until_day,
        })
        .to_string();
        audit(
            &mut tx,
            self.hall(),
            now,
            by.name,
            "ban",
            &b.id.to_string(),
            &detail,
            by.origin,
        )
        .await?;
        tx.commit().await?;
        if latest.is_some() {
            self.notices_written();
        }
        Ok(b)
    }

    /// Lifts a ban and writes the audit row in the same transaction; false when there was
    /// no such ban in force.
    ///
    /// # Errors
    /// Database errors.
    pub async fn lift_ban(
        &self,
        id: i64,
        actor: &str,
        reason: &str,
        origin: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE bans SET lifted_at = $2, lifted_by = $3, lift_reason = $4 \
             WHERE id = $1 AND lifted_at IS NULL AND (hall = $5 OR hall = '')",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(reason)
        .bind(self.hall())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            audit(
                &mut tx,
                self.hall(),
                now,
                actor,
                "lift_ban",
                &id.to_string(),
                reason,
                origin,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

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
