//! The hall's state as screens show it, and the broadcast of its changes.

use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// Calls remembered for the "recent calls" list and for late joiners.
const RECENT: usize = 12;

/// One message to every socket: already serialised, shared by reference count.
pub type Frame = axum::extract::ws::Utf8Bytes;

#[derive(Default)]
struct State {
    windows: BTreeMap<String, Value>,
    queues: BTreeMap<String, Value>,
    calls: VecDeque<Value>,
    broker_up: bool,
}

/// Shared state plus the broadcast of changes. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    state: Arc<RwLock<State>>,
    tx: broadcast::Sender<Frame>,
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

    /// The whole state as one `snapshot` message.
    pub fn snapshot(&self) -> Value {
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        json!({
            "type": "snapshot",
            "windows": s.windows.values().collect::<Vec<_>>(),
            "queues": s.queues.values().collect::<Vec<_>>(),
            "calls": s.calls.iter().collect::<Vec<_>>(),
            "broker": s.broker_up,
        })
    }

    /// Applies one MQTT message (`suffix` is the topic after `hallq/v1/{hall}/`).
    pub fn apply(&self, suffix: &str, payload: &[u8]) {
        let Ok(mut v) = serde_json::from_slice::<Value>(payload) else {
            tracing::warn!("ignoring non-JSON message on {suffix}");
            return;
        };
        let kind = {
            let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
            if suffix == "calls" {
                let id = v["event_id"].clone();
                if !id.is_null() && s.calls.iter().any(|c| c["event_id"] == id) {
                    return; // at-least-once delivery: already shown
                }
                s.calls.push_front(v.clone());
                s.calls.truncate(RECENT);
                "call"
            } else if let Some(w) = suffix.strip_prefix("windows/") {
                s.windows.insert(w.to_string(), v.clone());
                "window"
            } else if let Some(q) = suffix.strip_prefix("queues/") {
                s.queues.insert(q.to_string(), v.clone());
                "queue"
            } else {
                return;
            }
        };
        v["type"] = json!(kind);
        self.send(v);
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
        self.send(json!({"type": "broker", "up": up}));
    }

    fn send(&self, v: Value) {
        let _ = self.tx.send(Frame::from(v.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupes_calls_and_keeps_latest_state() {
        let hub = Hub::new();
        let mut rx = hub.subscribe();
        hub.apply("calls", br#"{"event_id":1,"number":"A001"}"#);
        hub.apply("calls", br#"{"event_id":1,"number":"A001"}"#);
        hub.apply("windows/1", br#"{"window":"1","status":"open"}"#);
        hub.apply("windows/1", br#"{"window":"1","status":"paused"}"#);
        hub.apply("other", b"{}");
        hub.apply("calls", b"not json");
        let snap = hub.snapshot();
        assert_eq!(snap["calls"].as_array().unwrap().len(), 1);
        assert_eq!(snap["windows"][0]["status"], "paused");
        let mut kinds = Vec::new();
        while let Ok(f) = rx.try_recv() {
            kinds.push(
                serde_json::from_str::<Value>(f.as_str()).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        assert_eq!(kinds, ["call", "window", "window"]);
    }
}
