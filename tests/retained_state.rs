//! Retained state from the first moment: a subscriber that arrives with the hall (a LED
//! gateway, a dashboard) finds every window's and every queue's state on the broker before
//! any window has acted — after a start, and after a broker restart that lost it.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// Every window id and service id the hall's snapshot and services list name.
async fn subjects(hall: &Hall) -> (BTreeSet<String>, BTreeSet<String>) {
    let (st, snap) = hall
        .req("GET", "/snapshot", Some("demo-display"), None)
        .await;
    assert_eq!(st, 200);
    let windows: BTreeSet<String> = snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect();
    let (st, services) = hall.req("GET", "/services", None, None).await;
    assert_eq!(st, 200);
    let services: BTreeSet<String> = services["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["services"].as_array().unwrap().iter())
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(windows.len() >= 2 && services.len() >= 2);
    (windows, services)
}

/// Collects `windows/{w}` and `queues/{s}` messages until every subject has one (or 10 s).
/// Returns the newest payload per topic suffix and whether each arrived retained.
async fn collect(
    sub: &mut Sub,
    root: &str,
    windows: &BTreeSet<String>,
    services: &BTreeSet<String>,
) -> std::collections::BTreeMap<String, (bool, Value)> {
    let want: BTreeSet<String> = windows
        .iter()
        .map(|w| format!("windows/{w}"))
        .chain(services.iter().map(|s| format!("queues/{s}")))
        .collect();
    let mut got = std::collections::BTreeMap::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while want.iter().any(|k| !got.contains_key(k)) {
        let Ok(Some((topic, retained, v))) = tokio::time::timeout_at(deadline, sub.rx.recv()).await
        else {
            break;
        };
        if let Some(k) = topic.strip_prefix(root) {
            got.insert(k.to_string(), (retained, v));
        }
    }
    let missing: Vec<&String> = want.iter().filter(|k| !got.contains_key(*k)).collect();
    assert!(missing.is_empty(), "no state for {missing:?}");
    got
}

#[tokio::test]
async fn a_subscriber_arriving_with_the_hall_sees_every_window_and_queue() {
    let hall = Hall::start(HallOpts::default()).await;
    let root = hall.root();
    // Right after start, before any window acts: a TV screen's login and filters.
    let mut first = Sub::display(hall.mqtt_port, &root).await;
    let (windows, services) = subjects(&hall).await;
    let got = collect(&mut first, &root, &windows, &services).await;
    for w in &windows {
        let (_, v) = &got[&format!("windows/{w}")];
        assert_eq!(v["window"], w.as_str(), "{v}");
        assert!(v["status"].is_string(), "{v}");
        assert!(v["event_id"].is_i64(), "{v}");
    }
    for s in &services {
        let (_, v) = &got[&format!("queues/{s}")];
        assert_eq!(v["service"], s.as_str());
        assert_eq!(v["waiting"], 0);
    }
    // A later subscriber gets the same state as retained messages.
    let mut later = Sub::display(hall.mqtt_port, &root).await;
    let got = collect(&mut later, &root, &windows, &services).await;
    let not_retained: Vec<&String> = got
        .iter()
        .filter(|(_, (r, _))| !r)
        .map(|(k, _)| k)
        .collect();
    assert!(not_retained.is_empty(), "not retained: {not_retained:?}");
}

#[tokio::test]
async fn a_broker_that_lost_its_retained_state_gets_it_again() {
    let Some(_) = mosquitto_bin() else {
        println!("skipped: no mosquitto binary (broker restart test)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    // No persistence: a restart forgets every retained message.
    let mut broker = Mosquitto::new(tmp.path(), port);
    broker.start().await;
    let external = format!("mode = \"external\"\nurl = \"mqtt://127.0.0.1:{port}\"");
    let hall = Hall::start(HallOpts {
        edits: vec![("mode = \"embedded\"", external)],
        ..Default::default()
    })
    .await;
    let root = hall.root();
    let (windows, services) = subjects(&hall).await;
    hall.ticket("property").await;
    hall.ticket("property").await;
    assert_eq!(hall.act("1", "call-next", None).await.0, 200); // A001 at window 1
    let mut sub = Sub::connect("127.0.0.1", port, None, &format!("{root}windows/1")).await;
    sub.wait(10, |_, v| v["serving"]["number"] == "A001")
        .await
        .expect("window 1 shows A001 before the restart");
    drop(sub);

    broker.stop();
    broker.start().await;
    // The relay reconnects by itself and publishes the state from the tables.
    let mut sub = Sub::connect("127.0.0.1", port, None, &format!("{root}#")).await;
    let got = collect(&mut sub, &root, &windows, &services).await;
    assert_eq!(got["windows/1"].1["serving"]["number"], "A001");
    assert_eq!(got["queues/property"].1["waiting"], 1);
    assert!(got["windows/2"].1["serving"].is_null());
}
