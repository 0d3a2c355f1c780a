//! The public contract, walked as a client would, against the real binary with its
//! embedded broker and SQLite.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn ticket_call_event_status_and_retained_state() {
    let hall = Hall::start(HallOpts::default()).await;
    let (st, services) = hall.req("GET", "/services", None, None).await;
    assert_eq!(st, 200);
    assert_eq!(services["sections"][0]["services"][0]["id"], "property");

    let mut calls = Sub::connect(
        "127.0.0.1",
        hall.mqtt_port,
        Some(("display", "demo-display")),
        &format!("{}calls", hall.root()),
    )
    .await;
    let t1 = hall.ticket("property").await;
    let t2 = hall.ticket("property").await;
    assert_eq!(t1["number"], "A001");
    assert_eq!(t2["number"], "A002");
    assert_eq!(t2["people_ahead"], 1);
    assert_eq!(t1["kind"], "walk_in");
    let token = t1["token"].as_str().unwrap();
    assert!(token.len() >= 32, "token has ≥128 bits");
    assert!(t1["status_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/t/{token}")));

    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["ticket"]["number"], "A001");

    let (_, _, ev) = calls
        .wait(5, |_, v| v["number"] == "A001")
        .await
        .expect("call event on MQTT");
    for k in [
        "event_id",
        "number",
        "service",
        "window",
        "window_name",
        "called_at",
        "recall",
    ] {
        assert!(ev.get(k).is_some(), "call event lacks {k}: {ev}");
    }
    assert_eq!(ev["window"], "1");
    assert_eq!(ev["window_name"], "1号窗口");
    assert_eq!(ev["recall"], false);

    let (st, s) = hall
        .req("GET", &format!("/tickets/{token}"), None, None)
        .await;
    assert_eq!(st, 200);
    assert_eq!(s["status"], "called");
    assert_eq!(s["window"], "1");
    let (_, s2) = hall
        .req(
            "GET",
            &format!("/tickets/{}", t2["token"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(s2["status"], "waiting");
    assert_eq!(s2["people_ahead"], 0);
    assert!(s2["estimated_wait_s"].as_i64().is_some());

    // Recall is announced again, flagged as a recall.
    let (st, _) = hall.act("1", "recall", None).await;
    assert_eq!(st, 200);
    let (_, _, ev2) = calls
        .wait(5, |_, v| v["number"] == "A001" && v["recall"] == true)
        .await
        .expect("recall event");
    assert!(ev2["event_id"].as_i64() > ev["event_id"].as_i64());

    // A subscriber arriving later gets the retained window and queue state.
    let mut late = Sub::display(hall.mqtt_port, &hall.root()).await;
    let got = late.drain(700).await;
    let find = |suffix: &str| got.iter().find(|(t, _, _)| t.ends_with(suffix)).cloned();
    let (_, retained, w) = find("windows/1").expect("retained window state");
    assert!(retained);
    assert_eq!(w["status"], "open");
    assert_eq!(w["serving"]["number"], "A001");
    let (_, retained, q) = find("queues/property").expect("retained queue state");
    assert!(retained);
    assert_eq!(q["waiting"], 1);

    let (st, snap) = hall
        .req("GET", "/snapshot", Some("demo-display"), None)
        .await;
    assert_eq!(st, 200);
    let w1 = snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "1")
        .unwrap();
    assert_eq!(w1["serving"]["number"], "A001");
    assert_eq!(w1["name"], "1号窗口");
    let q = snap["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["service"] == "property")
        .unwrap();
    assert_eq!(q["waiting"], 1);

    let (st, doc) = hall.req("GET", "/openapi.json", None, None).await;
    assert_eq!(st, 200);
    assert!(doc["paths"]["/tickets"]["post"].is_object());
}

#[tokio::test]
async fn clerk_lifecycle_over_http() {
    let hall = Hall::start(HallOpts::default()).await;
    hall.ticket("household").await; // C001
    let green = hall
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "household", "kind": "green"})),
        )
        .await;
    assert_eq!(green.0, 201);
    assert_eq!(green.1["ticket"]["kind"], "green");
    // Green channel goes first.
    let (_, b) = hall.act("4", "call-next", None).await;
    assert_eq!(b["ticket"]["number"], "C002");
    assert_eq!(
        hall.act("4", "finish", None).await.1["error"],
        "not_started"
    );
    assert_eq!(hall.act("4", "start", None).await.0, 200);
    assert_eq!(hall.act("4", "finish", None).await.0, 200);
    assert_eq!(
        hall.act("4", "pause", Some(json!({"reason": "午休"})))
            .await
            .0,
        200
    );
    let (st, b) = hall.act("4", "call-next", None).await;
    assert_eq!((st, b["error"].as_str()), (409, Some("window_paused")));
    assert_eq!(hall.act("4", "resume", None).await.0, 200);
    let (_, b) = hall.act("4", "call", Some(json!({"number": "c001"}))).await;
    assert_eq!(b["ticket"]["number"], "C001");
    // Transfer to window 5 keeps the ticket for window 5 only.
    assert_eq!(
        hall.act("4", "transfer", Some(json!({"window": "5"})))
            .await
            .0,
        200
    );
    let (st, b) = hall.act("4", "call-next", None).await;
    assert_eq!((st, b["error"].as_str()), (404, Some("queue_empty")));
    let (_, b) = hall.act("5", "call-next", None).await;
    assert_eq!(b["ticket"]["number"], "C001");
    assert_eq!(hall.act("5", "no-show", None).await.0, 200);
    let (st, b) = hall.act("5", "recall", None).await;
    assert_eq!((st, b["error"].as_str()), (409, Some("no_current_ticket")));
}
