//! The API's OpenAPI 3.1 document, generated from the handlers (utoipa): every route of
//! `/api/v1` is registered through [`utoipa_axum`]'s `routes!`, which takes the path,
//! method, parameters, bodies and answers from the handler's `#[utoipa::path]`, so a
//! route cannot exist without its documentation. Served at `GET /api/v1/openapi.json`,
//! browsable at `GET /api/v1/docs` (Swagger UI, vendored in `assets/swagger-ui/`).
//!
//! Per hall, the document lists the configured service and window ids as enums, and
//! every error answer carries the contract's error body ([`ErrorBody`]).

use super::schema::{ErrorBody, PaperWidth, QrMode};
use super::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use hallq_config::Settings;
use serde_json::{json, Value};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's frame: info, tags, security schemes and shared schemas; the paths come
/// from the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "hallq controller",
        version = "1",
        description = "政务服务大厅排队叫号与预约 / Tickets, windows, calls and appointments of a government service hall.\n\nErrors are `{\"error\": code, \"message\": text}`. Staff routes take a device token (from the config) or a staff session (from `POST /auth/sign-in`); booking routes take a citizen's signed identity assertion.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    servers((url = "/api/v1")),
    modifiers(&Security),
    components(schemas(ErrorBody, PaperWidth, QrMode)),
    tags(
        (name = "hall", description = "大厅 / the hall: services, queues, windows"),
        (name = "tickets", description = "取号 / tickets and their status"),
        (name = "printing", description = "号票打印 / ticket renderings and printing"),
        (name = "windows", description = "窗口 / what a clerk or call button does"),
        (name = "appointments", description = "预约 / booking and check-in"),
        (name = "staff", description = "工作人员 / sign-in, sessions, live feeds"),
        (name = "desk", description = "咨询台 / the consult desk: find bookings, check in on a person's behalf, the day's bookings"),
        (name = "admin", description = "管理 / statistics, audit, bans, closures, reload"),
        (name = "live", description = "实时 / Server-Sent Events and WebSocket feeds"),
        (name = "identity", description = "实名 / the development identity provider (demo halls only)"),
        (name = "docs", description = "本文档 / this document and its viewer"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let bearer = |format: &str, text: &str| {
            let mut h = Http::new(HttpAuthScheme::Bearer);
            h.bearer_format = Some(format.to_string());
            h.description = Some(text.to_string());
            SecurityScheme::Http(h)
        };
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "device_token",
            bearer(
                "opaque",
                "设备令牌 / a device token from the config's `[[credentials]]` (kiosk, clerk, \
                 button, display, desk, admin), stored there as SHA-256. Demo: `demo-kiosk`, \
                 `demo-clerk-1`, `demo-admin`, `demo-desk`, `demo-display`.",
            ),
        );
        c.add_security_scheme(
            "staff_session",
            bearer(
                "hqs_…",
                "工作人员会话 / a staff session token `hqs_…` from `POST /auth/sign-in`; \
                 valid until it expires, is signed out or the account changes.",
            ),
        );
        c.add_security_scheme(
            "query_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "WebSocket feeds: the device or staff session token in the query, as browsers \
                 cannot set headers on a WebSocket.",
            ))),
        );
        c.add_security_scheme(
            "identity_assertion",
            bearer(
                "JWT",
                "实名认证断言 / a citizen's identity assertion: a JWT signed by a configured \
                 identity provider (demo: `POST /dev/identity`).",
            ),
        );
    }
}

/// The document for this hall: ids as enums, the error body on every error answer.
pub fn for_hall(doc: utoipa::openapi::OpenApi, cfg: &Settings) -> Value {
    let mut v = serde_json::to_value(doc).unwrap_or_default();
    let services: Vec<&str> = cfg.services().map(|s| s.id.as_str()).collect();
    let bookable: Vec<&str> = cfg
        .services()
        .filter(|s| s.booking.is_some())
        .map(|s| s.id.as_str())
        .collect();
    let windows: Vec<&str> = cfg.windows.iter().map(|w| w.id.as_str()).collect();
    let schemas = &mut v["components"]["schemas"];
    schemas["ServiceId"]["enum"] = json!(services);
    schemas["BookableServiceId"]["enum"] = json!(bookable);
    schemas["WindowId"]["enum"] = json!(windows);
    schemas["VerificationMethod"]["enum"] = json!(hallq_config::booking::METHODS);
    super::limit::document(&mut v);
    let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}});
    if let Some(paths) = v["paths"].as_object_mut() {
        for op in paths.values_mut().filter_map(Value::as_object_mut) {
            for answer in op
                .values_mut()
                .filter_map(|o| o.get_mut("responses"))
                .filter_map(Value::as_object_mut)
            {
                for (status, r) in answer.iter_mut() {
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    if is_error && r.get("content").is_none() {
                        r["content"] = error.clone();
                    }
                }
            }
        }
    }
    v
}

/// GET /openapi.json: this document.
#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi_document", tag = "docs", summary = "this OpenAPI 3.1 document",
    responses((status = 200, description = "the document", body = Object, content_type = "application/json")))]
pub async fn document(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(state.openapi_document()),
    )
        .into_response()
}

const DOCS_PAGE: &str = include_str!("../../assets/swagger-ui/index.html");
const SWAGGER_JS: &str = include_str!("../../assets/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &str = include_str!("../../assets/swagger-ui/swagger-ui.css");

/// GET /docs: the API browsable in Swagger UI (served from the binary, nothing external).
#[utoipa::path(get, path = "/docs", tag = "docs", summary = "the document in Swagger UI",
    responses((status = 200, description = "an HTML page", body = String, content_type = "text/html")))]
pub async fn docs() -> Response {
    ([(header::CACHE_CONTROL, "no-cache")], Html(DOCS_PAGE)).into_response()
}

/// GET /docs/swagger-ui-bundle.js: Swagger UI's script (vendored, Apache-2.0).
#[utoipa::path(get, path = "/docs/swagger-ui-bundle.js", tag = "docs", summary = "Swagger UI's script",
    responses((status = 200, description = "JavaScript", body = String, content_type = "text/javascript")))]
pub async fn docs_js() -> Response {
    asset("text/javascript; charset=utf-8", SWAGGER_JS)
}

/// GET /docs/swagger-ui.css: Swagger UI's style sheet (vendored, Apache-2.0).
#[utoipa::path(get, path = "/docs/swagger-ui.css", tag = "docs", summary = "Swagger UI's style sheet",
    responses((status = 200, description = "CSS", body = String, content_type = "text/css")))]
pub async fn docs_css() -> Response {
    asset("text/css; charset=utf-8", SWAGGER_CSS)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
