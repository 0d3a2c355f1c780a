//! The HTTP API of the public contract (prefix `/api/v1`), JSON in and out.
//!
//! Every error is `{"error": code, "message": text}` with a 4xx status for bad input;
//! unknown routes, wrong methods, malformed or oversize bodies and panics included.
//!
//! Every `/api/v1` route is registered with `utoipa_axum::routes!` from its handler's
//! `#[utoipa::path]`, so the OpenAPI document ([`openapi`]) lists exactly the routes
//! there are.

pub mod admin;
pub mod appointments;
pub mod auth;
pub mod bans;
pub mod body;
pub mod book_page;
pub mod checkin;
pub mod citizen;
pub mod city;
pub mod closures;
pub mod desk;
pub mod dev_identity;
pub mod error;
pub mod estimates;
pub mod info;
pub mod kiosk;
pub mod limit;
pub mod metrics;
pub mod mount;
pub mod openapi;
pub mod pages;
pub mod printing;
pub mod reload;

pub mod schema;
pub mod sign_in;
pub mod staff;
pub mod staffing;
pub mod tickets;
pub mod window_desk;
pub mod windows;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use error::ApiError;
use hallq_config::Settings;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use crate::state::AppState;

/// Handlers' shortcuts on the shared state.
impl AppState {
    /// The OpenAPI document (`GET /api/v1/openapi.json`) of this hall's API.
    pub fn openapi_document(&self) -> Arc<serde_json::Value> {
        self.openapi
            .get_or_init(|| {
                let (_, doc) = api_routes(&self.cfg).split_for_parts();
                Arc::new(openapi::for_hall(doc, &self.cfg))
            })
            .clone()
    }

    /// A ticket and its status shape, by token.
    ///
    /// # Errors
    /// 404 `ticket_not_found`; storage errors.
    pub async fn status_of(
        &self,
        token: &str,
    ) -> Result<(crate::model::Ticket, serde_json::Value), ApiError> {
        let not_found = || ApiError::not_found("ticket_not_found", "没有这张票 / no such ticket");
        if token.len() > 64 {
            return Err(not_found());
        }
        let t = self
            .store
            .ticket_by_token(token)
            .await?
            .ok_or_else(not_found)?;
        let now = self.now();
        let today = crate::hours::local_day(self.cfg.tz(), now);
        let (ahead, wait) = if t.status == crate::model::Status::Waiting && t.day == today {
            let ahead = self.store.people_ahead(&t, now).await?;
            let play = self.hall_waits(&today).await?;
            let wait = play.estimates.get(&t.id).copied();
            (ahead, wait)
        } else {
            (0, None)
        };
        let v = crate::views::status_value(&self.cfg, &t, &today, ahead, wait);
        Ok((t, v))
    }
}

/// Every route of `/api/v1`, each with its documentation (paths relative to `/api/v1`).
/// The development identity provider's route exists only when the config enables it.
pub fn api_routes(cfg: &Settings) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(info::health))
        .routes(routes!(info::services))
        .routes(routes!(info::snapshot))
        .routes(routes!(openapi::document))
        .routes(routes!(openapi::docs))
        .routes(routes!(openapi::docs_js))
        .routes(routes!(openapi::docs_css))
        .routes(routes!(tickets::issue))
        .routes(routes!(tickets::status))
        .routes(routes!(pages::status_events))
        .routes(routes!(pages::status_socket))
        .routes(routes!(printing::qr))
        .routes(routes!(printing::image))
        .routes(routes!(printing::bytes))
        .routes(routes!(printing::reprint))
        .routes(routes!(windows::call_next))
        .routes(routes!(windows::recall))
        .routes(routes!(windows::call))
        .routes(routes!(windows::no_show))
        .routes(routes!(windows::start))
        .routes(routes!(windows::finish))
        .routes(routes!(windows::pause))
        .routes(routes!(windows::resume))
        .routes(routes!(windows::transfer))
        .routes(routes!(window_desk::desk))
        .routes(routes!(bans::false_info))
        .routes(routes!(staff::verify_id))
        .routes(routes!(appointments::slots))
        .routes(routes!(appointments::book))
        .routes(routes!(appointments::cancel))
        .routes(routes!(appointments::code_qr))
        .routes(routes!(appointments::mine))
        .routes(routes!(checkin::check_in))
        .routes(routes!(kiosk::events))
        .routes(routes!(staff::me))
        .routes(routes!(staff::events))
        .routes(routes!(sign_in::sign_in))
        .routes(routes!(sign_in::sign_out))
        .routes(routes!(sign_in::sessions))
        .routes(routes!(sign_in::end))
        .routes(routes!(bans::bans, bans::ban_by_hand))
        .routes(routes!(bans::lift))
        .routes(routes!(reload::reload))
        .routes(routes!(admin::stats))
        .routes(routes!(admin::stats_csv))
        .routes(routes!(admin::audit))
        .routes(routes!(admin::live))
        .routes(routes!(estimates::estimates))
        .routes(routes!(staffing::staffing))
        .routes(routes!(desk::appointments))
        .routes(routes!(desk::check_in))
        .routes(routes!(desk::day))
        .routes(routes!(closures::close, closures::closures));
    if cfg.identity.dev_provider {
        api.merge(dev_identity::dev_api())
    } else {
        api
    }
}

/// The API router.
pub fn router(state: AppState) -> Router {
    let max_body = state.cfg.server.max_body_bytes;
    let (api, doc) = api_routes(&state.cfg).split_for_parts();
    let _ = state
        .openapi
        .set(Arc::new(openapi::for_hall(doc, &state.cfg)));
    // The development identity provider's page exists only when the config enables it.
    let pages = if state.cfg.identity.dev_provider {
        dev_identity::dev_pages()
    } else {
        Router::new()
    };
    Router::new()
        .nest("/api/v1", api)
        .merge(pages)
        .route("/book", get(book_page::book_page))
        .route("/t/{token}", get(pages::status_page))
        .route("/kiosk", get(pages::kiosk_page))
        .route("/clerk", get(pages::clerk_page))
        .route("/staff/signin.js", get(pages::sign_in_js))
        .route("/assets/{file}", get(pages::asset))
        .route("/admin", get(pages::admin_page))
        .route("/admin/staffing", get(pages::staffing_page))
        .route("/desk", get(pages::desk_page))
        // No authentication: bind or firewall it to the LAN (see the README).
        .route("/metrics", get(metrics::endpoint))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
        // Rate limits per client address on the routes listed in `limit::LIMITED`.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::guard,
        ))
        // Outermost, so panics (answered 500 above) and refused bodies are counted too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "没有这个地址 / no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "不支持该请求方法 / method not allowed",
    )
}

fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("handler panicked");
    axum::response::IntoResponse::into_response(ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "内部错误 / internal error",
    ))
}
