//! Staff sign-in with username and password (argon2id hashes in the config), sessions
//! that expire, sign-out, and the admin's list of live sessions.
//!
//! - `POST /auth/sign-in {username, password, window?}` → `{token, expires_at, …}`; a
//!   clerk names the window they sit at. Unknown user and wrong password answer the same
//!   401; after `sign_in.max_failures` attempts in a row the account waits
//!   `sign_in.lockout_minutes` (429 `locked`), concurrent guesses included. Apart from
//!   that, an address with `limits.sign_in_failures` failures is answered 429
//!   `rate_limited` before this handler runs (the router's guard, [`super::limit`]), so
//!   its further guesses leave no attempt row and no audit row. A clerk's sign-in opens
//!   their window if it is closed.
//!   One clerk session per window: signing in where one is live answers 409
//!   `window_in_use` naming who and since when, unless the body says `"takeover": true`,
//!   which ends that session (audited) and closes its staff events socket (4409).
//! - `POST /auth/sign-out`: ends the caller's session (a clerk's window closes unless
//!   another session is live there).
//! - `GET /admin/sessions`, `POST /admin/sessions/{id}/end` (admin; closes the window the
//!   same way).

use super::auth::{Principal, SESSION_PREFIX};
use super::body::{ApiPath, JsonBody};
use super::error::{ApiError, ApiResult};
use super::windows::origin;
use super::AppState;
use crate::hours::rfc3339;
use crate::store::{InUse, NewSession, WindowSignIn};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use hallq_config::secret::sha256_hex;
use hallq_config::staff::{verify_password, StaffUser};
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// POST /auth/sign-in body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "wang", "password": "…", "window": "1"}))]
pub struct SignInBody {
    /// Staff username (1–64 characters).
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    username: String,
    /// Password (at most 1024 bytes).
    #[schema(max_length = 256)]
    password: String,
    /// The window a clerk sits at (required for clerks, ignored for admins).
    #[serde(default)]
    #[schema(value_type = Option<super::schema::WindowId>)]
    window: Option<String>,
    /// A clerk taking over a window where another clerk session is live: that session
    /// ends (audited; its staff events socket closes with 4409) and this one starts.
    /// Without it such a sign-in is refused 409 `window_in_use`.
    #[serde(default)]
    takeover: bool,
}

/// POST /auth/sign-in answer.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    /// The session token (`hqs_…`): `Authorization: Bearer …`.
    pub token: String,
    /// Session id.
    pub session: i64,
    /// Username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// `admin` or `clerk` (or another staff role).
    pub role: &'static str,
    /// The window of a clerk.
    pub window: Option<String>,
    /// When the session ends.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// POST /auth/sign-out answer.
#[derive(Serialize, ToSchema)]
pub struct SignedOut {
    /// Always true.
    pub signed_out: bool,
}

/// A live staff session.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Session id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Role.
    pub role: String,
    /// Window of a clerk.
    pub window: Option<String>,
    /// Where it signed in from.
    pub origin: String,
    /// When.
    #[schema(format = DateTime)]
    pub signed_in_at: String,
    /// When it ends.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// GET /admin/sessions answer.
#[derive(Serialize, ToSchema)]
pub struct Sessions {
    /// Live sessions.
    pub sessions: Vec<SessionView>,
}

/// POST /admin/sessions/{id}/end answer.
#[derive(Serialize, ToSchema)]
pub struct Ended {
    /// The session ended.
    pub ended: i64,
}

/// Password checks running at once (argon2 takes ~19 MiB each).
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// A stand-in hash checked for unknown usernames, so that they take as long as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$3JjRC3fFm5YwEnC6bBRk8w$UkXi9mSF2VDyoF3F+JOLOrViye1ldjHgxB4F9kiw4Gc";

/// POST /auth/sign-in.
#[utoipa::path(post, path = "/auth/sign-in", tag = "staff",
    summary = "staff sign-in: username + password (+ window for a clerk) → session token",
    description = "A clerk's sign-in opens their window if it is closed (a paused window stays paused).",
    request_body = SignInBody,
    responses((status = 200, description = "signed in", body = SignedIn),
        (status = 401, description = "unauthorized: wrong username or password"),
        (status = 403, description = "forbidden: this account may not work at that window"),
        (status = 409, description = "window_in_use: a clerk session is live at that window (send `takeover: true` to end it)"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, window_required, unknown_window"),
        (status = 429, description = "locked: too many failed attempts"),
        (status = 503, description = "storage_unavailable")))]
pub async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SignInBody>,
) -> ApiResult<(StatusCode, Json<SignedIn>)> {
    let from = origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    let username = body.username.trim().to_string();
    if username.is_empty() || username.len() > 64 || body.password.len() > 1024 {
        return Err(ApiError::unprocessable(
            "invalid_body",
            "请输入用户名和密码 / username and password are required",
        ));
    }
    let rules = &state.cfg.sign_in;
    let now = state.now();
    let admitted = state
        .store
        .sign_in_attempt(
            &username,
            rules.lockout_minutes * 60_000,
            rules.max_failures,
            now,
        )
        .await?;
    if !admitted {
        // Not audited row by row (a flood would fill the log); the failures that led to
        // the lockout are.
        tracing::warn!(user = ?username, from = %from, "staff sign-in refused: account locked");
        return Err(locked(rules.lockout_minutes));
    }
    let user = state
        .cfg
        .staff
        .iter()
        .find(|u| u.username == username && !u.disabled)
        .cloned();
    let phc = user
        .as_ref()
        .map_or(DUMMY_HASH.to_string(), |u| u.password_argon2.clone());
    let password = body.password;
    // Each check takes ~19 MiB and tens of ms: a few at a time, whatever arrives.
    let ok = match CHECKS.acquire().await {
        Ok(_permit) => tokio::task::spawn_blocking(move || verify_password(&password, &phc))
            .await
            .unwrap_or(false),
        Err(_) => false,
    };
    let Some(user) = user.filter(|_| ok) else {
        state
            .store
            .sign_in_failed(&username, "wrong username or password", &from, now)
            .await?;
        tracing::warn!(user = ?username, from = %from, "staff sign-in refused");
        return Err(ApiError::unauthorized(
            "用户名或密码错误 / wrong username or password",
        ));
    };
    let window = match window_for(&state, &user, body.window.as_deref()) {
        Ok(w) => w,
        Err(e) => {
            state.store.clear_sign_in_attempts(&username).await?;
            return Err(e);
        }
    };
    let token = format!(
        "{SESSION_PREFIX}{}",
        hex::encode(rand::random::<[u8; 24]>())
    );
    let ttl_ms = rules.session_minutes * 60_000;
    let opened = state
        .store
        .sign_in_at_window(
            NewSession {
                token_sha256: &sha256_hex(&token),
                username: &user.username,
                role: user.role.as_str(),
                window: window.as_deref(),
                credential: &sha256_hex(&user.password_argon2),
                origin: &from,
                ttl_ms,
                city_wide: user.city_wide,
            },
            body.takeover,
            now,
        )
        .await?;
    let id = match opened {
        WindowSignIn::Opened { id, ended } => {
            for e in ended {
                tracing::info!(session = e, user = ?user.username, window = ?window, "clerk session taken over");
                ended_here(&state, e, true);
            }
            id
        }
        WindowSignIn::InUse(other) => {
            state.store.clear_sign_in_attempts(&username).await?;
            return Err(in_use(
                &state,
                window.as_deref().unwrap_or_default(),
                &other,
            ));
        }
    };
    tracing::info!(user = ?user.username, window = ?window, from = %from, "staff signed in");
    let tz = state.cfg.tz();
    Ok((
        StatusCode::OK,
        Json(SignedIn {
            token,
            session: id,
            name: user.display_name().to_string(),
            username: user.username,
            role: user.role.as_str(),
            window,
            expires_at: rfc3339(tz, now + ttl_ms),
        }),
    ))
}

/// 409 `window_in_use`: who holds window `w` and since when (the hall's local time).
fn in_use(state: &AppState, w: &str, other: &InUse) -> ApiError {
    let cfg = &state.cfg;
    let who = cfg
        .staff
        .iter()
        .find(|u| u.username == other.username)
        .map_or(other.username.as_str(), StaffUser::display_name);
    let wname = cfg.window(w).map_or(w, |c| c.name.as_str());
    let at = crate::hours::to_local(cfg.tz(), other.since).format("%H:%M");
    ApiError::new(
        StatusCode::CONFLICT,
        "window_in_use",
        format!("{wname}已由 {who} 于 {at} 登录 / window {w} is in use by {who} since {at}"),
    )
}

/// Tells the staff event sockets of session `id` that it ended.
fn ended_here(state: &AppState, id: i64, taken_over: bool) {
    // No socket listening is fine.
    let _ = state
        .sessions_ended
        .send(crate::state::SessionEnded { id, taken_over });
}

fn locked(minutes: i64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "locked",
        format!("密码错误次数过多，请 {minutes} 分钟后再试 / too many attempts; try again in {minutes} minutes"),
    )
}

/// The window a clerk signs in at (admins sit at none).
fn window_for(
    state: &AppState,
    user: &StaffUser,
    asked: Option<&str>,
) -> ApiResult<Option<String>> {
    let asked = asked.map(str::trim).filter(|w| !w.is_empty());
    if user.role != Role::Clerk {
        return Ok(None);
    }
    let w = asked.ok_or_else(|| {
        ApiError::unprocessable(
            "window_required",
            "请选择窗口 / a clerk signs in at a window: send {\"window\": …}",
        )
    })?;
    if state.cfg.window(w).is_none() {
        return Err(ApiError::unprocessable(
            "unknown_window",
            format!("没有该窗口 / unknown window {w:?}"),
        ));
    }
    if !user.may_use_window(w) {
        return Err(ApiError::forbidden(format!(
            "您不能在窗口 {w} 登录 / this account may not work at window {w}"
        )));
    }
    Ok(Some(w.to_string()))
}

/// POST /auth/sign-out: ends the caller's own session.
#[utoipa::path(post, path = "/auth/sign-out", tag = "staff", summary = "end the caller's session",
    description = "A clerk's window closes unless another session is live there (a ticket held there stays held).",
    security(("staff_session" = []), ("device_token" = [])),
    responses((status = 200, description = "signed out", body = SignedOut),
        (status = 401, description = "unauthorized: no or ended session"),
        (status = 422, description = "not_a_session: device tokens do not sign out"),
        (status = 503, description = "storage_unavailable")))]
pub async fn sign_out(
    State(state): State<AppState>,
    who: Principal,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> ApiResult<Json<SignedOut>> {
    let Some((id, _)) = who.session else {
        return Err(ApiError::unprocessable(
            "not_a_session",
            "设备凭证无需退出 / device tokens do not sign out",
        ));
    };
    let from = origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    if state
        .store
        .end_session(id, &who.name, "sign_out", &from, state.now())
        .await?
    {
        ended_here(&state, id, false);
    }
    Ok(Json(SignedOut { signed_out: true }))
}

/// GET /admin/sessions: live staff sessions.
#[utoipa::path(get, path = "/admin/sessions", tag = "admin", summary = "live staff sessions",
    security(("device_token" = []), ("staff_session" = [])),
    responses((status = 200, description = "sessions", body = Sessions),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 503, description = "storage_unavailable")))]
pub async fn sessions(State(state): State<AppState>, who: Principal) -> ApiResult<Json<Sessions>> {
    who.require(&[Role::Admin])?;
    let tz = state.cfg.tz();
    let sessions = state
        .store
        .sessions(state.now())
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            username: s.username,
            role: s.role,
            window: s.window,
            origin: s.origin,
            signed_in_at: rfc3339(tz, s.created_at),
            expires_at: rfc3339(tz, s.expires_at),
        })
        .collect();
    Ok(Json(Sessions { sessions }))
}

/// POST /admin/sessions/{id}/end: signs a session out (audited).
#[utoipa::path(post, path = "/admin/sessions/{id}/end", operation_id = "end_session", tag = "admin", summary = "sign a session out",
    description = "A clerk's window closes unless another session is live there (a ticket held there stays held).",
    security(("device_token" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "ended", body = Ended),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 404, description = "session_not_found, not_found (id not a number)"),
        (status = 503, description = "storage_unavailable")))]
pub async fn end(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<i64>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> ApiResult<Json<Ended>> {
    who.require(&[Role::Admin])?;
    let from = origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    if !state
        .store
        .end_session(id, &who.name, "end_session", &from, state.now())
        .await?
    {
        return Err(ApiError::not_found(
            "session_not_found",
            "没有该登录会话或已结束 / no such live session",
        ));
    }
    ended_here(&state, id, false);
    Ok(Json(Ended { ended: id }))
}
