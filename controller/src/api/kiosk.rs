//! `GET /kiosk/events`: the kiosk's live channel, on which its screen gets the ticket, or
//! the reason, when a card is read at its ID card reader ([`crate::reader`]).

use super::body::ApiQuery;
use super::error::ApiError;
use super::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use hallq_config::Role;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Query of the live sockets (browsers cannot set headers on a WebSocket).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The device token or staff session token.
    pub token: String,
}

/// Largest message (and frame) a kiosk or staff page may send on its feed; they send
/// nothing but pongs and a close.
pub const MAX_MESSAGE: usize = 4 * 1024;

/// The handshake (taking messages of at most [`MAX_MESSAGE`] bytes), or the contract's 400
/// when the request is not one.
///
/// # Errors
/// 400 `websocket_required`.
pub fn handshake(
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<WebSocketUpgrade, ApiError> {
    ws.map(|ws| ws.max_message_size(MAX_MESSAGE).max_frame_size(MAX_MESSAGE))
        .map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "websocket_required",
                "这里只接受 WebSocket 连接 / a WebSocket handshake is expected here",
            )
        })
}

/// GET /kiosk/events?token=KIOSK_TOKEN: the kiosk's live channel.
#[utoipa::path(get, path = "/kiosk/events", operation_id = "kiosk_events", tag = "live",
    summary = "the kiosk's live channel (WebSocket)",
    description = "A WebSocket handshake with the kiosk's token in the query (browsers cannot set headers on a WebSocket). The server sends `{\"type\": \"checkin\", ticket, appointment, print}` or `{\"type\": \"checkin_error\", error, message}` when an ID card is read at this kiosk's reader.",
    security(("query_token" = [])),
    params(super::schema::Handshake),
    responses((status = 101, description = "switched to the WebSocket protocol"),
        (status = 400, description = "websocket_required: not a WebSocket handshake"),
        (status = 401, description = "unauthorized: unknown token"),
        (status = 403, description = "forbidden: not a kiosk"),
        (status = 422, description = "invalid_query: no `token`"),
        (status = 503, description = "storage_unavailable")))]
pub async fn events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let who = super::auth::authenticate(&state, &q.token).await?;
    who.require(&[Role::Kiosk])?;
    let ws = handshake(ws)?;
    let rx = state.kiosks.channel(&who.name).subscribe();
    Ok(ws
        .write_buffer_size(0)
        .on_upgrade(move |socket| feed(socket, rx)))
}

async fn feed(mut socket: WebSocket, mut rx: broadcast::Receiver<Arc<str>>) {
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Ok(text) => {
                    if socket.send(Message::Text(Utf8Bytes::from(text.to_string()))).await.is_err() { return; }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            },
            m = socket.recv() => match m {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() { return; }
            }
        }
    }
}
