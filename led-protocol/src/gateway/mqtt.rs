//! The MQTT side: subscribes to the hall's `calls` and `windows/+`, keeps the [`Scene`],
//! and hands each changed board's frame to its bus task; a message the scene cannot parse
//! is dropped and counted.
//!
//! Nothing goes to the boards until the present is known: the gateway waits for the
//! retained state of every configured window (or [`RETAINED_WAIT`] after the broker
//! confirmed the subscription, for a hall whose controller has not published yet), so a
//! board never flashes idle or the welcome text while a ticket is called at its window.
//! Then every board gets its content once; after that, only boards whose content changed
//! (or that a call re-shows).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use hallq_mqtt::{topic_root, Dropped, Endpoint, Feed, Subscriber};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::driver::Update;
use super::scene::Scene;
use super::state::Shared;
use crate::show::{BoardSpec, Content};

/// Messages that were not the contract's payloads (dropped, counted, warned of now and then).
static DROPPED: Dropped = Dropped::new("LED 网关 / LED gateway");

/// How long after the SUBACK the gateway waits for the retained state of windows it has
/// not heard of.
pub const RETAINED_WAIT: Duration = Duration::from_millis(700);

/// Where a board's frames go: its spec, its bus's sender and its index on that bus.
pub struct Route {
    /// How to encode its content.
    pub spec: BoardSpec,
    /// For logs.
    pub name: String,
    /// Its bus task.
    pub tx: mpsc::UnboundedSender<Update>,
    /// Its index on the bus.
    pub index: usize,
}

fn send(routes: &[Route], updates: Vec<(usize, Content)>) {
    for (i, content) in updates {
        let route = &routes[i];
        match route.spec.frame(&content) {
            Ok(frame) => {
                tracing::debug!(board = %route.name, text = %content.text, "LED content");
                let _ = route.tx.send(Update {
                    board: route.index,
                    frame,
                    text: content.text,
                });
            }
            Err(e) => tracing::warn!(
                board = %route.name,
                "LED 内容无法编码 / {}: cannot encode {:?}: {e}", route.name, content.text
            ),
        }
    }
}

/// Whether the gateway has heard enough of the present to serve the boards.
#[derive(Debug)]
pub struct Gate {
    waiting: HashSet<String>,
    subscribed_at: Option<Instant>,
    open: bool,
}

impl Gate {
    /// A closed gate waiting for these windows' retained state.
    #[must_use]
    pub fn new(windows: impl IntoIterator<Item = String>) -> Self {
        Self {
            waiting: windows.into_iter().collect(),
            subscribed_at: None,
            open: false,
        }
    }

    /// Whether it opened.
    #[must_use]
    pub const fn is_open(&self) -> bool {
        self.open
    }

    /// The broker confirmed the subscription (the first SUBACK counts).
    pub fn subscribed(&mut self, now: Instant) {
        self.subscribed_at.get_or_insert(now);
    }

    /// A window's state was heard.
    pub fn heard(&mut self, window: &str) {
        self.waiting.remove(window);
    }

    /// When the wait ends at the latest, once subscribed.
    #[must_use]
    pub fn deadline(&self) -> Option<Instant> {
        self.subscribed_at
            .filter(|_| !self.open)
            .map(|t| t + RETAINED_WAIT)
    }

    /// Opens it when every window was heard after the SUBACK, or the wait is over;
    /// `true` when it opened just now.
    pub fn check(&mut self, now: Instant) -> bool {
        if self.open {
            return false;
        }
        let over = self.deadline().is_some_and(|d| d <= now);
        let all = self.subscribed_at.is_some() && self.waiting.is_empty();
        self.open = over || all;
        self.open
    }
}

/// A feed from the subscriber task, owned.
enum Heard {
    Subscribed,
    Message(String, Vec<u8>),
}

/// Runs until `stop` turns true: connects (and reconnects) to the broker, feeds the scene.
pub async fn run_mqtt(
    hall: String,
    broker: Endpoint,
    mut scene: Scene,
    routes: Vec<Route>,
    mut stop: watch::Receiver<bool>,
    state: Option<Arc<Shared>>,
) {
    let mut gate = Gate::new(scene.windows());
    let mut options = broker.options(&format!("hallq-led-{hall}"));
    options.set_keep_alive(Duration::from_secs(10));
    options.set_max_packet_size(256 * 1024, 256 * 1024);
    let sub = Subscriber {
        options,
        root: topic_root(&hall),
        filters: vec!["calls".into(), "windows/+".into()],
        label: "LED 网关 / LED gateway",
    };
    // The subscriber runs on its own task; its feeds come here so the wait can time out.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut sub_stop = stop.clone();
    let subscriber = tokio::spawn(async move {
        let stopped = async move {
            while !*sub_stop.borrow() {
                if sub_stop.changed().await.is_err() {
                    break;
                }
            }
        };
        sub.run(stopped, |feed| {
            let heard = match feed {
                Feed::Subscribed => Heard::Subscribed,
                Feed::Message { topic, payload } => {
                    Heard::Message(topic.to_string(), payload.to_vec())
                }
                Feed::Down { .. } => return,
            };
            let _ = tx.send(heard);
        })
        .await;
    });
    loop {
        let deadline = gate.deadline();
        tokio::select! {
            heard = rx.recv() => match heard {
                Some(Heard::Subscribed) => gate.subscribed(Instant::now()),
                Some(Heard::Message(topic, payload)) => {
                    match scene.handle_message(&topic, &payload) {
                        Ok(updates) if gate.is_open() => send(&routes, updates),
                        Ok(_) => {
                            if let Some(w) = topic.strip_prefix("windows/") {
                                gate.heard(w);
                            }
                        }
                        Err(e) => DROPPED.note(&topic, &e.reason),
                    }
                }
                None => break,
            },
            () = async { if let Some(d) = deadline { tokio::time::sleep_until(d).await } else { std::future::pending().await } } => {}
            r = stop.changed() => {
                if r.is_err() || *stop.borrow() { break; }
            }
        }
        if gate.check(Instant::now()) {
            tracing::info!(
                "LED 网关 / LED gateway: {} 块屏显示当前状态 / {} boards get the hall's current state",
                routes.len(),
                routes.len()
            );
            if let Some(state) = &state {
                state.update(|doc| doc.ready = true);
            }
            send(&routes, scene.all());
        }
    }
    let _ = subscriber.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_opens_when_every_window_was_heard_or_the_wait_is_over() {
        let t0 = Instant::now();
        let mut gate = Gate::new(["1".to_string(), "2".to_string()]);
        gate.heard("1");
        gate.heard("2");
        assert!(!gate.check(t0), "nothing before the SUBACK");
        assert_eq!(gate.deadline(), None);
        gate.subscribed(t0);
        assert!(gate.check(t0), "every window heard: open at once");
        assert!(!gate.check(t0), "opens once");
        assert!(gate.is_open());

        let mut gate = Gate::new(["1".to_string(), "2".to_string()]);
        gate.subscribed(t0);
        gate.subscribed(t0 + Duration::from_millis(500));
        gate.heard("1");
        assert!(!gate.check(t0 + Duration::from_millis(699)));
        assert_eq!(gate.deadline(), Some(t0 + RETAINED_WAIT));
        assert!(gate.check(t0 + RETAINED_WAIT), "window 2 never published");
        assert_eq!(gate.deadline(), None);
    }
}
