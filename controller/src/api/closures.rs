//! The hall's emergency closures (admin): `POST /admin/closures` closes one slot or a
//! whole day, of one service or of every bookable service — every booked appointment in
//! it is cancelled with the reason, the slots are no longer offered, nobody can book them
//! once the closure has committed ([`crate::store::Store::close_slots`]); `GET /admin/closures`
//! lists them. A closure is final: it cannot be removed (the people it cancelled were
//! told; the slots stay closed).

use super::auth::Principal;
use super::body::JsonBody;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::{local_day, rfc3339, to_local};
use crate::slots;
use crate::store::{Actor, Closure, NewClosure};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use chrono::NaiveDate;
use hallq_config::{Role, Settings};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// POST /admin/closures body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-03", "service": "property", "slot_start": "09:00", "reason": "系统故障"}))]
pub struct NewClosureBody {
    /// The day, YYYY-MM-DD (today or later).
    #[schema(format = Date)]
    date: String,
    /// One bookable service; `null` or absent: every bookable service.
    #[serde(default)]
    #[schema(value_type = Option<super::schema::BookableServiceId>)]
    service: Option<String>,
    /// One slot's start, `HH:MM` hall time; `null` or absent: the whole day.
    #[serde(default)]
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = "09:00")]
    slot_start: Option<String>,
    /// Why (1–200 characters; the cancelled bookings carry it).
    reason: String,
}

/// A closure.
#[derive(Serialize, ToSchema)]
pub struct ClosureView {
    /// Id.
    pub id: i64,
    /// The day closed.
    #[schema(format = Date)]
    pub date: String,
    /// The service closed; `null`: every service.
    pub service: Option<String>,
    /// The slot closed (`HH:MM`, hall time); `null`: the whole day.
    pub slot_start: Option<String>,
    /// Why.
    pub reason: String,
    /// Bookings it cancelled.
    pub cancelled: i64,
    /// When.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Who.
    pub created_by: String,
}

impl ClosureView {
    fn of(cfg: &Settings, c: Closure) -> Self {
        let tz = cfg.tz();
        Self {
            id: c.id,
            date: c.day,
            service: c.service,
            slot_start: c
                .slot_start
                .map(|s| to_local(tz, s).format("%H:%M").to_string()),
            reason: c.reason,
            cancelled: c.cancelled,
            created_at: rfc3339(tz, c.created_at),
            created_by: c.created_by,
        }
    }
}

/// POST /admin/closures answer.
#[derive(Serialize, ToSchema)]
pub struct Closed {
    /// The closure.
    pub closure: ClosureView,
    /// Bookings cancelled by it.
    pub cancelled: i64,
    /// Their codes.
    pub codes: Vec<String>,
}

/// GET /admin/closures answer.
#[derive(Serialize, ToSchema)]
pub struct Closures {
    /// Newest first.
    pub closures: Vec<ClosureView>,
}

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::unprocessable(code, message)
}

/// The slots a closure covers: (service, start, end, capacity) of the calendar.
type Covered = Vec<(String, i64, i64, i64)>;

fn covered(
    cfg: &Settings,
    body: &NewClosureBody,
    date: NaiveDate,
) -> ApiResult<(Covered, Option<i64>)> {
    let tz = cfg.tz();
    let services = super::appointments::bookable_services(
        cfg,
        body.service.as_deref(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )?;
    let hhmm = body.slot_start.as_deref().map(str::trim);
    if let Some(t) = hhmm {
        if chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err() {
            return Err(invalid(
                "invalid_slot",
                "时段应为 HH:MM / slot_start must be HH:MM",
            ));
        }
    }
    let mut out = Vec::new();
    for s in services {
        let Some(b) = s.booking.as_ref() else {
            continue;
        };
        for sl in slots::slots_of_day(b, &crate::hours::Timetable::of(cfg), date) {
            let at = to_local(tz, sl.start).format("%H:%M").to_string();
            if hhmm.is_none_or(|t| t == at) {
                out.push((s.id.clone(), sl.start, sl.end, i64::from(b.capacity)));
            }
        }
    }
    let start =
        match hhmm {
            None => None,
            Some(_) => Some(out.first().map(|c| c.1).ok_or_else(|| {
                invalid("invalid_slot", "当天没有这个时段 / no such slot that day")
            })?),
        };
    Ok((out, start))
}

/// POST /admin/closures: close a slot or a whole day (emergency), cancelling its bookings.
#[utoipa::path(post, path = "/admin/closures", operation_id = "close_slots", tag = "admin",
    summary = "close a slot or a day (emergency): its bookings are cancelled with the reason",
    security(("device_token" = []), ("staff_session" = [])),
    request_body = NewClosureBody,
    responses((status = 201, description = "closed (audited); the count of cancelled bookings", body = Closed),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_date, past_date, unknown_service, not_bookable, invalid_slot, invalid_reason"),
        (status = 503, description = "storage_unavailable")))]
pub async fn close(
    State(state): State<AppState>,
    who: Principal,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewClosureBody>,
) -> ApiResult<(StatusCode, Json<Closed>)> {
    who.require(&[Role::Admin])?;
    let cfg = &state.cfg;
    let reason = super::bans::reason_of(&body.reason, "停约", false)?;
    let date = NaiveDate::parse_from_str(body.date.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(
            "invalid_date",
            "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD",
        )
    })?;
    let now = state.now();
    let day = date.format("%Y-%m-%d").to_string();
    if day < local_day(cfg.tz(), now) {
        return Err(invalid(
            "past_date",
            "不能停约已过去的日期 / that day is past",
        ));
    }
    let (slots, slot_start) = covered(cfg, &body, date)?;
    let origin = super::windows::origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    let (closure, cancelled) = state
        .store
        .close_slots(&NewClosure {
            day: &day,
            service: body.service.as_deref(),
            slot_start,
            slots: &slots,
            reason,
            by: Actor {
                name: &who.name,
                origin: &origin,
            },
            now,
        })
        .await?;
    tracing::info!(closure = closure.id, cancelled = cancelled.len(), by = %who.name, "slots closed");
    Ok((
        StatusCode::CREATED,
        Json(Closed {
            cancelled: closure.cancelled,
            codes: cancelled.into_iter().map(|a| a.code).collect(),
            closure: ClosureView::of(cfg, closure),
        }),
    ))
}

/// GET /admin/closures: the hall's closures, newest first.
#[utoipa::path(get, path = "/admin/closures", operation_id = "closures", tag = "admin", summary = "closed slots and days",
    security(("device_token" = []), ("staff_session" = [])),
    responses((status = 200, description = "closures", body = Closures),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 503, description = "storage_unavailable")))]
pub async fn closures(State(state): State<AppState>, who: Principal) -> ApiResult<Json<Closures>> {
    who.require(&[Role::Admin])?;
    let list = state.store.closures().await?;
    Ok(Json(Closures {
        closures: list
            .into_iter()
            .map(|c| ClosureView::of(&state.cfg, c))
            .collect(),
    }))
}
