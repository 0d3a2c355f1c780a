//! The admin dashboard: statistics JSON and CSV after real calls, admin-only access, and
//! the page in a real headless Chromium (live windows table, ECharts charts whose values
//! are read back from the chart instances and compared with `GET /api/v1/admin/stats`).

mod common;
use common::browser::Browser;
use common::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn admin_stats_csv_and_dashboard() {
    let hall = Hall::start(HallOpts::default()).await;
    // Two tickets of property, one of household; window 1 serves property.
    let (_, me) = hall.req("GET", "/me", Some("demo-clerk-1"), None).await;
    let svc1 = me["services"][0]["id"].as_str().unwrap().to_string();
    hall.ticket(&svc1).await;
    hall.ticket(&svc1).await;
    hall.ticket("household").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The first is served by a clerk signed in with username and password.
    let (st, b) = hall
        .req(
            "POST",
            "/auth/sign-in",
            None,
            Some(json!({"username": "clerk", "password": "demo-clerk", "window": "1"})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let clerk = b["token"].as_str().unwrap().to_string();
    let (st, b) = hall
        .req("POST", "/windows/1/call-next", Some(&clerk), None)
        .await;
    assert_eq!(st, 200, "{b}");
    hall.req("POST", "/windows/1/start", Some(&clerk), None)
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (st, b) = hall
        .req("POST", "/windows/1/finish", Some(&clerk), None)
        .await;
    assert_eq!(st, 200, "{b}");
    // The second one stays at the window (the live table shows it).
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    let held = b["ticket"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Access: 401 without a token, 403 for a clerk.
    for path in [
        "/admin/stats",
        "/admin/stats.csv",
        "/admin/audit",
        "/admin/live",
    ] {
        let (st, _) = hall.req("GET", path, None, None).await;
        assert_eq!(st, 401, "{path} without token");
        let (st, _) = hall.req("GET", path, Some("demo-clerk-1"), None).await;
        assert_eq!(st, 403, "{path} as clerk");
    }

    let (st, s) = hall
        .req("GET", "/admin/stats", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["total"], 3, "{s}");
    let svc = |id: &str| {
        s["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["service"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {s}"))
    };
    assert_eq!(svc(&svc1)["issued"], 2);
    assert_eq!(svc(&svc1)["called"], 2);
    assert_eq!(svc(&svc1)["done"], 1);
    assert_eq!(svc("household")["issued"], 1);
    assert!(svc(&svc1)["wait_mean_ms"].as_i64().unwrap() >= 300, "{s}");
    assert!(svc(&svc1)["wait_p90_ms"].as_i64().unwrap() >= 300, "{s}");
    let w1 = s["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["window"] == "1")
        .cloned()
        .expect("window 1 stats");
    assert_eq!(w1["served"], 1);
    assert!(w1["service_mean_ms"].as_i64().unwrap() >= 200, "{s}");
    // Per clerk: the signed-in clerk served it, shown by name.
    let c = &s["clerks"][0];
    assert_eq!(
        (c["clerk"].clone(), c["window"].clone(), c["served"].clone()),
        (json!("clerk"), json!("1"), json!(1)),
        "{s}"
    );
    assert!(c["service_mean_ms"].as_i64().unwrap() >= 200, "{s}");
    assert_eq!(s["names"]["clerks"]["clerk"], "演示窗口人员");
    assert_eq!(s["no_show"]["whole"], 2);
    assert_eq!(s["no_show"]["rate"], 0.0);
    let hours: i64 = s["by_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["count"].as_i64().unwrap())
        .sum();
    assert_eq!(hours, 3);

    // Bad ranges are refused with the JSON error shape.
    let (st, b) = hall
        .req(
            "GET",
            "/admin/stats?from=2026-13-01",
            Some("demo-admin"),
            None,
        )
        .await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["error"], "invalid_date");

    // CSV: BOM, header, one hour row per service, summary rows.
    let base = format!("http://127.0.0.1:{}/api/v1", hall.http_port);
    let r = reqwest::Client::new()
        .get(format!("{base}/admin/stats.csv"))
        .bearer_auth("demo-admin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("section,from,to,service,service_name"),
        "{text}"
    );
    for id in [svc1.as_str(), "household"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("hour,") && l.split(',').nth(3) == Some(id)),
            "no hour row for {id}: {text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("service,") && l.split(',').nth(3) == Some(id)),
            "no service row for {id}: {text}"
        );
    }
    assert!(lines.iter().any(|l| l.starts_with("window,")), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("no_show,")), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("clerk,") && l.split(',').nth(12) == Some("clerk")),
        "{text}"
    );

    let (st, a) = hall
        .req("GET", "/admin/audit?limit=5", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{a}");
    assert!(a["audit"].is_array());
    let (st, l) = hall
        .req("GET", "/admin/live", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{l}");
    assert!(l["oldest_waiting_at"]["household"].is_i64(), "{l}");
    assert!(l["windows"]["1"]["called_at"].is_i64(), "{l}");

    // The page in Chromium.
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.open_admin(&hall).await;
    browser
        .wait_for(
            "return window.hallqAdminLive === true",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("dashboard live");
    let cur = "return (document.querySelector('#windows tr[data-window=\"1\"] td.num') || {}).textContent || null";
    let shown = browser.js(cur).await;
    assert!(
        shown.as_str().unwrap_or_default().starts_with(&held),
        "window 1 shows {shown}, expected {held}"
    );
    charts_match_stats(&browser, &s).await;
    let waiting = browser
        .js("return (document.querySelector('#queues tr[data-service=\"household\"] td.longest') || {}).textContent || null")
        .await;
    assert_ne!(waiting, json!("—"), "longest wait shown");
    // Serving time counts up.
    browser
        .wait_for(
            "var t = document.querySelector('#windows tr[data-window=\"1\"] td.serving'); return !!t && /^\\d+:\\d\\d$/.test(t.textContent)",
            &json!(true),
            Duration::from_secs(3),
        )
        .await
        .expect("serving time shown");
    // The admin's own session is listed among the signed-in staff.
    browser
        .wait_for(
            "return (document.querySelector('#sessions tbody td') || {}).textContent || null",
            &json!("admin (管理员)"),
            Duration::from_secs(5),
        )
        .await
        .expect("own session listed");
    let path = browser.screenshot("admin-dashboard").await;
    println!("screenshot: {}", path.display());
}

/// What each chart holds: `{id: {unit, cats, series: [{name, data}], labels: [text…]}}`.
const CHARTS: &str = "var out = {}; Object.keys(window.hallqCharts).forEach(function (k) { \
    var c = window.hallqCharts[k], o = c.chart.getOption(); \
    var cat = o.yAxis[0].type === 'category' ? o.yAxis[0] : o.xAxis[0]; \
    out[k] = { unit: c.unit, cats: cat.data, \
      series: o.series.map(function (x) { return { name: x.name, data: x.data, \
        shown: x.data.map(function (v) { return x.label.formatter({ value: v }); }) }; }), \
      texts: Array.prototype.map.call(document.querySelectorAll('#' + k + ' svg text'), function (t) { return t.textContent; }) }; \
  }); return out;";

/// The charts show the statistics API's numbers, in seconds (all under 3 minutes here),
/// with labels that are not rounded to zero.
async fn charts_match_stats(browser: &Browser, s: &serde_json::Value) {
    let c = browser.js(CHARTS).await;
    let close = |shown: &serde_json::Value, ms: &serde_json::Value, what: &str| {
        let (v, ms) = (shown.as_f64().expect(what), ms.as_f64().expect(what));
        assert!(
            (v * 1000.0 - ms).abs() < 1e-6,
            "{what}: chart {v} s, stats {ms} ms"
        );
    };
    // Waits per service (the services with calls): mean and P90.
    let called: Vec<&serde_json::Value> = s["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["called"].as_i64() > Some(0))
        .collect();
    let w = &c["c-wait"];
    assert_eq!(w["unit"], "s", "{c}");
    assert_eq!(w["cats"].as_array().unwrap().len(), called.len(), "{c}");
    for (i, v) in called.iter().enumerate() {
        assert_eq!(
            w["cats"][i],
            s["names"]["services"][v["service"].as_str().unwrap()]
        );
        close(&w["series"][0]["data"][i], &v["wait_mean_ms"], "mean wait");
        close(&w["series"][1]["data"][i], &v["wait_p90_ms"], "P90 wait");
    }
    // Service time per window and per clerk, each labelled in seconds, never "0.0".
    for (id, list, key) in [
        ("c-win", "windows", "window"),
        ("c-clerk", "clerks", "clerk"),
    ] {
        let rows: Vec<&serde_json::Value> = s[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["service_mean_ms"].is_null())
            .collect();
        let ch = &c[id];
        assert_eq!(ch["unit"], "s", "{id}: {ch}");
        assert_eq!(
            ch["series"][0]["data"].as_array().unwrap().len(),
            rows.len(),
            "{id} {key}: {ch}"
        );
        for (i, r) in rows.iter().enumerate() {
            close(&ch["series"][0]["data"][i], &r["service_mean_ms"], id);
            let label = ch["series"][0]["shown"][i].as_str().unwrap();
            assert!(
                label.ends_with('秒') && !label.starts_with("0秒"),
                "{id} label {label}"
            );
            assert!(
                ch["texts"].as_array().unwrap().iter().any(|t| t == label),
                "{id}: label {label} not drawn: {ch}"
            );
        }
    }
    // Outcomes per window: served, no-shows and not started, as the statistics count them.
    let o = &c["c-outcome"];
    for (i, w) in s["windows"].as_array().unwrap().iter().enumerate() {
        for (k, key) in ["served", "no_show", "not_started"].iter().enumerate() {
            assert_eq!(
                o["series"][k]["data"][i].as_f64(),
                w[*key].as_f64(),
                "{key} of window {}: {o}",
                w["window"]
            );
        }
    }
    // Tickets per hour: every ticket counted once.
    let total: f64 = c["c-hour"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| {
            x["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap_or(0.0))
        })
        .sum();
    assert_eq!(total, s["total"].as_f64().unwrap(), "{c}");
    // The rates in percent.
    let rate = &c["c-rate"]["series"][0]["data"];
    assert_eq!(
        rate[0].as_f64(),
        s["no_show"]["rate"].as_f64().map(|r| r * 100.0)
    );
}

/// Pairs of chart texts (axis ticks, category names, bar labels) that overlap, per chart.
const OVERLAPS: &str = "var out = {}; Object.keys(window.hallqCharts).forEach(function (k) { \
    var r = Array.prototype.map.call(document.querySelectorAll('#' + k + ' svg text'), function (t) { return t.getBoundingClientRect(); }) \
      .filter(function (b) { return b.width > 0; }), n = 0; \
    for (var i = 0; i < r.length; i++) for (var j = i + 1; j < r.length; j++) { var a = r[i], b = r[j]; \
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++; } \
    out[k] = n; }); return out;";

/// Ten windows with real service times, then thirty (drawn from the same statistics with
/// more windows and clerks, some over 3 minutes): every label stays readable (no two
/// texts of a chart overlap) and long durations are shown as m:ss.
#[tokio::test]
async fn charts_stay_readable_at_ten_to_thirty_windows() {
    let hall = Hall::start(HallOpts::default()).await;
    for w in 1..=10 {
        let (_, me) = hall
            .req("GET", "/me", Some(&format!("demo-clerk-{w}")), None)
            .await;
        let svc = me["services"][0]["id"].as_str().unwrap().to_string();
        hall.ticket(&svc).await;
        let w = w.to_string();
        let (st, b) = hall.act(&w, "call-next", None).await;
        assert_eq!(st, 200, "window {w}: {b}");
        hall.act(&w, "start", None).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    for w in 1..=10 {
        let (st, b) = hall.act(&w.to_string(), "finish", None).await;
        assert_eq!(st, 200, "window {w}: {b}");
    }
    let (_, s) = hall
        .req("GET", "/admin/stats", Some("demo-admin"), None)
        .await;
    assert_eq!(s["windows"].as_array().unwrap().len(), 10, "{s}");
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.open_admin(&hall).await;
    let c = browser.js(CHARTS).await;
    assert_eq!(c["c-win"]["cats"].as_array().unwrap().len(), 10, "{c}");
    let overlaps = browser.js(OVERLAPS).await;
    for (k, n) in overlaps.as_object().unwrap() {
        assert_eq!(n, &json!(0), "{k}: overlapping labels at 10 windows");
    }

    // Thirty windows with long names, up to 6 minutes of service.
    let mut big = s.clone();
    let mut wins = Vec::new();
    for i in 1..=30 {
        let id = format!("w{i}");
        big["names"]["windows"][&id] =
            json!({"name": format!("第{i}号综合受理窗口（不动产登记）"), "clerks": []});
        wins.push(json!({"window": id, "served": i, "service_mean_ms": i * 12_000}));
    }
    big["windows"] = json!(wins);
    browser
        .js(&format!("window.hallqRenderStats({big}); return 1"))
        .await;
    let c = browser.js(CHARTS).await;
    let w = &c["c-win"];
    assert_eq!(w["cats"].as_array().unwrap().len(), 30, "{w}");
    assert_eq!(w["unit"], "min", "{w}");
    assert_eq!(w["series"][0]["shown"][29], "6:00", "{w}");
    assert_eq!(w["series"][0]["shown"][0], "0:12", "{w}");
    let overlaps = browser.js(OVERLAPS).await;
    assert_eq!(
        overlaps["c-win"],
        json!(0),
        "overlapping labels at 30 windows"
    );
    browser
        .js("document.getElementById('c-win').scrollIntoView(); return 1")
        .await;
    let path = browser.screenshot("admin-30-windows").await;
    println!("screenshot: {}", path.display());
}
