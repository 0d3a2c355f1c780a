//! Pages served by the controller: the phone's ticket status page and its live feed.

use super::error::ApiError;
use super::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures::stream::Stream;
use hyper::upgrade::OnUpgrade;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

const STATUS_PAGE: &str = include_str!("../../assets/status.html");
const KIOSK_PAGE: &str = include_str!("../../assets/kiosk.html");
const CLERK_PAGE: &str = include_str!("../../assets/clerk.html");
const CLERK_JS: &str = include_str!("../../assets/clerk.js");
const ADMIN_PAGE: &str = include_str!("../../assets/admin.html");
const STAFFING_PAGE: &str = include_str!("../../assets/staffing.html");
const DESK_PAGE: &str = include_str!("../../assets/desk.html");
const DESK_JS: &str = include_str!("../../assets/desk.js");
const SIGN_IN_JS: &str = include_str!("../../assets/signin.js");
/// The elder-mode switch (elder.js), inlined in the citizens' pages' `<head>`.
pub(crate) const ELDER_JS: &str = include_str!("../../assets/elder.js");
const DOM_JS: &str = include_str!("../../assets/dom.js");
const ACCURACY_JS: &str = include_str!("../../assets/accuracy.js");
const BOOK_JS: &str = include_str!("../../assets/book.js");
const CITY_JS: &str = include_str!("../../assets/city.js");
const ECHARTS_JS: &str = include_str!("../../assets/vendor/echarts.common.min.js");
/// Where the admin page loads ECharts from (the version in the name: cached for a year).
pub const ECHARTS_FILE: &str = "echarts-6.1.0.min.js";

/// `page` with the hall's name (`{{HALL}}`), its clock (`{{CLOCK}}`, see
/// [`hallq_config::clock`]), the elder-mode switch (`{{ELDER}}`, elder.js) and where the
/// hall's API and pages are served (`{{API}}`, `{{PAGES}}`: the `<html>` element's
/// `data-api` and `data-pages`, which the scripts read) filled in.
pub(crate) fn fill(state: &AppState, page: &str) -> String {
    page.replace("{{HALL}}", &escape(&state.cfg.hall.name))
        .replace("{{API}}", &escape(&state.paths.api))
        .replace("{{PAGES}}", &escape(&state.paths.pages))
        .replace("{{ELDER}}", ELDER_JS)
        .replace(
            "{{CLOCK}}",
            &hallq_config::clock::boot_json(state.cfg.tz(), state.now()),
        )
}

/// GET /assets/{file}: the hall clock, the DOM helper (dom.js), the booking pages', the
/// desk's, the clerk panel's, the city dashboard's and the admin dashboard's estimate
/// accuracy panel's scripts and the vendored chart library.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, cache) = match file.as_str() {
        "hallclock.js" => (hallq_config::clock::SCRIPT, "no-cache"),
        "dom.js" => (DOM_JS, "no-cache"),
        "book.js" => (BOOK_JS, "no-cache"),
        "desk.js" => (DESK_JS, "no-cache"),
        "clerk.js" => (CLERK_JS, "no-cache"),
        "city.js" => (CITY_JS, "no-cache"),
        "accuracy.js" => (ACCURACY_JS, "no-cache"),
        f if f == ECHARTS_FILE => (ECHARTS_JS, "public, max-age=31536000, immutable"),
        _ => {
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "没有这个文件 / no such file",
            )
            .into_response()
        }
    };
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// GET /admin: the admin dashboard (`?token=` stores the admin token): live windows and
/// queues, statistics charts, CSV export, bans, audit log.
pub async fn admin_page(State(state): State<AppState>) -> Response {
    let html = fill(&state, ADMIN_PAGE);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// GET /admin/staffing: staffing advice (`GET /api/v1/admin/staffing`) for the admin:
/// windows needed per weekday and hour, the what-if, the CSV export.
pub async fn staffing_page(State(state): State<AppState>) -> Response {
    let html = fill(&state, STAFFING_PAGE);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// GET /desk: the consult desk (咨询台): find bookings, check people in on their behalf,
/// the day's bookings; admins also close slots and days and ban or lift bans by hand.
pub async fn desk_page(State(state): State<AppState>) -> Response {
    let services: Vec<serde_json::Value> = state
        .cfg
        .services()
        .filter(|s| s.booking.is_some())
        .map(|s| serde_json::json!({"id": s.id, "name": s.name}))
        .collect();
    // Inside a <script>: no "</script>" can come out of the names.
    let services = serde_json::Value::from(services)
        .to_string()
        .replace('<', "\\u003c");
    let html = fill(&state, DESK_PAGE).replace("{{SERVICES}}", &services);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// GET /clerk: the clerk panel on the window's PC (`?token=` stores the clerk token).
pub async fn clerk_page(State(state): State<AppState>) -> Response {
    let windows: Vec<serde_json::Value> = state
        .cfg
        .windows
        .iter()
        .map(|w| serde_json::json!({"id": w.id, "name": w.name}))
        .collect();
    // Inside a <script>: no "</script>" can come out of the names.
    let windows = serde_json::Value::from(windows)
        .to_string()
        .replace('<', "\\u003c");
    let html = fill(&state, CLERK_PAGE).replace("{{WINDOWS}}", &windows);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// GET /staff/signin.js: the sign-in form the clerk panel and admin dashboard share.
pub async fn sign_in_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SIGN_IN_JS,
    )
        .into_response()
}

/// GET /kiosk: the portrait touch-screen ticket machine (`?token=` stores its kiosk token).
pub async fn kiosk_page(State(state): State<AppState>) -> Response {
    let html = fill(&state, KIOSK_PAGE);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// GET /t/{token}: the page behind the ticket's QR code (no personal data on it).
pub async fn status_page(State(state): State<AppState>) -> Response {
    let html = fill(&state, STATUS_PAGE);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// GET /api/v1/tickets/{token}/events: the ticket's status now, then every change
/// (Server-Sent Events; browsers reconnect by themselves).
#[utoipa::path(get, path = "/tickets/{token}/events", tag = "live",
    summary = "a ticket's status, live (Server-Sent Events)",
    description = "An endless `text/event-stream`: one `data:` event with the ticket's status (the shape of `GET /tickets/{token}`, `TicketState`) now and after every change, comments as keep-alive every 20 s.",
    params(("token" = String, Path, description = "the ticket's secret token")),
    responses((status = 200, description = "the event stream; each event's data is a TicketState",
            content_type = "text/event-stream", body = super::schema::StatusEvent,
            example = "data: {\"number\":\"A001\",\"status\":\"waiting\",\"people_ahead\":2}\n\n"),
        (status = 404, description = "ticket_not_found"),
        (status = 503, description = "storage_unavailable")))]
pub async fn status_events(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (t, v) = state.status_of(&token).await?;
    let rx = state.watchers.watch(&state.cfg, &t, &v);
    let stream = futures::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let data = rx.borrow_and_update().clone();
        let text = std::str::from_utf8(&data).unwrap_or_default();
        Some((Ok(Event::default().data(text)), (rx, false)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}

/// GET /api/v1/tickets/{token}/ws: the same feed over a WebSocket, which costs the server
/// a few KB per phone (the status page uses it, and falls back to polling). The refresh
/// writes each new status to the socket itself ([`crate::live`]).
#[utoipa::path(get, path = "/tickets/{token}/ws", tag = "live",
    summary = "a ticket's status, live (WebSocket)",
    description = "A WebSocket handshake (`Connection: Upgrade`, `Upgrade: websocket`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13`). After `101 Switching Protocols` the server sends a text message with the ticket's status (`TicketState`) now and after every change.",
    params(("token" = String, Path, description = "the ticket's secret token"),
        super::schema::Handshake),
    responses((status = 101, description = "switched to the WebSocket protocol"),
        (status = 400, description = "websocket_required: not a WebSocket handshake"),
        (status = 404, description = "ticket_not_found"),
        (status = 426, description = "upgrade_required: the connection cannot be upgraded"),
        (status = 429, description = "too_many_sockets: the ticket (`limits.status_sockets_per_ticket`) or the server (`limits.status_sockets`) has its most status sockets open"),
        (status = 503, description = "storage_unavailable")))]
pub async fn status_socket(
    State(state): State<AppState>,
    Path(token): Path<String>,
    mut req: Request,
) -> Result<Response, ApiError> {
    let Some(accept) = crate::live::accept_for(req.headers()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "websocket_required",
            "这里只接受 WebSocket 连接 / a WebSocket handshake is expected here",
        ));
    };
    let Some(on) = req.extensions_mut().remove::<OnUpgrade>() else {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            "这个连接不能升级为 WebSocket / this connection cannot be upgraded",
        ));
    };
    let generation = state.watchers.generation();
    let (t, v) = state.status_of(&token).await?;
    let permit = state
        .limits
        .sockets
        .admit(&t.token)
        .map_err(too_many_sockets)?;
    let timing = crate::live::Timing::of(&state.cfg);
    tokio::spawn(async move {
        // The socket's place is held until the socket ends.
        let _permit = permit;
        let Some((stream, input)) = crate::live::upgraded(on).await else {
            return;
        };
        let sock = Arc::new(crate::live::Sock::new(stream));
        // A refresh of thousands of phones holds the watchers for tens of milliseconds:
        // wait for it off the async workers, which keep serving clerks and kiosks.
        let (watchers, cfg, ticket, s) = (
            state.watchers.clone(),
            state.cfg.clone(),
            t.clone(),
            sock.clone(),
        );
        let attach = move || watchers.attach(&cfg, &ticket, &v, s, generation);
        if tokio::task::spawn_blocking(attach).await.is_err() {
            return;
        }
        sock.run(input, timing).await;
        state.watchers.detach(&t.token);
    });
    Ok(crate::live::switching(&accept))
}

/// 429 for a status socket over a cap (the status page then polls instead).
fn too_many_sockets(full: crate::live::Full) -> ApiError {
    let message = match full {
        crate::live::Full::Ticket => {
            "这张票打开的实时连接太多 / too many live connections for this ticket"
        }
        crate::live::Full::Hall => {
            "实时连接已满，请稍后再试 / the server has too many live connections; try again later"
        }
    };
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_sockets", message)
}

/// Text made safe to put in HTML (element content or a quoted attribute).
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
