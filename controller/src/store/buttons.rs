//! Presses of physical call buttons: a window action that runs at most once per press id.
//!
//! The press row and the action commit in one transaction, and the row goes in first with
//! `ON CONFLICT DO NOTHING`: a second transaction with the same press id (a QoS 1
//! redelivery, a device retrying, another replica receiving the same message) either
//! waits for the first and then inserts nothing (PostgreSQL), or runs after it (SQLite's
//! single writer) — and then does nothing. A refused action still records the press, so
//! a redelivery cannot act later when the rules would allow it.

use super::windows::{self, Action, ActionOutcome, Actor, WindowInfo};
use super::{Refusal, Store, StoreError, StoreResult};
use chrono_tz::Tz;

/// What became of a button press.
#[derive(Debug, Clone)]
pub enum Press {
    /// The action ran.
    Done(Box<ActionOutcome>),
    /// The rules refused the action; the press is recorded all the same.
    Refused(Refusal),
    /// This press id was already handled at this window: nothing was done.
    Repeated,
}

impl Store {
    /// Applies `action` at window `w` for the button press `press_id`, unless that press
    /// id was already handled at this window; an action that ran is audited (actor `by`,
    /// the press id in the detail) in the same transaction. `day` is today's local date,
    /// `now` in ms.
    ///
    /// # Errors
    /// Database errors (nothing is recorded then, so a redelivery may try again).
    #[allow(clippy::too_many_arguments)]
    pub async fn button_action(
        &self,
        w: WindowInfo<'_>,
        press_id: &str,
        action: &Action,
        by: Actor<'_>,
        day: &str,
        now: i64,
        tz: Tz,
    ) -> StoreResult<Press> {
        let mut tx = self.begin_write().await?;
        let fresh = sqlx::query(
            "INSERT INTO button_presses (window_id, press_id, action, at, hall) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(w.id)
        .bind(press_id)
        .bind(action.name())
        .bind(now)
        .bind(self.hall())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !fresh {
            tx.rollback().await?;
            return Ok(Press::Repeated);
        }
        // A refusal must undo whatever the action wrote, but keep the press row.
        sqlx::query("SAVEPOINT hallq_button")
            .execute(&mut *tx)
            .await?;
        let applied = windows::apply(&mut tx, &self.hall, w, action, by.name, day, now, tz).await;
        let press = match applied {
            Ok(applied) => {
                let mut detail = serde_json::Map::new();
                detail.insert("press_id".into(), press_id.into());
                windows::audit(&mut tx, &self.hall, by, w.id, action, &applied, detail, now)
                    .await?;
                match applied {
                    Ok(out) => Press::Done(Box::new(out)),
                    Err(kept) => Press::Refused(kept),
                }
            }
            Err(StoreError::Refused(r)) => {
                sqlx::query("ROLLBACK TO SAVEPOINT hallq_button")
                    .execute(&mut *tx)
                    .await?;
                Press::Refused(r)
            }
            Err(e) => return Err(e),
        };
        tx.commit().await?;
        if let Press::Done(out) = &press {
            self.acked.note_events(&out.events);
        }
        self.outbox_signal.notify_one();
        Ok(press)
    }
}
