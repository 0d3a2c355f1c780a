//! Text is shown as text, in a real headless Chromium: markup in a configured window or
//! service name appears literally on the lobby's TV page and on the phone's status page (no
//! element made, no script run), and forged or garbled MQTT payloads on the hall's topics
//! never reach a TV page.

mod common;
use common::browser::Browser;
use common::*;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::time::Duration;

/// Window 3's name: an image whose error handler would run script, and the opening of an
/// HTML comment plus a script tag, which inside the page's setup `<script>` would swallow
/// the rest of the page.
const WINDOW_3: &str = "<img src=x onerror=window.hacked=1><!--<script>3号窗口";
/// The service window 3 calls first: would end the setup `<script>` and start another.
const SERVICE_B: &str = "涉税</script><script>window.hacked=2</script>房屋登记";

const ONLINE: &str =
    "return window.hallqState && window.hallqState.socketUp && window.hallqState.brokerUp";
const NUMBER: &str = "return document.getElementById('cur-number').textContent";
/// What the data could have made: images anywhere, a flag set by injected code.
const INJECTED: &str = "return [document.querySelectorAll('img').length, typeof window.hacked]";

fn edits(extra: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    let mut e = vec![
        ("name = \"3号窗口\"", format!("name = \"{WINDOW_3}\"")),
        ("name = \"涉税房屋登记\"", format!("name = \"{SERVICE_B}\"")),
    ];
    e.extend(extra);
    e
}

async fn text(browser: &Browser, id: &str) -> String {
    let v = browser
        .js(&format!(
            "return document.getElementById('{id}').textContent"
        ))
        .await;
    v.as_str().unwrap_or_default().to_string()
}

async fn open_screen(browser: &Browser, hall: &Hall) {
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/screens/lobby",
            hall.http_port
        ))
        .await;
    browser
        .wait_for(ONLINE, &json!(true), Duration::from_secs(10))
        .await
        .expect("the TV page runs and is connected");
}

#[tokio::test]
async fn configured_markup_shows_as_text_on_the_tv_and_the_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts {
        edits: edits(Vec::new()),
        ..Default::default()
    })
    .await;
    let ticket = hall.ticket("tax-housing").await;
    let token = ticket["token"].as_str().expect("token");
    open_screen(&browser, &hall).await;
    let (st, b) = hall.act("3", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    browser
        .wait_for(NUMBER, &json!("B001"), Duration::from_secs(5))
        .await
        .expect("B001 called on the TV");
    let to = text(&browser, "cur-window").await;
    assert!(to.contains(WINDOW_3), "window name as text: {to:?}");
    let service = text(&browser, "cur-service").await;
    assert!(
        service.contains(SERVICE_B),
        "service name as text: {service:?}"
    );
    let tile = browser
        .js("return document.querySelector('[data-window=\"3\"]').textContent")
        .await;
    assert!(tile.as_str().unwrap().contains(WINDOW_3), "{tile}");
    assert_eq!(browser.js(INJECTED).await, json!([0, "undefined"]));

    browser
        .goto(&format!("http://127.0.0.1:{}/t/{token}", hall.http_port))
        .await;
    browser
        .wait_for(
            "return !!window.hallqStatus && window.hallqStatus.status",
            &json!("called"),
            Duration::from_secs(10),
        )
        .await
        .expect("the phone's status page shows the call");
    let state = text(&browser, "state").await;
    assert_eq!(state, format!("请到 {WINDOW_3} 办理"));
    assert_eq!(text(&browser, "svc").await, SERVICE_B);
    assert_eq!(browser.js(INJECTED).await, json!([0, "undefined"]));
}

/// Publishes each payload with QoS 1 on the broker at `port` (anonymous), and returns once
/// the broker acknowledged them all.
async fn publish(port: u16, root: &str, messages: &[(&str, Vec<u8>)]) {
    let o = MqttOptions::new(format!("forger-{}", hex_id()), "127.0.0.1", port);
    let (client, mut ev) = AsyncClient::new(o, 100);
    for (topic, payload) in messages {
        client
            .publish(
                format!("{root}{topic}"),
                QoS::AtLeastOnce,
                false,
                payload.clone(),
            )
            .await
            .unwrap();
    }
    let mut acked = 0;
    while acked < messages.len() {
        match tokio::time::timeout(Duration::from_secs(10), ev.poll()).await {
            Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => acked += 1,
            Ok(Ok(_)) => {}
            other => panic!("publishing forged payloads: {other:?}"),
        }
    }
    let _ = client.disconnect().await;
}

fn forged_call(number: &str, window: &str, window_name: &str) -> Value {
    json!({"event_id": 900_001, "number": number, "service": "tax-housing",
        "window": window, "window_name": window_name,
        "called_at": "2026-12-01T09:00:00+08:00", "recall": false, "kind": "walk_in"})
}

#[tokio::test]
async fn forged_and_garbled_payloads_never_reach_a_tv_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    if mosquitto_bin().is_none() {
        println!("skipped: mosquitto not installed (forged payloads test)");
        return;
    }
    // A broker that lets anyone publish: the payloads must be refused by their readers.
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut broker = Mosquitto::new(tmp.path(), port);
    broker.start().await;
    let external = format!("mode = \"external\"\nurl = \"mqtt://127.0.0.1:{port}\"");
    let hall = Hall::start(HallOpts {
        edits: vec![("mode = \"embedded\"", external)],
        ..Default::default()
    })
    .await;
    hall.ticket("tax-housing").await;
    open_screen(&browser, &hall).await;

    let markup = forged_call("<img src=x onerror=window.hacked=3>", "3", "3号窗口");
    let mut typed_wrong = forged_call("Z999", "3", "3号窗口");
    typed_wrong["event_id"] = json!("900002");
    let mut unknown_kind = forged_call("Z998", "3", "3号窗口");
    unknown_kind["kind"] = json!("vip");
    let other_window = json!({"event_id": 900_003, "window": "4", "name": "4号窗口",
        "status": "open", "pause_reason": null, "updated_at": "2026-12-01T09:00:00+08:00",
        "serving": null});
    let paused_forged = json!({"event_id": 900_004, "window": "3", "name": "3号窗口",
        "status": "exploded", "pause_reason": "<b>x</b>", "serving": null,
        "updated_at": "2026-12-01T09:00:00+08:00"});
    let negative = json!({"event_id": 900_005, "service": "tax-housing", "waiting": -99,
        "updated_at": "2026-12-01T09:00:00+08:00"});
    let bytes = |v: &Value| v.to_string().into_bytes();
    publish(
        port,
        &hall.root(),
        &[
            ("calls", b"<script>window.hacked=4</script>".to_vec()),
            ("calls", vec![0xff, 0xfe, 0x00, 0x7b]),
            ("calls", br#"{"event_id":900006,"number":"Z997"}"#.to_vec()),
            ("calls", bytes(&markup)),
            ("calls", bytes(&typed_wrong)),
            ("calls", bytes(&unknown_kind)),
            ("windows/3", bytes(&other_window)),
            ("windows/3", bytes(&paused_forged)),
            ("queues/tax-housing", bytes(&negative)),
        ],
    )
    .await;
    // A real call after them: once it is on the TV, the forged ones were read before it.
    let (st, b) = hall.act("3", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    browser
        .wait_for(NUMBER, &json!("B001"), Duration::from_secs(5))
        .await
        .expect("the real call B001 shows");
    let seen = browser
        .js(
            "return JSON.stringify([window.hallqState.calls, window.hallqState.windows, \
             window.hallqState.queues])",
        )
        .await;
    let seen = seen.as_str().unwrap();
    for forged in ["Z99", "img", "exploded", "-99", "<b>"] {
        assert!(!seen.contains(forged), "{forged:?} reached the TV: {seen}");
    }
    let calls = browser.js("return window.hallqState.calls.length").await;
    assert_eq!(calls, json!(1), "only the real call");
    let paused = browser
        .js("return document.querySelector('[data-window=\"3\"]').className")
        .await;
    assert_eq!(
        paused,
        json!("win"),
        "window 3 not shown paused by a forgery"
    );
    assert_eq!(browser.js(INJECTED).await, json!([0, "undefined"]));
    assert!(
        hall.log().contains("dropped"),
        "the drops are logged: {}",
        hall.log()
    );
}
