//! The MQTT side: subscribes to the hall's `calls` and `windows/+`, keeps the [`Scene`],
//! and hands each changed board's frame to its bus task.

use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use tokio::sync::{mpsc, watch};

use super::driver::Update;
use super::scene::Scene;
use super::MqttLogin;
use crate::show::{BoardSpec, Content};

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
    login: MqttLogin,
    mut scene: Scene,
    routes: Vec<Route>,
    mut stop: watch::Receiver<bool>,
) {
    send(&routes, scene.all());
    let root = format!("hallq/v1/{hall}/");
    let id = format!("hallq-led-{hall}-{:08x}", rand::random::<u32>());
    let mut opts = MqttOptions::new(id, login.host.clone(), login.port);
    opts.set_keep_alive(Duration::from_secs(10));
    opts.set_clean_session(true);
    opts.set_max_packet_size(256 * 1024, 256 * 1024);
    if let Some((user, pass)) = &login.login {
        opts.set_credentials(user, pass);
    }
    let (client, mut events) = AsyncClient::new(opts, 64);
    let mut failures = 0u32;
    loop {
        let event = tokio::select! {
            e = events.poll() => e,
            _ = stop.changed() => break,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                if failures > 0 {
                    tracing::info!("LED 网关已重新连接 MQTT / gateway reconnected to the broker");
                }
                failures = 0;
                for topic in [format!("{root}calls"), format!("{root}windows/+")] {
                    if let Err(e) = client.try_subscribe(topic, QoS::AtLeastOnce) {
                        tracing::warn!("LED gateway cannot subscribe: {e}");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let Some(topic) = p.topic.strip_prefix(&root) else {
                    continue;
                };
                match scene.handle_message(topic, &p.payload) {
                    Ok(updates) => send(&routes, updates),
                    Err(e) => tracing::warn!("LED gateway ignores a message: {e}"),
                }
            }
            Ok(_) => {}
            Err(e) => {
                failures += 1;
                if failures == 1 {
                    tracing::warn!(
                        "LED 网关连不上 MQTT / gateway cannot reach the broker at {}:{}: {e}; retrying",
                        login.host,
                        login.port
                    );
                }
                let wait = Duration::from_millis(200 * u64::from(failures.min(25)));
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => break,
                }
            }
        }
    }
    let _ = client.try_disconnect();
}
