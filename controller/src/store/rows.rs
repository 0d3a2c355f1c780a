//! Rows as the database returns them, read by column name (`sqlx::FromRow`), and turned
//! into the model's types. Statuses and classes are stored as their snake_case names.

use crate::model::{AppointmentStatus, Kind, Status, Ticket, WindowStatus};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// Columns of a ticket (named as [`TicketRow`] reads them).
pub(crate) const TICKET_COLS: &str = "id, token, number, service, day, kind, status, window_id, \
     target_window, slot_start, arrived_at, issued_at, called_at, calls";

/// A `tickets` row.
#[derive(Debug, FromRow)]
pub(crate) struct TicketRow {
    id: i64,
    token: String,
    number: String,
    service: String,
    day: String,
    kind: String,
    status: String,
    window_id: Option<String>,
    target_window: Option<String>,
    slot_start: Option<i64>,
    arrived_at: i64,
    issued_at: i64,
    called_at: Option<i64>,
    calls: i64,
}

impl From<TicketRow> for Ticket {
    fn from(r: TicketRow) -> Self {
        Self {
            id: r.id,
            token: r.token,
            number: r.number,
            service: r.service,
            day: r.day,
            kind: Kind::parse(&r.kind).unwrap_or_default(),
            status: Status::parse(&r.status),
            window: r.window_id,
            target_window: r.target_window,
            slot_start: r.slot_start,
            arrived_at: r.arrived_at,
            issued_at: r.issued_at,
            called_at: r.called_at,
            calls: r.calls,
        }
    }
}

/// Reads a ticket from a row selected with [`TICKET_COLS`].
pub(crate) fn ticket_from_row(r: &AnyRow) -> Result<Ticket, sqlx::Error> {
    TicketRow::from_row(r).map(Ticket::from)
}

/// Columns of a window joined with the ticket it holds: the window's own are prefixed
/// `w_` so the ticket's [`TICKET_COLS`] keep their names.
pub(crate) fn window_cols() -> String {
    let ticket: Vec<String> = TICKET_COLS
        .split(", ")
        .map(|c| format!("t.{}", c.trim()))
        .collect();
    format!(
        "w.id AS w_id, w.status AS w_status, w.pause_reason AS w_pause_reason, \
         w.updated_at AS w_updated_at, {}",
        ticket.join(", ")
    )
}

/// A `windows` row (with [`window_cols`]).
#[derive(Debug, FromRow)]
pub(crate) struct WindowRow {
    pub(crate) w_id: String,
    w_status: String,
    pub(crate) w_pause_reason: Option<String>,
    pub(crate) w_updated_at: i64,
}

impl WindowRow {
    /// The window's status.
    pub(crate) fn status(&self) -> WindowStatus {
        WindowStatus::parse(&self.w_status)
    }

    /// The ticket the row's join found, if any.
    pub(crate) fn ticket(r: &AnyRow) -> Result<Option<Ticket>, sqlx::Error> {
        if r.try_get::<Option<i64>, _>("id")?.is_none() {
            return Ok(None);
        }
        ticket_from_row(r).map(Some)
    }
}

/// What the statistics read of a ticket.
#[derive(Debug, FromRow)]
pub(crate) struct StatRow {
    day: String,
    service: String,
    window_id: Option<String>,
    kind: String,
    status: String,
    issued_at: i64,
    called_at: Option<i64>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    slot_start: Option<i64>,
    called_by: Option<String>,
}

impl From<StatRow> for crate::stats::Row {
    fn from(r: StatRow) -> Self {
        Self {
            day: r.day,
            service: r.service,
            window: r.window_id,
            kind: Kind::parse(&r.kind).unwrap_or_default(),
            status: Status::parse(&r.status),
            issued_at: r.issued_at,
            called_at: r.called_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            slot_start: r.slot_start,
            called_by: r.called_by,
        }
    }
}

/// An appointment's status is stored as its name: read as text, then parsed (an unknown
/// name is a decoding error, not a silent default).
impl sqlx::Type<sqlx::Any> for AppointmentStatus {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for AppointmentStatus {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        Ok(Self::try_from(s)?)
    }
}
