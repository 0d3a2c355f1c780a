//! [`Citizen`] as an axum extractor: `Authorization: Bearer <assertion>`, verified at the
//! server's clock. 401 `identity_required` / `identity_rejected`, 422
//! `invalid_identity_data`.

use super::auth::bearer;
use super::error::ApiError;
use super::AppState;
use crate::identity::{Citizen, IdentityError};
use axum::extract::FromRequestParts;
use axum::http::{request::Parts, StatusCode};

impl IdentityError {
    /// The contract's error: 401 `identity_required` (no assertion), 401
    /// `identity_rejected`, 422 `invalid_identity_data`, 503 `identity_unavailable` (config;
    /// logged, not shown).
    #[must_use]
    pub fn into_api_error(self) -> ApiError {
        match self {
            Self::Missing => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "identity_required",
                self.to_string(),
            ),
            Self::Rejected(m) => ApiError::new(StatusCode::UNAUTHORIZED, "identity_rejected", m),
            Self::BadData(m) => ApiError::unprocessable("invalid_identity_data", m),
            Self::Config(m) => {
                tracing::error!("identity: {m}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "identity_unavailable",
                    "实名认证暂不可用 / identity verification is not available",
                )
            }
        }
    }
}

/// Records the use of a single-use assertion for `purpose` (when its provider declared
/// it single-use for that purpose and it carries a `jti`); a second use is refused. The
/// record is one atomic insert, so of two concurrent uses exactly one passes.
///
/// # Errors
/// 401 `identity_rejected` for a replay; 503 `storage_unavailable`.
pub async fn use_once(state: &AppState, who: &Citizen, purpose: &str) -> Result<(), ApiError> {
    let Some(once) = who.single_use.as_ref().filter(|o| o.covers(purpose)) else {
        return Ok(());
    };
    if state
        .store
        .use_assertion(purpose, &once.key, once.expires_ms, state.now())
        .await?
    {
        Ok(())
    } else {
        Err(IdentityError::Rejected(format!(
            "实名凭证已使用过，请重新认证 / this identity assertion was already used ({purpose})"
        ))
        .into_api_error())
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let assertion = bearer(parts)
            .ok()
            .flatten()
            .ok_or(IdentityError::Missing.into_api_error())?;
        state
            .identity
            .verify(assertion, state.now().div_euclid(1000))
            .map_err(IdentityError::into_api_error)
    }
}
