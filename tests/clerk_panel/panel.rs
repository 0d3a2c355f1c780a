//! Helpers of the clerk panel tests: the panel opened and signed in from the keyboard,
//! function keys pressed as real key events, the panel's text and the hall's state read
//! back through the API.

use crate::common::browser::Browser;
use crate::common::Hall;
use serde_json::{json, Value};
use std::time::Duration;

/// WebDriver's codes of the keys the panel uses.
pub const F1: &str = "\u{E031}";
pub const F2: &str = "\u{E032}";
pub const F3: &str = "\u{E033}";
pub const F4: &str = "\u{E034}";
pub const F5: &str = "\u{E035}";
pub const F6: &str = "\u{E036}";
pub const F7: &str = "\u{E037}";
pub const F8: &str = "\u{E038}";
pub const F9: &str = "\u{E039}";
pub const F10: &str = "\u{E03A}";
pub const ENTER: &str = "\u{E007}";
pub const ESC: &str = "\u{E00C}";
pub const DOWN: &str = "\u{E015}";

/// What the panel's message line says.
pub const MSG: &str = "return document.getElementById('msg').textContent";
/// The upcoming list as "number service [tags]" lines.
pub const UPCOMING: &str = "return Array.prototype.map.call(document.querySelectorAll('#upcoming li[data-number]'), function (li) { return li.textContent; })";
/// What the undo bar says is pending, or null while nothing is.
pub const UNDO: &str = "var u = document.getElementById('undo'); return u.hidden ? null : document.getElementById('undo-text').textContent";

/// Opens `/clerk` and signs in as the demo clerk at `window` with the keyboard only:
/// username, password, the window list and Enter there; waits for the live panel.
pub async fn open(b: &Browser, hall: &Hall, window: &str) {
    b.goto(&format!("http://127.0.0.1:{}/clerk", hall.http_port))
        .await;
    b.sign_in_form_shown().await;
    sign_in_keys(b, window).await;
    see(b, "return window.hallqClerkLive === true", json!(true)).await;
    see(b, "return window.hallqDeskLoads > 0", json!(true)).await;
}

/// Types the demo clerk's name and password and presses Enter in the window list.
pub async fn sign_in_keys(b: &Browser, window: &str) {
    b.type_keys("#hq-user", "clerk").await;
    b.type_keys("#hq-pass", "demo-clerk").await;
    b.js(&format!(
        "var s = document.getElementById('hq-window'); s.value = '{window}'; s.focus(); return 1"
    ))
    .await;
    b.keys(ENTER).await;
}

/// Polls `script` until it returns `want` (8 s: a no-show's undo takes 5), else fails
/// with what it returned.
pub async fn see(b: &Browser, script: &str, want: Value) {
    if b.wait_for(script, &want, Duration::from_secs(8))
        .await
        .is_none()
    {
        panic!("{script}\n wanted {want}\n got {}", b.js(script).await);
    }
}

/// Presses `key` (the message line cleared first) and waits for the answer `want`.
pub async fn press(b: &Browser, key: &str, want: &str) {
    b.js("document.getElementById('msg').textContent = ''; return 1")
        .await;
    b.keys(key).await;
    see(b, MSG, json!(want)).await;
}

/// Waits until the panel's element `id` reads `want`.
pub async fn shows(b: &Browser, id: &str, want: &str) {
    let script = format!("return document.getElementById('{id}').textContent");
    see(b, &script, json!(want)).await;
}

/// Window `w` in the hall's snapshot (status, pause_reason, serving).
pub async fn window(hall: &Hall, w: &str) -> Value {
    let (st, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    assert_eq!(st, 200, "{snap}");
    snap["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .find(|x| x["id"] == w)
        .expect("window in the snapshot")
        .clone()
}

/// The window's desk as the server has it.
pub async fn desk(hall: &Hall, w: &str) -> Value {
    let (st, d) = hall
        .req(
            "GET",
            &format!("/windows/{w}/desk"),
            Some("demo-admin"),
            None,
        )
        .await;
    assert_eq!(st, 200, "{d}");
    d
}

/// Waits until the focus is on the element `id`.
pub async fn focused(b: &Browser, id: &str) {
    see(b, "return document.activeElement.id", json!(id)).await;
}

/// Waits until the field `id` holds `want`.
pub async fn value(b: &Browser, id: &str, want: &str) {
    let script = format!("return document.getElementById('{id}').value");
    see(b, &script, json!(want)).await;
}

/// Waits until the element `id` is hidden (`true`) or shown.
pub async fn hidden(b: &Browser, id: &str, want: bool) {
    let script = format!("return document.getElementById('{id}').hidden");
    see(b, &script, json!(want)).await;
}
