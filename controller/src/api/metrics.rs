//! `GET /metrics` and the middleware that counts and times every request (the registry
//! and its series are [`crate::metrics`]).

use super::AppState;
use crate::metrics::{Scrape, CONTENT_TYPE};
use crate::model::WindowStatus;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::time::Instant;

/// The method as a label: the standard ones by name, anything else `other` (so a client
/// cannot grow the series without bound).
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts every request and times it to the response head, by matched route.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let start = Instant::now();
    let resp = next.run(req).await;
    state.metrics.http_request(
        method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

/// Logs a failed scrape-time read and drops it.
fn logged<T>(what: &str, r: crate::store::StoreResult<T>) -> Option<T> {
    r.map_err(|e| tracing::warn!("metrics: cannot read {what}: {e}"))
        .ok()
}

/// Reads the scrape-time values: the outbox lag, today's queues and the windows.
async fn scrape(state: &AppState) -> Scrape {
    let cfg = &state.cfg;
    let now = state.now();
    let day = crate::hours::local_day(cfg.tz(), now);
    let store = &state.store;
    let (unsent, oldest, queues, windows, notices) = futures::join!(
        store.unsent_count(),
        store.oldest_unsent_at(),
        store.queue_counts(&day),
        store.window_statuses(),
        store.pending_notices(),
    );
    let outbox = logged("the outbox", unsent).zip(logged("the outbox", oldest));
    let queues = logged("the queues", queues).map(|counts| {
        let counts: HashMap<String, i64> =
            counts.into_iter().map(|q| (q.service, q.waiting)).collect();
        cfg.services()
            .map(|s| (s.id.clone(), counts.get(&s.id).copied().unwrap_or(0)))
            .collect()
    });
    let windows = logged("the windows", windows).map(|rows| {
        let mut by_status = [
            WindowStatus::Open,
            WindowStatus::Paused,
            WindowStatus::Closed,
        ]
        .map(|s| (s, 0));
        for (id, status) in rows {
            // Only configured windows: a row left from an older config is not counted.
            if cfg.window(&id).is_some() {
                let status = WindowStatus::parse(&status);
                if let Some(slot) = by_status.iter_mut().find(|(s, _)| *s == status) {
                    slot.1 += 1;
                }
            }
        }
        by_status
    });
    Scrape {
        outbox: outbox.map(|(n, oldest)| {
            let age = oldest.map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0);
            (n, age)
        }),
        queues,
        windows,
        notifications: logged("the notifications", notices),
        failover_lost: store.failover_lost().to_vec(),
    }
}

/// GET /metrics: the exposition, with the scrape-time values read from the database now.
pub async fn endpoint(State(state): State<AppState>) -> Response {
    let scrape = scrape(&state).await;
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics.render(&scrape),
    )
        .into_response()
}
