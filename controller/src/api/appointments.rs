//! Online booking (citizens with a verified identity): slots, booking, the citizen's own
//! appointments, cancelling, the booking code's QR. Check-in is in [`super::checkin`],
//! false information and bans in [`super::bans`].

use super::body::{ApiQuery, JsonBody};
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::{local_day, rfc3339, to_local};
use crate::identity::Citizen;
use crate::slots;
use crate::store::BookRequest;
use crate::views::AppointmentView;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use hallq_config::booking::ServiceBooking;
use hallq_config::{Service, Settings};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// `{appointment}`: POST /appointments, DELETE /appointments/{code}.
#[derive(Serialize, ToSchema)]
pub struct OneAppointment {
    /// The appointment.
    pub appointment: AppointmentView,
}

fn bookable_service<'a>(
    cfg: &'a Settings,
    id: &str,
) -> ApiResult<(&'a Service, &'a ServiceBooking)> {
    let s = bookable_in(cfg, id, StatusCode::UNPROCESSABLE_ENTITY)?;
    let b = s.booking.as_ref().expect("bookable_in checked it");
    Ok((s, b))
}

/// Service `id` if it is bookable online; else `unknown_service` or `not_bookable` with
/// `status` (422 for bodies, 400 for the desk's query).
fn bookable_in<'a>(cfg: &'a Settings, id: &str, status: StatusCode) -> ApiResult<&'a Service> {
    let s = cfg.service(id).ok_or_else(|| {
        let shown: String = id.chars().take(32).collect();
        ApiError::new(
            status,
            "unknown_service",
            format!("没有该业务 / unknown service {shown:?}"),
        )
    })?;
    if s.booking.is_none() {
        return Err(ApiError::new(
            status,
            "not_bookable",
            format!("{} 不支持网上预约 / not bookable online", s.name),
        ));
    }
    Ok(s)
}

/// The bookable services a desk or closure request covers: the one named (refused with
/// `status` when unknown or not bookable), or every bookable service.
pub(super) fn bookable_services<'a>(
    cfg: &'a Settings,
    id: Option<&str>,
    status: StatusCode,
) -> ApiResult<Vec<&'a Service>> {
    match id {
        Some(id) => Ok(vec![bookable_in(cfg, id, status)?]),
        None => Ok(cfg.services().filter(|s| s.booking.is_some()).collect()),
    }
}

/// GET /appointments/slots query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// A bookable service.
    #[param(value_type = super::schema::BookableServiceId)]
    service: String,
    /// The day, YYYY-MM-DD (days outside the booking horizon list no slots).
    #[param(value_type = String, format = Date, example = "2026-12-01")]
    date: String,
}

/// GET /appointments/slots answer.
#[derive(Serialize, ToSchema)]
pub struct SlotList {
    /// Service id.
    pub service: String,
    /// The day.
    #[schema(format = Date)]
    pub date: String,
    /// No slots that day (closed, or outside the horizon).
    pub closed: bool,
    /// Whether the day is one of the hall's public holidays (`[calendar] holidays`).
    pub holiday: bool,
    /// The day's slots.
    pub slots: Vec<Slot>,
}

/// A slot with its room left.
#[derive(Serialize, ToSchema)]
pub struct Slot {
    /// Start, RFC 3339 with the hall's offset (POST /appointments takes it as listed).
    #[schema(format = DateTime, example = "2026-12-01T09:00:00+08:00")]
    pub slot_start: String,
    /// End.
    #[schema(format = DateTime)]
    pub slot_end: String,
    /// Bookings the slot takes.
    pub capacity: i64,
    /// Bookings left.
    pub remaining: i64,
    /// Room left and not past the booking cutoff.
    pub bookable: bool,
}

/// GET /appointments/slots?service=&date=YYYY-MM-DD: the day's slots with room left.
#[utoipa::path(get, path = "/appointments/slots", tag = "appointments",
    summary = "a day's slots with remaining capacity",
    params(SlotsQuery),
    responses((status = 200, description = "slots", body = SlotList),
        (status = 422, description = "unknown_service, not_bookable, invalid_date, invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn slots(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> ApiResult<Json<SlotList>> {
    let cfg = &state.cfg;
    let (_, b) = bookable_service(cfg, &q.service)?;
    let date = NaiveDate::parse_from_str(&q.date, "%Y-%m-%d").map_err(|_| {
        ApiError::unprocessable(
            "invalid_date",
            "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD",
        )
    })?;
    let now = state.now();
    let tz = cfg.tz();
    let day = if slots::in_horizon(b, tz, now, date) {
        slots::slots_of_day(b, &crate::hours::Timetable::of(cfg), date)
    } else {
        Vec::new()
    };
    let counts: HashMap<i64, i64> = match (day.first(), day.last()) {
        (Some(f), Some(l)) => state
            .store
            .slot_counts(&q.service, f.start, l.start + 1)
            .await?
            .into_iter()
            .collect(),
        _ => HashMap::new(),
    };
    // Slots the hall closed are no longer offered.
    let closed = match (day.first(), day.last()) {
        (Some(f), Some(l)) => {
            state
                .store
                .closed_slots(&q.service, f.start, l.start + 1)
                .await?
        }
        _ => Vec::new(),
    };
    let day: Vec<_> = day
        .into_iter()
        .filter(|s| !closed.contains(&s.start))
        .collect();
    let cap = i64::from(b.capacity);
    let list = day
        .iter()
        .map(|s| {
            let remaining = (cap - counts.get(&s.start).copied().unwrap_or(0)).max(0);
            Slot {
                slot_start: rfc3339(tz, s.start),
                slot_end: rfc3339(tz, s.end),
                capacity: cap,
                remaining,
                bookable: remaining > 0 && slots::bookable(b, now, s.start),
            }
        })
        .collect();
    Ok(Json(SlotList {
        service: q.service,
        date: q.date,
        closed: day.is_empty(),
        holiday: crate::hours::Timetable::of(cfg).is_holiday(date),
        slots: list,
    }))
}

/// POST /appointments body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "property", "slot_start": "2026-12-01T09:00:00+08:00", "agree_notice": true}))]
pub struct NewAppointment {
    /// A bookable service.
    #[schema(value_type = super::schema::BookableServiceId)]
    service: String,
    /// A slot's start as GET /appointments/slots lists it.
    #[schema(format = DateTime)]
    slot_start: String,
    /// The booking notice was read and agreed to (must be true).
    #[serde(default)]
    #[schema(required = true, schema_with = agreed)]
    agree_notice: bool,
}

/// `true` only: a booking is taken only with the notice agreed to.
fn agreed() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .description(Some(
            "must be true: the booking notice was read and agreed to",
        ))
        .build()
}

/// POST /appointments: book a slot (citizen).
#[utoipa::path(post, path = "/appointments", tag = "appointments", summary = "book a slot (citizen)",
    security(("identity_assertion" = [])),
    request_body = NewAppointment,
    responses((status = 201, description = "booked", body = OneAppointment),
        (status = 401, description = "identity_required, identity_rejected"),
        (status = 403, description = "banned (with `until`)"),
        (status = 409, description = "slot_full, slot_closed (closed by the hall), daily_limit (bookings made today, cancelled ones included, or active appointments on that day), too_late"),
        super::schema::BodyRefusals,
        (status = 422, description = "unknown_service, not_bookable, notice_not_agreed, invalid_slot (no such slot), outside_horizon, invalid_identity_data, invalid_body"),
        (status = 503, description = "storage_unavailable, busy, identity_unavailable")))]
pub async fn book(
    State(state): State<AppState>,
    who: Citizen,
    JsonBody(body): JsonBody<NewAppointment>,
) -> ApiResult<(StatusCode, Json<OneAppointment>)> {
    let cfg = &state.cfg;
    let (service, b) = bookable_service(cfg, &body.service)?;
    if !body.agree_notice {
        return Err(ApiError::unprocessable(
            "notice_not_agreed",
            "请先阅读并同意预约须知 / please agree to the booking notice",
        ));
    }
    let tz = cfg.tz();
    let start = chrono::DateTime::parse_from_rfc3339(&body.slot_start)
        .map_err(|_| {
            ApiError::unprocessable("invalid_slot", "时段格式错误 / slot_start must be RFC 3339")
        })?
        .timestamp_millis();
    let slot = slots::find(b, &crate::hours::Timetable::of(cfg), start)
        .ok_or_else(|| ApiError::unprocessable("invalid_slot", "没有这个时段 / no such slot"))?;
    let now = state.now();
    if !slots::in_horizon(b, tz, now, to_local(tz, start).date_naive()) {
        return Err(ApiError::unprocessable(
            "outside_horizon",
            format!(
                "只能预约{}天内的时段 / within {} days only",
                b.horizon_days, b.horizon_days
            ),
        ));
    }
    if !slots::bookable(b, now, slot.start) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too_late",
            "该时段已截止预约 / booking for this slot has closed",
        ));
    }
    let day = local_day(tz, slot.start);
    let today = local_day(tz, now);
    let req = BookRequest {
        service: &service.id,
        slot: (slot.start, slot.end),
        day: &day,
        capacity: i64::from(b.capacity),
        daily_limit: i64::from(cfg.appointments.daily_limit),
        active_per_day: i64::from(cfg.appointments.active_per_day),
        today: &today,
        who: &who,
        now,
    };
    super::citizen::use_once(&state, &who, "book").await?;
    let a = state.store.book(&req).await?;
    // Never the booking code beside the person (not even masked).
    tracing::info!(service = %a.service, channel = %who.channel, "booked");
    Ok((
        StatusCode::CREATED,
        Json(OneAppointment {
            appointment: AppointmentView::of(cfg, &a),
        }),
    ))
}

/// GET /me/appointments answer.
#[derive(Serialize, ToSchema)]
pub struct MyAppointments {
    /// The citizen, masked.
    pub person: Person,
    /// Their appointments.
    pub appointments: Vec<AppointmentView>,
}

/// A citizen as pages may show them.
#[derive(Serialize, ToSchema)]
pub struct Person {
    /// Name, masked.
    pub name_masked: String,
    /// ID number, masked.
    pub id_masked: String,
    /// Phone, masked.
    pub phone_masked: String,
}

/// GET /me/appointments: the citizen's appointments (个人中心·预约件).
#[utoipa::path(get, path = "/me/appointments", tag = "appointments",
    summary = "the citizen's appointments (个人中心·预约件)",
    security(("identity_assertion" = [])),
    responses((status = 200, description = "appointments", body = MyAppointments),
        (status = 401, description = "identity_required, identity_rejected"),
        (status = 422, description = "invalid_identity_data"),
        (status = 503, description = "storage_unavailable, identity_unavailable")))]
pub async fn mine(State(state): State<AppState>, who: Citizen) -> ApiResult<Json<MyAppointments>> {
    let list = state.store.appointments_of(who.lookup_hashes()).await?;
    Ok(Json(MyAppointments {
        person: Person {
            name_masked: who.name_masked,
            id_masked: who.id_masked,
            phone_masked: who.phone_masked,
        },
        appointments: list
            .iter()
            .map(|a| AppointmentView::of(&state.cfg, a))
            .collect(),
    }))
}

/// DELETE /appointments/{code}: cancel before the slot starts (owner only).
#[utoipa::path(delete, path = "/appointments/{code}", tag = "appointments",
    summary = "cancel before the slot starts (the holder only)",
    security(("identity_assertion" = [])),
    params(("code" = String, Path, description = "the booking code")),
    responses((status = 200, description = "cancelled", body = OneAppointment),
        (status = 401, description = "identity_required, identity_rejected"),
        (status = 404, description = "appointment_not_found (or not the caller's)"),
        (status = 409, description = "too_late, not_booked"),
        (status = 422, description = "invalid_identity_data"),
        (status = 503, description = "storage_unavailable, busy, identity_unavailable")))]
pub async fn cancel(
    State(state): State<AppState>,
    who: Citizen,
    Path(code): Path<String>,
) -> ApiResult<Json<OneAppointment>> {
    super::citizen::use_once(&state, &who, "cancel").await?;
    let a = state
        .store
        .cancel(&code, who.lookup_hashes(), state.now())
        .await?;
    Ok(Json(OneAppointment {
        appointment: AppointmentView::of(&state.cfg, &a),
    }))
}

/// GET /appointments/{code}/qr.png: the booking code as a QR (for the kiosk's scanner).
#[utoipa::path(get, path = "/appointments/{code}/qr.png", operation_id = "appointment_qr", tag = "appointments",
    summary = "the booking code as a QR code",
    params(("code" = String, Path, description = "the booking code")),
    responses((status = 200, description = "PNG", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "appointment_not_found"),
        (status = 503, description = "storage_unavailable, render_failed")))]
pub async fn code_qr(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    state.store.appointment(&code).await?.ok_or_else(|| {
        ApiError::not_found(
            "appointment_not_found",
            "没有找到该预约 / no such appointment",
        )
    })?;
    let png = hallq_ticket::qr_png(&code, 8).map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "render_failed",
            e.to_string(),
        )
    })?;
    Ok(([(axum::http::header::CONTENT_TYPE, "image/png")], png).into_response())
}

pub use crate::sweep::sweep_forever;
