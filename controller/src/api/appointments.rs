//! Online booking (citizens with a verified identity), check-in at the kiosk, false
//! information at the window, and bans for admins.

use super::auth::Principal;
use super::body::{ApiPath, ApiQuery, JsonBody, LaterJson, OptionalJson};
use super::error::{ApiError, ApiResult};
use super::{render, AppState};
use crate::hours::{day_start_ms, local_day, rfc3339, to_local};
use crate::identity::Citizen;
use crate::model::Kind;
use crate::slots;
use crate::store::{Appointment, BanRule, BookRequest, NewTicket};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use hallq_config::booking::ServiceBooking;
use hallq_config::{Role, Service, Settings};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// An appointment as its holder sees it.
#[derive(Serialize, ToSchema)]
pub struct AppointmentView {
    /// The booking code (typed at the kiosk).
    #[schema(example = "K7Q2M9")]
    pub code: String,
    /// Service id.
    pub service: String,
    /// Service name.
    pub service_name: Option<String>,
    /// Slot start, RFC 3339 with the hall's offset.
    #[schema(format = DateTime, example = "2026-12-01T09:00:00+08:00")]
    pub slot_start: String,
    /// Slot end.
    #[schema(format = DateTime, example = "2026-12-01T09:30:00+08:00")]
    pub slot_end: String,
    /// Where it is in its life.
    #[schema(value_type = AppointmentStatus)]
    pub status: String,
    /// The holder's name, masked (`张*三`).
    pub name_masked: String,
    /// The holder's ID number, masked (`4601**********123X`).
    pub id_masked: String,
    /// The holder's phone, masked.
    pub phone_masked: String,
    /// The channel that verified the holder.
    pub channel: String,
    /// The verification method.
    pub method: String,
    /// When it was booked.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// An appointment's state.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Booked.
    Booked,
    /// A ticket was taken for it.
    CheckedIn,
    /// Cancelled by its holder.
    Cancelled,
    /// Not checked in in time.
    NoShow,
    /// Served.
    Done,
}

impl AppointmentView {
    /// The shape of `a`.
    pub fn of(cfg: &Settings, a: &Appointment) -> Self {
        let tz = cfg.tz();
        Self {
            code: a.code.clone(),
            service: a.service.clone(),
            service_name: cfg.service(&a.service).map(|s| s.name.clone()),
            slot_start: rfc3339(tz, a.slot_start),
            slot_end: rfc3339(tz, a.slot_end),
            status: a.status.clone(),
            name_masked: a.name_masked.clone(),
            id_masked: a.id_masked.clone(),
            phone_masked: a.phone_masked.clone(),
            channel: a.channel.clone(),
            method: a.method.clone(),
            created_at: rfc3339(tz, a.created_at),
        }
    }
}

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
    let s = cfg.service(id).ok_or_else(|| {
        ApiError::unprocessable(
            "unknown_service",
            format!("没有该业务 / unknown service {id:?}"),
        )
    })?;
    let b = s.booking.as_ref().ok_or_else(|| {
        ApiError::unprocessable(
            "not_bookable",
            format!("{} 不支持网上预约 / not bookable online", s.name),
        )
    })?;
    Ok((s, b))
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
        slots::slots_of_day(b, &cfg.calendar, tz, date)
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
        (status = 400, description = "bad_json"),
        (status = 401, description = "identity_required, identity_rejected"),
        (status = 403, description = "banned (with `until`)"),
        (status = 409, description = "slot_full, daily_limit, too_late"),
        (status = 413, description = "body_too_large"),
        (status = 415, description = "unsupported_media_type"),
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
    let slot = slots::find(b, &cfg.calendar, tz, start)
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
    let req = BookRequest {
        service: &service.id,
        slot: (slot.start, slot.end),
        day: &day,
        capacity: i64::from(b.capacity),
        daily_limit: i64::from(cfg.appointments.daily_limit),
        who: &who,
        now,
    };
    let a = state.store.book(&req).await?;
    tracing::info!(code = %a.code, service = %a.service, person = %who.id_masked, channel = %who.channel, "booked");
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
    let list = state.store.appointments_of(&who.id_hash).await?;
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
    let a = state.store.cancel(&code, &who.id_hash, state.now()).await?;
    Ok(Json(OneAppointment {
        appointment: AppointmentView::of(&state.cfg, &a),
    }))
}

/// GET /appointments/{code}/qr.png: the booking code as a QR (for the kiosk's scanner).
#[utoipa::path(get, path = "/appointments/{code}/qr.png", tag = "appointments",
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
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CheckedIn {
    /// The appointment ticket.
    ticket: render::IssuedTicket,
    /// The appointment, now `checked_in`.
    appointment: AppointmentView,
    /// Printing at the kiosk's printer.
    print: super::schema::PrintOutcome,
}

/// POST /checkins: at the kiosk, turn today's appointment into an appointment ticket.
#[utoipa::path(post, path = "/checkins", tag = "appointments",
    summary = "check in today's appointment at the kiosk: an appointment ticket",
    security(("device_token" = [])),
    request_body = CheckInBody,
    responses((status = 201, description = "checked in", body = CheckedIn),
        (status = 400, description = "bad_json"),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not a kiosk, or the ID card does not match the appointment"),
        (status = 404, description = "appointment_not_found"),
        (status = 409, description = "not_booked, not_today, too_early, checkin_closed, daily_cap_reached"),
        (status = 413, description = "body_too_large"),
        (status = 415, description = "unsupported_media_type"),
        (status = 422, description = "invalid_body, invalid_id_number"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn check_in(
    State(state): State<AppState>,
    who: Principal,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
pub async fn check_in_core(state: &AppState, who: &Principal, body: CheckIn) -> ApiResult<Value> {
    who.require(&[Role::Kiosk, Role::Admin])?;
    let cfg = &state.cfg;
    let now = state.now();
    let tz = cfg.tz();
    let today = local_day(tz, now);
    let person = match &body.id_number {
        Some(n) => Some(
            state
                .identity
                .hash_id(n)
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
            let list = state.store.booked_of_day(p, &today).await?;
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
        if &a.person != p {
            return Err(ApiError::forbidden(
                "身份证与预约人不一致 / this ID card does not match the appointment",
            ));
        }
    }
    if a.status != "booked" {
        return Err(crate::store::Refusal::NotBooked(a.status.clone()).into());
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
    };
    let issued = state.store.check_in(&a, ticket).await?;
    state.metrics.ticket_issued(&issued.ticket.service);
    let print = match super::printing::printer_of(cfg, who) {
        Some(p) => super::printing::print(state, &issued.ticket, issued.people_ahead, p).await,
        None => json!({"status": "none"}),
    };
    let mut a = a;
    a.status = "checked_in".into();
    Ok(json!({
        "ticket": render::ticket(cfg, &issued.ticket, issued.people_ahead),
        "appointment": AppointmentView::of(cfg, &a),
        "print": print,
    }))
}

/// The ban rule for `months` from today (local), with its reason.
pub fn ban_rule(cfg: &Settings, now: i64, limit: u32, months: u32, reason: &str) -> BanRule {
    let tz = cfg.tz();
    let today = to_local(tz, now).date_naive();
    let until = today
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(today);
    let until_day = until.format("%Y-%m-%d").to_string();
    let until_ms = day_start_ms(tz, &until_day).unwrap_or(now);
    BanRule {
        limit: i64::from(limit),
        until: (until_day, until_ms),
        reason: reason.to_string(),
    }
}

/// POST /windows/{w}/false-info answer.
#[derive(Serialize, ToSchema)]
pub struct FalseInfo {
    /// The ticket number at the window.
    pub ticket: String,
    /// Whether the holder is now banned from booking.
    pub banned: bool,
}

/// POST /windows/{w}/false-info: the clerk marks the held appointment as false information.
#[utoipa::path(post, path = "/windows/{w}/false-info", tag = "windows",
    summary = "mark the held appointment as false information",
    security(("device_token" = []), ("staff_session" = [])),
    params(("w" = super::schema::WindowId, Path, description = "window id")),
    responses((status = 200, description = "marked", body = FalseInfo),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not this window's clerk"),
        (status = 404, description = "unknown_window"),
        (status = 409, description = "no_current_ticket, not_appointment"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn false_info(
    State(state): State<AppState>,
    who: Principal,
    Path(w): Path<String>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<FalseInfo>> {
    super::windows::known_window(&state.cfg, &w)?;
    who.require_window(&w, false)?;
    let windows = state.store.window(&w).await?;
    let t = windows
        .and_then(|s| s.serving)
        .ok_or(crate::store::Refusal::NoCurrentTicket)?;
    let r = &state.cfg.appointments;
    let now = state.now();
    let rule = ban_rule(
        &state.cfg,
        now,
        r.false_info_limit,
        r.false_info_ban_months,
        "因连续提供虚假信息",
    );
    let from = super::windows::origin(peer.map(|axum::Extension(c)| c.0), &headers);
    let by = crate::store::Actor {
        name: &who.name,
        origin: &from,
    };
    let banned = state
        .store
        .mark_false_info(t.id, &w, by, &rule, now)
        .await?;
    tracing::info!(window = %w, by = %who.name, ticket = %t.number, banned, "false information marked");
    Ok(Json(FalseInfo {
        ticket: t.number,
        banned,
    }))
}

/// Query of GET /admin/bans.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BansQuery {
    /// Also bans lifted or over.
    #[serde(default)]
    all: bool,
}

/// A booking ban.
#[derive(Serialize, ToSchema)]
pub struct BanView {
    /// Ban id.
    pub id: i64,
    /// The person's ID number, masked.
    pub id_masked: String,
    /// Why.
    pub reason: String,
    /// Since.
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// Last day (YYYY-MM-DD).
    #[schema(format = Date)]
    pub until: String,
    /// When an admin lifted it.
    #[schema(format = DateTime)]
    pub lifted_at: Option<String>,
    /// Who lifted it.
    pub lifted_by: Option<String>,
}

/// GET /admin/bans answer.
#[derive(Serialize, ToSchema)]
pub struct Bans {
    /// The bans.
    pub bans: Vec<BanView>,
}

/// GET /admin/bans: bans in force (or all with `?all=true`).
#[utoipa::path(get, path = "/admin/bans", tag = "admin", summary = "booking bans",
    security(("device_token" = []), ("staff_session" = [])),
    params(BansQuery),
    responses((status = 200, description = "bans", body = Bans),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 422, description = "invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn bans(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<BansQuery>,
) -> ApiResult<Json<Bans>> {
    who.require(&[Role::Admin])?;
    let tz = state.cfg.tz();
    let bans = state
        .store
        .bans(q.all, state.now())
        .await?
        .into_iter()
        .map(|b| BanView {
            id: b.id,
            id_masked: b.id_masked,
            reason: b.reason,
            starts_at: rfc3339(tz, b.starts_at),
            until: b.until_day,
            lifted_at: b.lifted_at.map(|t| rfc3339(tz, t)),
            lifted_by: b.lifted_by,
        })
        .collect();
    Ok(Json(Bans { bans }))
}

/// POST /admin/bans/{id}/lift body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lift {
    /// Why (audited).
    #[serde(default)]
    reason: Option<String>,
}

/// POST /admin/bans/{id}/lift answer.
#[derive(Serialize, ToSchema)]
pub struct Lifted {
    /// The ban lifted.
    pub lifted: i64,
}

/// POST /admin/bans/{id}/lift: lifts a ban; audited with who, when and from where.
#[utoipa::path(post, path = "/admin/bans/{id}/lift", tag = "admin", summary = "lift a ban",
    security(("device_token" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "ban id")),
    request_body(content = Option<Lift>, description = "optional"),
    responses((status = 200, description = "lifted", body = Lifted),
        (status = 400, description = "bad_json"),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 404, description = "ban_not_found, not_found (id not a number)"),
        (status = 413, description = "body_too_large"),
        (status = 415, description = "unsupported_media_type"),
        (status = 422, description = "invalid_body"),
        (status = 503, description = "storage_unavailable")))]
pub async fn lift(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    OptionalJson(body): OptionalJson<Lift>,
) -> ApiResult<Json<Lifted>> {
    who.require(&[Role::Admin])?;
    let origin = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("direct")
        .to_string();
    let reason = body.reason.unwrap_or_default();
    if !state
        .store
        .lift_ban(id, &who.name, &reason, &origin, state.now())
        .await?
    {
        return Err(ApiError::not_found(
            "ban_not_found",
            "没有该禁约记录或已解除 / no such ban in force",
        ));
    }
    Ok(Json(Lifted { lifted: id }))
}

/// Runs the no-show sweep every 30 s until the process ends.
pub async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        let r = &state.cfg.appointments;
        let now = state.now();
        let rule = ban_rule(
            &state.cfg,
            now,
            r.no_show_limit,
            r.no_show_ban_months,
            "因多次爽约",
        );
        let grace = i64::from(r.checkin_grace_minutes) * 60_000;
        match state.store.sweep_no_shows(grace, &rule, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("{n} appointments marked as no-show"),
            Err(e) => tracing::warn!("no-show sweep: {e}"),
        }
    }
}
