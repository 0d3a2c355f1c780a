//! One clerk session per window: a second sign-in at a window with a live clerk session
//! is refused 409 `window_in_use` naming who and since when (nothing changed); with
//! `"takeover": true` it ends the other session (audited), whose staff events socket is
//! closed at once with 4409 `taken_over` and whose token answers 401 from then on.
//! Admins are not bound to a window.

use crate::common::*;
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

async fn sign_in(base: &str, user: &str, password: &str, extra: Value) -> (u16, Value) {
    let mut body = json!({"username": user, "password": password});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    req(base, "POST", "/auth/sign-in", None, Some(body)).await
}

pub async fn story(base: &str, http_port: u16) {
    let (st, a) = sign_in(base, "clerk", "demo-clerk", json!({"window": "2"})).await;
    assert_eq!(st, 200, "{a}");
    let old = a["token"].as_str().unwrap().to_string();
    let url = format!("ws://127.0.0.1:{http_port}/api/v1/staff/events?token={old}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("staff socket");
    let first = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
    assert!(
        matches!(first, Ok(Some(Ok(Message::Text(_))))),
        "a snapshot first"
    );

    // A second sign-in at the window: refused, naming who and since when.
    let (st, b) = sign_in(base, "clerk", "demo-clerk", json!({"window": "2"})).await;
    assert_eq!(
        (st, b["error"].as_str()),
        (409, Some("window_in_use")),
        "{b}"
    );
    let msg = b["message"].as_str().unwrap();
    assert!(msg.starts_with("2号窗口已由 演示窗口人员 于 "), "{msg}");
    assert!(
        msg.contains(" 登录 / window 2 is in use by 演示窗口人员 since "),
        "{msg}"
    );
    let (st, _) = req(base, "GET", "/me", Some(&old), None).await;
    assert_eq!(st, 200, "nothing changed: the first session lives on");

    // Taken over: the new session works, the old socket closes at once, its token is dead.
    let (st, b) = sign_in(
        base,
        "clerk",
        "demo-clerk",
        json!({"window": "2", "takeover": true}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let new = b["token"].as_str().unwrap().to_string();
    let asked = Instant::now();
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(1), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.expect("a close frame"),
            Ok(Some(Ok(_))) => continue, // snapshots of the sign-in's changes
            other => panic!("socket not closed within 1 s: {other:?}"),
        }
    };
    assert!(asked.elapsed() < Duration::from_secs(1));
    assert_eq!(u16::from(close.code), 4409);
    assert_eq!(close.reason.as_str(), "taken_over");
    let (st, _) = req(base, "GET", "/me", Some(&old), None).await;
    assert_eq!(st, 401, "the old token ends with the takeover");
    let (st, me) = req(base, "GET", "/me", Some(&new), None).await;
    assert_eq!((st, me["window"].as_str()), (200, Some("2")));
    let (_, audit) = req(base, "GET", "/admin/audit", Some("demo-admin"), None).await;
    let taken = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "session_taken_over" && e["actor"] == "clerk");
    assert!(taken, "takeover audited: {audit}");

    // Admins sit at no window: two sign-ins, both live.
    for _ in 0..2 {
        let (st, b) = sign_in(base, "admin", "demo-admin", json!({})).await;
        assert_eq!(st, 200, "{b}");
    }
}
