//! The city-wide routes of a deployment (see [`crate::city`]):
//! - `GET /api/v1/halls` (no authentication: public information): the city and every hall
//!   in config order, with today's waiting count, its windows open and where its API and
//!   pages are served;
//! - `GET /book`: the city booking page: the citizen chooses the hall (name, address, people
//!   waiting today), then goes on with that hall's booking pages (`{pages}/book`); the
//!   verified identity carries over (it is kept in the tab's `sessionStorage`, the same for
//!   every page of the deployment). A deployment of one hall answers its own booking page;
//! - `GET /city`: the city dashboard for a city-wide admin: signs in against the first
//!   hall's API, then shows every hall at a glance (waiting per service, longest wait,
//!   windows open, paused, closed) and the statistics per hall and summed over the city.
//!
//! The pages insert text, never markup, from any data (dom.js).

use super::error::ApiResult;
use super::pages::{escape, ELDER_JS};
use crate::city::CityState;
use crate::model::WindowStatus;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

const CITY_BOOK_PAGE: &str = include_str!("../../assets/city_book.html");
const CITY_PAGE: &str = include_str!("../../assets/city.html");

/// The city-wide routes: `GET /api/v1/halls`, `GET /book` (the city booking page) and
/// `GET /city` (the city dashboard; its script is the shared `/assets/city.js`).
pub fn city_routes() -> Router<CityState> {
    Router::new()
        .route("/api/v1/halls", get(halls))
        .route("/book", get(book_page))
        .route("/city", get(dashboard_page))
}

/// GET /api/v1/halls answer.
#[derive(Debug, Serialize)]
pub struct Halls {
    /// The city, when the deployment was configured with a city file.
    pub city: Option<CityView>,
    /// Every hall, in config order (the first is the default hall).
    pub halls: Vec<HallView>,
}

/// The city in GET /api/v1/halls.
#[derive(Debug, Serialize)]
pub struct CityView {
    /// Id.
    pub id: String,
    /// Name, Chinese.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
}

/// One hall in GET /api/v1/halls.
#[derive(Debug, Serialize)]
pub struct HallView {
    /// Hall id.
    pub id: String,
    /// Name, Chinese.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Street address, when configured.
    pub address: Option<String>,
    /// Tickets waiting today (every service).
    pub waiting: i64,
    /// Windows open (calling) now.
    pub windows_open: i64,
    /// Windows configured.
    pub windows: i64,
    /// Where the hall's API is served (`/api/v1/halls/{id}`, or `/api/v1` for a deployment
    /// of one hall).
    pub api: String,
    /// Where the hall's pages are served (`/halls/{id}`, or `""`).
    pub pages: String,
}

/// One hall's line: today's waiting count and its windows, read from its own store.
///
/// # Errors
/// Storage errors.
pub async fn hall_view(state: &AppState) -> ApiResult<HallView> {
    let cfg = &state.cfg;
    let day = crate::hours::local_day(cfg.tz(), state.now());
    let waiting = state
        .store
        .queue_counts(&day)
        .await?
        .iter()
        .map(|q| q.waiting)
        .sum();
    let windows = state.store.windows().await?;
    let windows_open = cfg
        .windows
        .iter()
        .filter(|c| {
            windows
                .iter()
                .any(|w| w.id == c.id && w.status == WindowStatus::Open)
        })
        .count() as i64;
    Ok(HallView {
        id: cfg.hall.id.clone(),
        name: cfg.hall.name.clone(),
        name_en: cfg.hall.name_en.clone(),
        address: cfg.hall.address.clone(),
        waiting,
        windows_open,
        windows: cfg.windows.len() as i64,
        api: state.paths.api.clone(),
        pages: state.paths.pages.clone(),
    })
}

/// GET /api/v1/halls: the city and every hall at a glance (public; no personal data).
///
/// # Errors
/// 503 `storage_unavailable` when a hall's store cannot be read.
pub async fn halls(State(city): State<CityState>) -> ApiResult<Response> {
    let mut halls = Vec::with_capacity(city.halls.len());
    for hall in &city.halls {
        halls.push(hall_view(hall).await?);
    }
    let city = city.city.as_ref().map(|c| CityView {
        id: c.id.clone(),
        name: c.name.clone(),
        name_en: c.name_en.clone(),
    });
    // Waiting counts change by the second: never from a cache.
    Ok((
        [(header::CACHE_CONTROL, "no-cache")],
        Json(Halls { city, halls }),
    )
        .into_response())
}

/// The city's name for the pages' titles: the city's, else the first hall's.
fn city_name(city: &CityState) -> String {
    match (&city.city, city.halls.first()) {
        (Some(c), _) => c.name.clone(),
        (None, Some(h)) => h.cfg.hall.name.clone(),
        (None, None) => String::new(),
    }
}

/// A city page with `{{CITY}}`, `{{ELDER}}`, `{{CLOCK}}` (the first hall's clock) and
/// `{{API}}` / `{{PAGES}}` (the first hall's: staff sign in there) filled in.
fn fill_city(city: &CityState, page: &str) -> String {
    let first = city.halls.first();
    let clock = first.map_or_else(String::new, |h| {
        hallq_config::clock::boot_json(h.cfg.tz(), h.now())
    });
    let (api, pages) = first.map_or(("/api/v1", ""), |h| {
        (h.paths.api.as_str(), h.paths.pages.as_str())
    });
    page.replace("{{CITY}}", &escape(&city_name(city)))
        .replace("{{API}}", &escape(api))
        .replace("{{PAGES}}", &escape(pages))
        .replace("{{ELDER}}", ELDER_JS)
        .replace("{{CLOCK}}", &clock)
}

/// GET /book: with several halls, the city booking page (choose the hall first); with one,
/// that hall's booking pages.
pub async fn book_page(State(city): State<CityState>) -> Response {
    if !city.is_city() {
        if let Some(hall) = city.halls.first() {
            return super::book_page::book_page(State(hall.clone())).await;
        }
    }
    let html = fill_city(&city, CITY_BOOK_PAGE);
    (
        [
            (header::CACHE_CONTROL, "no-cache"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(html),
    )
        .into_response()
}

/// GET /city: the city dashboard (`?token=` stores an admin token, as on /admin).
pub async fn dashboard_page(State(city): State<CityState>) -> Response {
    let html = fill_city(&city, CITY_PAGE);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}
