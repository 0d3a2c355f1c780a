//! The clerk's desk through the real binary (issue 19), on SQLite and on PostgreSQL:
//! `GET /windows/{w}/desk` shows the held ticket (with where a transfer came from and the
//! appointment's code, slot and masked name, never the ID number), the next tickets in
//! exactly the order successive call-nexts take them (a ticket transferred to the window
//! first), the waiting count, today's served / no-show / not-started counts and the
//! no-shows to call back; every window action answers with a message naming what
//! happened; a transfer to the ticket's own service is refused `same_service`; with
//! `hall.start_on_call` one call-next per citizen serves them; the statistics count
//! served, no-show and not-started apart (JSON and CSV); one clerk session per window,
//! taken over on request, the old socket closed with 4409.

mod common;
use common::*;
use serde_json::{json, Value};

#[path = "clerk_desk/start_on_call.rs"]
mod start_on_call;
#[path = "clerk_desk/stats.rs"]
mod stats;
#[path = "clerk_desk/takeover.rs"]
mod takeover;

const ID: &str = "11010519491231002X";

/// The desk view of window `w` as its demo clerk.
async fn desk(base: &str, w: &str) -> Value {
    let (st, b) = req(
        base,
        "GET",
        &format!("/windows/{w}/desk"),
        Some(&format!("demo-clerk-{w}")),
        None,
    )
    .await;
    assert_eq!(st, 200, "{b}");
    b
}

/// A window action as the window's demo clerk; asserts 200 and returns the message.
async fn act(base: &str, w: &str, action: &str, body: Option<Value>) -> String {
    let (st, b) = req(
        base,
        "POST",
        &format!("/windows/{w}/{action}"),
        Some(&format!("demo-clerk-{w}")),
        body,
    )
    .await;
    assert_eq!(st, 200, "{action}: {b}");
    b["message"].as_str().expect("a message").to_string()
}

async fn walk_in(base: &str, service: &str, kind: &str) -> String {
    let (st, b) = req(
        base,
        "POST",
        "/tickets",
        Some("demo-kiosk"),
        Some(json!({"service": service, "kind": kind})),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    b["ticket"]["number"].as_str().unwrap().to_string()
}

/// An appointment ticket of `service` for the test person, checked in at the kiosk: its
/// number and booking code.
async fn appointment(base: &str, service: &str) -> (String, String) {
    let (_, id) = req(
        base,
        "POST",
        "/dev/identity",
        None,
        Some(json!({"name": "李小四", "id_number": ID, "phone": "13800138000"})),
    )
    .await;
    let assertion = id["assertion"].as_str().unwrap().to_string();
    let slot = next_slot(base, service).await;
    let (st, b) = req(
        base,
        "POST",
        "/appointments",
        Some(&assertion),
        Some(json!({"service": service, "slot_start": slot, "agree_notice": true})),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    let code = b["appointment"]["code"].as_str().unwrap().to_string();
    let (st, b) = req(
        base,
        "POST",
        "/checkins",
        Some("demo-kiosk"),
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    (b["ticket"]["number"].as_str().unwrap().to_string(), code)
}

fn numbers(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_str().unwrap().to_string())
        .collect()
}

/// Window 3 serves tax-housing (B) first, then property (A).
async fn desk_story(base: &str) {
    let a1 = walk_in(base, "property", "walk_in").await;
    let a2 = walk_in(base, "property", "green").await;
    let b1 = walk_in(base, "tax-housing", "walk_in").await;
    let b2 = walk_in(base, "tax-housing", "walk_in").await;
    // Window 4 calls a household ticket and sends it to window 3.
    let c1 = walk_in(base, "household", "walk_in").await;
    assert_eq!(
        act(base, "4", "call-next", None).await,
        format!("已叫 {c1}")
    );
    assert_eq!(
        act(base, "4", "transfer", Some(json!({"window": "3"}))).await,
        format!("{c1} 已转至 3号窗口")
    );
    // An appointment of property, checked in before its slot: behind the walk-ins.
    let (appt, code) = appointment(base, "property").await;

    let d = desk(base, "3").await;
    assert_eq!(d["window"], "3");
    assert_eq!(d["start_on_call"], false);
    assert_eq!(d["current"], Value::Null);
    assert_eq!(d["waiting"], 6, "{d}");
    let want = vec![c1.clone(), b1.clone(), b2.clone(), a2.clone(), a1.clone()];
    assert_eq!(
        numbers(&d["upcoming"]),
        want,
        "transfer first, then B, then A: {d}"
    );
    let first = &d["upcoming"][0];
    assert_eq!(
        (first["transferred"].clone(), first["service_name"].clone()),
        (json!(true), json!("户政"))
    );
    assert_eq!(d["upcoming"][3]["kind"], "green");
    assert_eq!(d["upcoming"][1]["transferred"], false);
    assert_eq!(d["upcoming"][1]["slot"], Value::Null);
    assert_eq!(
        d["today"],
        json!({"served": 0, "no_show": 0, "not_started": 0})
    );

    // Successive call-nexts take exactly the previewed order, each answer saying what
    // happened to the ticket it closed.
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("已叫 {c1}")
    );
    let d = desk(base, "3").await;
    let cur = &d["current"];
    assert_eq!(cur["number"], c1.as_str());
    assert_eq!(cur["status"], "called");
    // Called once at window 4, once here: the ticket's calls.
    assert_eq!(cur["calls"], 2);
    assert_eq!(cur["service_name"], "户政");
    assert_eq!(cur["transferred_from"], "4号窗口");
    assert_eq!(cur["appointment"], Value::Null);
    assert!(
        cur["called_at"].as_str().unwrap().ends_with("+08:00"),
        "{cur}"
    );
    assert_eq!(numbers(&d["upcoming"])[..4], want[1..], "{d}");
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("{c1} 未开始办理即结束，已叫 {b1}")
    );
    assert_eq!(
        act(base, "3", "start", None).await,
        format!("{b1} 开始办理")
    );
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("{b1} 已办结，已叫 {b2}")
    );
    assert_eq!(
        act(base, "3", "no-show", None).await,
        format!("{b2} 已过号")
    );
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("已叫 {a2}")
    );
    assert_eq!(act(base, "3", "recall", None).await, format!("已重呼 {a2}"));
    assert_eq!(
        act(base, "3", "start", None).await,
        format!("{a2} 开始办理")
    );
    assert_eq!(act(base, "3", "finish", None).await, format!("{a2} 已办结"));
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("已叫 {a1}")
    );

    let d = desk(base, "3").await;
    assert_eq!(
        d["today"],
        json!({"served": 2, "no_show": 1, "not_started": 1}),
        "{d}"
    );
    assert_eq!(numbers(&d["no_shows"]), vec![b2.clone()]);
    assert_eq!(d["no_shows"][0]["service_name"], "涉税房屋登记");
    assert_eq!(numbers(&d["upcoming"]), vec![appt.clone()]);
    assert_eq!(d["upcoming"][0]["kind"], "appointment");
    assert!(
        d["upcoming"][0]["slot"].as_str().unwrap().contains('-'),
        "{d}"
    );

    // A transfer to the ticket's own service changes nothing.
    let (st, b) = req(
        base,
        "POST",
        "/windows/3/transfer",
        Some("demo-clerk-3"),
        Some(json!({"service": "property"})),
    )
    .await;
    assert_eq!(
        (st, b["error"].as_str()),
        (409, Some("same_service")),
        "{b}"
    );
    assert!(
        b["message"].as_str().unwrap().contains("已在该业务队列"),
        "{b}"
    );
    assert_eq!(desk(base, "3").await["current"]["number"], a1.as_str());
    // To another service: it waits there, and says where it came from when called.
    assert_eq!(
        act(
            base,
            "3",
            "transfer",
            Some(json!({"service": "tax-housing"}))
        )
        .await,
        format!("{a1} 已转至 涉税房屋登记")
    );
    let d = desk(base, "3").await;
    assert_eq!(
        numbers(&d["upcoming"]),
        vec![a1.clone(), appt.clone()],
        "{d}"
    );
    assert_eq!(d["upcoming"][0]["transferred"], true);
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("已叫 {a1}")
    );
    assert_eq!(
        desk(base, "3").await["current"]["transferred_from"],
        "不动产登记"
    );

    assert_eq!(
        act(base, "3", "pause", Some(json!({"reason": "午休"}))).await,
        "已暂停：午休"
    );
    assert_eq!(act(base, "3", "resume", None).await, "已恢复叫号");
    assert_eq!(act(base, "3", "pause", None).await, "已暂停");
    act(base, "3", "resume", None).await;

    // The appointment at the window: code, slot and masked name; never the ID number.
    assert_eq!(
        act(base, "3", "call-next", None).await,
        format!("{a1} 未开始办理即结束，已叫 {appt}")
    );
    let d = desk(base, "3").await;
    let a = &d["current"]["appointment"];
    assert_eq!(a["code"], code.as_str(), "{d}");
    assert_eq!(a["name_masked"], "李*四");
    assert!(a["slot"].as_str().unwrap().len() == 11, "{a}");
    assert!(a["date"].is_string());
    let text = d.to_string();
    for clear in [ID, "李小四", "13800138000"] {
        assert!(
            !text.contains(clear),
            "personal data in the desk view: {text}"
        );
    }
    let (st, b) = req(
        base,
        "POST",
        "/windows/3/false-info",
        Some("demo-clerk-3"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["message"], format!("{appt} 已标记虚假信息"));

    // A no-show called back from the list.
    assert_eq!(
        act(base, "3", "call", Some(json!({"number": b2}))).await,
        format!("{appt} 未开始办理即结束，已叫 {b2}")
    );
    let d = desk(base, "3").await;
    assert_eq!(d["no_shows"], json!([]));
    assert_eq!(
        d["today"],
        json!({"served": 2, "no_show": 0, "not_started": 3}),
        "{d}"
    );
    assert_eq!(d["waiting"], 0);
    // Roles: another window's clerk 403, an admin reads any window, unknown window 404.
    let (st, _) = req(base, "GET", "/windows/3/desk", Some("demo-clerk-1"), None).await;
    assert_eq!(st, 403);
    let (st, b) = req(base, "GET", "/windows/3/desk", Some("demo-admin"), None).await;
    assert_eq!(
        (st, b["current"]["number"].as_str()),
        (200, Some(b2.as_str()))
    );
    let (st, b) = req(base, "GET", "/windows/99/desk", Some("demo-admin"), None).await;
    assert_eq!((st, b["error"].as_str()), (404, Some("unknown_window")));
}

#[tokio::test]
async fn desk_view_and_messages_on_sqlite() {
    let hall = Hall::start(HallOpts::default()).await;
    desk_story(&hall.base).await;
}

#[tokio::test]
async fn desk_view_and_messages_on_postgres() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "the clerk desk on PostgreSQL") else {
        return;
    };
    let Some(mq) = env_or_skip("HALLQ_TEST_MQTT_URL", "the clerk desk on PostgreSQL") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let hall = Hall::start(HallOpts::replica(&db.url, &mq, &unique_hall())).await;
    desk_story(&hall.base).await;
    takeover::story(&hall.base, hall.http_port).await;
    drop(hall);
    db.drop_db().await;
    start_on_call::story(&mq, &pg).await;
}

#[tokio::test]
async fn start_on_call_on_sqlite() {
    let hall = Hall::start(start_on_call::opts(HallOpts::default())).await;
    start_on_call::one_key_per_citizen(&hall.base).await;
}

#[tokio::test]
async fn statistics_count_served_no_show_and_not_started_apart() {
    let hall = Hall::start(HallOpts::default()).await;
    stats::served_no_show_not_started(&hall.base).await;
}

#[tokio::test]
async fn one_session_per_window_on_sqlite() {
    let hall = Hall::start(HallOpts::default()).await;
    takeover::story(&hall.base, hall.http_port).await;
}
