//! Issuing tickets (kiosk) and reading a ticket's status (anyone holding its token).

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::{render, AppState};
use crate::hours::{is_open, local_day};
use crate::model::{Kind, Status, Ticket};
use crate::store::IssueRequest;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hallq_config::Role;
use serde::Deserialize;
use serde_json::{json, Value};

/// POST /tickets body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Service id.
    pub service: String,
    /// `walk_in` (default) or `green`.
    #[serde(default)]
    pub kind: Kind,
}

/// POST /tickets: the next number of a service.
pub async fn issue(
    State(state): State<AppState>,
    who: Principal,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
    if !is_open(&cfg.hall.hours, tz, now) {
        let h = &cfg.hall.hours;
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "hall_closed",
            format!(
                "不在取号时间（{}–{}，{}）/ outside opening hours",
                h.open,
                h.close,
                h.days.join(",")
            ),
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
    let t = render::ticket(cfg, &issued.ticket, issued.people_ahead);
    // The number is committed before printing: a failed print never loses it.
    let print = match super::printing::printer_of(cfg, &who) {
        Some(p) => super::printing::print(&state, &issued.ticket, issued.people_ahead, p).await,
        None => json!({"status": "none"}),
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({"ticket": t, "print": print})),
    ))
}

/// GET /tickets/{token}: status, window, people ahead, estimated wait.
pub async fn status(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    let (_, v) = state.status_of(&token).await?;
    Ok(Json(v))
}

/// The status shape of one ticket: people ahead and the estimate only while waiting; a
/// ticket left active from an earlier day reads as expired.
pub fn status_value(
    cfg: &hallq_config::Settings,
    t: &Ticket,
    today: &str,
    ahead: i64,
    wait: i64,
) -> Value {
    let mut t = t.clone();
    if t.day != today && t.status.is_active() {
        t.status = Status::Expired;
    }
    let waiting = t.status == Status::Waiting;
    let mut v = render::public_ticket(cfg, &t);
    v["people_ahead"] = json!(if waiting { ahead } else { 0 });
    v["estimated_wait_s"] = json!(waiting.then_some(wait));
    v
}
