//! The controller: the hall's authority over tickets, windows and calls.
//!
//! # Layers (imports point down only)
//! 1. **Pure core** — no IO, `now` passed in:
//!    - [`model`]: domain types (tickets, kinds, statuses, a verified citizen);
//!    - [`policy`]: which ticket a window calls next (hallq-queue's, re-exported; the wait
//!      estimator is `hallq_queue::estimate`);
//!    - [`hours`]: the hall's local time — days, the timetable (periods, breaks, holidays);
//!    - [`opening`]: the hall's opening worded for people ("午休中，14:30 开始取号");
//!    - [`slots`]: booking slots, calendar, cut-off and check-in window;
//!    - [`checkin`]: whether an appointment may be checked in now (holder, status, day,
//!      window), and which of the day's an ID card means;
//!    - [`stats`]: the admin dashboard's statistics and their CSV;
//!    - [`planning`]: staffing advice from the hall's history (records in local time);
//!    - [`usual`]: what the hall usually sees (arrivals by hour, durations), for the wait
//!      estimator, learned once a day; [`waits`]: the hall's estimates, played once per
//!      change and shared;
//! 2. **Store** — [`store`]: SQLite / PostgreSQL through sqlx; every change commits with
//!    its outbox event in one transaction; concurrency settled in SQL; the group-commit
//!    writer; rows read by column name.
//! 3. **Views** — [`views`]: what screens, phones, MQTT subscribers and the API are shown
//!    of tickets, windows and appointments (typed, serialised with serde).
//! 4. **Services** — long-running parts and their handles:
//!    - [`state`]: what handlers and services share ([`state::AppState`]), one per hall;
//!    - [`city`]: every hall of the deployment together ([`city::CityState`]);
//!    - [`principal`]: who is asking (device token or staff session, role, window);
//!    - [`acts`]: one window action, from a clerk's request or a call button's press;
//!    - [`arrivals`]: check-in at the kiosk (code, ID number or card): the decision, the
//!      appointment ticket, its print;
//!    - [`printing`]: a ticket on a kiosk's printer (ESC/POS), the outcome recorded;
//!    - [`printers`]: each printer's state (status answers, last problem), failures
//!      summarised in the log;
//!    - [`sweep`]: appointment no-shows and the ban rules;
//!    - [`retention`]: personal data purged after `retention_days`;
//!    - [`kiosks`]: kiosks' live channels;
//!    - [`reader`]: the kiosks' ID card readers, each card checked in, the kiosk told;
//!    - [`limits`]: rate limits per client address (`[limits]`) and status socket caps;
//!    - [`relay`]: publishes the outbox to MQTT in order (QoS 1; one relay per database
//!      holds a lease), and the retained state at every (re)connect;
//!    - [`watch`]: live status of tickets for phones, fed by the hall's MQTT topics;
//!    - [`live`]: the phones' status sockets on the raw TCP stream (frame codec pure);
//!    - [`buttons`]: physical call buttons over MQTT; each press id acts once;
//!    - [`identity`]: signed identity assertions; ID numbers only as keyed hash + mask;
//!    - [`reload`]: validated config reload by restarting in place;
//!    - [`notify`]: citizens' notifications — the notification outbox delivered to the
//!      configured notifiers (signed webhook, log) with retries, one deliverer per database;
//!    - [`broker`]: the embedded MQTT broker (rumqttd) for one-box halls, behind an
//!      authorizing front that enforces `hallq_mqtt::acl` per account;
//!    - [`metrics`]: the Prometheus registry (`prometheus-client`).
//! 5. **HTTP** — [`api`]: every handler of the public contract (`/api/v1`, documented by
//!    OpenAPI), the pages, `/metrics`, sign-in and the extractors of who is asking;
//!    [`http`]: the HTTP/1 server (accept loop, upgrades, graceful shutdown).
//! 6. **Wiring** — [`app`]: starts store, broker, relay, services and HTTP from
//!    [`hallq_config::Settings`].
//!

pub mod acts;
pub mod api;
pub mod app;
pub mod arrivals;
pub mod broker;
pub mod buttons;
pub mod checkin;
pub mod city;
pub mod hours;
pub mod http;
pub mod identity;
pub mod kiosks;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod opening;
pub mod planning;
pub use hallq_queue::policy;
pub mod principal;
pub mod printers;
pub mod printing;
pub mod reader;
pub mod relay;
pub mod reload;
pub mod retention;
pub mod slots;
pub mod state;
pub mod stats;
pub mod store;
pub mod sweep;
pub mod usual;
pub mod views;
pub mod waits;
pub mod watch;
