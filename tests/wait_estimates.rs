//! The wait estimate a citizen's phone shows (issue 23), against the real `hallq run` on
//! the demo hall: windows 1 and 2 call property before tax-housing, window 3 the other way
//! round. A tax-housing ticket waits behind every property ticket on windows 1 and 2, which
//! the former estimate (people ahead in its own service × mean ÷ open windows) ignored: the
//! new one says longer, carries a range around it, and says nothing while no window
//! serving the service is open. The status page in Chromium shows the range as
//! "预计等候约 A–B 分钟" when its ends round apart.
//!
//! - `shared_windows_put_the_second_service_behind`: the API's figures;
//! - `a_new_ticket_of_the_first_service_moves_the_second_live`: the live feed (SSE) of a
//!   tax-housing ticket hears of a new property ticket that will be called before it;
//! - `the_status_page_shows_the_range`: the page's words.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// Service time assumed before any ticket of the day has been finished (s), as the
/// former estimator and the new one both take it.
const DEFAULT_SERVICE_S: i64 = 180;

/// A ticket's status as its holder's phone reads it.
async fn status(hall: &Hall, ticket: &Value) -> Value {
    let path = format!("/tickets/{}", ticket["token"].as_str().unwrap());
    let (st, b) = hall.req("GET", &path, None, None).await;
    assert_eq!((st, b["status"].as_str()), (200, Some("waiting")), "{b}");
    b
}

/// The former estimator: people ahead × mean ÷ open windows serving it, rounded up.
fn former(people_ahead: i64, open_windows: i64) -> i64 {
    (people_ahead * DEFAULT_SERVICE_S + open_windows - 1) / open_windows
}

/// (wait, low, high) of a status, asserting the range holds the wait.
fn range(s: &Value) -> (i64, i64, i64) {
    let get = |f: &str| s[f].as_i64().unwrap_or_else(|| panic!("no {f} in {s}"));
    let (w, lo, hi) = (
        get("estimated_wait_s"),
        get("estimated_wait_low_s"),
        get("estimated_wait_high_s"),
    );
    assert!(lo <= w && w <= hi, "low ≤ wait ≤ high: {s}");
    (w, lo, hi)
}

fn no_estimate(s: &Value) {
    for f in [
        "estimated_wait_s",
        "estimated_wait_low_s",
        "estimated_wait_high_s",
    ] {
        assert_eq!(s[f], Value::Null, "{f}: {s}");
    }
}

async fn open(hall: &Hall, w: &str) {
    let (st, b) = hall.act(w, "resume", None).await;
    assert_eq!(
        (st, b["window"]["status"].as_str()),
        (200, Some("open")),
        "{b}"
    );
}

async fn pause(hall: &Hall, w: &str) {
    let (st, b) = hall.act(w, "pause", Some(json!({"reason": "午休"}))).await;
    assert_eq!(
        (st, b["window"]["status"].as_str()),
        (200, Some("paused")),
        "{b}"
    );
}

/// Four property tickets, then two tax-housing tickets.
async fn queue(hall: &Hall) -> (Vec<Value>, Vec<Value>) {
    let property = hall.tickets("property", 4).await;
    let tax = hall.tickets("tax-housing", 2).await;
    (property, tax)
}

#[tokio::test(flavor = "multi_thread")]
async fn shared_windows_put_the_second_service_behind() {
    let hall = Hall::start(HallOpts::default()).await;
    let (property, tax) = queue(&hall).await;

    // Nobody works yet: where they stand, but no wait and no range.
    let t = status(&hall, &tax[1]).await;
    assert_eq!(t["people_ahead"], 1, "{t}");
    no_estimate(&t);

    // Windows 1 and 2 open: both call property first.
    open(&hall, "1").await;
    open(&hall, "2").await;
    let t = status(&hall, &tax[1]).await;
    let ahead = t["people_ahead"].as_i64().unwrap();
    let (wait, lo, hi) = range(&t);
    let old = former(ahead, 2);
    assert!(
        wait > old,
        "behind the four property tickets on both windows: {wait} s, the former estimate {old} s"
    );
    // Two rounds of property on two windows, then the tax-housing tickets.
    assert_eq!(wait, 2 * DEFAULT_SERVICE_S, "{t}");
    assert!(lo < hi, "a wait behind five services is not exact: {t}");
    // The first property ticket is called now by a free window.
    let p = status(&hall, &property[0]).await;
    assert_eq!(range(&p).0, 0, "{p}");
    let p = status(&hall, &property[3]).await;
    assert_eq!(range(&p).0, DEFAULT_SERVICE_S, "{p}");

    // Window 3 opens: it calls tax-housing first, so the wait shortens.
    open(&hall, "3").await;
    let t3 = status(&hall, &tax[1]).await;
    assert!(range(&t3).0 < wait, "{t3} after {t}");

    // Every window serving tax-housing paused: no estimate, not a made-up one.
    for w in ["1", "2", "3"] {
        pause(&hall, w).await;
    }
    no_estimate(&status(&hall, &tax[1]).await);
    no_estimate(&status(&hall, &property[0]).await);
}

/// The `data:` payloads of a ticket's Server-Sent Events stream, one status at a time.
struct Stream {
    body: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(hall: &Hall, ticket: &Value) -> Self {
        let token = ticket["token"].as_str().unwrap();
        let r = reqwest::get(format!("{}/tickets/{token}/events", hall.base))
            .await
            .expect("events");
        assert_eq!(r.status(), 200);
        Self {
            body: r,
            buf: String::new(),
        }
    }

    /// The next status, or a panic after 5 s.
    async fn next(&mut self) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    return serde_json::from_str(data.trim()).expect("JSON status");
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.chunk())
                .await
                .expect("a status update within 5 s")
                .expect("stream readable")
                .expect("stream open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_ticket_of_the_first_service_moves_the_second_live() {
    let hall = Hall::start(HallOpts::default()).await;
    let (_, tax) = queue(&hall).await;
    open(&hall, "1").await;
    open(&hall, "2").await;
    let mut s = Stream::open(&hall, &tax[1]).await;
    let first = s.next().await;
    assert_eq!(range(&first).0, 2 * DEFAULT_SERVICE_S, "{first}");
    // A fifth property ticket: windows 1 and 2 call it before any tax-housing ticket, so
    // the phone of the second tax-housing ticket hears one more service time, though
    // nobody joined its own queue.
    hall.ticket("property").await;
    let next = s.next().await;
    assert_eq!(next["people_ahead"], 1, "{next}");
    assert_eq!(range(&next).0, 3 * DEFAULT_SERVICE_S, "{next}");
}

/// The minutes the status page states for `s` seconds: whole minutes, 5-minute steps
/// above 10, at least 1.
fn minutes(s: i64) -> i64 {
    let m = s as f64 / 60.0;
    let r = if m > 10.0 {
        (m / 5.0).round() * 5.0
    } else {
        m.round()
    };
    (r as i64).max(1)
}

/// The line the status page shows for a waiting status with an estimate.
fn wait_line(s: &Value) -> String {
    let (_, lo, hi) = range(s);
    let (a, b) = (minutes(lo), minutes(hi));
    let span = if a == b {
        a.to_string()
    } else {
        format!("{a}–{b}")
    };
    format!("预计等候约 {span} 分钟 / about {span} min")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_page_shows_the_range() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    let (property, tax) = queue(&hall).await;
    let base = format!("http://127.0.0.1:{}", hall.http_port);
    browser.resize(390, 844).await;
    let sub = "return document.getElementById('sub').textContent";
    let page = |t: &Value| format!("{base}/t/{}", t["token"].as_str().unwrap());

    // No window open: the page says so.
    browser.goto(&page(&tax[1])).await;
    browser
        .wait_for(
            sub,
            &json!("暂无窗口办理，窗口开放后开始叫号 / No window open yet"),
            Duration::from_secs(5),
        )
        .await
        .expect("no estimate while no window is open");

    // Two windows open: a wide range, stated as a range.
    open(&hall, "1").await;
    open(&hall, "2").await;
    let t = status(&hall, &tax[1]).await;
    let (_, lo, hi) = range(&t);
    assert_ne!(minutes(lo), minutes(hi), "a wide range here: {t}");
    let want = wait_line(&t);
    assert!(want.contains('–'), "{want}");
    browser
        .wait_for(sub, &json!(want), Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("range {want:?} on the page, not a single figure"));
    browser.screenshot("status-wait-range").await;

    // The first property ticket is called at once: one figure, no range.
    let p = status(&hall, &property[0]).await;
    browser.goto(&page(&property[0])).await;
    browser
        .wait_for(
            sub,
            &json!("预计等候约 1 分钟 / about 1 min"),
            Duration::from_secs(5),
        )
        .await
        .unwrap_or_else(|| panic!("one figure for a narrow range: {p}"));
    assert_eq!(wait_line(&p), "预计等候约 1 分钟 / about 1 min");
}
