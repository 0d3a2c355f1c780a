//! False information at the window, booking bans for admins, and the no-show sweep that
//! bans repeat no-shows.

use super::auth::Principal;
use super::body::{ApiPath, ApiQuery, OptionalJson};
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::rfc3339;
use axum::extract::{Path, State};
use axum::Json;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// POST /windows/{w}/false-info answer.
#[derive(Serialize, ToSchema)]
pub struct FalseInfo {
    /// The ticket number at the window.
    pub ticket: String,
    /// Whether the holder is now banned from booking.
    pub banned: bool,
}

/// POST /windows/{w}/false-info: the clerk marks the held appointment as false information.
#[utoipa::path(post, path = "/windows/{w}/false-info", tag = "windows",
    summary = "mark the held appointment as false information",
    security(("device_token" = []), ("staff_session" = [])),
    params(("w" = super::schema::WindowId, Path, description = "window id")),
    responses((status = 200, description = "marked", body = FalseInfo),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not this window's clerk"),
        (status = 404, description = "unknown_window"),
        (status = 409, description = "no_current_ticket, not_appointment"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn false_info(
    State(state): State<AppState>,
    who: Principal,
    Path(w): Path<String>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<FalseInfo>> {
    super::windows::known_window(&state.cfg, &w)?;
    who.require_window(&w, false)?;
    let windows = state.store.window(&w).await?;
    let t = windows
        .and_then(|s| s.serving)
        .ok_or(crate::store::Refusal::NoCurrentTicket)?;
    let now = state.now();
    let rule = crate::sweep::false_info_rule(&state.cfg, now);
    let from = super::windows::origin(peer.map(|axum::Extension(c)| c.0), &headers);
    let by = crate::store::Actor {
        name: &who.name,
        origin: &from,
    };
    let banned = state
        .store
        .mark_false_info(t.id, &w, by, &rule, now)
        .await?;
    tracing::info!(window = %w, by = %who.name, ticket = %t.number, banned, "false information marked");
    Ok(Json(FalseInfo {
        ticket: t.number,
        banned,
    }))
}

/// Query of GET /admin/bans.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BansQuery {
    /// Also bans lifted or over.
    #[serde(default)]
    all: bool,
}

/// A booking ban.
#[derive(Serialize, ToSchema)]
pub struct BanView {
    /// Ban id.
    pub id: i64,
    /// The person's ID number, masked.
    pub id_masked: String,
    /// Why.
    pub reason: String,
    /// Since.
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// Last day (YYYY-MM-DD).
    #[schema(format = Date)]
    pub until: String,
    /// When an admin lifted it.
    #[schema(format = DateTime)]
    pub lifted_at: Option<String>,
    /// Who lifted it.
    pub lifted_by: Option<String>,
}

/// GET /admin/bans answer.
#[derive(Serialize, ToSchema)]
pub struct Bans {
    /// The bans.
    pub bans: Vec<BanView>,
}

/// GET /admin/bans: bans in force (or all with `?all=true`).
#[utoipa::path(get, path = "/admin/bans", tag = "admin", summary = "booking bans",
    security(("device_token" = []), ("staff_session" = [])),
    params(BansQuery),
    responses((status = 200, description = "bans", body = Bans),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 422, description = "invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn bans(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<BansQuery>,
) -> ApiResult<Json<Bans>> {
    who.require(&[Role::Admin])?;
    let tz = state.cfg.tz();
    let bans = state
        .store
        .bans(q.all, state.now())
        .await?
        .into_iter()
        .map(|b| BanView {
            id: b.id,
            id_masked: b.id_masked,
            reason: b.reason,
            starts_at: rfc3339(tz, b.starts_at),
            until: b.until_day,
            lifted_at: b.lifted_at.map(|t| rfc3339(tz, t)),
            lifted_by: b.lifted_by,
        })
        .collect();
    Ok(Json(Bans { bans }))
}

/// POST /admin/bans/{id}/lift body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lift {
    /// Why (audited).
    #[serde(default)]
    reason: Option<String>,
}

/// POST /admin/bans/{id}/lift answer.
#[derive(Serialize, ToSchema)]
pub struct Lifted {
    /// The ban lifted.
    pub lifted: i64,
}

/// POST /admin/bans/{id}/lift: lifts a ban; audited with who, when and from where.
#[utoipa::path(post, path = "/admin/bans/{id}/lift", operation_id = "lift_ban", tag = "admin", summary = "lift a ban",
    security(("device_token" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "ban id")),
    request_body(content = Option<Lift>, description = "optional"),
    responses((status = 200, description = "lifted", body = Lifted),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 404, description = "ban_not_found, not_found (id not a number)"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body"),
        (status = 503, description = "storage_unavailable")))]
pub async fn lift(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<i64>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    OptionalJson(body): OptionalJson<Lift>,
) -> ApiResult<Json<Lifted>> {
    who.require(&[Role::Admin])?;
    let origin = super::windows::origin(peer.map(|axum::Extension(c)| c.0), &headers);
    let reason = body.reason.unwrap_or_default();
    if !state
        .store
        .lift_ban(id, &who.name, &reason, &origin, state.now())
        .await?
    {
        return Err(ApiError::not_found(
            "ban_not_found",
            "没有该禁约记录或已解除 / no such ban in force",
        ));
    }
    Ok(Json(Lifted { lifted: id }))
}
