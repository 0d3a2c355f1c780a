//! Health, services, snapshot: what anyone (or any staff device) may read.

use super::auth::Principal;
use super::error::ApiResult;
use super::{render, AppState};
use crate::hours::local_day;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

/// GET /health.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
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

/// GET /services: sections → services with waiting counts; whether the hall issues
/// tickets now, and which services are at their daily cap.
pub async fn services(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let waiting = counts(&state).await?;
    let now = state.now();
    let day = local_day(state.cfg.tz(), now);
    let issued: HashMap<String, i64> = state.store.issued_counts(&day).await?.into_iter().collect();
    let h = &state.cfg.hall.hours;
    let open = crate::hours::is_open(h, state.cfg.tz(), now);
    let hours_text = format!("{}–{}（{}）", h.open, h.close, h.days.join(","));
    let sections: Vec<Value> = state
        .cfg
        .sections
        .iter()
        .map(|sec| {
            let services: Vec<Value> = sec
                .services
                .iter()
                .map(|s| {
                    json!({
                        "id": s.id, "name": s.name, "name_en": s.name_en, "prefix": s.prefix,
                        "waiting": waiting.get(&s.id).copied().unwrap_or(0),
                        "full": issued.get(&s.id).copied().unwrap_or(0) >= s.effective_cap(),
                        "booking": s.booking.as_ref().map(|b| json!({
                            "notice": b.notice, "prerequisites": b.prerequisites,
                            "horizon_days": b.horizon_days, "slot_minutes": b.slot_minutes,
                        })),
                    })
                })
                .collect();
            json!({"id": sec.id, "name": sec.name, "name_en": sec.name_en, "services": services})
        })
        .collect();
    Ok(Json(json!({
        "hall": {"id": state.cfg.hall.id, "name": state.cfg.hall.name, "name_en": state.cfg.hall.name_en,
                 "open": open, "hours_text": hours_text},
        "sections": sections,
    })))
}

/// GET /snapshot: windows with what they serve, and every queue.
pub async fn snapshot(State(state): State<AppState>, _who: Principal) -> ApiResult<Json<Value>> {
    Ok(Json(snapshot_value(&state).await?))
}

/// The snapshot's JSON (also sent to staff pages on every change).
///
/// # Errors
/// Storage errors.
pub async fn snapshot_value(state: &AppState) -> ApiResult<Value> {
    let windows = state.store.windows().await?;
    let waiting = counts(state).await?;
    let cfg = &state.cfg;
    // Config order, so screens list windows as the admin wrote them.
    let windows: Vec<Value> = cfg
        .windows
        .iter()
        .filter_map(|c| windows.iter().find(|w| w.id == c.id))
        .map(|w| render::window(cfg, w))
        .collect();
    let queues: Vec<Value> = cfg
        .services()
        .map(|s| json!({"service": s.id, "name": s.name, "waiting": waiting.get(&s.id).copied().unwrap_or(0)}))
        .collect();
    let day = local_day(cfg.tz(), state.now());
    let print_failed: Vec<Value> = state
        .store
        .print_failed(&day)
        .await?
        .iter()
        .map(|t| crate::api::render::public_ticket(cfg, t))
        .collect();
    Ok(json!({
        "hall": {"id": cfg.hall.id, "name": cfg.hall.name},
        "windows": windows,
        "queues": queues,
        "print_failed": print_failed,
        "at": crate::hours::rfc3339(cfg.tz(), state.now()),
    }))
}
