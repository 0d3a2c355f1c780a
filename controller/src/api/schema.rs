//! Schemas shared by many routes of the OpenAPI document: the error body, the names of
//! ticket and window states, the ids a hall configures (filled per hall when the document
//! is served), and the kiosk printer's outcome.

use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

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
    /// Why printing failed: `paper_out`, `cover_open`, `error` (the printer's status
    /// says so), `offline`, `timed_out` (it stopped answering), `failed`.
    #[schema(example = "paper_out")]
    pub reason: Option<String>,
    /// What the kiosk shows, Chinese then English, e.g. "缺纸，请联系工作人员 / Out of
    /// paper — please ask staff".
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

/// An 18-character resident ID number (GB 11643-1999; surrounding spaces and a lower-case
/// `x` are fine). The pattern checks the form; the check character and the birth date are
/// checked by the server: 422 `invalid_id_number`.
#[derive(ToSchema)]
#[schema(
    example = "11010519491231002X",
    pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[0-9]{6}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx][\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
)]
pub struct IdNumber(pub String);

/// Paper width of a ticket.
#[derive(Serialize, serde::Deserialize, ToSchema)]
pub enum PaperWidth {
    /// 58 mm roll.
    #[serde(rename = "58mm")]
    Mm58,
    /// 80 mm roll.
    #[serde(rename = "80mm")]
    Mm80,
}

/// How ESC/POS bytes carry the QR code.
#[derive(Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    /// The printer's own QR command.
    Native,
    /// A raster image.
    Raster,
}

/// A day (YYYY-MM-DD), or an empty string for the default (query parameters of forms).
pub fn date_or_empty() -> RefOr<Schema> {
    let date = ObjectBuilder::new().schema_type(Type::String).format(Some(
        utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date),
    ));
    let empty = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([""]));
    OneOfBuilder::new().item(date).item(empty).into()
}

/// The headers of a WebSocket handshake (RFC 6455), which browsers send by themselves.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct Handshake {
    /// `Upgrade`.
    #[param(rename = "Connection", pattern = "^[Uu]pgrade$", example = "Upgrade")]
    connection: String,
    /// `websocket`.
    #[param(rename = "Upgrade", pattern = "^websocket$", example = "websocket")]
    upgrade: String,
    /// `13`.
    #[param(rename = "Sec-WebSocket-Version", pattern = "^13$", example = "13")]
    version: String,
    /// 16 random bytes, base64.
    #[param(
        rename = "Sec-WebSocket-Key",
        pattern = "^[A-Za-z0-9+/]{21}[AQgw]==$",
        example = "dGhlIHNhbXBsZSBub25jZQ=="
    )]
    key: String,
}

/// One Server-Sent Event of a ticket's live status.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StatusEvent {
    /// The ticket's status as JSON: the shape of `GET /tickets/{token}` (`TicketState`).
    #[schema(content_media_type = "application/json")]
    data: String,
    /// Always the default, `message`.
    event: Option<String>,
}

/// The refusals of a JSON body before its fields are read: every route that takes one.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum BodyRefusals {
    /// 400 `bad_json`.
    #[response(
        status = 400,
        description = "bad_json: missing (where required) or malformed JSON"
    )]
    BadJson(ErrorBody),
    /// 413 `body_too_large`.
    #[response(status = 413, description = "body_too_large")]
    TooLarge(ErrorBody),
    /// 415 `unsupported_media_type`.
    #[response(
        status = 415,
        description = "unsupported_media_type: not application/json"
    )]
    MediaType(ErrorBody),
}
