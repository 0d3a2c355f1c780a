//! Bearer tokens: hashed with SHA-256 and looked up in the table built from the config.

use super::error::ApiError;
use super::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use hallq_config::secret::sha256_hex;
use hallq_config::{Role, Settings};
use std::collections::HashMap;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Credential name (for logs).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Window of a clerk or button.
    pub window: Option<String>,
}

/// Token hash → principal.
pub fn token_table(cfg: &Settings) -> HashMap<String, Principal> {
    cfg.credentials
        .iter()
        .map(|c| {
            (
                c.token_sha256.clone(),
                Principal {
                    name: c.name.clone(),
                    role: c.role,
                    window: c.window.clone(),
                },
            )
        })
        .collect()
}

impl Principal {
    /// The role's name as the config writes it.
    pub fn role_name(&self) -> &'static str {
        match self.role {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Kiosk => "kiosk",
            Role::Display => "display",
            Role::Button => "button",
            Role::Gateway => "gateway",
        }
    }

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

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("需要登录凭证 / missing Authorization: Bearer <token>")
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("凭证格式错误 / use Authorization: Bearer <token>")
            })?;
        state
            .tokens
            .get(&sha256_hex(token))
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("凭证无效 / unknown or revoked token"))
    }
}
