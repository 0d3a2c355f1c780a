//! Health, services, snapshot: what anyone (or any staff device) may read.

use super::auth::Principal;
use super::error::ApiResult;
use super::AppState;
use crate::hours::local_day;
use crate::views::{PublicTicket, WindowView};
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;

/// GET /health answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// GET /health.
#[utoipa::path(get, path = "/health", tag = "hall", summary = "liveness",
    responses((status = 200, description = "the process serves", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

async fn counts(state: &AppState) -> ApiResult<HashMap<String, i64>> {
    let day = local_day(state.cfg.tz(), state.now());
    Ok(state
        .store
        .queue_counts(&day)
        .await?
        .into_iter()
        .map(|q| (q.service, q.waiting))
        .collect())
}

/// GET /services answer.
#[derive(Serialize, ToSchema)]
pub struct Services {
    /// The hall, and whether it issues tickets now.
    pub hall: HallOpen,
    /// Business sections in config order.
    pub sections: Vec<Section>,
}

/// The hall in GET /services.
#[derive(Serialize, ToSchema)]
pub struct HallOpen {
    /// Hall id.
    pub id: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Whether tickets are issued now: false during a break, outside the day's periods,
    /// on a closed weekday and on a public holiday.
    pub open: bool,
    /// Why not, when closed: `break`, `closed` or `holiday`.
    pub closed_reason: Option<crate::opening::Reason>,
    /// When tickets are issued again (RFC 3339 in the hall's zone), when closed and an
    /// opening lies within 60 days; else null.
    #[schema(format = DateTime, example = "2026-12-02T14:30:00+08:00")]
    pub opens_at: Option<String>,
    /// When the current period ends (RFC 3339 in the hall's zone), when open; else null.
    #[schema(format = DateTime, example = "2026-12-02T12:00:00+08:00")]
    pub closes_at: Option<String>,
    /// The status line the kiosk shows.
    #[schema(example = "午休中，14:30 开始取号")]
    pub status_text: String,
    /// The status line in English.
    #[schema(example = "lunch break: tickets from 14:30")]
    pub status_text_en: String,
    /// Opening hours as text.
    #[schema(example = "周一至周五 09:00–12:00，14:30–17:30；周六 09:00–12:00")]
    pub hours_text: String,
}

/// A business section (业务板块).
#[derive(Serialize, ToSchema)]
pub struct Section {
    /// Section id.
    pub id: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Its services.
    pub services: Vec<ServiceInfo>,
}

/// A service with its queue.
#[derive(Serialize, ToSchema)]
pub struct ServiceInfo {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Ticket prefix letter.
    pub prefix: String,
    /// People waiting today.
    pub waiting: i64,
    /// At its daily cap: no more tickets today.
    pub full: bool,
    /// Online booking, when the service takes it.
    pub booking: Option<BookingInfo>,
}

/// What the booking pages show of a bookable service.
#[derive(Serialize, ToSchema)]
pub struct BookingInfo {
    /// The booking notice (预约须知).
    pub notice: Option<String>,
    /// What must be done first.
    pub prerequisites: Vec<String>,
    /// How many days ahead one may book.
    pub horizon_days: u32,
    /// Slot length.
    pub slot_minutes: u32,
}

/// GET /services: sections → services with waiting counts; whether the hall issues
/// tickets now (and if not, why and from when), and which services are at their daily cap.
#[utoipa::path(get, path = "/services", tag = "hall",
    summary = "sections and services with waiting counts",
    responses((status = 200, description = "the hall's services", body = Services),
        (status = 503, description = "storage_unavailable")))]
pub async fn services(State(state): State<AppState>) -> ApiResult<Json<Services>> {
    let waiting = counts(&state).await?;
    let now = state.now();
    let day = local_day(state.cfg.tz(), now);
    let issued: HashMap<String, i64> = state.store.issued_counts(&day).await?.into_iter().collect();
    let h = &state.cfg.hall.hours;
    let sections = state
        .cfg
        .sections
        .iter()
        .map(|sec| Section {
            id: sec.id.clone(),
            name: sec.name.clone(),
            name_en: sec.name_en.clone(),
            services: sec
                .services
                .iter()
                .map(|s| ServiceInfo {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    name_en: s.name_en.clone(),
                    prefix: s.prefix.clone(),
                    waiting: waiting.get(&s.id).copied().unwrap_or(0),
                    full: issued.get(&s.id).copied().unwrap_or(0) >= s.effective_cap(),
                    booking: s.booking.as_ref().map(|b| BookingInfo {
                        notice: b.notice.clone(),
                        prerequisites: b.prerequisites.clone(),
                        horizon_days: b.horizon_days,
                        slot_minutes: b.slot_minutes,
                    }),
                })
                .collect(),
        })
        .collect();
    let hall = &state.cfg.hall;
    let hours_text = h.describe();
    let opening =
        crate::opening::status(&crate::hours::Timetable::of(&state.cfg), now, &hours_text);
    let tz = state.cfg.tz();
    Ok(Json(Services {
        hall: HallOpen {
            id: hall.id.clone(),
            name: hall.name.clone(),
            name_en: hall.name_en.clone(),
            open: opening.open,
            closed_reason: opening.reason,
            opens_at: opening.opens_at.map(|t| crate::hours::rfc3339(tz, t)),
            closes_at: opening.closes_at.map(|t| crate::hours::rfc3339(tz, t)),
            status_text: opening.zh,
            status_text_en: opening.en,
            hours_text,
        },
        sections,
    }))
}

/// GET /snapshot answer (also sent to staff pages on every change).
#[derive(Serialize, ToSchema)]
pub struct Snapshot {
    /// The hall.
    pub hall: HallName,
    /// Windows in config order.
    pub windows: Vec<WindowView>,
    /// Every service's queue.
    pub queues: Vec<QueueView>,
    /// Today's tickets whose printing failed (to reprint).
    pub print_failed: Vec<PublicTicket>,
    /// When the snapshot was taken.
    #[schema(format = DateTime)]
    pub at: String,
}

/// A hall's id and name.
#[derive(Serialize, ToSchema)]
pub struct HallName {
    /// Hall id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A queue in the snapshot.
#[derive(Serialize, ToSchema)]
pub struct QueueView {
    /// Service id.
    pub service: String,
    /// Service name.
    pub name: String,
    /// People waiting.
    pub waiting: i64,
}

/// GET /snapshot: windows with what they serve, and every queue.
#[utoipa::path(get, path = "/snapshot", tag = "hall", summary = "windows, current calls, queues",
    security(("device_token" = []), ("staff_session" = [])),
    responses((status = 200, description = "the hall now", body = Snapshot),
        (status = 401, description = "unauthorized: no, unknown or ended token"),
        (status = 503, description = "storage_unavailable")))]
pub async fn snapshot(State(state): State<AppState>, _who: Principal) -> ApiResult<Json<Snapshot>> {
    Ok(Json(snapshot_of(&state).await?))
}

/// The snapshot's JSON (also sent to staff pages on every change).
///
/// # Errors
/// Storage errors.
pub async fn snapshot_value(state: &AppState) -> ApiResult<Value> {
    Ok(serde_json::to_value(snapshot_of(state).await?).unwrap_or_default())
}

async fn snapshot_of(state: &AppState) -> ApiResult<Snapshot> {
    let windows = state.store.windows().await?;
    let waiting = counts(state).await?;
    let cfg = &state.cfg;
    // Config order, so screens list windows as the admin wrote them.
    let windows = cfg
        .windows
        .iter()
        .filter_map(|c| windows.iter().find(|w| w.id == c.id))
        .map(|w| WindowView::of(cfg, w))
        .collect();
    let queues = cfg
        .services()
        .map(|s| QueueView {
            service: s.id.clone(),
            name: s.name.clone(),
            waiting: waiting.get(&s.id).copied().unwrap_or(0),
        })
        .collect();
    let day = local_day(cfg.tz(), state.now());
    let print_failed = state
        .store
        .print_failed(&day)
        .await?
        .iter()
        .map(|t| PublicTicket::of(cfg, t))
        .collect();
    Ok(Snapshot {
        hall: HallName {
            id: cfg.hall.id.clone(),
            name: cfg.hall.name.clone(),
        },
        windows,
        queues,
        print_failed,
        at: crate::hours::rfc3339(cfg.tz(), state.now()),
    })
}
