//! Config reload: an admin (or SIGHUP) asks; the file is validated first, and only a valid
//! file is taken — by a graceful restart of the process in place, so every part (windows,
//! services, tokens, screens, boards, broker accounts) picks it up the same way. A bad file
//! is refused with its problems listed, and the config in force stays.

use crate::api::auth::Principal;
use crate::api::error::{ApiError, ApiResult};
use crate::api::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hallq_config::{load_file, ConfigError, Role};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

/// Where the config lives and whom to tell when a valid one should be taken.
pub struct Reload {
    /// The config file the process was started with.
    pub path: PathBuf,
    /// Notified when a reload was accepted.
    pub requested: Arc<Notify>,
}

/// Every problem of the config file, one `FILE:LINE:COL: key: message` line each; empty
/// when it is valid.
pub fn problems(path: &std::path::Path) -> Vec<String> {
    match load_file(path) {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

/// POST /admin/reload answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Reloading {
    /// `reloading`.
    status: String,
    /// The config file taken.
    file: String,
}

/// POST /admin/reload: validate the config file and, when valid, restart in place with it.
#[utoipa::path(post, path = "/admin/reload", tag = "admin",
    summary = "validate the config file and, when valid, restart in place with it",
    security(("device_token" = []), ("staff_session" = [])),
    responses((status = 202, description = "valid: the process restarts with it", body = Reloading),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 409, description = "reload_unavailable: this process cannot reload"),
        (status = 422, description = "invalid_config (with `problems`): the config in force stays"),
        (status = 503, description = "storage_unavailable")))]
pub async fn reload(
    State(state): State<AppState>,
    who: Principal,
) -> ApiResult<(StatusCode, Json<Value>)> {
    who.require(&[Role::Admin])?;
    let r = state.reload.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "reload_unavailable",
            "此进程不支持重新加载 / this process cannot reload",
        )
    })?;
    let found = problems(&r.path);
    if !found.is_empty() {
        let mut e = ApiError::unprocessable("invalid_config", "配置文件有误，未重新加载，原配置继续生效 / the config has errors; the one in force stays");
        e.extra = Some(json!({"problems": found}));
        return Err(e);
    }
    tracing::warn!(by = %who.name, file = %r.path.display(), "config reload accepted: restarting in place");
    r.requested.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"status": "reloading", "file": r.path.display().to_string()})),
    ))
}
