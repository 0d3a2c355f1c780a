//! Choosing and taking the next ticket: the head of every list the policy chooses from,
//! read by index, and the conditional update that makes one writer win each ticket.

use super::{Tx, WindowInfo};
use crate::model::{Candidate, Kind, Status};
use crate::policy::pick_next;
use crate::store::{ticket_from_row, Refusal, StoreResult, TICKET_COLS};
use sqlx::Row;

/// Calls the policy's pick; retries when another writer took it first.
pub(super) async fn call_next(
    tx: &mut Tx,
    hall: &str,
    w: WindowInfo<'_>,
    by: &str,
    day: &str,
    now: i64,
) -> StoreResult<i64> {
    for _ in 0..20 {
        let cands = candidates(tx, hall, w, day, now, 1).await?;
        let Some(id) = pick_next(w.id, w.services, now, &cands) else {
            return Err(Refusal::QueueEmpty.into());
        };
        if take(tx, id, (w.id, by), now, "status = 'waiting'").await? {
            return Ok(id);
        }
    }
    Err(Refusal::Contention.into())
}

pub(super) async fn call_number(
    tx: &mut Tx,
    hall: &str,
    w: WindowInfo<'_>,
    number: &str,
    by: &str,
    day: &str,
    now: i64,
) -> StoreResult<i64> {
    let row = sqlx::query(&format!(
        "SELECT {TICKET_COLS} FROM tickets WHERE hall = $3 AND day = $1 AND number = $2"
    ))
    .bind(day)
    .bind(number)
    .bind(hall)
    .fetch_optional(&mut **tx)
    .await?;
    let t = row.map(|r| ticket_from_row(&r)).transpose()?;
    let t = t.ok_or_else(|| Refusal::TicketNotFound(number.to_string()))?;
    if !matches!(t.status, Status::Waiting | Status::NoShow) {
        return Err(Refusal::TicketNotWaiting(t.number).into());
    }
    let mine = match &t.target_window {
        Some(tw) => tw == w.id,
        None => w.services.contains(&t.service),
    };
    if !mine {
        return Err(Refusal::NotServedHere(t.number).into());
    }
    if take(
        tx,
        t.id,
        (w.id, by),
        now,
        "status IN ('waiting', 'no_show')",
    )
    .await?
    {
        Ok(t.id)
    } else {
        Err(Refusal::TicketNotWaiting(t.number).into())
    }
}

/// Conditionally moves a ticket to `called` at window `w` by `by`: true when this writer won.
async fn take(
    tx: &mut Tx,
    id: i64,
    (w, by): (&str, &str),
    now: i64,
    guard: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "UPDATE tickets SET status = 'called', window_id = $2, target_window = NULL, \
         called_at = $3, started_at = NULL, finished_at = NULL, calls = calls + 1, called_by = $4 \
         WHERE id = $1 AND {guard}"
    ))
    .bind(id)
    .bind(w)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The head (first `per_list` by arrival) of every list the policy chooses from: for
/// each of the window's services, and for tickets transferred to this window, the first
/// begun appointments, the first appointments not yet begun, the first green-channel
/// tickets and the first walk-ins. Within one list the policy's order is the arrival
/// order, so the policy's first `per_list` picks are always among these heads (call-next
/// reads 1, the desk view's preview 5), and each head is an index lookup, so calling
/// stays fast however long the queues grow.
pub(super) async fn candidates(
    tx: &mut Tx,
    hall: &str,
    w: WindowInfo<'_>,
    day: &str,
    now: i64,
    per_list: i64,
) -> Result<Vec<Candidate>, sqlx::Error> {
    const CLASSES: [&str; 4] = [
        "prio = 0 AND slot_start <= $3",
        "prio = 0 AND (slot_start IS NULL OR slot_start > $3)",
        "prio = 1",
        "prio = 2",
    ];
    let mut scopes = vec!["target_window = $2".to_string()];
    scopes.extend(
        (0..w.services.len()).map(|i| format!("target_window IS NULL AND service = ${}", i + 5)),
    );
    let parts: Vec<String> = scopes
        .iter()
        .flat_map(|scope| {
            CLASSES.iter().map(move |class| {
                format!(
                    "SELECT * FROM (SELECT id, service, kind, slot_start, arrived_at, target_window FROM tickets \
                     WHERE hall = $4 AND day = $1 AND status = 'waiting' AND {scope} AND {class} \
                     ORDER BY arrived_at, id LIMIT {per_list}) AS h"
                )
            })
        })
        .collect();
    let sql = parts.join(" UNION ALL ");
    let mut q = sqlx::query(&sql).bind(day).bind(w.id).bind(now).bind(hall);
    for s in w.services {
        q = q.bind(s);
    }
    q.fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| {
            Ok(Candidate {
                id: r.try_get("id")?,
                service: r.try_get("service")?,
                kind: Kind::parse(&r.try_get::<String, _>("kind")?).unwrap_or_default(),
                slot_start: r.try_get("slot_start")?,
                arrived_at: r.try_get("arrived_at")?,
                target_window: r.try_get("target_window")?,
            })
        })
        .collect()
}
