//! The MQTT side: subscribes to the hall's `calls` and `windows/+`, keeps the [`Scene`],
//! and hands each changed board's frame to its bus task; a message the scene cannot parse
//! is dropped and counted.

use std::time::Duration;

use hallq_mqtt::{topic_root, Dropped, Endpoint, Feed, Subscriber};
use tokio::sync::{mpsc, watch};

use super::driver::Update;
use super::scene::Scene;
use crate::show::{BoardSpec, Content};

/// Messages that were not the contract's payloads (dropped, counted, warned of now and then).
static DROPPED: Dropped = Dropped::new("LED 网关 / LED gateway");

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
                let _ = route.tx.send((route.index, frame));
            }
            Err(e) => tracing::warn!(
                board = %route.name,
                "LED 内容无法编码 / cannot encode {:?}: {e}", content.text
            ),
        }
    }
}

/// Runs until `stop` turns true: connects (and reconnects) to the broker, feeds the scene.
pub async fn run_mqtt(
    hall: String,
    broker: Endpoint,
    mut scene: Scene,
    routes: Vec<Route>,
    mut stop: watch::Receiver<bool>,
) {
    send(&routes, scene.all());
    let mut options = broker.options(&format!("hallq-led-{hall}"));
    options.set_keep_alive(Duration::from_secs(10));
    options.set_max_packet_size(256 * 1024, 256 * 1024);
    let sub = Subscriber {
        options,
        root: topic_root(&hall),
        filters: vec!["calls".into(), "windows/+".into()],
        label: "LED 网关 / LED gateway",
    };
    let stopped = async move {
        while !*stop.borrow() {
            if stop.changed().await.is_err() {
                break;
            }
        }
    };
    sub.run(stopped, |feed| {
        if let Feed::Message { topic, payload } = feed {
            match scene.handle_message(topic, payload) {
                Ok(updates) => send(&routes, updates),
                Err(e) => DROPPED.note(topic, &e.reason),
            }
        }
    })
    .await;
}
