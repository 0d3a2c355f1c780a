//! GET /windows/{w}/desk: what the clerk's panel shows of its window — the ticket held,
//! the next tickets in exactly the order call-next takes them, how many it could call,
//! today's served / no-show / not-started counts, today's no-shows to call back. Personal
//! data: only the appointment holder's masked name.

use super::auth::Principal;
use super::error::ApiResult;
use super::AppState;
use crate::hours::{local_day, rfc3339, to_local};
use crate::model::{Kind, Status};
use crate::store::{DeskTicket, WindowInfo};
use axum::extract::{Path, State};
use axum::Json;
use hallq_config::Settings;
use serde::Serialize;
use utoipa::ToSchema;

/// The desk view of a window.
#[derive(Serialize, ToSchema)]
pub struct Desk {
    /// Window id.
    pub window: String,
    /// The hall's `hall.start_on_call`: a call starts service at once.
    pub start_on_call: bool,
    /// The ticket the window holds.
    pub current: Option<DeskCurrent>,
    /// Up to 5 tickets, in exactly the order call-next would take them.
    pub upcoming: Vec<DeskUpcoming>,
    /// Tickets this window could call now.
    pub waiting: i64,
    /// Today at this window.
    pub today: DeskToday,
    /// Today's no-shows at this window, newest first (at most 20); `call` with the
    /// number calls one back.
    pub no_shows: Vec<DeskNoShowItem>,
}

/// The ticket a window holds.
#[derive(Serialize, ToSchema)]
pub struct DeskCurrent {
    /// Printed number.
    pub number: String,
    /// Service id.
    pub service: String,
    /// Service name.
    pub service_name: String,
    /// Walk-in, green channel or appointment.
    pub kind: Kind,
    /// `called` or `serving`.
    pub status: Status,
    /// Last call, RFC 3339 in the hall's zone.
    #[schema(format = DateTime)]
    pub called_at: String,
    /// Times called.
    pub calls: i64,
    /// Where it came from when transferred: the service's name (moved between
    /// services) or the window's (sent to this window).
    pub transferred_from: Option<String>,
    /// Its appointment, for an appointment ticket.
    pub appointment: Option<DeskAppointmentView>,
}

/// An appointment as the window sees it.
#[derive(Serialize, ToSchema)]
pub struct DeskAppointmentView {
    /// Booking code.
    pub code: String,
    /// Slot date, `YYYY-MM-DD` in the hall's zone.
    #[schema(format = Date)]
    pub date: String,
    /// Slot, `HH:MM-HH:MM`.
    #[schema(example = "09:30-10:00")]
    pub slot: String,
    /// Masked name.
    #[schema(example = "张*三")]
    pub name_masked: String,
}

/// A ticket the window will call.
#[derive(Serialize, ToSchema)]
pub struct DeskUpcoming {
    /// Printed number.
    pub number: String,
    /// Service id.
    pub service: String,
    /// Service name.
    pub service_name: String,
    /// Walk-in, green channel or appointment.
    pub kind: Kind,
    /// Transferred (to this window or from another service).
    pub transferred: bool,
    /// The appointment's slot, `HH:MM-HH:MM`.
    pub slot: Option<String>,
}

/// Today's counts at the window.
#[derive(Serialize, ToSchema)]
pub struct DeskToday {
    /// Started and finished.
    pub served: i64,
    /// Did not come.
    pub no_show: i64,
    /// Closed by a call without ever being started.
    pub not_started: i64,
}

/// A no-show of today.
#[derive(Serialize, ToSchema)]
pub struct DeskNoShowItem {
    /// Printed number.
    pub number: String,
    /// Service name.
    pub service_name: String,
    /// When it was marked, RFC 3339 in the hall's zone.
    #[schema(format = DateTime)]
    pub at: String,
}

/// GET /windows/{w}/desk: the clerk's view of the window.
#[utoipa::path(get, path = "/windows/{w}/desk", tag = "windows",
    summary = "the clerk's view of the window: held ticket, next 5, counts, no-shows",
    description = "The window's clerk (device token or session) or an admin. `upcoming` is exactly the order successive call-nexts would take; personal data is only the masked name.",
    security(("device_token" = []), ("staff_session" = [])),
    params(("w" = super::schema::WindowId, Path, description = "window id")),
    responses((status = 200, description = "the desk view", body = Desk),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not this window's clerk"),
        (status = 404, description = "unknown_window"),
        (status = 503, description = "storage_unavailable")))]
pub async fn desk(
    State(state): State<AppState>,
    Path(w): Path<String>,
    who: Principal,
) -> ApiResult<Json<Desk>> {
    let cfg = &state.cfg;
    let conf = super::windows::known_window(cfg, &w)?;
    who.require_window(&w, false)?;
    let tz = cfg.tz();
    let now = state.now();
    let info = WindowInfo {
        id: &conf.id,
        name: &conf.name,
        services: &conf.services,
        start_on_call: cfg.hall.start_on_call,
    };
    let v = state
        .store
        .desk_view(info, &local_day(tz, now), now)
        .await?;
    let current = v.current.map(|t| DeskCurrent {
        transferred_from: transferred_from(cfg, &t),
        appointment: t.appointment.as_ref().map(|a| DeskAppointmentView {
            code: a.code.clone(),
            date: local_day(tz, a.slot_start),
            slot: slot(cfg, a.slot_start, a.slot_end),
            name_masked: a.name_masked.clone(),
        }),
        service_name: service_name(cfg, &t.service),
        called_at: t.called_at.map(|c| rfc3339(tz, c)).unwrap_or_default(),
        number: t.number,
        service: t.service,
        kind: t.kind,
        status: t.status,
        calls: t.calls,
    });
    let upcoming = v
        .upcoming
        .into_iter()
        .map(|t| DeskUpcoming {
            service_name: service_name(cfg, &t.service),
            transferred: t.from_window.is_some() || t.target_window.is_some(),
            slot: t
                .appointment
                .as_ref()
                .map(|a| slot(cfg, a.slot_start, a.slot_end)),
            number: t.number,
            service: t.service,
            kind: t.kind,
        })
        .collect();
    let no_shows = v
        .no_shows
        .into_iter()
        .map(|n| DeskNoShowItem {
            service_name: service_name(cfg, &n.service),
            at: rfc3339(tz, n.at),
            number: n.number,
        })
        .collect();
    Ok(Json(Desk {
        window: w,
        start_on_call: cfg.hall.start_on_call,
        current,
        upcoming,
        waiting: v.waiting,
        today: DeskToday {
            served: v.served,
            no_show: v.no_show,
            not_started: v.not_started,
        },
        no_shows,
    }))
}

fn service_name(cfg: &Settings, id: &str) -> String {
    cfg.service(id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

/// The service it left (when a transfer changed its service), else the window that sent it.
fn transferred_from(cfg: &Settings, t: &DeskTicket) -> Option<String> {
    match (&t.from_service, &t.from_window) {
        (Some(s), _) if *s != t.service => Some(service_name(cfg, s)),
        (_, Some(w)) => Some(cfg.window(w).map_or_else(|| w.clone(), |w| w.name.clone())),
        _ => None,
    }
}

fn slot(cfg: &Settings, start: i64, end: i64) -> String {
    let tz = cfg.tz();
    let hm = |ms| to_local(tz, ms).format("%H:%M").to_string();
    format!("{}-{}", hm(start), hm(end))
}
