//! Request bodies, query strings and path segments with the contract's errors: 400
//! malformed JSON, 413 too large, 415 wrong content type, 422 well-formed but wrong fields
//! (or a query string that does not fit), 404 a path segment of the wrong type.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON body; an empty body reads as `T::default()` when `T` allows it via
/// [`OptionalJson`].
pub struct JsonBody<T>(pub T);

/// A JSON body that may be absent (empty body or `null` → `T::default()`).
pub struct OptionalJson<T>(pub T);

async fn bytes<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<(Option<String>, Bytes), ApiError> {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "请求内容过大 / request body too large",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("cannot read body: {e}"),
            )
        }
    })?;
    Ok((ctype, body))
}

fn parse<T: DeserializeOwned>(ctype: Option<&str>, body: &[u8]) -> Result<T, ApiError> {
    if let Some(ct) = ctype {
        if !ct.starts_with("application/json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请以 application/json 发送 / send application/json",
            ));
        }
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("JSON 格式错误 / malformed JSON: {e}"),
        )
    })?;
    // Every body is an object (or `null` for an absent optional one): serde would also
    // read a struct from an array of its fields in order.
    if !value.is_object() && !value.is_null() {
        return Err(ApiError::unprocessable(
            "invalid_body",
            "请求应为JSON对象 / the body must be a JSON object",
        ));
    }
    T::deserialize(value).map_err(|e| {
        ApiError::unprocessable("invalid_body", format!("请求字段有误 / invalid field: {e}"))
    })
}

/// An optional body: nothing (or only whitespace) or JSON `null` means `T::default()`.
fn parse_optional<T: DeserializeOwned + Default>(
    ctype: Option<&str>,
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    parse::<Option<T>>(ctype, body).map(Option::unwrap_or_default)
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (ctype, body) = bytes(req, state).await?;
        if body.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_json",
                "缺少请求内容 / a JSON body is required",
            ));
        }
        parse(ctype.as_deref(), &body).map(JsonBody)
    }
}

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (ctype, body) = bytes(req, state).await?;
        parse_optional(ctype.as_deref(), &body).map(OptionalJson)
    }
}

/// A JSON body read now but parsed later, after the handler's permission checks: a
/// request that may not act is refused as 403 whatever its body holds.
pub struct LaterJson {
    ctype: Option<String>,
    body: Bytes,
}

impl LaterJson {
    /// Parses a required body.
    ///
    /// # Errors
    /// 400 for an empty or malformed body, 415 for another content type, 422 for wrong fields.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_json",
                "缺少请求内容 / a JSON body is required",
            ));
        }
        parse(self.ctype.as_deref(), &self.body)
    }

    /// Parses an optional body (empty or `null` → `T::default()`).
    ///
    /// # Errors
    /// As [`LaterJson::parse`].
    pub fn parse_optional<T: DeserializeOwned + Default>(&self) -> Result<T, ApiError> {
        parse_optional(self.ctype.as_deref(), &self.body)
    }
}

impl<S: Send + Sync> FromRequest<S> for LaterJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (ctype, body) = bytes(req, state).await?;
        Ok(Self { ctype, body })
    }
}

/// A query string read into `T`; one that does not fit is 422 `invalid_query` with the
/// contract's error body (axum's own rejection is plain text).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e| {
                ApiError::unprocessable(
                    "invalid_query",
                    format!("查询参数有误 / invalid query: {}", e.body_text()),
                )
            })
    }
}

/// Path parameters read into `T`; a segment of the wrong type (a letter where an id is
/// a number) names no resource: 404 `not_found` with the contract's error body.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|_| ApiError::not_found("not_found", "没有这个地址 / no such route"))
    }
}
