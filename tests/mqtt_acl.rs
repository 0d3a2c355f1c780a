//! MQTT authorization on the default embedded broker (issue 16), against the real
//! `hallq run` of the demo hall and its accounts, with real rumqttc clients: devices can
//! do what their role allows and nothing else.
//!
//! The front drops a publish it denies and still answers PUBACK (as Mosquitto does under
//! MQTT 3.1.1), so a denial is proven by ordering: the forged publishes are PUBACKed, then
//! the controller's real call goes out, and subscribers see the real call and never the
//! forged ones — not a display login, not the controller's own TV page.

mod common;
use common::*;
use rumqttc::mqttbytes::{self, v4};
use rumqttc::{
    AsyncClient, ConnectReturnCode, ConnectionError, Event, LastWill, MqttOptions, Packet, QoS,
    SubscribeFilter, SubscribeReasonCode,
};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const FORGED: &str = "Z999";

/// A signed-in client that reports PUBACKs and SUBACKs.
struct Device {
    user: String,
    client: AsyncClient,
    acks: mpsc::UnboundedReceiver<Packet>,
    task: tokio::task::JoinHandle<()>,
}

impl Device {
    async fn connect(hall: &Hall, user: &str, pass: &str) -> Self {
        let mut o = MqttOptions::new(
            format!("acl-{user}-{}", hex_id()),
            "127.0.0.1",
            hall.mqtt_port,
        );
        o.set_keep_alive(Duration::from_secs(5));
        o.set_credentials(user, pass);
        let (client, mut ev) = AsyncClient::new(o, 100);
        let (tx, mut acks) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match ev.poll().await {
                    Ok(Event::Incoming(
                        p @ (Packet::ConnAck(_) | Packet::PubAck(_) | Packet::SubAck(_)),
                    )) => {
                        if tx.send(p).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        });
        let first = tokio::time::timeout(Duration::from_secs(5), acks.recv()).await;
        assert!(
            matches!(first, Ok(Some(Packet::ConnAck(ref c))) if c.code == ConnectReturnCode::Success),
            "{user} signs in: {first:?}"
        );
        Self {
            user: user.into(),
            client,
            acks,
            task,
        }
    }

    async fn next_ack(&mut self, what: &str) -> Packet {
        tokio::time::timeout(Duration::from_secs(5), self.acks.recv())
            .await
            .unwrap_or_else(|_| panic!("{}: no answer to {what} within 5 s", self.user))
            .unwrap_or_else(|| panic!("{}: connection lost after {what}", self.user))
    }

    /// QoS 1 publish; returns once PUBACKed (also for a publish the front drops).
    async fn publish(&mut self, topic: &str, retain: bool, payload: Value) {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload.to_string())
            .await
            .unwrap();
        let ack = self.next_ack(topic).await;
        assert!(matches!(ack, Packet::PubAck(_)), "{}: {ack:?}", self.user);
    }

    /// Subscribes to `filters` at once; returns the SUBACK's codes.
    async fn subscribe(&mut self, filters: &[String]) -> Vec<SubscribeReasonCode> {
        let many = filters
            .iter()
            .map(|f| SubscribeFilter::new(f.clone(), QoS::AtLeastOnce));
        self.client.subscribe_many(many).await.unwrap();
        match self.next_ack("SUBSCRIBE").await {
            Packet::SubAck(a) => a.return_codes,
            other => panic!("{}: expected SUBACK, got {other:?}", self.user),
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn forged_call() -> Value {
    json!({"event_id": 999_999_999, "number": FORGED, "service": "property", "window": "1",
           "window_name": "1号窗口", "called_at": 1, "recall": false, "kind": "call"})
}

/// The TV page's first frame (a snapshot of what the in-process display-client holds).
async fn tv_snapshot(hall: &Hall) -> String {
    let url = format!("ws://127.0.0.1:{}/screens/lobby/ws", hall.http_port);
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("screen socket");
    use futures::StreamExt;
    let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("snapshot within 5 s")
        .expect("a frame")
        .expect("a good frame");
    msg.into_text().expect("text frame").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_calls_and_state_from_devices_reach_no_subscriber() {
    let hall = Hall::start(HallOpts::default()).await;
    let root = hall.root();
    let mut screen = Sub::display(hall.mqtt_port, &root).await;
    // The retained state of every window and queue arrives first.
    screen.drain(1000).await;

    let mut display = Device::connect(&hall, "display", "demo-display").await;
    let mut button = Device::connect(&hall, "button-1", "demo-button").await;
    for dev in [&mut display, &mut button] {
        dev.publish(&format!("{root}calls"), false, forged_call())
            .await;
        let window = json!({"event_id": 999_999_999, "window": "1", "name": FORGED,
                            "status": "closed", "serving": {"number": FORGED}});
        dev.publish(&format!("{root}windows/1"), true, window).await;
        let queue = json!({"event_id": 999_999_999, "service": "property", "waiting": 999});
        dev.publish(&format!("{root}queues/property"), true, queue)
            .await;
        // And the press of another window (button-1's own is allowed).
        dev.publish(
            &format!("{root}buttons/2"),
            false,
            json!({"action": "call_next", "press_id": "forged"}),
        )
        .await;
    }
    let early = screen.drain(1000).await;
    assert!(early.is_empty(), "forged publishes delivered: {early:?}");

    // The controller's real call arrives, and nothing forged before or with it.
    let t = hall.ticket("property").await;
    let (st, body) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{body}");
    let (topic, _, call) = screen
        .wait(5, |t, _| t.ends_with("/calls"))
        .await
        .expect("the controller's call reaches the screen");
    assert_eq!(topic, format!("{root}calls"));
    assert_eq!(call["number"], t["number"], "{call}");
    let rest = screen.drain(500).await;
    let seen = format!("{early:?}{rest:?}{call}");
    assert!(
        !seen.contains(FORGED),
        "a forged message was delivered: {seen}"
    );

    // Retained state was not overwritten: a screen arriving now gets the real state.
    let mut late = Sub::display(hall.mqtt_port, &root).await;
    let retained = late.drain(1000).await;
    let window_1 = retained
        .iter()
        .find(|(t, _, _)| *t == format!("{root}windows/1"))
        .expect("window 1's retained state");
    assert_eq!(window_1.2["serving"]["number"], t["number"], "{window_1:?}");
    assert!(!format!("{retained:?}").contains(FORGED), "{retained:?}");

    // The controller's own TV page (the display-client inside `hallq run`).
    let tv = tv_snapshot(&hall).await;
    assert!(tv.contains(t["number"].as_str().unwrap()), "{tv}");
    assert!(
        !tv.contains(FORGED),
        "the TV page shows a forged call: {tv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_cannot_press_another_window() {
    let hall = Hall::start(HallOpts::default()).await;
    let root = hall.root();
    for _ in 0..3 {
        hall.ticket("property").await;
    }
    let mut button = Device::connect(&hall, "button-1", "demo-button").await;
    for action in ["call_next", "pause"] {
        let press = json!({"action": action, "press_id": format!("forged-{action}")});
        button
            .publish(&format!("{root}buttons/2"), false, press)
            .await;
    }
    // Its own press, sent after the forged ones on the same connection, is handled: had
    // those reached the controller, they would have been handled first.
    let own = json!({"action": "call_next", "press_id": "own-1"});
    button
        .publish(&format!("{root}buttons/1"), false, own)
        .await;
    let mut serving = Value::Null;
    for _ in 0..50 {
        let (st, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
        assert_eq!(st, 200, "{snap}");
        let windows = snap["windows"].as_array().unwrap().clone();
        let w = |id: &str| windows.iter().find(|w| w["id"] == id).unwrap().clone();
        if !w("1")["serving"].is_null() {
            serving = w("2");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        serving.is_object(),
        "window 1's own press was never handled:\n{}",
        hall.log()
    );
    assert!(
        serving["serving"].is_null(),
        "window 2 called a ticket: {serving}"
    );
    assert_ne!(
        serving["status"], "paused",
        "window 2 was paused: {serving}"
    );

    let (st, audit) = hall
        .req("GET", "/admin/audit?limit=200", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{audit}");
    let rows = audit["audit"].as_array().unwrap();
    // Each row: actor, action, subject (the window), detail.
    assert!(
        rows.iter()
            .any(|r| r["subject"] == "1" && r["actor"] == "button-1"),
        "window 1's press is audited: {audit}"
    );
    let forged: Vec<&Value> = rows.iter().filter(|r| r["subject"] == "2").collect();
    assert!(forged.is_empty(), "audit rows for window 2: {forged:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn displays_cannot_subscribe_to_button_presses() {
    let hall = Hall::start(HallOpts::default()).await;
    let root = hall.root();
    let mut display = Device::connect(&hall, "display", "demo-display").await;
    let failure = SubscribeReasonCode::Failure;
    for filter in [
        "#".to_string(),
        "hallq/v1/#".into(),
        "hallq/v1/+/buttons/+".into(),
        format!("{root}#"),
        format!("{root}buttons/#"),
        format!("{root}buttons/1"),
        format!("{root}+/1"),
        "hallq/v1/+/+/+".into(),
    ] {
        let codes = display.subscribe(std::slice::from_ref(&filter)).await;
        assert_eq!(codes, vec![failure], "display subscribing {filter}");
    }
    // Mixed: the allowed filter is granted, the other refused, in order.
    let codes = display
        .subscribe(&[format!("{root}buttons/+"), format!("{root}calls")])
        .await;
    assert_eq!(
        codes,
        vec![failure, SubscribeReasonCode::Success(QoS::AtLeastOnce)]
    );
    // A button reads nothing at all.
    let mut b2 = Device::connect(&hall, "button-2", "demo-button").await;
    let codes = b2
        .subscribe(&[format!("{root}calls"), format!("{root}buttons/2")])
        .await;
    assert_eq!(codes, vec![failure, failure]);

    // A press goes to the controller only: the display gets the resulting call, no press.
    let mut watch = Sub::display(hall.mqtt_port, &root).await;
    watch.drain(1000).await;
    let t = hall.ticket("property").await;
    let mut b1 = Device::connect(&hall, "button-1", "demo-button").await;
    b1.publish(
        &format!("{root}buttons/1"),
        false,
        json!({"action": "call_next", "press_id": "p1"}),
    )
    .await;
    let got = watch
        .wait(10, |t, _| t.ends_with("/calls"))
        .await
        .expect("the press makes a call");
    assert_eq!(got.2["number"], t["number"]);
    drop(display);
    let mut all = watch.drain(500).await;
    all.push(got);
    assert!(
        all.iter().all(|(t, _, _)| !t.contains("/buttons/")),
        "a display received a press: {all:?}"
    );
}

fn options(hall: &Hall, creds: Option<(&str, &str)>) -> MqttOptions {
    let mut o = MqttOptions::new(
        format!("acl-login-{}", hex_id()),
        "127.0.0.1",
        hall.mqtt_port,
    );
    if let Some((u, p)) = creds {
        o.set_credentials(u, p);
    }
    o
}

fn refused(r: &Result<(), ConnectionError>) -> Option<ConnectReturnCode> {
    match r {
        Err(ConnectionError::ConnectionRefused(code)) => Some(*code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_logins_other_protocols_and_forged_wills_are_refused_at_connect() {
    let hall = Hall::start(HallOpts::default()).await;
    let bad = [
        (None, "anonymous"),
        (Some(("display", "wrong")), "a wrong password"),
        (
            Some(("button-1", "demo-display")),
            "another account's password",
        ),
        (Some(("button-99", "demo-button")), "an unknown account"),
        (
            Some(("hallq-internal", "x")),
            "the controller's own user name",
        ),
        (Some(("display", "")), "an empty password"),
    ];
    for (creds, what) in bad {
        let r = connack(options(&hall, creds)).await;
        assert!(
            matches!(
                refused(&r),
                Some(ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized)
            ),
            "{what} is refused at CONNACK; got {r:?}"
        );
    }
    assert!(connack(options(&hall, Some(("display", "demo-display"))))
        .await
        .is_ok());

    // A display's last will on the calls topic would be a forged call when it drops.
    let mut o = options(&hall, Some(("display", "demo-display")));
    o.set_last_will(LastWill::new(
        format!("{}calls", hall.root()),
        FORGED,
        QoS::AtLeastOnce,
        false,
    ));
    let r = connack(o).await;
    assert_eq!(refused(&r), Some(ConnectReturnCode::NotAuthorized), "{r:?}");

    // MQTT 5 (and 3.1) are refused with "unacceptable protocol version".
    let mut connect = v4::Connect::new("acl-v5");
    connect.protocol = mqttbytes::Protocol::V5;
    connect.set_login("display", "demo-display");
    let mut out = bytes::BytesMut::new();
    connect.write(&mut out).unwrap();
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", hall.mqtt_port))
        .await
        .unwrap();
    s.write_all(&out).await.unwrap();
    let mut answer = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut answer))
        .await
        .expect("CONNACK within 5 s")
        .unwrap();
    assert_eq!(
        answer,
        [0x20, 2, 0, 1],
        "CONNACK 0x01 (unacceptable protocol version)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_oversized_clients_are_cut_off() {
    let hall = Hall::start(HallOpts::default()).await;
    // A connection that never sends CONNECT is closed after 10 s.
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", hall.mqtt_port))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut one = [0u8; 1];
    let n = tokio::time::timeout(Duration::from_secs(15), silent.read(&mut one))
        .await
        .expect("closed within 15 s")
        .unwrap_or(0);
    assert_eq!(n, 0, "closed without an answer");
    assert!(
        started.elapsed() >= Duration::from_secs(9),
        "{:?}",
        started.elapsed()
    );

    // A packet announcing more than 64 KiB is refused before it is read.
    let mut big = tokio::net::TcpStream::connect(("127.0.0.1", hall.mqtt_port))
        .await
        .unwrap();
    let mut connect = v4::Connect::new("acl-big");
    connect.set_login("button-1", "demo-button");
    let mut out = bytes::BytesMut::new();
    connect.write(&mut out).unwrap();
    big.write_all(&out).await.unwrap();
    let mut connack = [0u8; 4];
    big.read_exact(&mut connack).await.unwrap();
    assert_eq!(connack, [0x20, 2, 0, 0], "button-1 signs in");
    let mut out = bytes::BytesMut::new();
    v4::Publish::new(
        format!("{}buttons/1", hall.root()),
        QoS::AtMostOnce,
        vec![b'x'; 70 * 1024],
    )
    .write(&mut out)
    .unwrap();
    let _ = big.write_all(&out).await;
    let mut buf = vec![0u8; 64];
    let mut got = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match big.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection is closed");
    assert!(got.is_empty(), "nothing came back: {got:?}");
}
