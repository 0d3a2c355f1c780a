//! What a clerk does at a window: call, recall, no-show, start, finish, pause, resume,
//! transfer. Each action is one transaction that locks the window's row first, so two
//! presses at one window (or two replicas) apply one after the other.

use super::{ticket_from_row, Refusal, Store, StoreError, StoreResult, TICKET_COLS};
use crate::model::{Kind, Status, Ticket, WindowStatus};
use chrono_tz::Tz;
use sqlx::{Any, Transaction};

type Tx = Transaction<'static, Any>;

mod audit;
mod desk_view;
mod events;
mod pick;
pub(super) use audit::audit;
pub use desk_view::{DeskAppointment, DeskNoShow, DeskTicket, DeskView};
use events::Events;
use pick::{call_next, call_number};

/// The window an action is for, as configured.
#[derive(Debug, Clone, Copy)]
pub struct WindowInfo<'a> {
    /// Window id.
    pub id: &'a str,
    /// Display name ("3号窗口").
    pub name: &'a str,
    /// Services, highest priority first.
    pub services: &'a [String],
    /// The hall's `start_on_call`: a call starts service at once.
    pub start_on_call: bool,
}

/// A clerk's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Finish the current ticket (if any) and call the next one by the policy.
    CallNext,
    /// Finish the current ticket and call this number (waiting, or a no-show coming back).
    Call(String),
    /// Call the current ticket again.
    Recall,
    /// The called person did not come.
    NoShow,
    /// Start serving the called ticket.
    Start,
    /// Finish serving.
    Finish,
    /// Stop calling, with a reason shown to the hall.
    Pause(Option<String>),
    /// Calling again.
    Resume,
    /// Send the current ticket to another service's queue (keeps its arrival time).
    TransferService(String),
    /// Send the current ticket to another window (keeps its arrival time).
    TransferWindow(String),
}

impl Action {
    /// The action's name as recorded in the audit log and with button presses.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::CallNext => "call_next",
            Self::Call(_) => "call",
            Self::Recall => "recall",
            Self::NoShow => "no_show",
            Self::Start => "start",
            Self::Finish => "finish",
            Self::Pause(_) => "pause",
            Self::Resume => "resume",
            Self::TransferService(_) | Self::TransferWindow(_) => "transfer",
        }
    }
}

/// Who did an action and from where, as the audit log records it.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The credential's name (`clerk-3`, `admin`, `button-3`…).
    pub name: &'a str,
    /// Where from: the client address for HTTP, `mqtt` for call buttons.
    pub origin: &'a str,
}

impl Actor<'static> {
    /// The controller itself (tests, maintenance): `system` from `internal`.
    #[must_use]
    pub const fn system() -> Self {
        Self {
            name: "system",
            origin: "internal",
        }
    }
}

/// The window after an action.
#[derive(Debug, Clone)]
pub struct ActionOutcome {
    /// The ticket the action was about (called, recalled, finished…), if any.
    pub ticket: Option<Ticket>,
    /// The window's status now.
    pub status: WindowStatus,
    /// Ids of the hall events (outbox rows) the action wrote.
    pub events: Vec<i64>,
    /// Services whose queue the action changed (a transfer's target among them).
    pub queues: Vec<String>,
    /// The ticket a call closed before calling (call-next, call), if any.
    pub closed: Option<Closed>,
}

/// A ticket closed by a call: its number, and whether it had been started (served) or
/// ends without service (`not_started` in the statistics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// Printed number.
    pub number: String,
    /// Started before it was closed.
    pub started: bool,
}

impl Store {
    /// Applies `action` at window `w` for `by`, and writes its audit row in the same
    /// transaction. `day` is today's local date, `now` in ms.
    ///
    /// # Errors
    /// [`StoreError::Refused`] when the rules forbid it (nothing changed, nothing
    /// audited); database errors.
    pub async fn window_action(
        &self,
        w: WindowInfo<'_>,
        action: &Action,
        by: Actor<'_>,
        day: &str,
        now: i64,
        tz: Tz,
    ) -> StoreResult<ActionOutcome> {
        let mut tx = self.begin_write().await?;
        // An error rolls the transaction back (dropped); a kept refusal commits.
        let applied = apply(&mut tx, &self.hall, w, action, by.name, day, now, tz).await?;
        audit(
            &mut tx,
            &self.hall,
            by,
            w.id,
            action,
            &applied,
            serde_json::Map::new(),
            now,
        )
        .await?;
        tx.commit().await?;
        if let Ok(out) = &applied {
            self.acked.note_events(&out.events);
        }
        self.outbox_signal.notify_one();
        applied.map_err(Into::into)
    }
}

/// What [`apply`] did when it did not fail: the outcome, or a refusal whose changes are
/// nevertheless kept (call-next with nobody waiting still frees the window).
pub(super) type Applied = Result<ActionOutcome, Refusal>;

/// The body of [`Store::window_action`] inside a transaction the caller began and
/// commits. `Err` means the caller must roll back (nothing may be kept); `Ok` means
/// commit, then signal the outbox.
///
/// Someone acting at a closed window opens it (a pause leaves it paused), in the same
/// transaction and with the window's event. A refused action changes nothing, the window
/// stays closed, except call-next with nobody waiting: the clerk is there, so the opening
/// is kept (as call-next with nobody waiting keeps freeing the window).
#[allow(clippy::too_many_arguments)]
pub(super) async fn apply(
    tx: &mut Tx,
    hall: &str,
    w: WindowInfo<'_>,
    action: &Action,
    by: &str,
    day: &str,
    now: i64,
    tz: Tz,
) -> StoreResult<Applied> {
    let status = lock_window(tx, hall, w.id, now).await?;
    if status != WindowStatus::Closed {
        return act(tx, hall, w, action, (by, day, now, tz), status).await;
    }
    set_status(tx, hall, w.id, WindowStatus::Open, None).await?;
    match act(tx, hall, w, action, (by, day, now, tz), WindowStatus::Open).await {
        // Nothing was held (the window was closed) and nothing taken: only the opening.
        Err(StoreError::Refused(Refusal::QueueEmpty)) if *action == Action::CallNext => {
            Events::default().write(tx, hall, w, None, now, tz).await?;
            Ok(Err(Refusal::QueueEmpty))
        }
        other => other,
    }
}

/// The action itself at a window whose row is locked and whose status is `status`.
async fn act(
    tx: &mut Tx,
    hall: &str,
    w: WindowInfo<'_>,
    action: &Action,
    (by, day, now, tz): (&str, &str, i64, Tz),
    status: WindowStatus,
) -> StoreResult<Applied> {
    let cur = current(tx, hall, w.id).await?;
    let mut ev = Events::default();
    let mut closed = None;
    let ticket_id = match action {
        Action::CallNext | Action::Call(_) => {
            if status == WindowStatus::Paused {
                return Err(Refusal::WindowPaused.into());
            }
            if let Some(c) = &cur {
                close(tx, hall, c, now).await?;
                closed = Some(Closed {
                    number: c.number.clone(),
                    started: c.status == Status::Serving,
                });
            }
            let id = match action {
                Action::Call(number) => call_number(tx, hall, w, number, by, day, now).await?,
                _ => match call_next(tx, hall, w, by, day, now).await {
                    // "Next" with nobody waiting still finishes the person at the
                    // window (a call button has no other key); the answer is
                    // queue_empty, and the window is free.
                    Err(StoreError::Refused(Refusal::QueueEmpty)) if cur.is_some() => {
                        ev.write(tx, hall, w, None, now, tz).await?;
                        return Ok(Err(Refusal::QueueEmpty));
                    }
                    r => r?,
                },
            };
            if w.start_on_call {
                exec(
                    tx,
                    "UPDATE tickets SET status = 'serving', started_at = $2 WHERE id = $1",
                    id,
                    now,
                )
                .await?;
            }
            ev.call = Some((id, false));
            ev.queues.extend(cur.iter().map(|c| c.service.clone()));
            Some(id)
        }
        Action::Recall => {
            if status == WindowStatus::Paused {
                return Err(Refusal::WindowPaused.into());
            }
            let c = cur.as_ref().ok_or(Refusal::NoCurrentTicket)?;
            // A ticket its call started (start_on_call) is recalled like a called one,
            // and stays started by its (last) call.
            let sql = format!(
                "UPDATE tickets SET calls = calls + 1, called_at = $2, \
                 started_at = CASE WHEN status = 'serving' THEN $2 END WHERE id = $1 AND {UNSTARTED}"
            );
            if !exec_if(tx, &sql, c.id, now).await? {
                return Err(Refusal::AlreadyServing.into());
            }
            ev.call = Some((c.id, true));
            Some(c.id)
        }
        Action::NoShow => {
            let c = cur.as_ref().ok_or(Refusal::NoCurrentTicket)?;
            let sql = format!(
                "UPDATE tickets SET status = 'no_show', started_at = NULL, finished_at = $2 \
                 WHERE id = $1 AND {UNSTARTED}"
            );
            if !exec_if(tx, &sql, c.id, now).await? {
                return Err(Refusal::AlreadyServing.into());
            }
            Some(c.id)
        }
        Action::Start => {
            let c = held(&cur, Status::Called)?;
            exec(
                tx,
                "UPDATE tickets SET status = 'serving', started_at = $2 WHERE id = $1",
                c.id,
                now,
            )
            .await?;
            Some(c.id)
        }
        Action::Finish => {
            let c = cur.as_ref().ok_or(Refusal::NoCurrentTicket)?;
            if c.status != Status::Serving {
                return Err(Refusal::NotStarted.into());
            }
            exec(
                tx,
                "UPDATE tickets SET status = 'done', finished_at = $2 WHERE id = $1",
                c.id,
                now,
            )
            .await?;
            appointment_done(tx, hall, c, now).await?;
            Some(c.id)
        }
        Action::Pause(reason) => {
            set_status(tx, hall, w.id, WindowStatus::Paused, reason.as_deref()).await?;
            None
        }
        Action::Resume => {
            set_status(tx, hall, w.id, WindowStatus::Open, None).await?;
            None
        }
        Action::TransferService(service) => {
            let c = cur.as_ref().ok_or(Refusal::NoCurrentTicket)?;
            if *service == c.service {
                return Err(Refusal::SameService.into());
            }
            sqlx::query(
                "UPDATE tickets SET status = 'waiting', service = $2, window_id = NULL, \
                 target_window = NULL, from_window = $3, from_service = $4 WHERE id = $1",
            )
            .bind(c.id)
            .bind(service)
            .bind(w.id)
            .bind(&c.service)
            .execute(&mut **tx)
            .await?;
            ev.queues.push(service.clone());
            ev.queues.push(c.service.clone());
            Some(c.id)
        }
        Action::TransferWindow(target) => {
            let c = cur.as_ref().ok_or(Refusal::NoCurrentTicket)?;
            if target == w.id {
                return Err(Refusal::SameWindow.into());
            }
            sqlx::query(
                "UPDATE tickets SET status = 'waiting', window_id = NULL, target_window = $2, \
                 from_window = $3, from_service = service WHERE id = $1",
            )
            .bind(c.id)
            .bind(target)
            .bind(w.id)
            .execute(&mut **tx)
            .await?;
            ev.queues.push(c.service.clone());
            Some(c.id)
        }
    };
    let ticket = match ticket_id {
        Some(id) => Some(by_id(tx, hall, id).await?),
        None => None,
    };
    if let (Some(t), Some(_)) = (&ticket, ev.call) {
        ev.queues.push(t.service.clone());
    }
    let (events, queues) = ev.write(tx, hall, w, ticket.as_ref(), now, tz).await?;
    // Only pause and resume change the window's status (and the row is locked).
    let status = match action {
        Action::Pause(_) => WindowStatus::Paused,
        Action::Resume => WindowStatus::Open,
        _ => status,
    };
    Ok(Ok(ActionOutcome {
        ticket,
        status,
        events,
        queues,
        closed,
    }))
}

/// A held ticket nobody has served yet: called, or started by its call alone
/// (`start_on_call`: started at the moment of its last call). Recall and no-show take
/// only these.
const UNSTARTED: &str = "(status = 'called' OR (status = 'serving' AND started_at = called_at))";

/// Like [`exec`], for an update guarded by a condition: true when it changed the row.
async fn exec_if(tx: &mut Tx, sql: &str, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(sql)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn exec(tx: &mut Tx, sql: &str, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn held(cur: &Option<Ticket>, want: Status) -> Result<&Ticket, Refusal> {
    let c = cur.as_ref().ok_or(Refusal::NoCurrentTicket)?;
    if c.status != want {
        return Err(Refusal::AlreadyServing);
    }
    Ok(c)
}

/// Locks the window's row for this transaction and returns its status.
async fn lock_window(tx: &mut Tx, hall: &str, id: &str, now: i64) -> StoreResult<WindowStatus> {
    let s: Option<String> = sqlx::query_scalar(
        "UPDATE windows SET updated_at = $2 WHERE hall = $3 AND id = $1 RETURNING status",
    )
    .bind(id)
    .bind(now)
    .bind(hall)
    .fetch_optional(&mut **tx)
    .await?;
    s.map(|s| WindowStatus::parse(&s))
        .ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

async fn set_status(
    tx: &mut Tx,
    hall: &str,
    id: &str,
    s: WindowStatus,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE windows SET status = $2, pause_reason = $3 WHERE hall = $4 AND id = $1")
        .bind(id)
        .bind(s.as_str())
        .bind(reason)
        .bind(hall)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The ticket the window holds (called or serving), if any.
async fn current(tx: &mut Tx, hall: &str, w: &str) -> Result<Option<Ticket>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {TICKET_COLS} FROM tickets WHERE hall = $2 AND window_id = $1 \
         AND status IN ('called', 'serving')"
    ))
    .bind(w)
    .bind(hall)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| ticket_from_row(&r)).transpose()
}

async fn by_id(tx: &mut Tx, hall: &str, id: i64) -> Result<Ticket, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {TICKET_COLS} FROM tickets WHERE id = $1 AND hall = $2"
    ))
    .bind(id)
    .bind(hall)
    .fetch_one(&mut **tx)
    .await?;
    ticket_from_row(&row)
}

/// A closed appointment ticket completes its appointment; only a served one (started,
/// then finished) that was not marked as false information ends the person's
/// false-information streak: a ticket called and closed without ever being started says
/// nothing about the person's information. The streak ends where it is counted: over the
/// city (scope key `''`) and in this hall (its per-hall key).
async fn appointment_done(
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
async fn close(tx: &mut Tx, hall: &str, c: &Ticket, now: i64) -> Result<(), sqlx::Error> {
    appointment_done(tx, hall, c, now).await?;
    sqlx::query("UPDATE tickets SET status = 'done', finished_at = $2 WHERE id = $1")
        .bind(c.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
