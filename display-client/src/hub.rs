//! The hall's state as screens show it, and the broadcast of its changes. Every message
//! from the broker is parsed into `hallq_mqtt`'s payload types first; what does not parse
//! is dropped (counted, see [`Hub::dropped`]) and never reaches a screen, and what screens
//! get is serialised from those types, so a field the contract does not know never does.

use hallq_mqtt::payload::{to_json, Call, QueueState, WindowState};
use hallq_mqtt::{Dropped, Inbound};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// Calls remembered for the "recent calls" list and for late joiners.
const RECENT: usize = 12;

/// One message to every socket: already serialised, shared by reference count.
pub type Frame = axum::extract::ws::Utf8Bytes;

#[derive(Default)]
struct State {
    windows: BTreeMap<String, WindowState>,
    queues: BTreeMap<String, QueueState>,
    calls: VecDeque<Call>,
    broker_up: bool,
}

/// The whole state, as a new socket gets it first.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    windows: Vec<&'a WindowState>,
    queues: Vec<&'a QueueState>,
    calls: Vec<&'a Call>,
    broker: bool,
}

/// One change: a payload with its `type` (`call`, `window`, `queue`).
#[derive(Serialize)]
struct Change<'a, T> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    payload: &'a T,
}

/// Whether the broker is reachable.
#[derive(Serialize)]
struct Broker {
    #[serde(rename = "type")]
    kind: &'static str,
    up: bool,
}

/// Shared state plus the broadcast of changes. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    state: Arc<RwLock<State>>,
    tx: broadcast::Sender<Frame>,
    dropped: Arc<Dropped>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self {
            state: Arc::default(),
            tx,
            dropped: Arc::new(Dropped::new("display-client")),
        }
    }

    /// A receiver of every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Frame> {
        self.tx.subscribe()
    }

    /// Sockets currently listening.
    pub fn listeners(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Messages dropped because they were not the contract's payloads.
    pub fn dropped(&self) -> u64 {
        self.dropped.count()
    }

    /// The whole state as one `snapshot` message (JSON).
    pub fn snapshot(&self) -> String {
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        to_json(&Snapshot {
            kind: "snapshot",
            windows: s.windows.values().collect(),
            queues: s.queues.values().collect(),
            calls: s.calls.iter().collect(),
            broker: s.broker_up,
        })
    }

    /// Applies one MQTT message (`suffix` is the topic after `hallq/v1/{hall}/`); drops
    /// one that does not parse.
    pub fn apply(&self, suffix: &str, payload: &[u8]) {
        let msg = match Inbound::parse(suffix, payload) {
            Ok(m) => m,
            Err(e) => return self.dropped.note(suffix, &e),
        };
        let frame = {
            let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
            match msg {
                Inbound::Call(c) => {
                    if s.calls.iter().any(|old| old.event_id == c.event_id) {
                        return; // at-least-once delivery: already shown
                    }
                    let frame = change("call", &c);
                    s.calls.push_front(c);
                    s.calls.truncate(RECENT);
                    frame
                }
                Inbound::Window(w) => {
                    let frame = change("window", &w);
                    s.windows.insert(w.window.clone(), *w);
                    frame
                }
                Inbound::Queue(q) => {
                    let frame = change("queue", &q);
                    s.queues.insert(q.service.clone(), q);
                    frame
                }
                Inbound::Button { .. } => return,
            }
        };
        let _ = self.tx.send(Frame::from(frame));
    }

    /// Records whether the broker is reachable, and tells the screens.
    pub fn set_broker(&self, up: bool) {
        {
            let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
            if s.broker_up == up {
                return;
            }
            s.broker_up = up;
        }
        let frame = to_json(&Broker { kind: "broker", up });
        let _ = self.tx.send(Frame::from(frame));
    }
}

fn change<T: Serialize>(kind: &'static str, payload: &T) -> String {
    to_json(&Change { kind, payload })
}

#[cfg(test)]
mod tests;
