//! What staff pages need besides the window actions: who am I, a live feed of the hall,
//! and the ID check at the window.

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use hallq_config::secret::constant_time_eq;
use hallq_config::Role;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// GET /me: the token's name, role and window (with the window's services).
pub async fn me(State(state): State<AppState>, who: Principal) -> Json<Value> {
    let w = who.window.as_deref().and_then(|w| state.cfg.window(w));
    let services: Vec<Value> = w
        .map(|w| {
            w.services
                .iter()
                .filter_map(|s| state.cfg.service(s))
                .map(|s| json!({"id": s.id, "name": s.name}))
                .collect()
        })
        .unwrap_or_default();
    Json(json!({
        "name": who.name, "display_name": who.display, "role": who.role.as_str(), "window": who.window,
        "session_expires_at": who.session.map(|(_, end)| crate::hours::rfc3339(state.cfg.tz(), end)),
        "window_name": w.map(|w| w.name.as_str()), "services": services,
    }))
}

/// Query of the staff feed (browsers cannot set headers on a WebSocket).
#[derive(Deserialize)]
pub struct FeedQuery {
    token: String,
}

/// GET /staff/events?token=: the snapshot now and after every change of the hall.
pub async fn events(
    State(state): State<AppState>,
    Query(q): Query<FeedQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let who = super::auth::authenticate(&state, &q.token).await?;
    who.require(&[Role::Admin, Role::Clerk, Role::Display])?;
    Ok(ws
        .write_buffer_size(0)
        .on_upgrade(move |socket| feed(socket, state, who.session.map(|_| q.token))))
}

/// Close code sent when the staff session behind a feed has ended (the page signs in again).
pub const SESSION_ENDED: u16 = 4401;

async fn feed(mut socket: WebSocket, state: AppState, session_token: Option<String>) {
    let mut rx = state.hall_changed.subscribe();
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    let mut recheck = tokio::time::interval(Duration::from_secs(15));
    loop {
        let snap = match super::info::snapshot_value(&state).await {
            Ok(v) => v,
            Err(e) => json!({"error": e.code, "message": e.message}),
        };
        if socket
            .send(Message::Text(Utf8Bytes::from(snap.to_string())))
            .await
            .is_err()
        {
            return;
        }
        loop {
            tokio::select! {
                r = rx.changed() => {
                    if r.is_err() { return; }
                    rx.borrow_and_update();
                    break;
                }
                m = socket.recv() => match m {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                },
                _ = ping.tick() => {
                    if socket.send(Message::Ping(Default::default())).await.is_err() { return; }
                }
                _ = recheck.tick(), if session_token.is_some() => {
                    let token = session_token.as_deref().unwrap_or_default();
                    if super::auth::authenticate(&state, token).await.is_err() {
                        let frame = CloseFrame { code: SESSION_ENDED, reason: Utf8Bytes::from_static("session ended") };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                        return;
                    }
                }
            }
        }
    }
}

/// POST /windows/{w}/verify-id body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyId {
    id_number: String,
}

/// POST /windows/{w}/verify-id: does this ID number belong to the holder of the ticket at
/// the window? Answers match / mismatch / unknown; never shows the stored number.
pub async fn verify_id(
    State(state): State<AppState>,
    who: Principal,
    Path(w): Path<String>,
    body: LaterJson,
) -> ApiResult<Json<Value>> {
    super::windows::known_window(&state.cfg, &w)?;
    who.require_window(&w, false)?;
    let body: VerifyId = body.parse()?;
    let t = state
        .store
        .window(&w)
        .await?
        .and_then(|s| s.serving)
        .ok_or(crate::store::Refusal::NoCurrentTicket)?;
    let hash = state
        .identity
        .hash_id(&body.id_number)
        .map_err(|e| ApiError::unprocessable("invalid_id_number", e.to_string()))?;
    let result = match state.store.ticket_person(t.id).await? {
        Some(p) if constant_time_eq(&p, &hash) => "match",
        Some(_) => "mismatch",
        None => "unknown",
    };
    let message = match result {
        "match" => "证件与取号人一致 / the ID matches the ticket holder",
        "mismatch" => "证件与取号人不一致，可拒绝办理 / the ID does NOT match the ticket holder",
        _ => "该号为现场取号，无实名记录 / walk-in ticket: no holder on record",
    };
    Ok(Json(
        json!({"ticket": t.number, "result": result, "message": message}),
    ))
}
