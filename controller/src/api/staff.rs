//! What staff pages need besides the window actions: who am I, a live feed of the hall,
//! and the ID check at the window.

use super::auth::Principal;
use super::body::{ApiQuery, LaterJson};
use super::error::{ApiError, ApiResult};
use super::kiosk::{handshake, TokenQuery};
use super::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use hallq_config::secret::constant_time_eq;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;
use utoipa::ToSchema;

/// GET /me answer.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// Credential or user name.
    pub name: String,
    /// What pages show.
    pub display_name: String,
    /// `admin`, `clerk`, `kiosk`, `display` or `button`.
    #[schema(example = "clerk")]
    pub role: &'static str,
    /// The window of a clerk or button.
    pub window: Option<String>,
    /// When a staff session ends (null for device tokens).
    #[schema(format = DateTime)]
    pub session_expires_at: Option<String>,
    /// The window's name.
    pub window_name: Option<String>,
    /// The window's services.
    pub services: Vec<NamedService>,
    /// The hall's `hall.start_on_call`: a call starts service at once (F1 is the only
    /// key per citizen).
    pub start_on_call: bool,
}

/// A service's id and name.
#[derive(Serialize, ToSchema)]
pub struct NamedService {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// GET /me: the token's name, role and window (with the window's services).
#[utoipa::path(get, path = "/me", tag = "staff", summary = "who this token is",
    security(("device_token" = []), ("staff_session" = [])),
    responses((status = 200, description = "the caller", body = Me),
        (status = 401, description = "unauthorized"),
        (status = 503, description = "storage_unavailable")))]
pub async fn me(State(state): State<AppState>, who: Principal) -> Json<Me> {
    let w = who.window.as_deref().and_then(|w| state.cfg.window(w));
    let services = w
        .map(|w| {
            w.services
                .iter()
                .filter_map(|s| state.cfg.service(s))
                .map(|s| NamedService {
                    id: s.id.clone(),
                    name: s.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Json(Me {
        session_expires_at: who
            .session
            .map(|(_, end)| crate::hours::rfc3339(state.cfg.tz(), end)),
        window_name: w.map(|w| w.name.clone()),
        role: who.role.as_str(),
        name: who.name,
        display_name: who.display,
        window: who.window,
        services,
        start_on_call: state.cfg.hall.start_on_call,
    })
}

/// GET /staff/events?token=: the snapshot now and after every change of the hall.
#[utoipa::path(get, path = "/staff/events", operation_id = "staff_events", tag = "live",
    summary = "the hall's snapshot, live (WebSocket; admin, clerk, display)",
    description = "A WebSocket handshake with the token in the query. The server sends the snapshot (`Snapshot`, as `GET /snapshot`) now and after every change of the hall; a staff session that ends closes the socket with code 4401, one taken over by another clerk signing in at its window with code 4409 (reason `taken_over`).",
    security(("query_token" = [])),
    params(super::schema::Handshake),
    responses((status = 101, description = "switched to the WebSocket protocol"),
        (status = 400, description = "websocket_required: not a WebSocket handshake"),
        (status = 401, description = "unauthorized: unknown or ended token"),
        (status = 403, description = "forbidden: not admin, clerk or display"),
        (status = 422, description = "invalid_query: no `token`"),
        (status = 503, description = "storage_unavailable")))]
pub async fn events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let who = super::auth::authenticate(&state, &q.token).await?;
    who.require(&[Role::Admin, Role::Clerk, Role::Display])?;
    let ws = handshake(ws)?;
    Ok(ws
        .write_buffer_size(0)
        .on_upgrade(move |socket| feed(socket, state, who.session.map(|(id, _)| (id, q.token)))))
}

/// Close code sent when the staff session behind a feed has ended (the page signs in again).
pub const SESSION_ENDED: u16 = 4401;
/// Close code sent when another clerk signed in at the window and took the session over.
pub const TAKEN_OVER: u16 = 4409;

async fn feed(mut socket: WebSocket, state: AppState, session: Option<(i64, String)>) {
    // Subscribed before the first snapshot: an end announced meanwhile is not missed.
    let mut ended = state.sessions_ended.subscribe();
    let (session_id, session_token) = match session {
        Some((id, token)) => (Some(id), Some(token)),
        None => (None, None),
    };
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
                e = ended.recv(), if session_id.is_some() => {
                    let close = match e {
                        Ok(e) if Some(e.id) == session_id => Some(e.taken_over),
                        Ok(_) => None,
                        // Missed some: check the session itself.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            let token = session_token.as_deref().unwrap_or_default();
                            super::auth::authenticate(&state, token).await.is_err().then_some(false)
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    };
                    if let Some(taken_over) = close {
                        let frame = if taken_over {
                            CloseFrame { code: TAKEN_OVER, reason: Utf8Bytes::from_static("taken_over") }
                        } else {
                            CloseFrame { code: SESSION_ENDED, reason: Utf8Bytes::from_static("session ended") }
                        };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                        return;
                    }
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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyId {
    /// The ID number shown at the window.
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
}

/// POST /windows/{w}/verify-id answer.
#[derive(Serialize, ToSchema)]
pub struct IdCheck {
    /// The ticket number at the window.
    pub ticket: String,
    /// `match`, `mismatch`, or `unknown` (a walk-in ticket has no holder on record).
    #[schema(example = "match")]
    pub result: &'static str,
    /// What to tell the clerk.
    pub message: &'static str,
}

/// POST /windows/{w}/verify-id: does this ID number belong to the holder of the ticket at
/// the window? Answers match / mismatch / unknown; never shows the stored number.
#[utoipa::path(post, path = "/windows/{w}/verify-id", tag = "windows",
    summary = "does this ID belong to the holder of the ticket at the window",
    security(("device_token" = []), ("staff_session" = [])),
    params(("w" = super::schema::WindowId, Path, description = "window id")),
    request_body = VerifyId,
    responses((status = 200, description = "match, mismatch or unknown", body = IdCheck),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not this window's clerk"),
        (status = 404, description = "unknown_window"),
        (status = 409, description = "no_current_ticket"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_id_number"),
        (status = 503, description = "storage_unavailable")))]
pub async fn verify_id(
    State(state): State<AppState>,
    who: Principal,
    Path(w): Path<String>,
    body: LaterJson,
) -> ApiResult<Json<IdCheck>> {
    super::windows::known_window(&state.cfg, &w)?;
    who.require_window(&w, false)?;
    let body: VerifyId = body.parse()?;
    let t = state
        .store
        .window(&w)
        .await?
        .and_then(|s| s.serving)
        .ok_or(crate::store::Refusal::NoCurrentTicket)?;
    let hashes = state
        .identity
        .hash_id_all(&body.id_number)
        .map_err(|e| ApiError::unprocessable("invalid_id_number", e.to_string()))?;
    let result = match state.store.ticket_person(t.id).await? {
        Some(p) if hashes.iter().any(|h| constant_time_eq(&p, h)) => "match",
        Some(_) => "mismatch",
        None => "unknown",
    };
    let message = match result {
        "match" => "证件与取号人一致 / the ID matches the ticket holder",
        "mismatch" => "证件与取号人不一致，可拒绝办理 / the ID does NOT match the ticket holder",
        _ => "该号为现场取号，无实名记录 / walk-in ticket: no holder on record",
    };
    Ok(Json(IdCheck {
        ticket: t.number,
        result,
        message,
    }))
}
