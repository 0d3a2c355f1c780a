//! Issuing tickets (kiosk) and reading a ticket's status (anyone holding its token).

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::{local_day, Timetable};
use crate::model::Kind;
use crate::store::IssueRequest;
use crate::views::{self as render, TicketState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

/// POST /tickets body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "property", "kind": "walk_in"}))]
pub struct NewTicket {
    /// Service id.
    #[schema(value_type = super::schema::ServiceId)]
    pub service: String,
    /// `walk_in` (default) or `green`; appointment tickets come from check-in.
    #[serde(default)]
    #[schema(value_type = WalkInKind)]
    pub kind: Kind,
}

/// The kinds of ticket a kiosk issues.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WalkInKind {
    /// An ordinary ticket.
    WalkIn,
    /// Priority (elderly, disabled, …).
    Green,
}

/// POST /tickets and /checkins answer: the ticket, and what became of printing it.
#[derive(Serialize, ToSchema)]
pub struct TicketIssued {
    /// The new ticket.
    pub ticket: render::IssuedTicket,
    /// Printing at the asking kiosk's printer.
    #[schema(value_type = super::schema::PrintOutcome)]
    pub print: Value,
}

/// POST /tickets: the next number of a service.
#[utoipa::path(post, path = "/tickets", operation_id = "issue_ticket", tag = "tickets", summary = "issue a ticket (kiosk)",
    security(("device_token" = [])),
    request_body = NewTicket,
    responses((status = 201, description = "issued; printed at the kiosk's printer when it has one", body = TicketIssued),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not a kiosk"),
        (status = 409, description = "hall_closed (the message says why and when tickets are issued again: \"午休中，14:30 开始取号 / lunch break: tickets from 14:30\"), daily_cap_reached"),
        super::schema::BodyRefusals,
        (status = 422, description = "unknown_service, invalid_kind, invalid_body"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn issue(
    State(state): State<AppState>,
    who: Principal,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<TicketIssued>)> {
    who.require(&[Role::Kiosk, Role::Admin])?;
    let body: NewTicket = body.parse()?;
    let cfg = &state.cfg;
    let service = cfg.service(&body.service).ok_or_else(|| {
        ApiError::unprocessable(
            "unknown_service",
            format!("没有该业务 / unknown service {:?}", body.service),
        )
    })?;
    if body.kind == Kind::Appointment {
        return Err(ApiError::unprocessable(
            "invalid_kind",
            "预约号请通过预约取号办理 / appointment tickets come from check-in",
        ));
    }
    let now = state.now();
    let tz = cfg.tz();
    let opening = crate::opening::status(&Timetable::of(cfg), now, &cfg.hall.hours.describe());
    if !opening.open {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "hall_closed",
            opening.message(),
        ));
    }
    let token = hex::encode(rand::random::<[u8; 16]>());
    let day = local_day(tz, now);
    let issued = state
        .store
        .issue_ticket(&IssueRequest {
            service: &service.id,
            prefix: &service.prefix,
            width: service.width as usize,
            cap: service.effective_cap(),
            kind: body.kind,
            slot_start: None,
            day: &day,
            token: &token,
            now,
        })
        .await?;
    state.metrics.ticket_issued(&issued.ticket.service);
    super::estimates::record_soon(&state, issued.ticket.id, &issued.ticket.token);
    let t = render::IssuedTicket::of(cfg, &issued.ticket, issued.people_ahead);
    // The number is committed before printing: a failed print never loses it.
    let print = match crate::printing::printer_of(cfg, &who) {
        Some(p) => crate::printing::print(&state, &issued.ticket, issued.people_ahead, p).await,
        None => json!({"status": "none"}),
    };
    Ok((StatusCode::CREATED, Json(TicketIssued { ticket: t, print })))
}

/// GET /tickets/{token}: status, window, people ahead, estimated wait.
#[utoipa::path(get, path = "/tickets/{token}", operation_id = "ticket_status", tag = "tickets", summary = "a ticket's status",
    params(("token" = String, Path, description = "the ticket's secret token")),
    responses((status = 200, description = "status", body = TicketState),
        (status = 404, description = "ticket_not_found"),
        (status = 503, description = "storage_unavailable")))]
pub async fn status(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    let (_, v) = state.status_of(&token).await?;
    Ok(Json(v))
}
