//! Bearer tokens. Device tokens are hashed with SHA-256 and looked up in the table built
//! from the config; staff session tokens (`hqs_…`, handed out by sign-in) are looked up in
//! the database, and hold only while the session is live and the account still exists
//! in the config with the same role, not disabled.

use super::error::ApiError;
use super::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use hallq_config::secret::sha256_hex;
use hallq_config::Role;

pub use crate::principal::{token_table, Principal, SESSION_PREFIX};

/// The checks handlers make of who is calling (refusals are the contract's 403).
impl Principal {
    /// Refuses unless the role is one of `roles`.
    ///
    /// # Errors
    /// 403 naming the roles allowed.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "无权执行此操作 / this token ({:?}) may not do this",
                self.role
            )))
        }
    }

    /// Refuses unless this is an admin, or a clerk (or button, when `buttons`) of `window`.
    ///
    /// # Errors
    /// 403.
    pub fn require_window(&self, window: &str, buttons: bool) -> Result<(), ApiError> {
        let own = self.window.as_deref() == Some(window);
        match self.role {
            Role::Admin => Ok(()),
            Role::Clerk if own => Ok(()),
            Role::Button if own && buttons => Ok(()),
            Role::Clerk | Role::Button if !own => Err(ApiError::forbidden(format!(
                "只能操作本窗口 / this token acts for window {}, not {window}",
                self.window.as_deref().unwrap_or("?")
            ))),
            _ => Err(ApiError::forbidden(
                "无权操作窗口 / this token may not act for a window",
            )),
        }
    }
}

/// The credential of `Authorization: Bearer <credential>`, the one parser of the header for
/// device tokens, staff sessions and identity assertions: the scheme in any case (RFC 7235),
/// spaces around the credential trimmed. `Ok(None)` without the header; `Err(())` when it is
/// not a non-empty bearer credential.
#[allow(clippy::result_unit_err)]
pub fn bearer(parts: &Parts) -> Result<Option<&str>, ()> {
    let Some(v) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| ())?;
    let (scheme, rest) = v.trim().split_once(' ').ok_or(())?;
    let token = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() {
        Ok(Some(token))
    } else {
        Err(())
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = match bearer(parts) {
            Ok(Some(token)) => token,
            Ok(None) => {
                return Err(ApiError::unauthorized(
                    "需要登录凭证 / missing Authorization: Bearer <token>",
                ))
            }
            Err(()) => {
                return Err(ApiError::unauthorized(
                    "凭证格式错误 / use Authorization: Bearer <token>",
                ))
            }
        };
        authenticate(state, token).await
    }
}

/// The principal behind a bearer token (a device token or a live staff session).
///
/// # Errors
/// 401 for an unknown, ended or expired token; 500 when the database fails.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let hash = sha256_hex(token);
    if !token.starts_with(SESSION_PREFIX) {
        return state
            .tokens
            .get(&hash)
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("凭证无效 / unknown or revoked token"));
    }
    let expired = || {
        ApiError::unauthorized("登录已过期，请重新登录 / session ended or expired; sign in again")
    };
    let s = state
        .store
        .session(&hash, state.now())
        .await?
        .ok_or_else(expired)?;
    // The account as the config says now: still there, enabled, same role, same
    // password, and (a clerk) still allowed at a window that still exists.
    let user = state
        .cfg
        .staff
        .iter()
        .find(|u| u.username == s.username && !u.disabled)
        .filter(|u| u.role.as_str() == s.role)
        .filter(|u| sha256_hex(&u.password_argon2) == s.credential)
        .filter(|u| match s.window.as_deref() {
            Some(w) => state.cfg.window(w).is_some() && u.may_use_window(w),
            None => u.role != Role::Clerk,
        })
        .ok_or_else(expired)?;
    Ok(Principal {
        name: s.username.clone(),
        role: user.role,
        window: s.window,
        display: user.display_name().to_string(),
        session: Some((s.id, s.expires_at)),
        city_wide: user.city_wide,
    })
}
