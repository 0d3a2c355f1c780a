//! Staffing advice on a real `hallq run` of the demo hall (issue 23):
//! - `GET /api/v1/admin/staffing` with no history answers empty rows; after tickets are
//!   issued, called and finished it answers rows for the services used, hours for the
//!   hall, and the what-if's before and after;
//! - bad target, what-if, days and format are refused with 422 and their codes; a clerk is
//!   refused with 403, nobody with 401;
//! - `format=csv` is an attachment `staffing.csv` with the BOM header and a line per row;
//! - the page `/admin/staffing` in Chromium: signed in as the admin, the form submitted
//!   shows a table of hours and the what-if sentence, and axe-core finds no WCAG 2.x A/AA
//!   violation on it (skipped without Chromium).

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// Issues `n` tickets of `service` and serves them at window `w` (call, start, finish).
async fn serve(hall: &Hall, w: &str, service: &str, n: usize) {
    hall.tickets(service, n).await;
    for _ in 0..n {
        for action in ["call-next", "start", "finish"] {
            let (st, b) = hall.act(w, action, None).await;
            assert_eq!(st, 200, "{action} at {w}: {b}");
        }
    }
}

/// axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now.
async fn axe(b: &Browser) -> Value {
    b.js(&format!("{}\nreturn 1", include_str!("vendor/axe.min.js")))
        .await;
    b.js(
        "window.hallqAxe = null; axe.run(document, { runOnly: { type: 'tag', values: \
          ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then(function (r) { \
          window.hallqAxe = r.violations.map(function (v) { return { id: v.id, \
          targets: v.nodes.map(function (n) { return n.target.join(' '); }) }; }); }, \
          function (e) { window.hallqAxe = [{ id: 'axe-error', targets: [String(e)] }]; }); \
          return 1",
    )
    .await;
    b.wait_for(
        "return window.hallqAxe !== null",
        &json!(true),
        Duration::from_secs(30),
    )
    .await
    .expect("axe finished");
    b.js("return window.hallqAxe").await
}

async fn staffing(hall: &Hall, query: &str, token: Option<&str>) -> (u16, Value) {
    hall.req("GET", &format!("/admin/staffing{query}"), token, None)
        .await
}

#[tokio::test]
async fn staffing_endpoint_csv_and_page() {
    let hall = Hall::start(HallOpts::default()).await;

    // No history yet: an empty answer, not an error.
    let (st, empty) = staffing(&hall, "", Some("demo-admin")).await;
    assert_eq!(st, 200, "{empty}");
    assert_eq!(empty["history_tickets"], 0, "{empty}");
    assert_eq!(empty["rows"], json!([]), "{empty}");
    assert_eq!(empty["hours"], json!([]), "{empty}");
    assert_eq!(empty["target"]["share"], 0.8, "{empty}");
    assert_eq!(empty["target"]["within_s"], 900.0, "{empty}");

    // History: window 1 serves property, window 4 household.
    let property = hall.window_1_service().await;
    serve(&hall, "1", &property, 3).await;
    serve(&hall, "4", "household", 2).await;

    let q = "?target=90%25%20within%2010m&days=7&what_if=2@00:00-24:00";
    let (st, a) = staffing(&hall, q, Some("demo-admin")).await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["history_tickets"], 5, "{a}");
    assert_eq!(a["history_days"], 1, "{a}");
    assert_eq!(a["target"]["share"], 0.9, "{a}");
    assert_eq!(a["target"]["within_s"], 600.0, "{a}");
    let rows = a["rows"].as_array().expect("rows");
    for svc in [property.as_str(), "household"] {
        let mine: Vec<&Value> = rows.iter().filter(|r| r["service"] == svc).collect();
        assert!(!mine.is_empty(), "no row for {svc}: {a}");
        let arrivals: f64 = mine.iter().map(|r| r["arrivals"].as_f64().unwrap()).sum();
        let want = if svc == "household" { 2.0 } else { 3.0 };
        assert!((arrivals - want).abs() < 1e-9, "{svc}: {arrivals} arrivals");
        assert!(mine.iter().all(|r| r["windows_needed"].as_u64() >= Some(1)));
    }
    assert!(
        rows.iter()
            .all(|r| r["service"] == property.as_str() || r["service"] == "household"),
        "only the services used: {a}"
    );
    let hours = a["hours"].as_array().expect("hours");
    assert!(!hours.is_empty(), "{a}");
    assert!(
        hours.iter().all(|h| h["windows"] == 10),
        "the demo hall's 10 windows: {a}"
    );
    let w = &a["what_if"];
    assert_eq!(w["what_if"]["count"], 2, "{a}");
    assert_eq!(w["what_if"]["to_s"], 86_400, "{a}");
    assert!(
        w["p90_after_s"].as_f64().unwrap() <= w["p90_before_s"].as_f64().unwrap(),
        "more windows, no longer waits: {w}"
    );

    // Refusals, each with its code.
    for (query, code) in [
        ("?target=most%20people", "invalid_target"),
        ("?target=120%25%20within%2015m", "invalid_target"),
        ("?what_if=2@11:00-09:00", "invalid_what_if"),
        ("?what_if=lots", "invalid_what_if"),
        ("?what_if=1@09:00-11:00:no-such-service", "invalid_what_if"),
        ("?days=0", "invalid_query"),
        ("?days=367", "invalid_query"),
        ("?days=many", "invalid_query"),
        ("?format=xlsx", "invalid_query"),
    ] {
        let (st, b) = staffing(&hall, query, Some("demo-admin")).await;
        assert_eq!(st, 422, "{query}: {b}");
        assert_eq!(b["error"], code, "{query}: {b}");
        assert!(b["message"].as_str().is_some_and(|m| !m.is_empty()), "{b}");
    }
    let (st, b) = staffing(&hall, "", Some("demo-clerk-1")).await;
    assert_eq!((st, b["error"].clone()), (403, json!("forbidden")), "{b}");
    let (st, _) = staffing(&hall, "", None).await;
    assert_eq!(st, 401);

    // CSV: the same rows, for a spreadsheet.
    let r = reqwest::Client::new()
        .get(format!("{}/admin/staffing{q}&format=csv", hall.base))
        .bearer_auth("demo-admin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, "attachment; filename=\"staffing.csv\"");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("星期 weekday,时段 hour,业务 service"),
        "{text}"
    );
    assert_eq!(lines.len(), rows.len() + 1, "{text}");
    for (line, row) in lines[1..].iter().zip(rows) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0], row["weekday"], "{line}");
        assert_eq!(f[1], format!("{:02}:00", row["hour"].as_u64().unwrap()));
        assert_eq!(f[2], row["service"], "{line}");
        assert_eq!(f[5], row["windows_needed"].to_string(), "{line}");
    }

    // The page in Chromium.
    let Some(b) = Browser::start().await else {
        return;
    };
    b.goto(&format!(
        "http://127.0.0.1:{}/admin/staffing",
        hall.http_port
    ))
    .await;
    b.sign_in_form_shown().await;
    b.submit_sign_in("admin", "demo-admin", None).await;
    b.wait_for(
        "return window.hallqStaffingReady === true",
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .expect("staffing page signed in");
    b.js(
        "var s = function (id, v) { document.getElementById(id).value = v; }; \
          s('share', '90'); s('wait', '10'); s('days', '7'); \
          s('wi-count', '2'); s('wi-from', '00:00'); s('wi-to', '23:59'); \
          document.getElementById('ask').requestSubmit(); return 1",
    )
    .await;
    b.wait_for(
        "return document.querySelectorAll('#days-out table.hours tr[data-hour]').length",
        &json!(hours.len()),
        Duration::from_secs(20),
    )
    .await
    .expect("the hours table shown");
    let first = b
        .js(
            "var r = document.querySelector('#days-out table.hours tr[data-hour]'); \
             return Array.prototype.map.call(r.cells, function (c) { return c.textContent; })",
        )
        .await;
    let h0 = &hours[0];
    let hour = h0["hour"].as_u64().unwrap();
    assert_eq!(
        first[0],
        format!("{hour:02}:00–{:02}:00", hour + 1),
        "{first}"
    );
    assert_eq!(first[1], h0["windows_needed"].to_string(), "{first}");
    assert_eq!(first[2], "10", "{first}");
    let sentence = b
        .js("return document.getElementById('whatif').textContent")
        .await;
    let sentence = sentence.as_str().unwrap_or_default();
    assert!(
        sentence.starts_with("增开 2 个窗口 00:00–23:59：P90 等候 由 "),
        "what-if sentence: {sentence}"
    );
    assert!(!b
        .js("return document.getElementById('whatif-card').hidden")
        .await
        .as_bool()
        .unwrap());
    // The per-service rows, folded under each day, name the services.
    let services = b
        .js("return Array.prototype.map.call(document.querySelectorAll('table.services tbody tr td:nth-child(2)'), function (c) { return c.textContent; })")
        .await;
    assert!(
        services
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "户政")),
        "household shown by its name: {services}"
    );
    // The page with its answer passes axe-core's WCAG 2.x A/AA rules, the folded rows open.
    b.js("document.querySelectorAll('details').forEach(function (d) { d.open = true; }); return 1")
        .await;
    let violations = axe(&b).await;
    assert_eq!(violations, json!([]), "WCAG 2.x A/AA violations");
    let path = b.screenshot("staffing-page").await;
    println!("screenshot: {}", path.display());
}
