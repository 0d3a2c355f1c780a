//! The LED gateway (feature `gateway`): MQTT in, frames out on serial lines and TCP.
//!
//! # Layout
//! - `scene`: which text each board shows, from the hall's MQTT messages (pure).
//! - `mqtt`: one task owns the MQTT client and the scene; it hands frames to the buses.
//! - `driver`: one task per bus owns its port and a [`crate::bus::Bus`] state machine, so a
//!   slow or silent board only ever delays its own line.
//! - `transport`: opening serial devices (tokio-serial) and TCP controllers.
//! - `emulate`: a board emulator on a TCP port or a pty, for installers, demos and tests.
//! - `probe`: asking each board of a bus for an answer, by hand (`hallq led probe`).
//! - `log`: what a bus task logs (bus, address, window; repeated failures summarised).
//! - `state`: the state file `{data_dir}/led-state.json` (`hallq led show`).

pub mod driver;
pub mod emulate;
pub mod log;
pub mod mqtt;
pub mod probe;
pub mod scene;
pub mod state;
pub mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hallq_config::led::{Board, LedSettings};
use hallq_config::Settings;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::bus::{BoardLink, Bus, BusOptions};
use crate::show::{BoardSpec, Protocol};

/// A running gateway: its tasks and the switch that stops them.
pub struct Gateway {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Gateway {
    /// Spawns one task per bus and the MQTT task on the current tokio runtime. Returns at
    /// once: ports are opened (and reopened) in the background. With `state_file`, what
    /// every board shows is kept in that file (see [`state`]).
    #[must_use]
    pub fn spawn(
        cfg: Arc<Settings>,
        broker: hallq_mqtt::Endpoint,
        state_file: Option<PathBuf>,
    ) -> Self {
        let (stop, stop_rx) = watch::channel(false);
        let opts = bus_options(&cfg.led);
        let now = tokio::time::Instant::now().into_std();
        let mut routes = Vec::new();
        let mut tasks = Vec::new();
        let mut rows = Vec::new();
        let mut buses = Vec::new();
        for bus in &cfg.led.buses {
            let (tx, rx) = mpsc::unbounded_channel();
            let endpoint = transport::Endpoint::from_settings(bus);
            let addresses: Vec<_> = bus
                .boards
                .iter()
                .map(|b| (b.address, b.window.clone()))
                .collect();
            let mut names = driver::Names::new(&bus.id, &addresses);
            names.first = rows.len();
            let mut links = Vec::new();
            for (index, board) in bus.boards.iter().enumerate() {
                let spec = board_spec(board);
                links.push(BoardLink {
                    protocol: spec.protocol,
                    address: spec.address,
                    ack: board.wants_ack(),
                });
                rows.push(state::BoardState {
                    bus: bus.id.clone(),
                    place: endpoint.describe(),
                    address: board.address,
                    protocol: spec.protocol.name().to_string(),
                    window: board.window.clone(),
                    answering: board.wants_ack().then_some(true),
                    ..state::BoardState::default()
                });
                routes.push(mqtt::Route {
                    spec,
                    name: format!("{} {}", bus.id, names.boards[index]),
                    tx: tx.clone(),
                    index,
                });
            }
            buses.push((names, endpoint, Bus::new(links, opts, now), rx));
        }
        let shared = state_file
            .as_ref()
            .map(|_| state::Shared::new(cfg.hall.id.clone(), rows));
        for (names, endpoint, bus, rx) in buses {
            tasks.push(tokio::spawn(driver::run_bus(
                names,
                endpoint,
                bus,
                rx,
                stop_rx.clone(),
                shared.clone(),
            )));
        }
        if let (Some(path), Some(shared)) = (state_file, &shared) {
            tasks.push(tokio::spawn(state::run_writer(
                path,
                shared.clone(),
                stop_rx.clone(),
            )));
        }
        let scene = scene::Scene::new(cfg.clone());
        tasks.push(tokio::spawn(mqtt::run_mqtt(
            cfg.hall.id.clone(),
            broker,
            scene,
            routes,
            stop_rx,
            shared,
        )));
        Self { stop, tasks }
    }

    /// Stops every task and waits for them.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// How often an idle BX board is pinged (a board switched off between two calls is
/// noticed within this, and shown its content again once it is back).
pub const KEEPALIVE: Duration = Duration::from_secs(5);

/// Bus timing from the `[led]` section.
#[must_use]
pub fn bus_options(led: &LedSettings) -> BusOptions {
    let ms = Duration::from_millis;
    BusOptions {
        ack_timeout: ms(led.ack_timeout_ms),
        retries: led.retries,
        frame_gap: ms(led.frame_gap_ms),
        reconnect_min: ms(led.reconnect_min_ms),
        reconnect_max: ms(led.reconnect_max_ms),
        probe_every: Duration::from_secs(1),
        keepalive: Some(KEEPALIVE),
    }
}

/// The frame layout of a configured board (validated values).
#[must_use]
pub fn board_spec(b: &Board) -> BoardSpec {
    let protocol = if b.protocol == "alpha" {
        Protocol::Alpha
    } else {
        Protocol::Bx
    };
    let mut spec = BoardSpec::new(protocol, b.address);
    spec.area = (b.x, b.y, b.width, b.height);
    spec.unit = match b.unit.as_str() {
        "pixels" => crate::bx::HorizontalUnit::Pixels,
        "flagged-pixels" => crate::bx::HorizontalUnit::FlaggedPixels,
        _ => crate::bx::HorizontalUnit::Columns8,
    };
    spec.label = b.label.bytes().next().unwrap_or(b'0');
    spec
}
