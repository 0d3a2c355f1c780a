//! The clerk's desk view of one window (`GET /windows/{w}/desk`), read in one read
//! transaction: the ticket the window holds, the next tickets in exactly the order
//! call-next would take them (the policy's [`call_order`] over the same lists call-next
//! reads, five deep instead of one), how many it could call now, today's counts at the
//! window and today's no-shows there.

use super::pick::candidates;
use super::WindowInfo;
use crate::model::{Kind, Status};
use crate::policy::call_order;
use crate::store::{Store, StoreResult};
use sqlx::Row;

/// How many upcoming tickets the view shows.
pub const UPCOMING: usize = 5;
/// How many of today's no-shows the view lists.
pub const NO_SHOWS: i64 = 20;

/// A ticket as the desk shows it (no personal data but the masked name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskTicket {
    /// Row id.
    pub id: i64,
    /// Printed number.
    pub number: String,
    /// Service it is queued for now.
    pub service: String,
    /// Walk-in, green channel or appointment.
    pub kind: Kind,
    /// Status.
    pub status: Status,
    /// Last call (ms).
    pub called_at: Option<i64>,
    /// Times called.
    pub calls: i64,
    /// The window that last transferred it, if any.
    pub from_window: Option<String>,
    /// The service it was in at that transfer.
    pub from_service: Option<String>,
    /// The window it waits for, when transferred to one.
    pub target_window: Option<String>,
    /// Its appointment, for an appointment ticket.
    pub appointment: Option<DeskAppointment>,
}

/// The appointment behind a ticket, as the window may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskAppointment {
    /// Booking code.
    pub code: String,
    /// Slot start (ms).
    pub slot_start: i64,
    /// Slot end (ms).
    pub slot_end: i64,
    /// Masked name (`张*三`).
    pub name_masked: String,
}

/// A no-show of today at the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskNoShow {
    /// Printed number.
    pub number: String,
    /// Service.
    pub service: String,
    /// When it was marked (ms).
    pub at: i64,
}

/// Everything the desk view shows of one window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskView {
    /// The ticket the window holds (called or serving).
    pub current: Option<DeskTicket>,
    /// Up to [`UPCOMING`] tickets, in the order call-next takes them.
    pub upcoming: Vec<DeskTicket>,
    /// Tickets this window could call now.
    pub waiting: i64,
    /// Today at this window: started and finished.
    pub served: i64,
    /// Today at this window: no-shows.
    pub no_show: i64,
    /// Today at this window: closed without ever being started.
    pub not_started: i64,
    /// Today's no-shows at this window, newest first, at most [`NO_SHOWS`].
    pub no_shows: Vec<DeskNoShow>,
}

const COLS: &str = "t.id, t.number, t.service, t.kind, t.status, t.called_at, t.calls, \
     t.from_window, t.from_service, t.target_window, a.code, a.slot_start AS a_start, \
     a.slot_end AS a_end, a.name_masked";

fn desk_ticket(r: &sqlx::any::AnyRow) -> Result<DeskTicket, sqlx::Error> {
    let code: Option<String> = r.try_get("code")?;
    let appointment = match code {
        Some(code) => Some(DeskAppointment {
            code,
            slot_start: r.try_get("a_start")?,
            slot_end: r.try_get("a_end")?,
            name_masked: r.try_get("name_masked")?,
        }),
        None => None,
    };
    Ok(DeskTicket {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        service: r.try_get("service")?,
        kind: Kind::parse(&r.try_get::<String, _>("kind")?).unwrap_or_default(),
        status: Status::parse(&r.try_get::<String, _>("status")?),
        called_at: r.try_get("called_at")?,
        calls: r.try_get("calls")?,
        from_window: r.try_get("from_window")?,
        from_service: r.try_get("from_service")?,
        target_window: r.try_get("target_window")?,
        appointment,
    })
}

impl Store {
    /// The desk view of window `w` on local day `day` at `now` (ms).
    ///
    /// # Errors
    /// Database errors.
    pub async fn desk_view(&self, w: WindowInfo<'_>, day: &str, now: i64) -> StoreResult<DeskView> {
        let mut tx = self.read.begin().await?;
        let current = sqlx::query(&format!(
            "SELECT {COLS} FROM tickets t LEFT JOIN appointments a ON a.ticket_id = t.id \
             WHERE t.hall = $2 AND t.window_id = $1 AND t.status IN ('called', 'serving')"
        ))
        .bind(w.id)
        .bind(self.hall())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| desk_ticket(&r))
        .transpose()?;
        let cands = candidates(&mut tx, self.hall(), w, day, now, UPCOMING as i64).await?;
        let mut order = call_order(w.id, w.services, now, &cands);
        order.truncate(UPCOMING);
        let mut upcoming = Vec::with_capacity(order.len());
        if !order.is_empty() {
            let marks: Vec<String> = (1..=order.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {COLS} FROM tickets t LEFT JOIN appointments a ON a.ticket_id = t.id \
                 WHERE t.id IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in &order {
                q = q.bind(*id);
            }
            let rows = q.fetch_all(&mut *tx).await?;
            let read: Vec<DeskTicket> = rows.iter().map(desk_ticket).collect::<Result<_, _>>()?;
            for id in &order {
                if let Some(t) = read.iter().find(|t| t.id == *id) {
                    upcoming.push(t.clone());
                }
            }
        }
        let waiting = waiting(&mut tx, self.hall(), w, day).await?;
        let (served, no_show, not_started): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(CASE WHEN status = 'done' AND started_at IS NOT NULL THEN 1 END), \
             COUNT(CASE WHEN status = 'no_show' THEN 1 END), \
             COUNT(CASE WHEN status = 'done' AND started_at IS NULL THEN 1 END) \
             FROM tickets WHERE hall = $3 AND day = $1 AND window_id = $2 \
             AND status IN ('done', 'no_show')",
        )
        .bind(day)
        .bind(w.id)
        .bind(self.hall())
        .fetch_one(&mut *tx)
        .await?;
        let no_shows = sqlx::query(
            "SELECT number, service, finished_at FROM tickets \
             WHERE hall = $4 AND day = $1 AND window_id = $2 AND status = 'no_show' \
             ORDER BY finished_at DESC, id DESC LIMIT $3",
        )
        .bind(day)
        .bind(w.id)
        .bind(NO_SHOWS)
        .bind(self.hall())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(DeskNoShow {
                number: r.try_get("number")?,
                service: r.try_get("service")?,
                at: r.try_get::<Option<i64>, _>("finished_at")?.unwrap_or(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        tx.commit().await?;
        Ok(DeskView {
            current,
            upcoming,
            waiting,
            served,
            no_show,
            not_started,
            no_shows,
        })
    }
}

/// Waiting tickets window `w` may call: transferred to it, or of its services and not
/// transferred to a window.
async fn waiting(
    tx: &mut super::Tx,
    hall: &str,
    w: WindowInfo<'_>,
    day: &str,
) -> Result<i64, sqlx::Error> {
    let mut scope = "target_window = $2".to_string();
    if !w.services.is_empty() {
        let marks: Vec<String> = (0..w.services.len())
            .map(|i| format!("${}", i + 4))
            .collect();
        scope = format!(
            "{scope} OR (target_window IS NULL AND service IN ({}))",
            marks.join(", ")
        );
    }
    let sql =
        format!("SELECT COUNT(*) FROM tickets WHERE hall = $3 AND day = $1 AND status = 'waiting' AND ({scope})");
    let mut q = sqlx::query_scalar(&sql).bind(day).bind(w.id).bind(hall);
    for s in w.services {
        q = q.bind(s);
    }
    q.fetch_one(&mut **tx).await
}
