//! Every route refuses what it must (issue 7): no credentials → 401, a token nobody issued
//! → 401, the wrong role → 403, a clerk (or call button) of another window → 403; and the
//! public routes answer without credentials. Table-driven: every mismatch is collected and
//! the test fails once with the whole list.
//!
//! A new route belongs in one of the tables below (admin routes: `admin_rows`).

mod common;

use common::{Hall, HallOpts};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "route_auth/rows.rs"]
mod rows;
use rows::{
    admin_rows, checkin_rows, citizen_rows, desk_rows, public_rows, ticket_rows, window_rows,
};

const ADMIN: &str = "demo-admin";
const KIOSK: &str = "demo-kiosk";
const DISPLAY: &str = "demo-display";
const DESK: &str = "demo-desk";
const CLERK1: &str = "demo-clerk-1";
const CLERK2: &str = "demo-clerk-2";
/// Not in the demo config: added by `opts()` so the button role is covered over HTTP.
const BUTTON1: &str = "test-button-1";
const BUTTON1_SHA: &str = "aa867c08c31763cd290bef0de22cb21eac50cd49bb1d406b2efe5b9df26a25f3";
const BOGUS: &str = "not-a-token-anyone-issued";

/// What a row expects.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Exactly this status with an `{"error", "message"}` body.
    Refused(u16),
    /// 401 with this error code.
    Code401(&'static str),
    /// Anything but 401 / 403 (the request got past authentication and authorisation).
    Allowed,
    /// A 2xx.
    Ok,
    /// 101 Switching Protocols (a WebSocket handshake accepted).
    Upgraded,
}

struct Row {
    method: &'static str,
    path: String,
    token: Option<&'static str>,
    body: Option<Value>,
    want: Want,
    why: &'static str,
}

fn row(
    method: &'static str,
    path: impl Into<String>,
    token: Option<&'static str>,
    body: Option<Value>,
    want: Want,
    why: &'static str,
) -> Row {
    Row {
        method,
        path: path.into(),
        token,
        body,
        want,
        why,
    }
}

fn opts() -> HallOpts {
    let marker = "# ---- Credentials: bearer tokens";
    HallOpts {
        edits: vec![(
            marker,
            format!(
                "[[credentials]]\nname = \"button-http-1\"\nrole = \"button\"\nwindow = \"1\"\n\
                 token_sha256 = \"{BUTTON1_SHA}\"\n\n{marker}"
            ),
        )],
        ..HallOpts::default()
    }
}

/// The refusals every authenticated route gives: none, a bogus token, a malformed header
/// is covered by the harness only sending `Bearer`.
fn unauthenticated(rows: &mut Vec<Row>, method: &'static str, path: &str, body: Option<Value>) {
    rows.push(row(
        method,
        path,
        None,
        body.clone(),
        Want::Refused(401),
        "no credentials",
    ));
    rows.push(row(
        method,
        path,
        Some(BOGUS),
        body,
        Want::Refused(401),
        "unknown token",
    ));
}

/// Checks one answer against a row; `None` when it matches.
fn check(want: Want, status: u16, body: &Value) -> Option<String> {
    let shaped = body["error"].is_string() && body["message"].is_string();
    let ok = match want {
        Want::Refused(s) => status == s && shaped,
        Want::Code401(code) => status == 401 && shaped && body["error"] == code,
        Want::Allowed => status != 401 && status != 403 && status != 405,
        Want::Ok => (200..300).contains(&status),
        Want::Upgraded => status == 101,
    };
    (!ok).then(|| {
        let mut b = body.to_string();
        b.truncate(200);
        format!("wanted {want:?}, got {status} {b}")
    })
}

/// A raw HTTP/1.1 GET (for WebSocket upgrades and event streams, whose bodies never end):
/// returns the status and, unless it is 101 or a stream, the JSON body.
async fn raw_get(port: u16, path: &str, upgrade: bool) -> (u16, Value) {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    if upgrade {
        head.push_str(
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        );
    } else {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text[..end].lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                });
                match len {
                    Some(len) if buf.len() >= end + 4 + len => break,
                    Some(_) => {}
                    // 101, or a stream: the head is all we want.
                    None => break,
                }
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), read).await;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| serde_json::from_str(b).unwrap_or(Value::String(b.to_string())))
        .unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_refuses_missing_wrong_and_foreign_credentials() {
    let hall = Hall::start(opts()).await;
    let ticket = hall.ticket("property").await;
    let token = ticket["token"].as_str().unwrap().to_string();

    let mut rows = Vec::new();
    ticket_rows(&mut rows, &token);
    window_rows(&mut rows);
    checkin_rows(&mut rows);
    admin_rows(&mut rows);
    desk_rows(&mut rows);
    citizen_rows(&mut rows);
    public_rows(&mut rows, &token);

    let mut gaps = Vec::new();
    for r in &rows {
        let (status, body) = hall.req(r.method, &r.path, r.token, r.body.clone()).await;
        if let Some(m) = check(r.want, status, &body) {
            gaps.push(format!(
                "{} {} as {}: {} — {m}",
                r.method,
                r.path,
                r.token.unwrap_or("nobody"),
                r.why
            ));
        }
    }

    // Pages and /metrics, outside /api/v1: no credentials needed.
    let client = reqwest::Client::new();
    let root = format!("http://127.0.0.1:{}", hall.http_port);
    for path in [
        "/kiosk".to_string(),
        "/clerk".to_string(),
        "/admin".to_string(),
        "/admin/staffing".to_string(),
        "/desk".to_string(),
        "/book".to_string(),
        format!("/t/{token}"),
        "/metrics".to_string(),
    ] {
        let st = client
            .get(format!("{root}{path}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if st != 200 {
            gaps.push(format!(
                "GET {path} as nobody: public page — wanted 200, got {st}"
            ));
        }
    }

    // Live feeds (WebSocket upgrades and Server-Sent Events). `upgrade` sends a real
    // handshake, so the handler (not the upgrade extractor) decides.
    let port = hall.http_port;
    let feeds: Vec<(String, bool, Want, &str)> = vec![
        // Staff feed: admin, clerk, display.
        (
            "/api/v1/staff/events".into(),
            true,
            Want::Allowed,
            "staff feed without ?token= (4xx)",
        ),
        (
            format!("/api/v1/staff/events?token={BOGUS}"),
            true,
            Want::Refused(401),
            "staff feed, unknown token",
        ),
        (
            format!("/api/v1/staff/events?token={KIOSK}"),
            true,
            Want::Refused(403),
            "staff feed, kiosk token",
        ),
        (
            format!("/api/v1/staff/events?token={BUTTON1}"),
            true,
            Want::Refused(403),
            "staff feed, button token",
        ),
        (
            format!("/api/v1/staff/events?token={DESK}"),
            true,
            Want::Refused(403),
            "staff feed, desk token",
        ),
        (
            format!("/api/v1/staff/events?token={DISPLAY}"),
            true,
            Want::Upgraded,
            "staff feed, display token upgrades",
        ),
        // Kiosk feed: kiosks only; a wrong role answers 401 ("a kiosk token is required").
        (
            "/api/v1/kiosk/events".into(),
            true,
            Want::Allowed,
            "kiosk feed without ?token= (4xx)",
        ),
        (
            format!("/api/v1/kiosk/events?token={BOGUS}"),
            true,
            Want::Refused(401),
            "kiosk feed, unknown token",
        ),
        (
            format!("/api/v1/kiosk/events?token={DISPLAY}"),
            true,
            Want::Refused(403),
            "kiosk feed, display token",
        ),
        (
            format!("/api/v1/kiosk/events?token={ADMIN}"),
            true,
            Want::Refused(403),
            "kiosk feed, admin token",
        ),
        (
            format!("/api/v1/kiosk/events?token={KIOSK}"),
            true,
            Want::Upgraded,
            "kiosk feed, kiosk token upgrades",
        ),
        // A ticket's live status: the token is the key.
        (
            format!("/api/v1/tickets/{token}/ws"),
            true,
            Want::Upgraded,
            "ticket status socket, public",
        ),
        (
            format!("/api/v1/tickets/{token}/events"),
            false,
            Want::Ok,
            "ticket status events, public",
        ),
    ];
    for (path, upgrade, want, why) in &feeds {
        let (status, body) = raw_get(port, path, *upgrade).await;
        let bad = match want {
            // No token at all: refused, whatever the code (a missing query is a 4xx).
            Want::Allowed => !(400..500).contains(&status),
            w => check(*w, status, &body).is_some(),
        };
        if bad {
            gaps.push(format!(
                "GET {path}: {why} — wanted {want:?}, got {status} {body}"
            ));
        }
    }
    // Plain GETs (no handshake) without a token are refused too.
    for path in ["/api/v1/staff/events", "/api/v1/kiosk/events"] {
        let (status, body) = raw_get(port, path, false).await;
        if !(400..500).contains(&status) {
            gaps.push(format!(
                "GET {path} (plain, no token): wanted 4xx, got {status} {body}"
            ));
        }
    }

    assert!(
        gaps.is_empty(),
        "{} of {} checks failed:\n{}",
        gaps.len(),
        rows.len() + feeds.len() + 9,
        gaps.join("\n")
    );
}
