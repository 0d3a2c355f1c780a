//! Staff sessions and sign-in attempts.

use super::{bans::audit, Store, StoreResult};
use sqlx::Row;

/// A live staff session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Row id (admins end sessions by it).
    pub id: i64,
    /// The account.
    pub username: String,
    /// `clerk` or `admin`, as at sign-in.
    pub role: String,
    /// The window a clerk signed in at.
    pub window: Option<String>,
    /// Where the sign-in came from.
    pub origin: String,
    /// Sign-in time, ms.
    pub created_at: i64,
    /// End of the session, ms.
    pub expires_at: i64,
}

/// A new session to record.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// SHA-256 of the token handed out.
    pub token_sha256: &'a str,
    /// The account.
    pub username: &'a str,
    /// `clerk` or `admin`.
    pub role: &'a str,
    /// The clerk's window.
    pub window: Option<&'a str>,
    /// Where the request came from.
    pub origin: &'a str,
    /// Lifetime in ms.
    pub ttl_ms: i64,
}

const COLUMNS: &str = "id, username, role, window_id, origin, created_at, expires_at";

fn session(r: &sqlx::any::AnyRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        role: r.try_get(2)?,
        window: r.try_get(3)?,
        origin: r.try_get(4)?,
        created_at: r.try_get(5)?,
        expires_at: r.try_get(6)?,
    })
}

impl Store {
    /// Records one sign-in attempt for `username` (committed at once) and returns how many
    /// attempts since the last success fall within the last `window_ms`, this one included.
    ///
    /// # Errors
    /// Database errors.
    pub async fn sign_in_attempt(
        &self,
        username: &str,
        window_ms: i64,
        now: i64,
    ) -> StoreResult<i64> {
        sqlx::query("INSERT INTO staff_sign_in_attempts (username, at) VALUES ($1, $2)")
            .bind(username)
            .bind(now)
            .execute(&self.write)
            .await?;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM staff_sign_in_attempts WHERE username = $1 AND at > $2",
        )
        .bind(username)
        .bind(now - window_ms)
        .fetch_one(&self.write)
        .await?
        .try_get(0)?;
        Ok(n)
    }

    /// Forgets the account's attempts (the password was right, but the sign-in failed for
    /// another reason, e.g. a window the clerk may not use).
    ///
    /// # Errors
    /// Database errors.
    pub async fn clear_sign_in_attempts(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM staff_sign_in_attempts WHERE username = $1")
            .bind(username)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Records a failed sign-in in the audit log (the attempt row stays and counts).
    ///
    /// # Errors
    /// Database errors.
    pub async fn sign_in_failed(
        &self,
        username: &str,
        why: &str,
        origin: &str,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        audit(
            &mut tx,
            now,
            username,
            "sign_in_failed",
            username,
            why,
            origin,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a session: clears the account's attempts and audits the sign-in, in one
    /// transaction. Returns the session's id.
    ///
    /// # Errors
    /// Database errors.
    pub async fn open_session(&self, s: NewSession<'_>, now: i64) -> StoreResult<i64> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM staff_sign_in_attempts WHERE username = $1")
            .bind(s.username)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query(
            "INSERT INTO staff_sessions (token_sha256, username, role, window_id, origin, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(s.token_sha256)
        .bind(s.username)
        .bind(s.role)
        .bind(s.window)
        .bind(s.origin)
        .bind(now)
        .bind(now + s.ttl_ms)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let detail = match s.window {
            Some(w) => format!("{} at window {w}", s.role),
            None => s.role.to_string(),
        };
        audit(
            &mut tx,
            now,
            s.username,
            "sign_in",
            &id.to_string(),
            &detail,
            s.origin,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live session of a token hash, if any (not ended, not expired at `now`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn session(&self, token_sha256: &str, now: i64) -> StoreResult<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM staff_sessions WHERE token_sha256 = $1 AND ended_at IS NULL AND expires_at > $2"
        ))
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(session).transpose()?)
    }

    /// Live sessions, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn sessions(&self, now: i64) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM staff_sessions WHERE ended_at IS NULL AND expires_at > $1 ORDER BY id DESC"
        ))
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(session).collect::<Result<_, _>>()?)
    }

    /// Ends a live session and audits it (`sign_out` by its holder, `end_session` by an
    /// admin); false when it was not live.
    ///
    /// # Errors
    /// Database errors.
    pub async fn end_session(
        &self,
        id: i64,
        actor: &str,
        action: &str,
        origin: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE staff_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let ended = done.rows_affected() == 1;
        if ended {
            audit(&mut tx, now, actor, action, &id.to_string(), "", origin).await?;
        }
        tx.commit().await?;
        Ok(ended)
    }
}
