//! Screen pages and their WebSocket feeds.

use crate::hub::Hub;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hallq_config::{clock, Settings};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const PAGE: &str = include_str!("../assets/screen.html");
const SCRIPT: &str = include_str!("../assets/screen.js");
const ANNOUNCE: &str = include_str!("../assets/announce.js");
const STYLE: &str = include_str!("../assets/screen.css");

/// What the screen routes share.
#[derive(Clone)]
pub struct Screens {
    /// The hall's config (names of windows and services, screens).
    pub cfg: Arc<Settings>,
    /// Live state.
    pub hub: Hub,
}

/// Routes: `/screens`, `/screens/{id}`, `/screens/{id}/ws`, `/screens/assets/{file}`
/// (`screen.js`, `announce.js`, `screen.css`, `hallclock.js`: the hall's clock).
pub fn router(screens: Screens) -> Router {
    Router::new()
        .route("/screens", get(index))
        .route("/screens/{id}", get(page))
        .route("/screens/{id}/ws", get(socket))
        .route("/screens/assets/{file}", get(asset))
        .route("/screens/assets/voice/{clip}", get(clip))
        .with_state(screens)
}

async fn index(State(s): State<Screens>) -> Html<String> {
    let items: String = s
        .cfg
        .screens
        .iter()
        .map(|sc| {
            format!(
                "<li><a href=\"screens/{0}\">{0}</a> {1}</li>",
                sc.id,
                esc(sc.title.as_deref().unwrap_or(""))
            )
        })
        .collect();
    Html(format!("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>叫号屏 Screens</title><h1>叫号屏 / Screens</h1><ul>{items}</ul>"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn not_found() -> Response {
    let body = json!({"error": "unknown_screen", "message": "没有这个屏幕 / no such screen"});
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

async fn page(State(s): State<Screens>, Path(id): Path<String>) -> Response {
    let Some(screen) = s.cfg.screens.iter().find(|sc| sc.id == id) else {
        return not_found();
    };
    let cfg = &s.cfg;
    let setup = json!({
        "screen": screen,
        "hall": {"id": cfg.hall.id, "name": cfg.hall.name, "name_en": cfg.hall.name_en},
        "windows": cfg.windows.iter().map(|w| json!({"id": w.id, "name": w.name, "name_en": w.name_en, "services": w.services})).collect::<Vec<_>>(),
        "services": cfg.services().map(|v| json!({"id": v.id, "name": v.name, "name_en": v.name_en, "prefix": v.prefix})).collect::<Vec<_>>(),
    });
    // No `<` in the script element's text (`</script>`, `<!--`): inside JSON strings,
    // where alone it can occur, `\u003c` is the same character.
    let setup = setup.to_string().replace('<', "\\u003c");
    let title = esc(screen.title.as_deref().unwrap_or(&cfg.hall.name));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let html = PAGE
        .replace("{{TITLE}}", &title)
        .replace("{{SETUP}}", &setup)
        .replace("{{CLOCK}}", &clock::boot_json(cfg.tz(), now));
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, ctype) = match file.as_str() {
        "screen.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "announce.js" => (ANNOUNCE, "text/javascript; charset=utf-8"),
        "screen.css" => (STYLE, "text/css; charset=utf-8"),
        "hallclock.js" => (clock::SCRIPT, "text/javascript; charset=utf-8"),
        _ => return not_found(),
    };
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// A recorded voice clip (`/screens/assets/voice/8bf7.wav`, named by code point).
async fn clip(Path(name): Path<String>) -> Response {
    let key = name.strip_suffix(".wav").unwrap_or(&name);
    match crate::clips::CLIPS.iter().find(|(k, _)| *k == key) {
        Some((_, wav)) => (
            [
                (header::CONTENT_TYPE, "audio/wav"),
                (header::CACHE_CONTROL, "max-age=86400"),
            ],
            *wav,
        )
            .into_response(),
        None => not_found(),
    }
}

async fn socket(
    State(s): State<Screens>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    if !s.cfg.screens.iter().any(|sc| sc.id == id) {
        return not_found();
    }
    let hub = s.hub.clone();
    // Screens only listen: small buffers keep each connection to a few KB.
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(4 * 1024)
        .max_frame_size(4 * 1024)
        .on_upgrade(move |socket| feed(socket, hub))
}

/// Snapshot first, then every change; a socket that fell behind gets a fresh snapshot.
async fn feed(mut socket: WebSocket, hub: Hub) {
    let mut rx = hub.subscribe();
    if send(&mut socket, Utf8Bytes::from(hub.snapshot()))
        .await
        .is_err()
    {
        return;
    }
    let mut ping = tokio::time::interval(Duration::from_secs(15));
    ping.tick().await;
    loop {
        tokio::select! {
            r = rx.recv() => {
                let frame = match r {
                    Ok(f) => f,
                    Err(RecvError::Lagged(_)) => Utf8Bytes::from(hub.snapshot()),
                    Err(RecvError::Closed) => return,
                };
                if send(&mut socket, frame).await.is_err() {
                    return;
                }
            }
            m = socket.recv() => match m {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if send(&mut socket, Utf8Bytes::from_static("{\"type\":\"ping\"}")).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn send(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), axum::Error> {
    socket.send(Message::Text(text)).await
}
