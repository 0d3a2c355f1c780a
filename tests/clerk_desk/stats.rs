//! Statistics that mean what they say: served = started and finished; a no-show and a
//! ticket closed by "next" without being started are counted apart, in the dashboard's
//! JSON (totals, per service, window and clerk) and in the CSV export.

use super::{act, walk_in};
use crate::common::*;
use serde_json::{json, Value};

/// The row of `list` in `s` whose `key` is `id`.
fn find<'a>(s: &'a Value, list: &str, key: &str, id: &str) -> &'a Value {
    s[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == id)
        .unwrap_or_else(|| panic!("no {list} {id} in {s}"))
}

/// The outcome counts of a stats row.
fn outcomes(r: &Value) -> Value {
    json!([r["served"], r["no_show"], r["not_started"]])
}

/// Window 1 (property first): one served, one no-show, one closed by call-next unstarted.
pub async fn served_no_show_not_started(base: &str) {
    for _ in 0..3 {
        walk_in(base, "property", "walk_in").await;
    }
    act(base, "1", "call-next", None).await;
    act(base, "1", "start", None).await;
    act(base, "1", "finish", None).await;
    act(base, "1", "call-next", None).await;
    act(base, "1", "no-show", None).await;
    act(base, "1", "call-next", None).await;
    // Nobody left: still closes the held ticket, never started.
    let (st, b) = req(
        base,
        "POST",
        "/windows/1/call-next",
        Some("demo-clerk-1"),
        None,
    )
    .await;
    assert_eq!((st, b["error"].as_str()), (404, Some("queue_empty")), "{b}");

    let (st, s) = req(base, "GET", "/admin/stats", Some("demo-admin"), None).await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(
        (s["total"].clone(), s["served"].clone()),
        (json!(3), json!(1)),
        "{s}"
    );
    assert_eq!(
        (s["not_started"].clone(), s["no_show"]["part"].clone()),
        (json!(1), json!(1))
    );
    let svc = find(&s, "services", "service", "property");
    assert_eq!(outcomes(svc), json!([1, 1, 1]), "{s}");
    assert_eq!(svc["done"], 2, "done = served + not started");
    assert_eq!(
        outcomes(find(&s, "windows", "window", "1")),
        json!([1, 1, 1])
    );
    assert_eq!(
        outcomes(find(&s, "clerks", "window", "1")),
        json!([1, 1, 1])
    );

    let r = reqwest::Client::new()
        .get(format!("{base}/admin/stats.csv"))
        .bearer_auth("demo-admin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].ends_with(",clerk,served,no_show,not_started"),
        "{text}"
    );
    let row = |section: &str, col: usize, id: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(section) && l.split(',').nth(col) == Some(id))
            .map(|l| l.rsplitn(4, ',').take(3).collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("no {section} {id}: {text}"))
    };
    // rsplitn reads from the end: not_started, no_show, served.
    assert_eq!(
        row("service,", 3, "property"),
        vec!["1", "1", "1"],
        "{text}"
    );
    assert_eq!(row("window,", 5, "1"), vec!["1", "1", "1"], "{text}");
    assert_eq!(row("total,", 7, "3"), vec!["1", "1", "1"], "{text}");
}
