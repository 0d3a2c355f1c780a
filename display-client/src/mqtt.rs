//! The subscriber that feeds the hub from the hall's topics.

use crate::hub::Hub;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::time::Duration;

/// Where to subscribe.
#[derive(Clone, Debug)]
pub struct Source {
    /// Broker host.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// Login.
    pub login: Option<(String, String)>,
    /// The hall id (topics `hallq/v1/{hall}/#`).
    pub hall: String,
}

/// Runs forever: connects, subscribes on every (re)connect, applies messages; on any
/// failure marks the broker down and retries with backoff (0.2 s doubling to 5 s).
pub async fn run(src: Source, hub: Hub) {
    let root = format!("hallq/v1/{}/", src.hall);
    let id = format!("hallq-display-{}", hex::encode(rand::random::<[u8; 4]>()));
    let mut o = MqttOptions::new(id, &src.host, src.port);
    o.set_keep_alive(Duration::from_secs(5))
        .set_clean_session(true);
    if let Some((u, p)) = &src.login {
        o.set_credentials(u, p);
    }
    let (client, mut ev) = AsyncClient::new(o, 64);
    let mut backoff = Duration::from_millis(200);
    loop {
        match ev.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff = Duration::from_millis(200);
                tracing::info!(
                    "display-client subscribed to mqtt://{}:{}/{root}#",
                    src.host,
                    src.port
                );
                if let Err(e) = client.try_subscribe(format!("{root}#"), QoS::AtLeastOnce) {
                    tracing::warn!("subscribe: {e}");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => hub.set_broker(true),
            Ok(Event::Incoming(Packet::Publish(p))) => {
                if let Some(suffix) = p.topic.strip_prefix(&root) {
                    hub.apply(suffix, &p.payload);
                }
            }
            Ok(_) => {}
            Err(e) => {
                hub.set_broker(false);
                tracing::debug!("display-client broker connection: {e}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}
