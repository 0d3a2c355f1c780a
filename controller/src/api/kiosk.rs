//! The kiosk's live channel and its ID card reader: a card laid on the reader checks its
//! holder's appointment in on the server (the number never travels to the browser), and
//! the kiosk's screen gets the ticket, or the reason, over `/api/v1/kiosk/events`.

use super::appointments::{check_in_core, CheckIn};
use super::auth::Principal;
use super::error::ApiError;
use super::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use hallq_config::printers::IdReaderConf;
use hallq_config::Role;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Per-kiosk message channels. Cheap to clone.
#[derive(Clone, Default)]
pub struct KioskHub(Arc<Mutex<HashMap<String, broadcast::Sender<Arc<str>>>>>);

impl KioskHub {
    fn channel(&self, kiosk: &str) -> broadcast::Sender<Arc<str>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(kiosk.to_string())
            .or_insert_with(|| broadcast::channel(16).0)
            .clone()
    }

    /// Tells the kiosk's open screens.
    pub fn send(&self, kiosk: &str, msg: serde_json::Value) {
        let _ = self.channel(kiosk).send(Arc::from(msg.to_string()));
    }
}

/// Query of the events socket (browsers cannot set headers on a WebSocket).
#[derive(serde::Deserialize)]
pub struct EventsQuery {
    token: String,
}

/// GET /kiosk/events?token=KIOSK_TOKEN: the kiosk's live channel.
pub async fn events(
    State(state): State<AppState>,
    Query(q): Query<EventsQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let who = super::auth::authenticate(&state, &q.token).await?;
    who.require(&[Role::Kiosk])?;
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
                            json!({"type": "checkin", "ticket": v["ticket"], "appointment": v["appointment"], "print": v["print"]})
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
