//! POST /windows/{w}/{action}: what a clerk (or a call button) does at a window.

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::{render, AppState};
use crate::hours::local_day;
use crate::store::{Action, Actor, WindowInfo};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use hallq_config::Settings;
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;

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

/// Handles every window action.
pub async fn act(
    State(state): State<AppState>,
    Path((w, action)): Path<(String, String)>,
    who: Principal,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: LaterJson,
) -> ApiResult<Json<Value>> {
    let cfg = &state.cfg;
    let conf = known_window(cfg, &w)?;
    // Who may act is settled before the body is read: a foreign token gets 403 whatever
    // it sends.
    who.require_window(&w, matches!(action.as_str(), "call-next" | "recall"))?;
    let action = parse_action(cfg, &action, body.parse_optional()?)?;
    let info = WindowInfo {
        id: &conf.id,
        name: &conf.name,
        services: &conf.services,
    };
    let now = state.now();
    let tz = cfg.tz();
    let from = origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    let by = Actor {
        name: &who.name,
        origin: &from,
    };
    let out = state
        .store
        .window_action(info, &action, by, &local_day(tz, now), now, tz)
        .await?;
    state
        .watchers
        .after_action(cfg, &conf.services, &out, &local_day(tz, now));
    state
        .metrics
        .window_action(&conf.id, &action, out.ticket.as_ref());
    tracing::info!(window = %w, by = %who.name, action = ?action, ticket = ?out.ticket.as_ref().map(|t| &t.number), "window action");
    let ticket = out.ticket.as_ref().map(|t| render::ticket(cfg, t, 0));
    Ok(Json(
        json!({"ticket": ticket, "window": {"id": w, "status": out.status}}),
    ))
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
