//! POST /windows/{w}/{action}: what a clerk (or a call button) does at a window. Each
//! action is its own route (and its own entry in the OpenAPI document).

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::store::{Action, Actor};
use crate::views as render;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use hallq_config::Settings;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// Optional body of window actions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// Ticket number, for `call`.
    #[serde(default)]
    pub number: Option<String>,
    /// Target service, for `transfer`.
    #[serde(default)]
    pub service: Option<String>,
    /// Target window, for `transfer`.
    #[serde(default)]
    pub window: Option<String>,
    /// Why, for `pause`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Body of `call`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "A001"}))]
#[allow(dead_code)]
pub struct CallBody {
    /// The ticket number to call (case and spaces do not matter).
    #[schema(min_length = 1, pattern = r"\S")]
    number: String,
}

/// Body of `transfer`: exactly one of `service`, `window`.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum TransferBody {
    /// To another service's queue.
    #[schema(title = "to a service")]
    Service(ToService),
    /// To another window.
    #[schema(title = "to a window")]
    Window(ToWindow),
}

/// Transfer to another service's queue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ToService {
    /// Target service.
    #[schema(value_type = super::schema::ServiceId)]
    service: String,
}

/// Transfer to another window.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ToWindow {
    /// Target window.
    #[schema(value_type = super::schema::WindowId)]
    window: String,
}

/// Body of `pause` (optional).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PauseBody {
    /// Why the window pauses (shown to staff).
    reason: Option<String>,
}

/// What a window action answers.
#[derive(Serialize, ToSchema)]
pub struct ActionResult {
    /// The ticket the action concerned, if any.
    pub ticket: Option<render::IssuedTicket>,
    /// The window after the action.
    pub window: WindowAfter,
    /// What happened, in Chinese ("已叫 B003", "B002 已办结，已叫 B003", "B003 已转至 户政"…).
    #[schema(example = "B002 已办结，已叫 B003")]
    pub message: String,
}

/// The window after an action.
#[derive(Serialize, ToSchema)]
pub struct WindowAfter {
    /// Window id.
    pub id: String,
    /// Its status.
    pub status: crate::model::WindowStatus,
}

/// Declares one route per window action, documented, all handled by [`act`].
macro_rules! window_actions {
    ($($name:ident $path:literal $summary:literal [$($body:tt)*] $who:literal;)*) => {$(
        #[doc = concat!("POST /windows/{w}/", $path, ": ", $summary, ".")]
        #[utoipa::path(post, path = concat!("/windows/{w}/", $path), tag = "windows",
            summary = $summary,
            description = concat!($who, " Acting at a closed window opens it (a pause leaves it paused); a refused action changes nothing, except call-next with nobody waiting, which still opens the window."),
            security(("device_token" = []), ("staff_session" = [])),
            params(("w" = super::schema::WindowId, Path, description = "window id")),
            $($body)*
            responses((status = 200, description = "done", body = ActionResult),
                (status = 401, description = "unauthorized"),
                (status = 403, description = "forbidden: not this window's clerk"),
                (status = 404, description = "unknown_window, queue_empty, ticket_not_found"),
                (status = 409, description = "window_paused, no_current_ticket, not_started, already_serving, ticket_not_waiting, not_served_here, same_window, same_service"),
                super::schema::BodyRefusals,
                (status = 422, description = "invalid_body, unknown_service, unknown_window"),
                (status = 503, description = "storage_unavailable, busy")))]
        pub async fn $name(
            state: State<AppState>,
            Path(w): Path<String>,
            who: Principal,
            peer: Option<Extension<ConnectInfo<SocketAddr>>>,
            headers: HeaderMap,
            body: LaterJson,
        ) -> ApiResult<Json<ActionResult>> {
            act(state, w, $path, who, peer, headers, body).await
        }
    )*};
}

window_actions! {
    call_next "call-next" "finish the current ticket and call the next" [] "The window's clerk (device token or session), its call button, or an admin.";
    recall "recall" "call the current ticket again" [] "The window's clerk (device token or session), its call button, or an admin.";
    call "call" "call a specific number" [request_body = CallBody,] "The window's clerk (device token or session) or an admin.";
    no_show "no-show" "the called person did not come" [] "The window's clerk (device token or session) or an admin.";
    start "start" "start serving the called ticket" [] "The window's clerk (device token or session) or an admin.";
    finish "finish" "finish serving" [] "The window's clerk (device token or session) or an admin.";
    pause "pause" "pause calling" [request_body(content = Option<PauseBody>, description = "optional"),] "The window's clerk (device token or session) or an admin.";
    resume "resume" "resume calling" [] "The window's clerk (device token or session) or an admin.";
    transfer "transfer" "send the current ticket to another service or window" [request_body = TransferBody,] "The window's clerk (device token or session) or an admin.";
}

/// Handles every window action.
async fn act(
    State(state): State<AppState>,
    w: String,
    action: &str,
    who: Principal,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: LaterJson,
) -> ApiResult<Json<ActionResult>> {
    let cfg = &state.cfg;
    let conf = known_window(cfg, &w)?;
    // Who may act is settled before the body is read: a foreign token gets 403 whatever
    // it sends.
    who.require_window(&w, matches!(action, "call-next" | "recall"))?;
    let action = parse_action(cfg, action, body.parse_optional()?)?;
    let from = origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    let by = Actor {
        name: &who.name,
        origin: &from,
    };
    let out = crate::acts::at_window(&state, conf, &action, by, None)
        .await?
        .ok_or_else(|| {
            ApiError::from(crate::store::StoreError::Refused(
                crate::store::Refusal::Contention,
            ))
        })?;
    tracing::info!(window = %w, by = %who.name, action = ?action, ticket = ?out.ticket.as_ref().map(|t| &t.number), "window action");
    let message = message(cfg, &action, &out);
    let ticket = out
        .ticket
        .as_ref()
        .map(|t| render::IssuedTicket::of(cfg, t, 0));
    Ok(Json(ActionResult {
        message,
        ticket,
        window: WindowAfter {
            id: w,
            status: out.status,
        },
    }))
}

/// What an action did, in the words the clerk reads.
fn message(cfg: &Settings, action: &Action, out: &crate::store::ActionOutcome) -> String {
    let number = out.ticket.as_ref().map_or("", |t| t.number.as_str());
    match action {
        Action::CallNext | Action::Call(_) => match &out.closed {
            Some(c) if c.started => format!("{} 已办结，已叫 {number}", c.number),
            Some(c) => format!("{} 未开始办理即结束，已叫 {number}", c.number),
            None => format!("已叫 {number}"),
        },
        Action::Recall => format!("已重呼 {number}"),
        Action::NoShow => format!("{number} 已过号"),
        Action::Start => format!("{number} 开始办理"),
        Action::Finish => format!("{number} 已办结"),
        Action::TransferService(s) => {
            let name = cfg.service(s).map_or(s.as_str(), |s| s.name.as_str());
            format!("{number} 已转至 {name}")
        }
        Action::TransferWindow(w) => {
            let name = cfg.window(w).map_or(w.as_str(), |w| w.name.as_str());
            format!("{number} 已转至 {name}")
        }
        Action::Pause(Some(r)) if !r.trim().is_empty() => format!("已暂停：{}", r.trim()),
        Action::Pause(_) => "已暂停".into(),
        Action::Resume => "已恢复叫号".into(),
    }
}

/// The configured window named in a path.
///
/// # Errors
/// 404 `unknown_window`.
pub(crate) fn known_window<'a>(cfg: &'a Settings, w: &str) -> ApiResult<&'a hallq_config::Window> {
    cfg.window(w).ok_or_else(|| {
        ApiError::not_found(
            "unknown_window",
            format!("没有该窗口 / unknown window {w:?}"),
        )
    })
}

/// Where a request came from, for the audit log: the peer's IP address (known when the
/// server runs with connect info), with an `X-Forwarded-For` header appended as the
/// proxy reported it; `http` when neither is known.
pub(crate) fn origin(peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().chars().take(100).collect::<String>())
        .filter(|v| !v.is_empty());
    match (peer, forwarded) {
        (Some(p), Some(f)) => format!("{} (x-forwarded-for: {f})", p.ip()),
        (Some(p), None) => p.ip().to_string(),
        (None, Some(f)) => format!("x-forwarded-for: {f}"),
        (None, None) => "http".into(),
    }
}

fn parse_action(cfg: &Settings, name: &str, body: ActionBody) -> ApiResult<Action> {
    let need = |what: &str| {
        ApiError::unprocessable(
            "invalid_body",
            format!("缺少字段 {what} / missing field {what}"),
        )
    };
    Ok(match name {
        "call-next" => Action::CallNext,
        "call" => Action::Call(
            body.number
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| need("number"))?
                .trim()
                .to_uppercase(),
        ),
        "recall" => Action::Recall,
        "no-show" => Action::NoShow,
        "start" => Action::Start,
        "finish" => Action::Finish,
        "pause" => Action::Pause(body.reason),
        "resume" => Action::Resume,
        "transfer" => match (body.service, body.window) {
            (Some(s), None) => {
                cfg.service(&s).ok_or_else(|| {
                    ApiError::unprocessable(
                        "unknown_service",
                        format!("没有该业务 / unknown service {s:?}"),
                    )
                })?;
                Action::TransferService(s)
            }
            (None, Some(t)) => {
                cfg.window(&t).ok_or_else(|| {
                    ApiError::unprocessable(
                        "unknown_window",
                        format!("没有该窗口 / unknown window {t:?}"),
                    )
                })?;
                Action::TransferWindow(t)
            }
            _ => return Err(ApiError::unprocessable(
                "invalid_body",
                "转办需要 service 或 window 之一 / transfer takes exactly one of service, window",
            )),
        },
        other => {
            return Err(ApiError::not_found(
                "not_found",
                format!("没有该操作 / no window action {other:?}"),
            ))
        }
    })
}
