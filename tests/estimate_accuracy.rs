//! Estimate accuracy on the admin dashboard (issue 23), against the real `hallq run` on
//! the demo config: the wait a ticket's status shows right after it is issued is recorded
//! (walk-ins and appointment check-ins), `GET /api/v1/admin/estimates` lists the day's
//! called tickets with that prediction and the actual wait (called − issued), with the
//! mean absolute error and the share within ±20 % or ±3 minutes; bad days are 400, other
//! roles are refused; and the dashboard's panel (Chromium) shows a row per service and the
//! points of the scatter in minutes.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A ticket as the test saw it: the estimate its status showed right after the issue,
/// and the wall-clock bounds of its issue and its call (ms).
struct Seen {
    number: String,
    shown: Option<i64>,
    issued: (i64, i64),
    called: (i64, i64),
}

async fn issue(hall: &Hall, service: &str) -> Seen {
    let before = now_ms();
    let t = hall.ticket(service).await;
    let after = now_ms();
    let token = t["token"].as_str().unwrap();
    let (st, s) = hall
        .req("GET", &format!("/tickets/{token}"), None, None)
        .await;
    assert_eq!(st, 200, "{s}");
    Seen {
        number: t["number"].as_str().unwrap().to_string(),
        shown: s["estimated_wait_s"].as_i64(),
        issued: (before, after),
        called: (0, 0),
    }
}

/// `call-next` at window 1; returns the number called and the wall-clock bounds.
async fn call_next(hall: &Hall) -> (String, (i64, i64)) {
    let before = now_ms();
    let (st, b) = hall.act("1", "call-next", None).await;
    let after = now_ms();
    assert_eq!(st, 200, "{b}");
    let n = b["ticket"]["number"].as_str().unwrap().to_string();
    (n, (before, after))
}

fn service<'a>(a: &'a Value, id: &str) -> &'a Value {
    a["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == id)
        .unwrap_or_else(|| panic!("no service {id} in {a}"))
}

/// The demo's property service renamed with markup, which the panel must show as text.
const PROPERTY: &str = "不动产<img src=x onerror=window.hacked=1>登记";

#[tokio::test]
async fn predicted_and_actual_waits_per_service() {
    let hall = Hall::start(HallOpts {
        edits: vec![("name = \"不动产登记\"", format!("name = \"{PROPERTY}\""))],
        ..HallOpts::default()
    })
    .await;
    let svc = hall.window_1_service().await;

    // No window serving it is open: the status shows no estimate, none is recorded.
    let mut seen = vec![issue(&hall, &svc).await];
    assert_eq!(seen[0].shown, None, "no window open, yet an estimate");
    // Window 1 opens; three more tickets, each shown an estimate.
    let (st, b) = hall.act("1", "resume", None).await;
    assert_eq!(st, 200, "{b}");
    for _ in 0..3 {
        let s = issue(&hall, &svc).await;
        assert!(
            s.shown.is_some(),
            "window 1 is open: {} shown none",
            s.number
        );
        seen.push(s);
    }
    // Window 1 calls the first three, a second or more apart (and serves the last).
    for s in seen.iter_mut().take(3) {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (n, at) = call_next(&hall).await;
        assert_eq!(n, s.number);
        s.called = at;
    }
    let (st, b) = hall.act("1", "start", None).await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = hall.act("1", "finish", None).await;
    assert_eq!(st, 200, "{b}");

    let (st, a) = hall
        .req("GET", "/admin/estimates", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["day"], shanghai_day(0), "{a}");
    assert_eq!(a["tolerance"], json!({"share": 0.2, "min_s": 180}));
    let s = service(&a, &svc);
    let listed = s["tickets"].as_array().unwrap();
    // The first ticket was shown no estimate, the last was never called.
    let numbers: Vec<&str> = listed
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [seen[1].number.as_str(), seen[2].number.as_str()],
        "{a}"
    );
    let mut err = 0;
    let mut within = 0;
    for (t, s_) in listed.iter().zip(&seen[1..3]) {
        // The prediction is what the status showed at issue (a few seconds of slack for
        // an estimator that counts elapsed time).
        let predicted = t["predicted_s"].as_i64().unwrap();
        let shown = s_.shown.unwrap();
        assert!(
            (predicted - shown).abs() <= 5,
            "predicted {predicted}, shown {shown}"
        );
        // The actual wait is called − issued, within what the test's clock saw.
        let actual = t["actual_s"].as_i64().unwrap();
        let lo = (s_.called.0 - s_.issued.1) / 1000;
        let hi = (s_.called.1 - s_.issued.0) / 1000;
        assert!(
            (lo..=hi).contains(&actual) && actual >= 1,
            "{}: actual {actual} s not in {lo}..={hi}",
            s_.number
        );
        assert_eq!(t["kind"], "walk_in");
        err += (predicted - actual).abs();
        within += i64::from((predicted - actual).abs() <= (actual / 5).max(180));
    }
    assert_eq!(s["count"], 2, "{s}");
    assert_eq!(s["mae_s"].as_f64(), Some(err as f64 / 2.0), "{s}");
    assert_eq!(s["within"], within, "{s}");
    assert_eq!(s["within_share"].as_f64(), Some(within as f64 / 2.0), "{s}");
    assert_eq!(a["overall"]["count"], 2, "{a}");
    assert_eq!(a["overall"]["mae_s"], s["mae_s"], "{a}");
    // Every configured service has its row, with or without tickets.
    let (_, services) = hall.req("GET", "/services", None, None).await;
    let configured: usize = services["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["services"].as_array().unwrap().len())
        .sum();
    assert_eq!(a["services"].as_array().unwrap().len(), configured, "{a}");
    assert_eq!(service(&a, "household")["count"], 0, "{a}");
    assert!(service(&a, "household")["mae_s"].is_null(), "{a}");

    // Another day: nothing; the same day asked for by name: the same answer.
    let path = format!("/admin/estimates?day={}", shanghai_day(-1));
    let (st, y) = hall.req("GET", &path, Some("demo-admin"), None).await;
    assert_eq!(st, 200, "{y}");
    assert_eq!(y["overall"]["count"], 0, "{y}");
    let path = format!("/admin/estimates?day={}", shanghai_day(0));
    let (_, same) = hall.req("GET", &path, Some("demo-admin"), None).await;
    assert_eq!(same, a);

    // Bad days and parameters: 400 with the contract's error body.
    for (q, code) in [
        ("day=2026-13-01", "invalid_date"),
        ("day=2026-2-1", "invalid_date"),
        ("day=yesterday", "invalid_date"),
        ("day=%3Cscript%3E", "invalid_date"),
        ("from=2026-01-01", "invalid_query"),
    ] {
        let (st, b) = hall
            .req(
                "GET",
                &format!("/admin/estimates?{q}"),
                Some("demo-admin"),
                None,
            )
            .await;
        assert_eq!((st, b["error"].as_str()), (400, Some(code)), "{q}: {b}");
        assert!(b["message"].is_string(), "{b}");
    }
    // Admins only.
    let (st, b) = hall.req("GET", "/admin/estimates", None, None).await;
    assert_eq!(
        (st, b["error"].as_str()),
        (401, Some("unauthorized")),
        "{b}"
    );
    for who in ["demo-clerk-1", "demo-kiosk"] {
        let (st, b) = hall.req("GET", "/admin/estimates", Some(who), None).await;
        assert_eq!(
            (st, b["error"].as_str()),
            (403, Some("forbidden")),
            "{who}: {b}"
        );
    }

    // The dashboard's panel.
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.open_admin(&hall).await;
    let count = format!(
        "return (document.querySelector('#acc-table tr[data-service=\"{svc}\"] td.count') || {{}}).textContent || null"
    );
    browser
        .wait_for(&count, &json!("2"), Duration::from_secs(10))
        .await
        .expect("accuracy row of the service");
    let rows = browser
        .js("return document.querySelectorAll('#acc-table tbody tr[data-service]').length")
        .await;
    assert_eq!(rows, json!(configured));
    let cells = browser
        .js(&format!(
            "var r = document.querySelector('#acc-table tr[data-service=\"{svc}\"]'); \
             return [r.cells[0].textContent, r.querySelector('.mae').textContent, r.querySelector('.within').textContent]"
        ))
        .await;
    assert_eq!(cells[0], s["name"], "{cells}");
    // The name with markup is text: no image made, no script run.
    assert_eq!(s["name"], PROPERTY, "window 1 serves property first");
    let injected = browser
        .js("return [document.querySelectorAll('#accuracy img').length, typeof window.hacked]")
        .await;
    assert_eq!(injected, json!([0, "undefined"]));
    let mae_min = (s["mae_s"].as_f64().unwrap() / 6.0).round() / 10.0;
    assert_eq!(cells[1], json!(format!("{mae_min:.1}")), "{cells}");
    assert_eq!(
        cells[2],
        json!(format!(
            "{}%（{within}/2）",
            (within as f64 * 50.0).round() as i64
        ))
    );
    let empty = browser
        .js("return document.querySelector('#acc-table tr[data-service=\"household\"] .mae').textContent")
        .await;
    assert_eq!(empty, json!("—"));
    // The scatter: the service's points (predicted, actual) in minutes, and the diagonal.
    let series = browser
        .js("var o = window.hallqAccuracy.chart.getOption(); return o.series.map(function (s) { return {type: s.type, name: s.name, data: s.data}; })")
        .await;
    let minutes = |v: &Value| (v.as_f64().unwrap() / 6.0).round() / 10.0;
    let points: Vec<(f64, f64, Value)> = listed
        .iter()
        .map(|t| {
            let (p, a) = (minutes(&t["predicted_s"]), minutes(&t["actual_s"]));
            (p, a, t["number"].clone())
        })
        .collect();
    let drawn_points: Vec<(f64, f64, Value)> = series[0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d[0].as_f64().unwrap(), d[1].as_f64().unwrap(), d[2].clone()))
        .collect();
    assert_eq!(series[0]["type"], "scatter", "{series}");
    assert_eq!(series[0]["name"], s["name"], "{series}");
    assert_eq!(drawn_points, points, "{series}");
    let last = series.as_array().unwrap().last().unwrap();
    assert_eq!(last["type"], "line", "{series}");
    // The diagonal y = x from the origin past every point.
    let xy = |i: usize, k: usize| last["data"][i][k].as_f64().unwrap();
    assert_eq!((xy(0, 0), xy(0, 1)), (0.0, 0.0), "{series}");
    assert_eq!(xy(1, 0), xy(1, 1), "{series}");
    assert!(
        points
            .iter()
            .all(|(p, a, _)| *p <= xy(1, 0) && *a <= xy(1, 0)),
        "{series}"
    );
    let drawn = browser
        .js("return document.querySelectorAll('#c-acc svg path').length")
        .await;
    assert!(drawn.as_i64().unwrap() >= 3, "scatter not drawn: {drawn}");
    browser
        .js("document.getElementById('accuracy').scrollIntoView(); return 1")
        .await;
    let path = browser.screenshot("admin-estimate-accuracy").await;
    println!("screenshot: {}", path.display());
}

/// An appointment checked in at the kiosk has its first estimate recorded too.
#[tokio::test]
async fn checked_in_appointment_has_its_estimate_recorded() {
    let hall = Hall::start(HallOpts::default()).await;
    let (_, id) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(
                json!({"name": "李四", "id_number": "11010519491231002X", "phone": "13800138000"}),
            ),
        )
        .await;
    let assertion = id["assertion"].as_str().unwrap().to_string();
    let slot = next_slot(&hall.base, "household").await;
    if !slot.starts_with(&shanghai_day(0)) {
        println!("skipped: no household slot left today in Shanghai (appointment estimate)");
        return;
    }
    let (st, b) = hall
        .req(
            "POST",
            "/appointments",
            Some(&assertion),
            Some(json!({"service": "household", "slot_start": slot, "agree_notice": true})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let code = b["appointment"]["code"].as_str().unwrap().to_string();
    // A window serving household opens, so the status shows an estimate.
    let w = household_window(&hall).await;
    let (st, b) = hall.act(&w, "resume", None).await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = hall
        .req(
            "POST",
            "/checkins",
            Some("demo-kiosk"),
            Some(json!({"code": code})),
        )
        .await;
    if st == 409 {
        println!("skipped: check-in refused now ({b}) (appointment estimate)");
        return;
    }
    assert_eq!(st, 201, "{b}");
    let token = b["ticket"]["token"].as_str().unwrap().to_string();
    let (_, s) = hall
        .req("GET", &format!("/tickets/{token}"), None, None)
        .await;
    let shown = s["estimated_wait_s"].as_i64().expect("an estimate shown");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (st, b) = hall.act(&w, "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    let (_, a) = hall
        .req("GET", "/admin/estimates", Some("demo-admin"), None)
        .await;
    let t = &service(&a, "household")["tickets"][0];
    assert_eq!(t["kind"], "appointment", "{a}");
    assert!(
        (t["predicted_s"].as_i64().unwrap() - shown).abs() <= 5,
        "{a}"
    );
    assert!(t["actual_s"].as_i64().unwrap() >= 1, "{a}");
}

/// A window whose demo clerk serves household.
async fn household_window(hall: &Hall) -> String {
    for w in 1..=10 {
        let (st, me) = hall
            .req("GET", "/me", Some(&format!("demo-clerk-{w}")), None)
            .await;
        if st == 200
            && me["services"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == "household")
        {
            return w.to_string();
        }
    }
    panic!("no demo window serves household");
}
