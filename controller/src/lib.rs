//! The controller: the hall's authority over tickets, windows and calls.
//!
//! # Layout
//! - [`model`]: domain types (tickets, kinds, statuses). No IO.
//! - [`policy`]: pure rules — which ticket a window calls next, wait estimates.
//! - [`stats`]: the admin dashboard's statistics (waits, service times, no-shows,
//!   punctuality, CSV), aggregated from ticket rows. Pure.
//! - [`slots`]: booking slots, calendar, cut-off and check-in window. Pure.
//! - [`hours`]: the hall's local time — days, opening hours. Pure; `now` is passed in.
//! - [`identity`]: signed identity assertions; ID numbers only as keyed hash + mask.
//! - [`store`]: SQLite / PostgreSQL through sqlx; every change commits with its outbox
//!   event in one transaction; concurrency settled in SQL (waiting counts kept by
//!   triggers; staff sessions and sign-in attempts too).
//! - [`relay`]: publishes the outbox to MQTT in order (QoS 1), marks rows sent; one relay
//!   per database holds a lease.
//! - [`watch`]: live status of tickets for phones (WebSocket and SSE), fed by the hall's
//!   MQTT topics; the refresh writes the phones' frames itself.
//! - [`live`]: the phones' status sockets on the raw TCP stream (frame codec pure).
//! - [`buttons`]: physical call buttons over MQTT; each press id acts once.
//! - [`reload`]: validated config reload (admin route or SIGHUP) by restarting in place.
//! - [`broker`]: the embedded MQTT broker (rumqttd) for one-box halls.
//! - [`metrics`]: Prometheus metrics (`GET /metrics`) with the `prometheus-client` crate.
//! - [`api`]: the HTTP API (axum) of the public contract, the pages, and staff sign-in
//!   (`api::sign_in`, `api::auth`: device tokens and expiring staff sessions).
//! - [`http`]: the HTTP/1 server (accept loop, upgrades, graceful shutdown).
//! - [`app`]: wiring — starts store, broker, relay and HTTP from [`hallq_config::Settings`].

pub mod api;
pub mod app;
pub mod broker;
pub mod buttons;
pub mod hours;
pub mod http;
pub mod identity;
pub mod live;
pub mod metrics;
pub mod model;
pub mod policy;
pub mod relay;
pub mod reload;
pub mod slots;
pub mod stats;
pub mod store;
pub mod views;
pub mod watch;
