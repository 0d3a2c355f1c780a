//! The display-client: the fan-out tier between the broker and the lobby's TV screens.
//!
//! # Layout
//! - [`hub`]: the hall's current state as screens need it (windows, queues, recent calls),
//!   built from MQTT; every change becomes one pre-serialised message broadcast to all
//!   sockets, and a snapshot for each new socket.
//! - [`mqtt`]: subscribes to `hallq/v1/{hall}/#`, re-subscribes after every reconnect
//!   (retained state makes a restarted broker or display-client converge), feeds the hub.
//! - [`server`]: `/screens/{id}` pages (HTML, CSS, JS embedded in the binary, no CDN) and
//!   their WebSocket feeds: a snapshot on connect, then deltas; a lagging socket gets a
//!   fresh snapshot instead of a gap.
//!
//! - `clips`: recorded voice clips (one per character, generated once with espeak-ng by
//!   `assets/voice/generate.sh`) for browsers without a Chinese speech voice.
//!
//! Pages reconnect by themselves with backoff and never need a reload.

mod clips;
pub mod hub;
pub mod mqtt;
pub mod server;

pub use hub::Hub;
