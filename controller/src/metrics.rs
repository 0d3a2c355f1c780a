//! Prometheus metrics (`GET /metrics`), kept and encoded by the `prometheus-client` crate
//! (the Prometheus project's Rust client) in the text exposition format 0.0.4.
//!
//! Series (all prefixed `hallq_`; docs/metrics.md has the full table):
//! - `hallq_tickets_issued_total{service}`: tickets issued (kiosk walk-ins and check-ins);
//! - `hallq_calls_total{window,recall}`: successful calls (clerk, admin or call button);
//! - `hallq_wait_seconds`: histogram of issued → called, observed on each call (not recall);
//! - `hallq_queue_waiting{service}`, `hallq_windows{status}`: people waiting per configured
//!   service today and configured windows per status, read from the database at scrape time;
//! - `hallq_outbox_unsent`, `hallq_outbox_oldest_unsent_seconds`: outbox lag, read from the
//!   database at scrape time;
//! - `hallq_broker_connected`: 1 while this process's outbox relay is connected to the broker;
//! - `hallq_notifications_pending`: citizens' notifications not yet delivered to every
//!   notifier, read from the database at scrape time;
//! - `hallq_notification_failures_total{notifier}`: failed delivery attempts per notifier;
//! - `hallq_failover_lost_events_total{table}`: ids of writes this controller acknowledged
//!   (outbox events, appointments) that a new primary lacked after a failover;
//! - `hallq_http_requests_total{method,route,status}` and
//!   `hallq_http_request_duration_seconds{method,route}`: per route, where `route` is the
//!   matched route template (`/api/v1/tickets/{token}`), `unmatched` for unknown paths.
//!
//! Label values come only from the config (services, windows), the router's route
//! templates, a fixed set of methods and the status code, never from raw client input, so
//! the number of series stays bounded.
//!
//! Counters live in this process only: they start at zero on restart, and each replica
//! reports its own. The endpoint has no authentication; bind or firewall it to the LAN.

use crate::model::{Ticket, WindowStatus};
use crate::store::Action;
use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Upper bounds of the wait histogram, in seconds.
pub const WAIT_BUCKETS: [f64; 7] = [60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0];

/// Upper bounds of the HTTP latency histogram, in seconds.
pub const HTTP_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Content type of the exposition (text format 0.0.4, which every Prometheus scrapes).
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabels {
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    window: String,
    recall: bool,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NotifierLabels {
    notifier: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    table: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WindowLabels {
    status: &'static str,
}

/// A family of histograms that all share one set of buckets.
type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn http_histogram() -> Histogram {
    Histogram::new(HTTP_BUCKETS)
}

/// A family of gauges holding the values read at this scrape.
fn gauges<L>(values: impl Iterator<Item = (L, i64)>) -> Family<L, Gauge>
where
    L: Clone + std::hash::Hash + Eq,
{
    let family = Family::<L, Gauge>::default();
    for (labels, n) in values {
        family.get_or_create(&labels).set(n);
    }
    family
}

/// The process's metrics. Shared through `api::AppState` and handed to the relay.
#[derive(Debug)]
pub struct Metrics {
    tickets: Family<ServiceLabels, Counter>,
    calls: Family<CallLabels, Counter>,
    wait: Histogram,
    broker: Gauge,
    http_count: Family<RequestLabels, Counter>,
    http_latency: Histograms<RouteLabels>,
    notify_failures: Family<NotifierLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            tickets: Family::default(),
            calls: Family::default(),
            wait: Histogram::new(WAIT_BUCKETS),
            broker: Gauge::default(),
            http_count: Family::default(),
            http_latency: Family::new_with_constructor(http_histogram),
            notify_failures: Family::default(),
        }
    }
}

/// What `GET /metrics` reads from the database at each scrape; `None` where the database
/// could not be read (the series is then left out rather than reported stale).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scrape {
    /// Outbox events not yet published, and the age of the oldest in seconds.
    pub outbox: Option<(i64, f64)>,
    /// People waiting today, per configured service (zero included).
    pub queues: Option<Vec<(String, i64)>>,
    /// Configured windows per status (open, paused, closed; zero included).
    pub windows: Option<[(WindowStatus, i64); 3]>,
    /// Citizens' notifications not yet delivered to every notifier.
    pub notifications: Option<i64>,
    /// Per marker table, ids this controller acknowledged that a new primary lacked
    /// (kept in memory by the store, so always known).
    pub failover_lost: Vec<(&'static str, u64)>,
}

impl Metrics {
    /// A ticket of `service` was issued.
    pub fn ticket_issued(&self, service: &str) {
        self.tickets
            .get_or_create(&ServiceLabels {
                service: service.to_string(),
            })
            .inc();
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
        self.calls
            .get_or_create(&CallLabels {
                window: window.to_string(),
                recall,
            })
            .inc();
        if let (false, Some(called)) = (recall, t.called_at) {
            self.wait
                .observe((called - t.issued_at).max(0) as f64 / 1000.0);
        }
    }

    /// The relay's broker connection went up or down.
    pub fn set_broker_connected(&self, up: bool) {
        self.broker.set(i64::from(up));
    }

    /// Whether the relay is connected to the broker.
    pub fn broker_connected(&self) -> bool {
        self.broker.get() == 1
    }

    /// Starts the failure counter of each configured notifier at 0, so that every
    /// notifier's series exists before its first failure.
    pub fn notifiers<'a>(&self, names: impl IntoIterator<Item = &'a str>) {
        for notifier in names {
            let _ = self.notify_failures.get_or_create(&NotifierLabels {
                notifier: notifier.to_string(),
            });
        }
    }

    /// A delivery attempt of a citizen's notification to `notifier` (a configured name)
    /// failed.
    pub fn notification_failed(&self, notifier: &str) {
        self.notify_failures
            .get_or_create(&NotifierLabels {
                notifier: notifier.to_string(),
            })
            .inc();
    }

    /// One HTTP request finished.
    pub fn http_request(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        self.http_count
            .get_or_create(&RequestLabels {
                method,
                route: route.to_string(),
                status,
            })
            .inc();
        self.http_latency
            .get_or_create(&RouteLabels {
                method,
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// A registry of this process's metrics plus the values read at this scrape. The
    /// metrics are shared handles, so building one per scrape is a few small allocations
    /// and two concurrent scrapes never see each other's database reads.
    fn registry(&self, scrape: &Scrape) -> Registry {
        // prometheus-client adds `_total` to counters and a full stop to each help text.
        let mut r = Registry::default();
        r.register(
            "hallq_tickets_issued",
            "Tickets issued (walk-in, green channel and appointment check-in), by service",
            self.tickets.clone(),
        );
        r.register(
            "hallq_calls",
            "Tickets called at a window (recall=\"true\" for calling the held ticket again)",
            self.calls.clone(),
        );
        r.register(
            "hallq_wait_seconds",
            "Wait from issue to call, observed when a ticket is called",
            self.wait.clone(),
        );
        if let Some(queues) = &scrape.queues {
            r.register(
                "hallq_queue_waiting",
                "People waiting today, by service (read from the database at scrape time)",
                gauges(queues.iter().map(|(service, n)| {
                    let service = service.clone();
                    (ServiceLabels { service }, *n)
                })),
            );
        }
        if let Some(windows) = &scrape.windows {
            r.register(
                "hallq_windows",
                "Configured windows by status: open, paused, closed",
                gauges(windows.iter().map(|(status, n)| {
                    let status = status.as_str();
                    (WindowLabels { status }, *n)
                })),
            );
        }
        if let Some((unsent, age)) = scrape.outbox {
            r.register(
                "hallq_outbox_unsent",
                "Outbox events not yet published to the broker",
                ConstGauge::new(unsent),
            );
            r.register(
                "hallq_outbox_oldest_unsent_seconds",
                "Age of the oldest unpublished outbox event (0 when none)",
                ConstGauge::new(age),
            );
        }
        r.register(
            "hallq_broker_connected",
            "1 while this process's outbox relay is connected to the MQTT broker",
            self.broker.clone(),
        );
        if let Some(pending) = scrape.notifications {
            r.register(
                "hallq_notifications_pending",
                "Citizens' notifications not yet delivered to every notifier",
                ConstGauge::new(pending),
            );
        }
        r.register(
            "hallq_notification_failures",
            "Failed delivery attempts of citizens' notifications, by notifier",
            self.notify_failures.clone(),
        );
        let lost = Family::<TableLabels, Counter>::default();
        for (table, n) in &scrape.failover_lost {
            lost.get_or_create(&TableLabels { table }).inc_by(*n);
        }
        r.register(
            "hallq_failover_lost_events",
            "Ids of writes this controller acknowledged (outbox events, appointments) that a \
             new primary lacked after a failover, by table",
            lost,
        );
        r.register(
            "hallq_http_requests",
            "HTTP requests by method, matched route and status",
            self.http_count.clone(),
        );
        r.register(
            "hallq_http_request_duration_seconds",
            "Time to the response head, by method and matched route",
            self.http_latency.clone(),
        );
        r
    }

    /// The exposition text (format 0.0.4) with the values read at this scrape.
    pub fn render(&self, scrape: &Scrape) -> String {
        let mut out = String::with_capacity(8192);
        // Writing to a String cannot fail, nor can the library's own encoders.
        if let Err(e) = prometheus_text::encode(&mut out, &self.registry(scrape)) {
            tracing::error!("metrics: cannot encode: {e}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape() -> Scrape {
        Scrape {
            outbox: Some((3, 1.5)),
            queues: Some(vec![("a\"b".to_string(), 2), ("c".to_string(), 0)]),
            windows: Some([
                (WindowStatus::Open, 2),
                (WindowStatus::Paused, 1),
                (WindowStatus::Closed, 0),
            ]),
            notifications: Some(4),
            failover_lost: vec![("outbox", 3), ("appointments", 0)],
        }
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        for v in [30_000, 61_000, 10_000_000] {
            let t = Ticket {
                id: 1,
                token: String::new(),
                number: "A001".into(),
                service: "a".into(),
                day: "2026-01-05".into(),
                kind: crate::model::Kind::WalkIn,
                status: crate::model::Status::Called,
                window: Some("1".into()),
                target_window: None,
                slot_start: None,
                arrived_at: 0,
                issued_at: 0,
                called_at: Some(v),
                calls: 1,
            };
            m.window_action("1", &Action::CallNext, Some(&t));
        }
        let s = m.render(&Scrape::default());
        assert!(
            s.contains("hallq_wait_seconds_bucket{le=\"60\"} 1\n"),
            "{s}"
        );
        assert!(
            s.contains("hallq_wait_seconds_bucket{le=\"300\"} 2\n"),
            "{s}"
        );
        assert!(
            s.contains("hallq_wait_seconds_bucket{le=\"7200\"} 2\n"),
            "{s}"
        );
        assert!(
            s.contains("hallq_wait_seconds_bucket{le=\"+Inf\"} 3\n"),
            "{s}"
        );
        assert!(s.contains("hallq_wait_seconds_count 3\n"), "{s}");
        assert!(s.contains("hallq_wait_seconds_sum 10091"), "{s}");
        assert!(s.contains("# TYPE hallq_calls_total counter\n"), "{s}");
        assert!(
            s.contains("hallq_calls_total{window=\"1\",recall=\"false\"} 3\n"),
            "{s}"
        );
    }

    #[test]
    fn scrape_values_are_reported_and_left_out_when_unread() {
        let m = Metrics::default();
        let s = m.render(&scrape());
        assert!(
            s.contains("hallq_queue_waiting{service=\"a\\\"b\"} 2\n"),
            "{s}"
        );
        assert!(s.contains("hallq_queue_waiting{service=\"c\"} 0\n"), "{s}");
        assert!(s.contains("hallq_windows{status=\"paused\"} 1\n"), "{s}");
        assert!(s.contains("hallq_outbox_unsent 3\n"), "{s}");
        assert!(s.contains("hallq_notifications_pending 4\n"), "{s}");
        assert!(
            s.contains("hallq_failover_lost_events_total{table=\"outbox\"} 3\n"),
            "{s}"
        );
        assert!(
            s.contains("hallq_failover_lost_events_total{table=\"appointments\"} 0\n"),
            "{s}"
        );
        assert!(
            s.contains("hallq_outbox_oldest_unsent_seconds 1.5\n"),
            "{s}"
        );
        assert!(s.contains("# TYPE hallq_wait_seconds histogram\n"), "{s}");
        assert!(s.contains("# HELP hallq_broker_connected 1 while "), "{s}");
        let s = m.render(&Scrape::default());
        for gone in [
            "hallq_queue_waiting",
            "hallq_windows",
            "hallq_outbox",
            "hallq_notifications_pending",
        ] {
            assert!(!s.contains(gone), "{s}");
        }
    }
}
