//! The subscriber that feeds the hub from the hall's topics (the loop is `hallq-mqtt`'s).

use crate::hub::Hub;
use hallq_mqtt::{topic_root, Endpoint, Feed, Subscriber};

/// Runs forever: subscribes to the hall's `calls`, `windows/+` and `queues/+` (what a
/// display account may read, see `hallq_mqtt::acl`) on every (re)connect and applies each
/// message to the hub; the hub knows the broker is up once the subscription is confirmed,
/// and down while the loop waits to reconnect (0.2 s doubling to 1 s).
pub async fn run(broker: Endpoint, hall: &str, hub: Hub) {
    let sub = Subscriber {
        options: broker.options("hallq-display"),
        root: topic_root(hall),
        filters: hallq_mqtt::acl::READ_TOPICS.map(String::from).to_vec(),
        label: "display-client",
    };
    sub.run(std::future::pending(), |feed| match feed {
        Feed::Subscribed => hub.set_broker(true),
        Feed::Message { topic, payload } => hub.apply(topic, payload),
        Feed::Down { .. } => hub.set_broker(false),
    })
    .await;
}
