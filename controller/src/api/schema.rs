//! Schemas shared by many routes of the OpenAPI document: the error body, the names of
//! ticket and window states, the ids a hall configures (filled per hall when the document
//! is served), and the kiosk printer's outcome.

use serde::Serialize;
use utoipa::ToSchema;

/// The contract's error body. Some refusals add fields (`until` of a ban, `problems` of
/// a refused config).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "queue_empty", "message": "队列中没有等候的号 / nobody is waiting"}))]
pub struct ErrorBody {
    /// Stable snake_case code.
    pub error: String,
    /// Text for people, Chinese first.
    pub message: String,
    /// `banned`: the last day of the ban (YYYY-MM-DD).
    #[schema(format = Date)]
    pub until: Option<String>,
    /// `invalid_config`: one `FILE:LINE:COL: key: message` line per problem.
    pub problems: Option<Vec<String>>,
}

/// How a ticket was taken.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// At the kiosk.
    WalkIn,
    /// Priority (elderly, disabled, …).
    Green,
    /// Checked in from an appointment.
    Appointment,
}

/// Where a ticket is in its life.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// In the queue.
    Waiting,
    /// Called to a window.
    Called,
    /// Being served.
    Serving,
    /// Served.
    Done,
    /// Called, did not come.
    NoShow,
    /// Left from an earlier day.
    Expired,
}

/// A window's state.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatusName {
    /// Calling.
    Open,
    /// Paused by its clerk.
    Paused,
    /// Closed.
    Closed,
}

/// A service id of this hall (the served document lists them).
#[derive(ToSchema)]
#[schema(example = "property")]
pub struct ServiceId(pub String);

/// A service of this hall that takes online bookings (the served document lists them).
#[derive(ToSchema)]
#[schema(example = "property")]
pub struct BookableServiceId(pub String);

/// A window id of this hall (the served document lists them).
#[derive(ToSchema)]
#[schema(example = "1")]
pub struct WindowId(pub String);

/// What became of printing a ticket at the asking kiosk's printer.
#[derive(Serialize, ToSchema)]
pub struct PrintOutcome {
    /// `none` (no printer), `printed` or `failed` (the ticket stays valid; reprint it).
    #[schema(example = "printed")]
    pub status: PrintStatus,
    /// The printer's id.
    pub printer: Option<String>,
    /// Why printing failed.
    pub message: Option<String>,
}

/// Outcome of a print.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrintStatus {
    /// The kiosk has no printer.
    None,
    /// Sent to the printer.
    Printed,
    /// Not printed.
    Failed,
}

/// A verification method the identity providers report (the served document lists them).
#[derive(ToSchema)]
#[schema(example = "face")]
pub struct VerificationMethod(pub String);

/// An 18-character resident ID number (GB 11643-1999). The pattern checks the form; the
/// check character (and the date) are checked by the server: 422 `invalid_id_number`.
#[derive(ToSchema)]
#[schema(
    example = "11010519491231002X",
    pattern = r"^[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$"
)]
pub struct IdNumber(pub String);

/// Paper width of a ticket.
#[derive(Serialize, ToSchema)]
pub enum PaperWidth {
    /// 58 mm roll.
    #[serde(rename = "58mm")]
    Mm58,
    /// 80 mm roll.
    #[serde(rename = "80mm")]
    Mm80,
}

/// How ESC/POS bytes carry the QR code.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    /// The printer's own QR command.
    Native,
    /// A raster image.
    Raster,
}
