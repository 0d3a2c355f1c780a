//! The booking page tests' steps: an identity assertion, the page's address, waiting for
//! and reading the page in Chromium.

use crate::common::browser::Browser;
use crate::common::*;
use serde_json::json;
use std::time::Duration;

/// A valid test ID number (GB 11643 check character X).
pub const ID_NUMBER: &str = "11010519491231002X";

/// A signed identity assertion from the demo's development identity provider.
pub async fn assertion(hall: &Hall, name: &str, id_number: &str, phone: &str) -> String {
    let (st, b) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": name, "id_number": id_number, "phone": phone})),
        )
        .await;
    assert!(st == 200 || st == 201, "dev identity: {st} {b}");
    b["assertion"]
        .as_str()
        .unwrap_or_else(|| panic!("no assertion in {b}"))
        .to_string()
}

/// Marks the first enabled slot that starts more than two minutes from now as `#pick`.
pub const PICK: &str = "var c = Array.prototype.filter.call(document.querySelectorAll('[data-slot]:not([disabled])'), \
     function (e) { return Date.parse(e.getAttribute('data-start')) > Date.now() + 120000; })[0]; \
     if (c) c.id = 'pick'; return !!c;";

pub fn page(hall: &Hall, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", hall.http_port)
}

/// A JavaScript string literal.
pub fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Waits until `expr` (a JavaScript expression) is true; on timeout fails with what the
/// page shows.
pub async fn until(b: &Browser, expr: &str, what: &str) {
    let ok = b
        .wait_for(
            &format!("try {{ return !!({expr}); }} catch (e) {{ return false; }}"),
            &json!(true),
            Duration::from_secs(10),
        )
        .await;
    if ok.is_none() {
        let shown = b
            .js("return document.body.getAttribute('data-view') + ': ' + document.getElementById('view').innerText")
            .await;
        panic!("{what}: timed out; the page shows {shown}");
    }
}

pub async fn click(b: &Browser, selector: &str) {
    let r = b
        .js(&format!(
            "var e = document.querySelector({}); if (!e || e.disabled) return false; e.click(); return true;",
            lit(selector)
        ))
        .await;
    assert_eq!(r, json!(true), "nothing enabled to tap at {selector}");
}

pub async fn text(b: &Browser, selector: &str) -> String {
    let v = b
        .js(&format!(
            "var e = document.querySelector({}); return e ? e.textContent : null;",
            lit(selector)
        ))
        .await;
    v.as_str()
        .unwrap_or_else(|| panic!("no {selector}"))
        .to_string()
}

pub async fn view_is(b: &Browser, view: &str) {
    until(
        b,
        &format!("document.body.getAttribute('data-view') === {}", lit(view)),
        &format!("view {view}"),
    )
    .await;
}
