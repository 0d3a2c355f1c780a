//! Prometheus metrics, hand-rolled in the text exposition format 0.0.4 (`GET /metrics`).
//!
//! Series (all prefixed `hallq_`):
//! - `hallq_tickets_issued_total{service}`: tickets issued (kiosk walk-ins and check-ins);
//! - `hallq_calls_total{window,recall}`: successful calls (clerk, admin or call button);
//! - `hallq_wait_seconds`: histogram of issued → called, observed on each call (not recall);
//! - `hallq_outbox_unsent`, `hallq_outbox_oldest_unsent_seconds`: outbox lag, read from the
//!   database at scrape time;
//! - `hallq_broker_connected`: 1 while this process's outbox relay is connected to the broker;
//! - `hallq_http_requests_total{method,route,status}` and
//!   `hallq_http_request_duration_seconds{method,route}`: per route, where `route` is the
//!   matched route template (`/api/v1/tickets/{token}`), `unmatched` for unknown paths.
//!
//! Counters live in this process only: they start at zero on restart, and each replica
//! reports its own. The endpoint has no authentication; bind or firewall it to the LAN.

use crate::api::AppState;
use crate::model::Ticket;
use crate::store::Action;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the wait histogram, in seconds.
pub const WAIT_BUCKETS: [f64; 7] = [60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0];

/// Upper bounds of the HTTP latency histogram, in seconds.
pub const HTTP_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Content type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// One histogram's counts (cumulative buckets are computed when rendered).
#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last slot is +Inf.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], v: f64) {
        if self.counts.len() != bounds.len() + 1 {
            self.counts = vec![0; bounds.len() + 1];
        }
        let i = bounds.iter().position(|b| v <= *b).unwrap_or(bounds.len());
        self.counts[i] += 1;
        self.sum += v;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut acc = 0;
        for (i, b) in bounds
            .iter()
            .map(|b| b.to_string())
            .chain(["+Inf".to_string()])
            .enumerate()
        {
            acc += self.counts.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {acc}");
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

/// The process's metrics. Shared through [`AppState`] and handed to the relay.
#[derive(Debug, Default)]
pub struct Metrics {
    tickets: Mutex<BTreeMap<String, u64>>,
    calls: Mutex<BTreeMap<(String, bool), u64>>,
    wait: Mutex<Histogram>,
    broker: AtomicBool,
    http_count: Mutex<BTreeMap<(String, String, u16), u64>>,
    http_latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

/// Locks a mutex, ignoring poisoning (a panic elsewhere never stops the metrics).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// A ticket of `service` was issued.
    pub fn ticket_issued(&self, service: &str) {
        *lock(&self.tickets).entry(service.to_string()).or_default() += 1;
    }

    /// Records a successful window action: calls (and recalls) count per window, and a
    /// call (not a recall) observes the ticket's wait from issue to call.
    pub fn window_action(&self, window: &str, action: &Action, ticket: Option<&Ticket>) {
        let recall = match action {
            Action::CallNext | Action::Call(_) => false,
            Action::Recall => true,
            _ => return,
        };
        let Some(t) = ticket else { return };
        *lock(&self.calls)
            .entry((window.to_string(), recall))
            .or_default() += 1;
        if let (false, Some(called)) = (recall, t.called_at) {
            let wait = (called - t.issued_at).max(0) as f64 / 1000.0;
            lock(&self.wait).observe(&WAIT_BUCKETS, wait);
        }
    }

    /// The relay's broker connection went up or down.
    pub fn set_broker_connected(&self, up: bool) {
        self.broker.store(up, Ordering::Relaxed);
    }

    /// Whether the relay is connected to the broker.
    pub fn broker_connected(&self) -> bool {
        self.broker.load(Ordering::Relaxed)
    }

    /// One HTTP request finished.
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *lock(&self.http_count)
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        lock(&self.http_latency)
            .entry((method.to_string(), route.to_string()))
            .or_default()
            .observe(&HTTP_BUCKETS, seconds);
    }

    /// The exposition text. `outbox` is (unsent events, age of the oldest in seconds),
    /// `None` when the database could not be read.
    pub fn render(&self, outbox: Option<(i64, f64)>) -> String {
        let mut out = String::with_capacity(4096);
        family(
            &mut out,
            "hallq_tickets_issued_total",
            "counter",
            "Tickets issued (walk-in, green channel and appointment check-in), by service.",
        );
        for (service, n) in lock(&self.tickets).iter() {
            let _ = writeln!(
                out,
                "hallq_tickets_issued_total{{service=\"{}\"}} {n}",
                escape(service)
            );
        }
        family(
            &mut out,
            "hallq_calls_total",
            "counter",
            "Tickets called at a window (recall=\"true\" for calling the held ticket again).",
        );
        for ((w, recall), n) in lock(&self.calls).iter() {
            let _ = writeln!(
                out,
                "hallq_calls_total{{window=\"{}\",recall=\"{recall}\"}} {n}",
                escape(w)
            );
        }
        family(
            &mut out,
            "hallq_wait_seconds",
            "histogram",
            "Wait from issue to call, observed when a ticket is called.",
        );
        lock(&self.wait).render(&mut out, "hallq_wait_seconds", "", &WAIT_BUCKETS);
        if let Some((unsent, age)) = outbox {
            family(
                &mut out,
                "hallq_outbox_unsent",
                "gauge",
                "Outbox events not yet published to the broker.",
            );
            let _ = writeln!(out, "hallq_outbox_unsent {unsent}");
            family(
                &mut out,
                "hallq_outbox_oldest_unsent_seconds",
                "gauge",
                "Age of the oldest unpublished outbox event (0 when none).",
            );
            let _ = writeln!(out, "hallq_outbox_oldest_unsent_seconds {age}");
        }
        family(
            &mut out,
            "hallq_broker_connected",
            "gauge",
            "1 while this process's outbox relay is connected to the MQTT broker.",
        );
        let _ = writeln!(
            out,
            "hallq_broker_connected {}",
            u8::from(self.broker_connected())
        );
        family(
            &mut out,
            "hallq_http_requests_total",
            "counter",
            "HTTP requests by method, matched route and status.",
        );
        for ((m, r, s), n) in lock(&self.http_count).iter() {
            let _ = writeln!(
                out,
                "hallq_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{s}\"}} {n}",
                escape(m),
                escape(r)
            );
        }
        family(
            &mut out,
            "hallq_http_request_duration_seconds",
            "histogram",
            "Time to the response head, by method and matched route.",
        );
        for ((m, r), h) in lock(&self.http_latency).iter() {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(m), escape(r));
            h.render(
                &mut out,
                "hallq_http_request_duration_seconds",
                &labels,
                &HTTP_BUCKETS,
            );
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let help = help.replace('\\', "\\\\").replace('\n', "\\n");
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value (backslash, double quote, newline).
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

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

/// GET /metrics: the exposition, with the outbox lag read from the database now.
pub async fn endpoint(State(state): State<AppState>) -> Response {
    let outbox = match (
        state.store.unsent_count().await,
        state.store.oldest_unsent_at().await,
    ) {
        (Ok(n), Ok(oldest)) => {
            let age = oldest.map_or(0.0, |at| (state.now() - at).max(0) as f64 / 1000.0);
            Some((n, age))
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!("metrics: cannot read the outbox: {e}");
            None
        }
    };
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics.render(outbox),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let mut h = Histogram::default();
        for v in [30.0, 61.0, 10_000.0] {
            h.observe(&WAIT_BUCKETS, v);
        }
        let mut s = String::new();
        h.render(&mut s, "x", "", &WAIT_BUCKETS);
        assert!(s.contains("x_bucket{le=\"60\"} 1\n"), "{s}");
        assert!(s.contains("x_bucket{le=\"300\"} 2\n"), "{s}");
        assert!(s.contains("x_bucket{le=\"7200\"} 2\n"), "{s}");
        assert!(s.contains("x_bucket{le=\"+Inf\"} 3\n"), "{s}");
        assert!(s.contains("x_count 3\n"), "{s}");
        assert!(s.contains("x_sum 10091\n"), "{s}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
