//! Check-in at the kiosk (预约取号): today's appointment, by booking code or ID number,
//! becomes an appointment ticket.

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::{local_day, to_local};
use crate::model::Kind;
use crate::slots;
use crate::store::NewTicket;
use crate::views as render;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::appointments::AppointmentView;

/// POST /checkins body: a booking code, an ID number (typed or from the card reader), or
/// both (then they must belong together).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Booking code.
    #[serde(default)]
    pub code: Option<String>,
    /// ID number (typed, or read from the card).
    #[serde(default)]
    pub id_number: Option<String>,
}

/// POST /checkins body as documented: a code, an ID number, or both.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CheckInBody {
    /// By booking code.
    #[schema(title = "by code")]
    Code(ByCode),
    /// By ID number (typed, or read from the card).
    #[schema(title = "by ID number")]
    IdNumber(ById),
    /// Both: they must belong to the same appointment.
    #[schema(title = "by code and ID number")]
    Both(ByCodeAndId),
}

/// Check-in by booking code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "K7Q2M9"}))]
#[allow(dead_code)]
pub struct ByCode {
    /// Booking code.
    code: String,
}

/// Check-in by ID number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ById {
    /// ID number.
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
}

/// Check-in by booking code and ID number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ByCodeAndId {
    /// Booking code.
    code: String,
    /// ID number.
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
}

/// POST /checkins answer.
#[derive(Serialize, ToSchema)]
pub struct CheckedIn {
    /// The appointment ticket.
    pub ticket: render::IssuedTicket,
    /// The appointment, now `checked_in`.
    pub appointment: AppointmentView,
    /// Printing at the kiosk's printer.
    #[schema(value_type = super::schema::PrintOutcome)]
    pub print: Value,
}

/// POST /checkins: at the kiosk, turn today's appointment into an appointment ticket.
#[utoipa::path(post, path = "/checkins", tag = "appointments",
    summary = "check in today's appointment at the kiosk: an appointment ticket",
    security(("device_token" = [])),
    request_body = CheckInBody,
    responses((status = 201, description = "checked in", body = CheckedIn),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not a kiosk, or the ID card does not match the appointment"),
        (status = 404, description = "appointment_not_found"),
        (status = 409, description = "not_booked, not_today, too_early, checkin_closed, daily_cap_reached"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_id_number"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn check_in(
    State(state): State<AppState>,
    who: Principal,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<CheckedIn>)> {
    who.require(&[Role::Kiosk, Role::Admin])?;
    let body: CheckIn = body.parse()?;
    Ok((
        StatusCode::CREATED,
        Json(check_in_core(&state, &who, body).await?),
    ))
}

/// Check-in for a kiosk (the HTTP route, or the kiosk's ID card reader).
///
/// # Errors
/// The refusals of the check-in rules.
pub async fn check_in_core(
    state: &AppState,
    who: &Principal,
    body: CheckIn,
) -> ApiResult<CheckedIn> {
    who.require(&[Role::Kiosk, Role::Admin])?;
    let cfg = &state.cfg;
    let now = state.now();
    let tz = cfg.tz();
    let today = local_day(tz, now);
    let person = match &body.id_number {
        Some(n) => Some(
            state
                .identity
                .hash_id_all(n)
                .map_err(|e| ApiError::unprocessable("invalid_id_number", e.to_string()))?,
        ),
        None => None,
    };
    let not_found = || {
        ApiError::not_found(
            "appointment_not_found",
            "没有找到今日的预约 / no appointment for today",
        )
    };
    let a = match (&body.code, &person) {
        (Some(code), _) => state
            .store
            .appointment(code.trim())
            .await?
            .ok_or_else(not_found)?,
        (None, Some(p)) => {
            let list = state.store.booked_of_day([&p[0], &p[1]], &today).await?;
            // The earliest whose check-in window is open, else the next one (for the message).
            list.iter()
                .find(|a| {
                    let (from, to) = slots::checkin_window(&cfg.appointments, a.slot_start);
                    (from..=to).contains(&now)
                })
                .or(list.first())
                .cloned()
                .ok_or_else(not_found)?
        }
        (None, None) => {
            return Err(ApiError::unprocessable(
                "invalid_body",
                "请输入预约码或刷身份证 / give a code or an ID number",
            ))
        }
    };
    if let Some(p) = &person {
        if !p.contains(&a.person) {
            return Err(ApiError::forbidden(
                "身份证与预约人不一致 / this ID card does not match the appointment",
            ));
        }
    }
    if a.status != crate::model::AppointmentStatus::Booked {
        return Err(crate::store::Refusal::NotBooked(a.status.to_string()).into());
    }
    if a.day != today {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_today",
            format!(
                "该预约日期为 {}，请当天取号 / the appointment is on {}",
                a.day, a.day
            ),
        ));
    }
    let (from, to) = slots::checkin_window(&cfg.appointments, a.slot_start);
    if now < from {
        let at = to_local(tz, from).format("%H:%M");
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too_early",
            format!("请于 {at} 后取号 / check in from {at}"),
        ));
    }
    if now > to {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "checkin_closed",
            "已超过取号时间，预约已失效 / the check-in time has passed",
        ));
    }
    let service = cfg.service(&a.service).ok_or_else(not_found)?;
    let token = hex::encode(rand::random::<[u8; 16]>());
    let ticket = NewTicket {
        service: service.id.clone(),
        prefix: service.prefix.clone(),
        width: service.width as usize,
        cap: service.effective_cap(),
        kind: Kind::Appointment,
        slot_start: Some(a.slot_start),
        day: today.clone(),
        token,
        now,
        person: Some(a.person.clone()),
        person_key_version: Some(a.key_version),
    };
    let issued = state.store.check_in(&a, ticket).await?;
    state.metrics.ticket_issued(&issued.ticket.service);
    let print = match super::printing::printer_of(cfg, who) {
        Some(p) => super::printing::print(state, &issued.ticket, issued.people_ahead, p).await,
        None => json!({"status": "none"}),
    };
    let mut a = a;
    a.status = crate::model::AppointmentStatus::CheckedIn;
    Ok(CheckedIn {
        ticket: render::IssuedTicket::of(cfg, &issued.ticket, issued.people_ahead),
        appointment: AppointmentView::of(cfg, &a),
        print,
    })
}
