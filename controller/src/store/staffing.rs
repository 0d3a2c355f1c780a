//! Window state follows people: a window is `closed` until someone works there. Staff
//! sign-in at a window opens it (a paused one stays paused), and so does any action there
//! ([`super::windows`]); sign-out or an admin ending the session closes it unless another
//! live session is signed in at it; the sweep closes windows whose session expired, and at
//! closing time every window nobody has touched since.
//!
//! Every change writes the window's outbox event in its transaction, so screens, LED boards
//! and phones learn it as they learn any other window change. Sign-in and sign-out lock the
//! window's row before looking at its sessions, so a sign-in and a sign-out at one window
//! (or on two replicas) settle one after the other; the sweep's statements are conditional
//! updates, so two controllers sweeping at once close each window once.

use super::{bans::audit, outbox, Store, StoreResult};
use crate::model::WindowStatus;
use sqlx::{Any, Transaction};

type Tx = Transaction<'static, Any>;

/// Why the sweep closed a window (the audit row's detail).
const AT_CLOSING: &str = "下班时间，窗口无人办理 / closing time: the window was not used since";
const EXPIRED: &str = "窗口登录已过期 / the session at the window expired";

/// Locks window `id`'s row for this transaction, marking it used at `now` (as any action
/// there does), and returns its status; `None` for a window the database does not know.
/// The mark matters: the sweep closes only windows not used since closing time or since
/// their session expired, so a sign-in racing the sweep is never closed under the clerk.
pub(super) async fn lock(
    tx: &mut Tx,
    hall: &str,
    id: &str,
    now: i64,
) -> Result<Option<WindowStatus>, sqlx::Error> {
    let s: Option<String> = sqlx::query_scalar(
        "UPDATE windows SET updated_at = $2 WHERE hall = $3 AND id = $1 RETURNING status",
    )
    .bind(id)
    .bind(now)
    .bind(hall)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(s.map(|s| WindowStatus::parse(&s)))
}

/// Sets window `id` to `status` (clearing any pause reason) at `now`, and writes its
/// outbox event.
async fn change(
    tx: &mut Tx,
    hall: &str,
    id: &str,
    status: WindowStatus,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE windows SET status = $2, pause_reason = NULL, updated_at = $3 \
         WHERE hall = $4 AND id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(now)
    .bind(hall)
    .execute(&mut **tx)
    .await?;
    outbox::enqueue(tx, hall, outbox::WINDOW, id, "", now).await?;
    Ok(())
}

/// Opens window `id` if it is closed (a sign-in there); true when it changed. A paused
/// window stays paused: its clerk resumes it.
pub(super) async fn open_on_sign_in(
    tx: &mut Tx,
    hall: &str,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if lock(tx, hall, id, now).await? != Some(WindowStatus::Closed) {
        return Ok(false);
    }
    change(tx, hall, id, WindowStatus::Open, now).await?;
    Ok(true)
}

/// Closes window `id` (its session ended at `now`) unless it is closed already or another
/// session is live at it; true when it changed. A ticket held there stays held.
pub(super) async fn close_unless_staffed(
    tx: &mut Tx,
    hall: &str,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    // Locked first: a sign-in at this window that committed meanwhile is seen below.
    match lock(tx, hall, id, now).await? {
        None | Some(WindowStatus::Closed) => return Ok(false),
        Some(_) => {}
    }
    let staffed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_sessions \
         WHERE hall = $3 AND window_id = $1 AND ended_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .bind(hall)
    .fetch_one(&mut **tx)
    .await?;
    if staffed > 0 {
        return Ok(false);
    }
    change(tx, hall, id, WindowStatus::Closed, now).await?;
    Ok(true)
}

impl Store {
    /// The sweep's closing of windows nobody works at any more, at `now`, in one
    /// transaction (each with its outbox event and an audit row by `system`):
    /// - every open or paused window not used since `idle_since` (the day's closing time
    ///   once it has passed, else the day's start) and holding no called or serving ticket
    ///   (a citizen called at 17:29 still sees the call at that window): closing time, and
    ///   a window used after closing time with a window token closed again the next day;
    /// - every window where a session expired since the window last changed and no other
    ///   session is live.
    ///
    /// Conditional updates: running it again, or on two controllers at once, closes
    /// nothing more. Returns the windows closed.
    ///
    /// # Errors
    /// Database errors.
    pub async fn close_unstaffed_windows(
        &self,
        idle_since: i64,
        now: i64,
    ) -> StoreResult<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let idle: Vec<String> = sqlx::query_scalar(
            "UPDATE windows SET status = 'closed', pause_reason = NULL, updated_at = $2 \
             WHERE hall = $3 AND status <> 'closed' AND updated_at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.hall = windows.hall \
                 AND t.window_id = windows.id AND t.status IN ('called', 'serving')) \
             RETURNING id",
        )
        .bind(idle_since)
        .bind(now)
        .bind(self.hall())
        .fetch_all(&mut *tx)
        .await?;
        let expired: Vec<String> = sqlx::query_scalar(
            "UPDATE windows SET status = 'closed', pause_reason = NULL, updated_at = $1 \
             WHERE hall = $2 AND status <> 'closed' \
             AND EXISTS (SELECT 1 FROM staff_sessions s WHERE s.hall = windows.hall \
                 AND s.window_id = windows.id AND s.ended_at IS NULL AND s.expires_at <= $1 \
                 AND s.expires_at > windows.updated_at) \
             AND NOT EXISTS (SELECT 1 FROM staff_sessions s WHERE s.hall = windows.hall \
                 AND s.window_id = windows.id AND s.ended_at IS NULL AND s.expires_at > $1) \
             RETURNING id",
        )
        .bind(now)
        .bind(self.hall())
        .fetch_all(&mut *tx)
        .await?;
        let closed: Vec<(String, &str)> = idle
            .into_iter()
            .map(|w| (w, AT_CLOSING))
            .chain(expired.into_iter().map(|w| (w, EXPIRED)))
            .collect();
        for (w, why) in &closed {
            let hall = self.hall();
            outbox::enqueue(&mut tx, hall, outbox::WINDOW, w, "", now).await?;
            audit(
                &mut tx,
                hall,
                now,
                "system",
                "window_closed",
                w,
                why,
                "internal",
            )
            .await?;
        }
        tx.commit().await?;
        if !closed.is_empty() {
            self.outbox_signal.notify_one();
        }
        Ok(closed.into_iter().map(|(w, _)| w).collect())
    }
}
