//! The contract's error body: `{"error": "<code>", "message": "<text>"}`.

use crate::store::{Refusal, StoreError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An HTTP error with a stable snake_case code and a message for people.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Human text (Chinese first).
    pub message: String,
    /// More fields for the body (e.g. `until` of a ban).
    pub extra: Option<serde_json::Value>,
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Builds an error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            extra: None,
        }
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404 for a thing that does not exist.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 422 for a body that parses but makes no sense.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({"error": self.code, "message": self.message});
        if let Some(serde_json::Value::Object(extra)) = self.extra {
            for (k, v) in extra {
                body[k] = v;
            }
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        use Refusal::*;
        let status = match &r {
            QueueEmpty | TicketNotFound(_) | AppointmentNotFound => StatusCode::NOT_FOUND,
            Contention => StatusCode::SERVICE_UNAVAILABLE,
            Banned { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::CONFLICT,
        };
        let code = r.code();
        let mut e = Self::new(status, code, r.to_string());
        if let Banned { until_day, .. } = &r {
            e.extra = Some(serde_json::json!({"until": until_day}));
        }
        e
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(r) => r.into(),
            StoreError::Db(e) => {
                tracing::error!("database error: {e}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    crate::store::UNAVAILABLE,
                )
            }
        }
    }
}
