//! Where each hall's routes are served. One hall: its router at the root, as always, and
//! also under `/api/v1/halls/{hall}` and `/halls/{hall}`. Several halls: each hall's API
//! under `/api/v1/halls/{hall}/…` and its pages under `/halls/{hall}/…`; the root serves
//! the city's routes ([`super::city`]), the shared static files, `/api/v1/health`, the
//! development identity provider, `/t/{token}` for whichever hall issued the ticket, and
//! `/api/v1/me/appointments` over every hall.
//!
//! A hall's request reaches the hall's own router with the hall prefix taken off, so every
//! hall's handlers, rate limits and metrics see the same paths as a single hall's.

use super::error::ApiError;
use crate::city::CityState;
use axum::extract::{Request, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

/// Each hall's router by id, the city's routes, and the deployment's shape.
#[derive(Clone)]
struct Halls {
    by_id: Arc<HashMap<String, Router>>,
    /// The first hall's router.
    first: Router,
    /// The city's own routes (hall list, city booking page, dashboard).
    city_routes: Router,
    city: CityState,
}

/// The whole HTTP app of a deployment: every hall's [`super::router`] (merged with its
/// `extras` entry, e.g. its screens) and the city's routes.
pub fn deployment(city: CityState, extras: Vec<Router>) -> Router {
    let mut by_id = HashMap::new();
    let mut first = None;
    for (i, state) in city.halls.iter().enumerate() {
        let extra = extras.get(i).cloned().unwrap_or_default();
        let r = extra.merge(super::router(state.clone()));
        first.get_or_insert_with(|| r.clone());
        by_id.insert(state.cfg.hall.id.clone(), r);
    }
    // The shared routes at the root: the first hall's, served as if it were alone.
    if let Some(root) = &city.root {
        first = Some(super::router(root.clone()));
    }
    let halls = Halls {
        by_id: Arc::new(by_id),
        first: first.unwrap_or_default(),
        city_routes: super::city::city_routes().with_state(city.clone()),
        city,
    };
    Router::new().fallback(dispatch).with_state(halls)
}

/// Routes that belong to the city, not to one hall.
fn is_city_route(path: &str, several: bool) -> bool {
    path == "/api/v1/halls" || path == "/city" || (several && path == "/book")
}

/// Routes every hall serves alike, answered at the root by the first hall's router.
fn is_shared(path: &str) -> bool {
    path.starts_with("/assets/")
        || path == "/staff/signin.js"
        || path == "/api/v1/health"
        || path == "/metrics"
        || path == "/dev/identity"
        || path.starts_with("/api/v1/dev/")
}

async fn dispatch(State(halls): State<Halls>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let several = halls.city.is_city();
    if is_city_route(&path, several) {
        return run(halls.city_routes.clone(), req).await;
    }
    let hall_rest = path
        .strip_prefix("/api/v1/halls/")
        .map(|r| (r, "/api/v1"))
        .or_else(|| path.strip_prefix("/halls/").map(|r| (r, "")));
    if let Some((rest, base)) = hall_rest {
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let Some(router) = halls.by_id.get(id) else {
            return unknown_hall(id);
        };
        let new_path = match (base, tail) {
            ("", "") => "/".to_string(),
            ("/api/v1", "") => "/api/v1".to_string(),
            (b, t) => format!("{b}/{t}"),
        };
        return run(router.clone(), with_path(req, &new_path)).await;
    }
    if !several || is_shared(&path) {
        return run(halls.first.clone(), req).await;
    }
    if path == "/api/v1/me/appointments" {
        return my_appointments(&halls, req).await;
    }
    if let Some(token) = path.strip_prefix("/t/") {
        // A printed link names no hall: the ticket's hall answers.
        let hall = halls
            .city
            .halls
            .first()
            .map(|h| h.store.hall_of_ticket(token));
        if let Some(lookup) = hall {
            match lookup.await {
                Ok(Some(id)) => {
                    if let Some(r) = halls.by_id.get(&id) {
                        return run(r.clone(), req).await;
                    }
                }
                Ok(None) => {}
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
        return ApiError::not_found("ticket_not_found", "没有这张票 / no such ticket")
            .into_response();
    }
    ApiError::not_found(
        "not_found",
        "没有这个地址：本系统服务多个大厅，请使用 /api/v1/halls/{大厅}/… 或 /halls/{大厅}/… / \
         no such route: this deployment serves several halls, use /api/v1/halls/{hall}/… or \
         /halls/{hall}/…",
    )
    .into_response()
}

/// `GET /api/v1/me/appointments` of a city: the citizen's bookings in every hall, each
/// with its `hall` and `hall_name` (a hall's own route lists that hall's).
async fn my_appointments(halls: &Halls, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let mut person = serde_json::Value::Null;
    let mut all = Vec::new();
    for state in &halls.city.halls {
        let Some(router) = halls.by_id.get(&state.cfg.hall.id) else {
            continue;
        };
        let mut one = Request::new(axum::body::Body::empty());
        *one.uri_mut() = parts.uri.clone();
        *one.headers_mut() = parts.headers.clone();
        if let Some(peer) = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        {
            one.extensions_mut().insert(*peer);
        }
        let answer = run(router.clone(), one).await;
        if !answer.status().is_success() {
            return answer;
        }
        let Ok(bytes) = axum::body::to_bytes(answer.into_body(), 4 << 20).await else {
            return ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "内部错误 / internal error",
            )
            .into_response();
        };
        let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        person = v["person"].take();
        if let Some(list) = v["appointments"].as_array_mut() {
            for a in list.iter_mut() {
                a["hall"] = state.cfg.hall.id.clone().into();
                a["hall_name"] = state.cfg.hall.name.clone().into();
            }
            all.append(list);
        }
    }
    axum::Json(serde_json::json!({"person": person, "appointments": all})).into_response()
}

fn unknown_hall(id: &str) -> Response {
    let _ = id;
    ApiError::not_found("unknown_hall", "没有这个大厅 / no such hall").into_response()
}

async fn run(router: Router, req: Request) -> Response {
    match router.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// The request with its path replaced (the query kept).
fn with_path(mut req: Request, path: &str) -> Request {
    let pq = match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(p) = pq.parse() {
        parts.path_and_query = Some(p);
    }
    if let Ok(uri) = Uri::from_parts(parts) {
        *req.uri_mut() = uri;
    }
    req
}
