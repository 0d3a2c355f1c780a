//! The kiosk's live channel and its ID card reader: a card laid on the reader checks its
//! holder's appointment in on the server (the number never travels to the browser), and
//! the kiosk's screen gets the ticket, or the reason, over `/api/v1/kiosk/events`.

use super::auth::Principal;
use super::body::ApiQuery;
use super::checkin::{check_in_core, CheckIn};
use super::error::ApiError;
use super::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use hallq_config::printers::IdReaderConf;
use hallq_config::Role;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

pub use crate::kiosks::KioskHub;

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

/// Drives one reader for as long as the process runs: opens the port (again with backoff
/// when it fails or the adapter is unplugged), and checks each presented card in.
pub async fn run_reader(state: AppState, conf: IdReaderConf) {
    let who = Principal {
        name: conf.kiosk.clone(),
        role: Role::Kiosk,
        window: None,
        display: conf.kiosk.clone(),
        session: None,
    };
    let mut backoff = Duration::from_millis(500);
    loop {
        match hallq_idcard::open_serial(&conf.port, conf.baud) {
            Ok(port) => {
                backoff = Duration::from_millis(500);
                tracing::info!(port = %conf.port, kiosk = %conf.kiosk, "ID card reader open");
                let (tx, mut rx) = mpsc::channel(4);
                let driver = tokio::spawn(hallq_idcard::run(
                    port,
                    hallq_idcard::ReaderOptions::default(),
                    tx,
                ));
                while let Some(card) = rx.recv().await {
                    let body = CheckIn {
                        code: None,
                        id_number: Some(card.id_number.clone()),
                    };
                    let msg = match check_in_core(&state, &who, body).await {
                        Ok(v) => {
                            json!({"type": "checkin", "ticket": v.ticket, "appointment": v.appointment, "print": v.print})
                        }
                        Err(e) => {
                            json!({"type": "checkin_error", "error": e.code, "message": e.message})
                        }
                    };
                    state.kiosks.send(&conf.kiosk, msg);
                }
                if let Ok(Err(e)) = driver.await {
                    tracing::warn!(port = %conf.port, "ID card reader: {e}; reopening");
                }
            }
            Err(e) => tracing::debug!(port = %conf.port, "cannot open ID card reader: {e}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}
