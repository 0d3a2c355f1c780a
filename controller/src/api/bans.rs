//! False information at the window, and booking bans for admins: the list, a ban given
//! by hand, lifting.

use super::auth::Principal;
use super::body::{ApiPath, ApiQuery, LaterJson, OptionalJson};
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::rfc3339;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
    /// What happened ("B003 已标记虚假信息").
    #[schema(example = "B003 已标记虚假信息")]
    pub message: String,
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
        (status = 409, description = "no_current_ticket, not_appointment, already_marked"),
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
        message: format!("{} 已标记虚假信息", t.number),
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
    /// The day booking works again (YYYY-MM-DD, the hall's time zone): the ban is in
    /// force until that day starts.
    #[schema(format = Date)]
    pub until: String,
    /// When an admin lifted it.
    #[schema(format = DateTime)]
    pub lifted_at: Option<String>,
    /// Who lifted it.
    pub lifted_by: Option<String>,
}

impl BanView {
    fn of(tz: chrono_tz::Tz, b: crate::store::Ban) -> Self {
        Self {
            id: b.id,
            id_masked: b.id_masked,
            reason: b.reason,
            starts_at: rfc3339(tz, b.starts_at),
            until: b.until_day,
            lifted_at: b.lifted_at.map(|t| rfc3339(tz, t)),
            lifted_by: b.lifted_by,
        }
    }
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
        .map(|b| BanView::of(tz, b))
        .collect();
    Ok(Json(Bans { bans }))
}

/// Longest reason of a ban, a lift or a closure, in characters.
pub(super) const REASON_MAX: usize = 200;

/// Furthest end of a ban given by hand, in months from today (10 years).
const UNTIL_MAX_MONTHS: u32 = 120;

/// POST /admin/bans body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBan {
    /// The person's 18-character ID number (hashed with the hall's key at once; never
    /// stored nor logged in clear).
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
    /// Why (1–200 characters; shown to the person when they try to book; audited).
    reason: String,
    /// The day booking works again (YYYY-MM-DD, the hall's time zone; a later day than
    /// today, within 10 years).
    #[schema(format = Date, example = "2027-06-01")]
    until: String,
}

/// POST /admin/bans answer.
#[derive(Serialize, ToSchema)]
pub struct OneBan {
    /// The ban, as `GET /admin/bans` lists it.
    pub ban: BanView,
}

/// A reason an admin gives (for a ban, a closure, or — `optional` — a lift), trimmed: 1 to
/// [`REASON_MAX`] characters (none at all when optional), no control characters; else
/// 422 `invalid_reason`. `what` names the act in Chinese ("禁约", "停约").
pub(super) fn reason_of<'a>(
    reason: &'a str,
    what: &str,
    optional: bool,
) -> Result<&'a str, ApiError> {
    let r = reason.trim();
    let n = r.chars().count();
    if (n == 0 && !optional) || n > REASON_MAX || r.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(
            "invalid_reason",
            format!("请填写{what}原因（1至{REASON_MAX}字，不含控制字符） / the reason must be 1 to {REASON_MAX} characters, no control characters"),
        ));
    }
    Ok(r)
}

/// The ban's end (the day and its first instant) if `until` is a later day than today,
/// at most [`UNTIL_MAX_MONTHS`] ahead.
fn until_of(tz: chrono_tz::Tz, until: &str, now: i64) -> Result<(String, i64), ApiError> {
    let bad = |why: &str| {
        ApiError::unprocessable(
            "invalid_until",
            format!("禁约截止日期应为今天以后、十年以内的日期 YYYY-MM-DD / until {why}"),
        )
    };
    let day = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
        .ok()
        .filter(|_| until.len() == 10)
        .ok_or_else(|| bad("must be a date YYYY-MM-DD"))?;
    let today = crate::hours::to_local(tz, now).date_naive();
    let last = today
        .checked_add_months(chrono::Months::new(UNTIL_MAX_MONTHS))
        .unwrap_or(today);
    if day <= today || day > last {
        return Err(bad("must be a later day than today, within 10 years"));
    }
    let text = day.format("%Y-%m-%d").to_string();
    let at = crate::hours::day_start_ms(tz, &text).ok_or_else(|| bad("has no start"))?;
    Ok((text, at))
}

/// POST /admin/bans: bans a person from booking online by hand, with a reason, until a
/// day; audited with who, when and from where (the ID number only masked).
#[utoipa::path(post, path = "/admin/bans", operation_id = "ban_by_hand", tag = "admin", summary = "ban a person by hand",
    security(("device_token" = []), ("staff_session" = [])),
    request_body = NewBan,
    responses((status = 201, description = "banned", body = OneBan),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_id_number, invalid_reason, invalid_until"),
        (status = 503, description = "storage_unavailable, identity_unavailable")))]
pub async fn ban_by_hand(
    State(state): State<AppState>,
    who: Principal,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<OneBan>)> {
    who.require(&[Role::Admin])?;
    let body: NewBan = body.parse()?;
    let (person, key_version, id_masked) = match state.identity.stored_id(&body.id_number) {
        Ok(x) => x,
        Err(crate::identity::IdentityError::BadData(m)) => {
            return Err(ApiError::unprocessable("invalid_id_number", m))
        }
        Err(e) => return Err(e.into_api_error()),
    };
    let reason = reason_of(&body.reason, "禁约", false)?;
    let tz = state.cfg.tz();
    let now = state.now();
    let until = until_of(tz, &body.until, now)?;
    let origin = super::windows::origin(peer.map(|axum::Extension(c)| c.0), &headers);
    let ban = crate::store::ManualBan {
        person: &person,
        key_version,
        id_masked: &id_masked,
        reason,
        until: (&until.0, until.1),
    };
    let by = crate::store::Actor {
        name: &who.name,
        origin: &origin,
    };
    // A city-wide admin's ban refuses booking in every hall; a hall's admin's, in the hall.
    let b = if who.city_wide {
        state.store.ban_by_hand_city(&ban, by, now).await?
    } else {
        state.store.ban_by_hand(&ban, by, now).await?
    };
    tracing::info!(by = %who.name, ban = b.id, until = %b.until_day, "banned by hand");
    Ok((
        StatusCode::CREATED,
        Json(OneBan {
            ban: BanView::of(tz, b),
        }),
    ))
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
    let reason = reason_of(&reason, "解除禁约", true)?;
    if !state
        .store
        .lift_ban(id, &who.name, reason, &origin, state.now())
        .await?
    {
        return Err(ApiError::not_found(
            "ban_not_found",
            "没有该禁约记录或已解除 / no such ban in force",
        ));
    }
    Ok(Json(Lifted { lifted: id }))
}
