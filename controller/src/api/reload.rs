//! POST /admin/reload: an admin asks the process to take its config file again (see
//! [`crate::reload`]).

use super::auth::Principal;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::reload::problems;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hallq_config::Role;
use serde_json::{json, Value};

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
