//! Physical call buttons over MQTT against the real binary and its embedded broker: a
//! device signed in as `button-1` publishes `{action, press_id}` to `buttons/1`; the same
//! press sent twice calls exactly one ticket, a new press id calls the next, and malformed
//! payloads and unknown actions change nothing (presses for other windows never reach the
//! controller: see tests/mqtt_acl.rs).

mod common;

use common::{hex_id, Hall, HallOpts, Sub};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::mpsc;

/// A call button: a real MQTT client signed in as `button-{w}`.
struct Button {
    client: AsyncClient,
    acks: mpsc::UnboundedReceiver<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Button {
    async fn connect(hall: &Hall, w: &str) -> Self {
        let mut o = MqttOptions::new(
            format!("button-{w}-{}", hex_id()),
            "127.0.0.1",
            hall.mqtt_port,
        );
        o.set_keep_alive(Duration::from_secs(5));
        o.set_credentials(format!("button-{w}"), "demo-button");
        let (client, mut ev) = AsyncClient::new(o, 64);
        let (tx, acks) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match ev.poll().await {
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        let _ = tx.send(());
                    }
                    Ok(Event::Incoming(Packet::ConnAck(c))) => {
                        assert_eq!(c.code, rumqttc::ConnectReturnCode::Success);
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        Self { client, acks, task }
    }

    /// Publishes `payload` (QoS 1, not retained) to `{root}{topic}`; waits for the PUBACK.
    async fn send(&mut self, hall: &Hall, topic: &str, payload: &[u8]) {
        self.client
            .publish(
                format!("{}{topic}", hall.root()),
                QoS::AtLeastOnce,
                false,
                payload.to_vec(),
            )
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.acks.recv())
            .await
            .expect("PUBACK from the broker")
            .unwrap();
    }

    async fn press(&mut self, hall: &Hall, w: &str, action: &str, press_id: &str) {
        let p = json!({"action": action, "press_id": press_id}).to_string();
        self.send(hall, &format!("buttons/{w}"), p.as_bytes()).await;
    }
}

impl Drop for Button {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn snapshot(hall: &Hall) -> Value {
    let (st, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    assert_eq!(st, 200, "{snap}");
    snap
}

/// (number window 1 serves, property tickets waiting).
async fn state(hall: &Hall) -> (Value, Value) {
    let snap = snapshot(hall).await;
    let w1 = snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "1")
        .expect("window 1")
        .clone();
    let q = snap["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["service"] == "property")
        .map_or(json!(0), |q| q["waiting"].clone());
    (w1["serving"]["number"].clone(), q)
}

async fn window_status(hall: &Hall, w: &str) -> Value {
    let snap = snapshot(hall).await;
    snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == w)
        .map_or(Value::Null, |x| x["status"].clone())
}

/// Pauses window 5 by its button (`button-5`) with a fresh press id, repeated until the
/// controller acts on it; then resumes it. Presses are handled in arrival order, so
/// everything published before has been handled too.
async fn barrier(hall: &Hall) {
    let b = &mut Button::connect(hall, "5").await;
    for i in 0..100 {
        b.press(hall, "5", "pause", &format!("probe-{}-{i}", hex_id()))
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        if window_status(hall, "5").await == "paused" {
            let (st, body) = hall.act("5", "resume", None).await;
            assert_eq!(st, 200, "{body}");
            return;
        }
    }
    panic!(
        "the controller never acted on a button press:\n{}",
        hall.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_press_calls_exactly_one_ticket_even_when_sent_twice() {
    let hall = Hall::start(HallOpts::default()).await;
    let mut button = Button::connect(&hall, "1").await;
    let mut calls = Sub::connect(
        "127.0.0.1",
        hall.mqtt_port,
        Some(("display", "demo-display")),
        &format!("{}calls", hall.root()),
    )
    .await;
    barrier(&hall).await;
    for _ in 0..3 {
        hall.ticket("property").await;
    }
    assert_eq!(state(&hall).await, (Value::Null, json!(3)));

    // The same press twice (a device retrying; a QoS 1 redelivery looks the same).
    button.press(&hall, "1", "call_next", "p1").await;
    button.press(&hall, "1", "call_next", "p1").await;
    let (_, _, call) = calls
        .wait(10, |_, v| v["window"] == "1")
        .await
        .unwrap_or_else(|| panic!("no call for window 1:\n{}", hall.log()));
    assert_eq!(call["number"], "A001");
    assert_eq!(call["recall"], false);
    barrier(&hall).await;
    let more = calls.drain(1000).await;
    assert!(more.is_empty(), "one press, one call; also got {more:?}");
    assert_eq!(state(&hall).await, (json!("A001"), json!(2)));

    // A new press id calls the next ticket.
    button.press(&hall, "1", "call-next", "p2").await;
    let (_, _, call) = calls
        .wait(10, |_, v| v["window"] == "1")
        .await
        .expect("a call for the second press");
    assert_eq!(call["number"], "A002");
    assert_eq!(state(&hall).await, (json!("A002"), json!(1)));

    // Malformed payloads, unknown actions and old press ids: nothing.
    for bad in [
        &b"not json"[..],
        b"{\"action\":\"call_next\"",
        br#"{"action":"call_next"}"#,
        br#"{"action":"call_next","press_id":""}"#,
        br#"{"action":"explode","press_id":"p3"}"#,
        &[0xff, 0xfe, 0x00],
    ] {
        button.send(&hall, "buttons/1", bad).await;
    }
    let long = "x".repeat(65);
    button.press(&hall, "1", "call_next", &long).await;
    button.press(&hall, "1", "call_next", "p1").await;
    button.press(&hall, "1", "call_next", "p2").await;
    barrier(&hall).await;
    let more = calls.drain(1000).await;
    assert!(more.is_empty(), "nothing may be called; got {more:?}");
    assert_eq!(state(&hall).await, (json!("A002"), json!(1)));

    let log = hall.log();
    assert!(log.contains("repeated press id"), "{log}");
    assert!(
        !log.contains("panicked"),
        "the controller must not panic:\n{log}"
    );
}
