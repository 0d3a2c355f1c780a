//! Staff sessions and sign-in attempts. A clerk's session opens and closes its window
//! ([`super::staffing`]).

use super::{bans::audit, staffing, Store, StoreResult};

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A live staff session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    /// Row id (admins end sessions by it).
    pub id: i64,
    /// The account.
    pub username: String,
    /// `clerk` or `admin`, as at sign-in.
    pub role: String,
    /// The window a clerk signed in at.
    #[sqlx(rename = "window_id")]
    pub window: Option<String>,
    /// SHA-256 of the account's password hash at sign-in.
    pub credential: String,
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
    /// SHA-256 of the account's password hash.
    pub credential: &'a str,
    /// Where the request came from.
    pub origin: &'a str,
    /// Lifetime in ms.
    pub ttl_ms: i64,
    /// Made by a city-wide staff user (`StaffUser::city_wide`): valid in every hall, not
    /// only in the hall it was made in.
    pub city_wide: bool,
}

/// The live clerk session at a window someone else asked to sign in at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InUse {
    /// Its id.
    pub id: i64,
    /// Its account.
    pub username: String,
    /// When it signed in, ms.
    pub since: i64,
}

/// What a sign-in at a window did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowSignIn {
    /// Signed in: the new session's id, and the sessions it took over (ended).
    Opened {
        /// The new session.
        id: i64,
        /// Sessions ended by the takeover.
        ended: Vec<i64>,
    },
    /// Refused (nothing changed): a clerk session is live there.
    InUse(InUse),
}

const COLUMNS: &str = "id, username, role, window_id, origin, created_at, expires_at, credential";

fn session(r: &sqlx::any::AnyRow) -> Result<Session, sqlx::Error> {
    sqlx::FromRow::from_row(r)
}

impl Store {
    /// Admits one sign-in attempt for `username` unless `max` attempts since the last
    /// success already fall within the last `window_ms` (the account is locked). An
    /// admitted attempt stays recorded until a success clears it or it is older than
    /// `window_ms` (then any account's attempt purges it); a refused one leaves
    /// nothing, so retrying during a lockout does not prolong it. Concurrent attempts are
    /// settled in the database: each writes its row (committed) before counting, and one
    /// that then sees more than `max` withdraws it, so of any burst at most `max` pass.
    ///
    /// # Errors
    /// Database errors.
    pub async fn sign_in_attempt(
        &self,
        username: &str,
        window_ms: i64,
        max: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let since = now - window_ms;
        // Attempts older than the window no longer count: drop them, every account's (a
        // flood of made-up usernames leaves no row for longer than the window).
        sqlx::query("DELETE FROM staff_sign_in_attempts WHERE at <= $1")
            .bind(since)
            .execute(&self.write)
            .await?;
        if self.recent_attempts(username, since).await? >= max {
            return Ok(false);
        }
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        sqlx::query("INSERT INTO staff_sign_in_attempts (username, at, nonce) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(now)
            .bind(&nonce)
            .execute(&self.write)
            .await?;
        if self.recent_attempts(username, since).await? <= max {
            return Ok(true);
        }
        sqlx::query("DELETE FROM staff_sign_in_attempts WHERE nonce = $1")
            .bind(&nonce)
            .execute(&self.write)
            .await?;
        Ok(false)
    }

    async fn recent_attempts(&self, username: &str, since: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff_sign_in_attempts WHERE username = $1 AND at > $2",
        )
        .bind(username)
        .bind(since)
        .fetch_one(&self.write)
        .await?)
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
        let mut tx = self.begin_write().await?;
        audit(
            &mut tx,
            self.hall(),
            now,
            "-", // anyone can type a username: it is the subject, not the actor
            "sign_in_failed",
            username,
            why,
            origin,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a session: clears the account's attempts, opens the clerk's window if it is
    /// closed (with its outbox event; a paused window stays paused) and audits the
    /// sign-in, in one transaction. Returns the session's id.
    ///
    /// # Errors
    /// Database errors.
    pub async fn open_session(&self, s: NewSession<'_>, now: i64) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        // The window first (its row locked): a sign-out there waits for this one.
        let opened = match s.window {
            Some(w) => staffing::open_on_sign_in(&mut tx, self.hall(), w, now).await?,
            None => false,
        };
        let id = insert(&mut tx, self.hall(), s, now).await?;
        tx.commit().await?;
        if opened {
            self.outbox_signal.notify_one();
        }
        Ok(id)
    }

    /// Opens a clerk's session at `s.window`, one session per window: with a live clerk
    /// session there the answer is [`WindowSignIn::InUse`] and nothing changes, unless
    /// `takeover`, which ends those sessions (each audited `session_taken_over`) and
    /// signs in, in the same transaction, under the window's row lock (two sign-ins at
    /// one window apply one after the other). Otherwise as [`Store::open_session`].
    ///
    /// # Errors
    /// Database errors.
    pub async fn sign_in_at_window(
        &self,
        s: NewSession<'_>,
        takeover: bool,
        now: i64,
    ) -> StoreResult<WindowSignIn> {
        let Some(w) = s.window else {
            return Ok(WindowSignIn::Opened {
                id: self.open_session(s, now).await?,
                ended: Vec::new(),
            });
        };
        let mut tx = self.begin_write().await?;
        let opened = staffing::open_on_sign_in(&mut tx, self.hall(), w, now).await?;
        let live: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, username, created_at FROM staff_sessions \
             WHERE hall = $3 AND window_id = $1 AND ended_at IS NULL AND expires_at > $2 \
             ORDER BY id DESC",
        )
        .bind(w)
        .bind(now)
        .bind(self.hall())
        .fetch_all(&mut *tx)
        .await?;
        if let (Some((id, username, since)), false) = (live.first(), takeover) {
            // Dropped: rolled back, nothing changed.
            return Ok(WindowSignIn::InUse(InUse {
                id: *id,
                username: username.clone(),
                since: *since,
            }));
        }
        for (id, username, _) in &live {
            sqlx::query("UPDATE staff_sessions SET ended_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let detail = format!(
                "session of {username} at window {w} taken over by {}",
                s.username
            );
            audit(
                &mut tx,
                self.hall(),
                now,
                s.username,
                "session_taken_over",
                &id.to_string(),
                &detail,
                s.origin,
            )
            .await?;
        }
        let id = insert(&mut tx, self.hall(), s, now).await?;
        tx.commit().await?;
        if opened {
            self.outbox_signal.notify_one();
        }
        Ok(WindowSignIn::Opened {
            id,
            ended: live.into_iter().map(|(id, _, _)| id).collect(),
        })
    }
}

/// Clears the account's attempts, records the session (made in `hall`) and audits the
/// sign-in in `tx`.
async fn insert(tx: &mut Tx, hall: &str, s: NewSession<'_>, now: i64) -> StoreResult<i64> {
    sqlx::query("DELETE FROM staff_sign_in_attempts WHERE username = $1")
        .bind(s.username)
        .execute(&mut **tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff_sessions (token_sha256, username, role, window_id, origin, created_at, \
         expires_at, credential, hall, city_wide) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(s.token_sha256)
    .bind(s.username)
    .bind(s.role)
    .bind(s.window)
    .bind(s.origin)
    .bind(now)
    .bind(now + s.ttl_ms)
    .bind(s.credential)
    .bind(hall)
    .bind(i64::from(s.city_wide))
    .fetch_one(&mut **tx)
    .await?;
    let detail = match s.window {
        Some(w) => format!("{} at window {w}", s.role),
        None => s.role.to_string(),
    };
    audit(
        tx,
        hall,
        now,
        s.username,
        "sign_in",
        &id.to_string(),
        &detail,
        s.origin,
    )
    .await?;
    Ok(id)
}

impl Store {
    /// The live session of a token hash, if any (not ended, not expired at `now`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn session(&self, token_sha256: &str, now: i64) -> StoreResult<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM staff_sessions WHERE token_sha256 = $1 AND ended_at IS NULL \
             AND expires_at > $2 AND (hall = $3 OR city_wide = 1)"
        ))
        .bind(token_sha256)
        .bind(now)
        .bind(self.hall())
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(session).transpose()?)
    }

    /// Whether session `id` was ended by a takeover at its window (its audit row says so).
    ///
    /// # Errors
    /// Database errors.
    pub async fn session_taken_over(&self, id: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit WHERE action = 'session_taken_over' AND subject = $1",
        )
        .bind(id.to_string())
        .fetch_one(&self.read)
        .await?;
        Ok(n > 0)
    }

    /// Live sessions, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn sessions(&self, now: i64) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM staff_sessions WHERE ended_at IS NULL AND expires_at > $1 \
             AND (hall = $2 OR city_wide = 1) ORDER BY id DESC"
        ))
        .bind(now)
        .bind(self.hall())
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(session).collect::<Result<_, _>>()?)
    }

    /// Ends a live session and audits it (`sign_out` by its holder, `end_session` by an
    /// admin), and closes its window unless another session is live there (with its
    /// outbox event; a ticket held there stays held), in one transaction; false when it
    /// was not live.
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
        let mut tx = self.begin_write().await?;
        let whose: Option<(String, Option<String>, String)> = sqlx::query_as(
            "UPDATE staff_sessions SET ended_at = $2 \
             WHERE id = $1 AND ended_at IS NULL AND expires_at > $2 \
             AND (hall = $3 OR city_wide = 1) RETURNING username, window_id, hall",
        )
        .bind(id)
        .bind(now)
        .bind(self.hall())
        .fetch_optional(&mut *tx)
        .await?;
        let ended = whose.is_some();
        let mut closed = false;
        if let Some((user, window, made_in)) = whose {
            // The window is one of the hall the session was made in.
            if let Some(w) = &window {
                closed = staffing::close_unless_staffed(&mut tx, &made_in, w, now).await?;
            }
            let detail = match window {
                Some(w) => format!("session of {user} at window {w}"),
                None => format!("session of {user}"),
            };
            audit(
                &mut tx,
                self.hall(),
                now,
                actor,
                action,
                &id.to_string(),
                &detail,
                origin,
            )
            .await?;
        }
        tx.commit().await?;
        if closed {
            self.outbox_signal.notify_one();
        }
        Ok(ended)
    }
}
