//! Closing a held ticket: the ticket is done, and an appointment ticket completes its
//! appointment (and, when served, ends the person's false-information streak).

use super::Tx;
use crate::model::{Kind, Status, Ticket};

/// A closed appointment ticket completes its appointment; only a served one (started,
/// then finished) that was not marked as false information ends the person's
/// false-information streak: a ticket called and closed without ever being started says
/// nothing about the person's information. The streak ends where it is counted: over the
/// city (scope key `''`) and in this hall (its per-hall key).
pub(super) async fn appointment_done(
    tx: &mut Tx,
    hall: &str,
    t: &Ticket,
    now: i64,
) -> Result<(), sqlx::Error> {
    // Only appointment tickets (made at check-in) have an appointment row.
    if t.kind != Kind::Appointment {
        return Ok(());
    }
    let served = t.status == Status::Serving;
    let ticket_id = t.id;
    sqlx::query("UPDATE appointments SET status = 'done', changed_at = $2 WHERE ticket_id = $1 AND status = 'checked_in'")
        .bind(ticket_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if served {
        sqlx::query(
            "UPDATE people SET false_streak = 0 WHERE scope_key IN ('', $2) AND person IN \
             (SELECT person FROM appointments WHERE ticket_id = $1 AND false_info = 0)",
        )
        .bind(ticket_id)
        .bind(hall)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Closes the held ticket before calling another: a serving one is finished (served); a
/// called one that was never started ends `done` with no start time (counted
/// `not_started`, not served: a call button has only "next", so the window moves on).
pub(super) async fn close(
    tx: &mut Tx,
    hall: &str,
    c: &Ticket,
    now: i64,
) -> Result<(), sqlx::Error> {
    appointment_done(tx, hall, c, now).await?;
    sqlx::query("UPDATE tickets SET status = 'done', finished_at = $2 WHERE id = $1")
        .bind(c.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
