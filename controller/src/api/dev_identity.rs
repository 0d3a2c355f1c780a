//! The development identity provider's routes (demo and test halls only; merged into the
//! router only when `identity.dev_provider` is on):
//! - `POST /api/v1/dev/identity` `{name, id_number, phone, method?}` → `{assertion}`
//!   (documented in the OpenAPI document of a hall that enables it);
//! - `GET /dev/identity`: a phone-sized form that says it is for demonstration only.

use super::body::JsonBody;
use super::error::ApiError;
use super::AppState;
use crate::identity::{data, Identity, IdentityError};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The page, with `{{HALL}}` for the hall's name and `{{API}}` / `{{PAGES}}` for where
/// its API and pages are served (see [`super::pages::fill`]).
const PAGE: &str = include_str!("../../assets/dev_identity.html");

/// The provider's API route (`/dev/identity` under `/api/v1`, documented). Merge it only
/// when the provider is enabled.
pub fn dev_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(issue))
}

/// Both routes at their full paths (for tests that build a router of their own).
pub fn dev_routes() -> Router<AppState> {
    let (api, _) = dev_api().split_for_parts();
    Router::new().nest("/api/v1", api).merge(dev_pages())
}

/// The provider's page. Merge it only when the provider is enabled.
pub fn dev_pages() -> Router<AppState> {
    Router::new().route("/dev/identity", get(page))
}

/// POST /api/v1/dev/identity body (read field by field, so that each problem gets its
/// own code).
#[derive(ToSchema)]
#[schema(example = json!({"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"}))]
#[allow(dead_code)]
pub struct DevIdentityRequest {
    /// 1–50 characters once trimmed, no control characters, not only digits.
    #[schema(
        pattern = r"^(?![\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[0-9]*[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$)[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x1f\x7f-\x9f\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    name: String,
    /// 18-character resident ID number (GB 11643-1999; its check character must hold).
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
    /// Mainland mobile number: 11 digits `1[3-9]…`; spaces, dashes and a leading `+86`
    /// or `0086` are ignored.
    #[schema(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[ -]*(?:(?:\+[ -]*8[ -]*6|0[ -]*0[ -]*8[ -]*6)[ -]*)?1[ -]*[3-9](?:[ -]*[0-9]){9}[ -]*[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    phone: String,
    /// Verification method (default `face`).
    #[schema(value_type = Option<super::schema::VerificationMethod>)]
    method: Option<String>,
}

/// POST /api/v1/dev/identity answer.
#[derive(Serialize, ToSchema)]
pub struct DevAssertion {
    /// The signed identity assertion: use it as `Authorization: Bearer …` for booking.
    pub assertion: String,
    /// When it expires (seconds since the epoch).
    pub expires_at: i64,
    /// The booking page, signed in with it.
    pub book_url: String,
    /// Always true: a demonstration identity.
    pub demo: bool,
}

fn disabled() -> ApiError {
    ApiError::not_found("not_found", "没有这个地址 / no such route")
}

/// A string field of the body (absent → empty, which validation then refuses).
fn field<'a>(body: &'a Value, key: &str, code: &'static str) -> Result<&'a str, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::unprocessable(
            code,
            format!("{key} 应为字符串 / {key} must be a string"),
        )),
    }
}

fn refuse(code: &'static str) -> impl Fn(IdentityError) -> ApiError {
    move |e| match e {
        IdentityError::BadData(m) => ApiError::unprocessable(code, m),
        other => other.into_api_error(),
    }
}

/// Checks the request's data field by field, so that each problem gets its own code.
fn check(body: &Value) -> Result<(), ApiError> {
    if !body.is_object() {
        return Err(ApiError::unprocessable(
            "invalid_body",
            "请求应为JSON对象 / the body must be a JSON object",
        ));
    }
    data::normalize_name(field(body, "name", "invalid_name")?).map_err(refuse("invalid_name"))?;
    data::normalize_id_number(field(body, "id_number", "invalid_id_number")?)
        .map_err(refuse("invalid_id_number"))?;
    data::normalize_phone(field(body, "phone", "invalid_phone")?)
        .map_err(refuse("invalid_phone"))?;
    let method = field(body, "method", "invalid_method")?;
    data::normalize_method(Some(method)).map_err(refuse("invalid_method"))?;
    Ok(())
}

fn sign(id: &Identity, body: &Value, now_s: i64) -> Result<String, ApiError> {
    let f = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let method = Some(f("method")).filter(|m| !m.is_empty());
    id.dev_sign(f("name"), f("id_number"), f("phone"), method, now_s)
        .map_err(refuse("invalid_identity_data"))
}

/// POST /api/v1/dev/identity: a signed assertion for the typed person, valid for
/// `identity.max_assertion_minutes` (30 min by default).
///
/// # Errors
/// 404 `not_found` when the development provider is off; 422 `invalid_name`,
/// `invalid_id_number`, `invalid_phone`, `invalid_method` (messages without the data).
#[utoipa::path(post, path = "/dev/identity", operation_id = "dev_identity", tag = "identity",
    summary = "a signed identity assertion for the typed person (demo halls only)",
    request_body = DevIdentityRequest,
    responses((status = 200, description = "signed, valid identity.max_assertion_minutes (30 min by default)", body = DevAssertion),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_name, invalid_id_number, invalid_phone, invalid_method"),
        (status = 503, description = "identity_unavailable")))]
pub async fn issue(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<DevAssertion>, ApiError> {
    if !state.identity.dev_enabled() {
        return Err(disabled());
    }
    check(&body)?;
    let now_s = state.now().div_euclid(1000);
    let assertion = sign(&state.identity, &body, now_s)?;
    Ok(Json(DevAssertion {
        book_url: format!("{}/book#assertion={assertion}", state.paths.pages),
        assertion,
        expires_at: now_s + state.identity.dev_lifetime_s(),
        demo: true,
    }))
}

/// GET /dev/identity: the demonstration form.
///
/// # Errors
/// 404 `not_found` when the development provider is off.
pub async fn page(State(state): State<AppState>) -> Result<Response, ApiError> {
    if !state.identity.dev_enabled() {
        return Err(disabled());
    }
    // The hall's name, and where its API and pages are served.
    let html = super::pages::fill(&state, PAGE);
    Ok((
        StatusCode::OK,
        [
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        Html(html),
    )
        .into_response())
}
