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

const ADMIN: &str = "demo-admin";
const KIOSK: &str = "demo-kiosk";
const DISPLAY: &str = "demo-display";
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

fn ticket_rows(rows: &mut Vec<Row>, token: &str) {
    let body = Some(json!({"service": "property"}));
    unauthenticated(rows, "POST", "/tickets", body.clone());
    for (t, why) in [
        (DISPLAY, "display may not issue"),
        (CLERK1, "clerk may not issue"),
        (BUTTON1, "button may not issue"),
    ] {
        rows.push(row(
            "POST",
            "/tickets",
            Some(t),
            body.clone(),
            Want::Refused(403),
            why,
        ));
    }
    // The role is checked before the body is read: a wrong token gets 403 whatever its body.
    rows.push(row(
        "POST",
        "/tickets",
        Some(DISPLAY),
        None,
        Want::Refused(403),
        "display, no body: role before body",
    ));
    rows.push(row(
        "POST",
        "/tickets",
        Some(KIOSK),
        body,
        Want::Ok,
        "kiosk issues",
    ));

    let reprint = format!("/tickets/{token}/reprint");
    unauthenticated(rows, "POST", &reprint, None);
    for (t, why) in [
        (DISPLAY, "display may not reprint"),
        (CLERK1, "clerk may not reprint"),
        (BUTTON1, "button may not reprint"),
    ] {
        rows.push(row(
            "POST",
            &reprint,
            Some(t),
            None,
            Want::Refused(403),
            why,
        ));
    }
    rows.push(row(
        "POST",
        &reprint,
        Some(KIOSK),
        None,
        Want::Allowed,
        "kiosk reprints (its printer may be absent: 409, not 401/403)",
    ));

    let snapshot = "/snapshot";
    unauthenticated(rows, "GET", snapshot, None);
    // Any valid token may read the snapshot (README: "any token").
    for (t, why) in [
        (DISPLAY, "display reads snapshot"),
        (KIOSK, "kiosk reads snapshot"),
        (CLERK1, "clerk reads snapshot"),
        (ADMIN, "admin reads snapshot"),
    ] {
        rows.push(row("GET", snapshot, Some(t), None, Want::Ok, why));
    }

    unauthenticated(rows, "GET", "/me", None);
    unauthenticated(rows, "POST", "/auth/sign-out", None);
    rows.push(row(
        "POST",
        "/auth/sign-in",
        None,
        Some(json!({"username": "admin", "password": "not-the-password"})),
        Want::Refused(401),
        "sign-in with a wrong password",
    ));
    rows.push(row("GET", "/me", Some(CLERK1), None, Want::Ok, "clerk: me"));
    rows.push(row(
        "GET",
        "/me",
        Some(DISPLAY),
        None,
        Want::Ok,
        "display: me",
    ));
}

/// Every window action with a body that is valid for it, so only the token decides.
fn window_actions() -> Vec<(&'static str, Option<Value>, bool)> {
    // (action, body, a call button of the window may do it)
    vec![
        ("call-next", None, true),
        ("call", Some(json!({"number": "A001"})), false),
        ("recall", None, true),
        ("no-show", None, false),
        ("start", None, false),
        ("finish", None, false),
        ("pause", Some(json!({"reason": "lunch"})), false),
        ("resume", None, false),
        ("transfer", Some(json!({"service": "property"})), false),
        ("false-info", None, false),
        (
            "verify-id",
            Some(json!({"id_number": "110101199003074258"})),
            false,
        ),
    ]
}

fn window_rows(rows: &mut Vec<Row>) {
    for (action, body, button_may) in window_actions() {
        let path = format!("/windows/1/{action}");
        unauthenticated(rows, "POST", &path, body.clone());
        for (t, why) in [
            (KIOSK, "kiosk may not act for a window"),
            (DISPLAY, "display may not act for a window"),
            (CLERK2, "clerk of window 2 may not act for window 1"),
        ] {
            rows.push(row(
                "POST",
                &path,
                Some(t),
                body.clone(),
                Want::Refused(403),
                why,
            ));
        }
        rows.push(row(
            "POST",
            format!("/windows/2/{action}"),
            Some(BUTTON1),
            body.clone(),
            Want::Refused(403),
            "button of window 1 may not act for window 2",
        ));
        rows.push(row(
            "POST",
            &path,
            Some(BUTTON1),
            body.clone(),
            if button_may {
                Want::Allowed
            } else {
                Want::Refused(403)
            },
            if button_may {
                "button of the window may do this"
            } else {
                "button may only call-next / recall"
            },
        ));
        rows.push(row(
            "POST",
            &path,
            Some(CLERK1),
            body.clone(),
            Want::Allowed,
            "clerk of the window",
        ));
        rows.push(row(
            "POST",
            &path,
            Some(ADMIN),
            body.clone(),
            Want::Allowed,
            "admin acts for any window",
        ));
    }
    // Role and window are checked before the body is validated, so a wrong token learns
    // nothing about what the body should look like.
    for (action, why) in [
        ("call", "kiosk, call without number: role before body"),
        (
            "transfer",
            "kiosk, transfer without target: role before body",
        ),
        (
            "verify-id",
            "kiosk, verify-id without body: role before body",
        ),
    ] {
        rows.push(row(
            "POST",
            format!("/windows/1/{action}"),
            Some(KIOSK),
            None,
            Want::Refused(403),
            why,
        ));
    }
    rows.push(row(
        "POST",
        "/windows/1/transfer",
        Some(CLERK2),
        Some(json!({"window": "3"})),
        Want::Refused(403),
        "clerk of window 2 transferring window 1's ticket",
    ));
}

fn checkin_rows(rows: &mut Vec<Row>) {
    let body = Some(json!({"code": "NOSUCHCODE"}));
    unauthenticated(rows, "POST", "/checkins", body.clone());
    for (t, why) in [
        (DISPLAY, "display may not check in"),
        (CLERK1, "clerk may not check in"),
        (BUTTON1, "button may not check in"),
    ] {
        rows.push(row(
            "POST",
            "/checkins",
            Some(t),
            body.clone(),
            Want::Refused(403),
            why,
        ));
    }
    // Role first, body after.
    rows.push(row(
        "POST",
        "/checkins",
        Some(DISPLAY),
        None,
        Want::Refused(403),
        "display, no body: role before body",
    ));
    rows.push(row(
        "POST",
        "/checkins",
        Some(KIOSK),
        body,
        Want::Allowed,
        "kiosk checks in (unknown code: 404)",
    ));
}

fn admin_rows(rows: &mut Vec<Row>) {
    let routes: [(&'static str, &str, Option<Value>); 8] = [
        ("GET", "/admin/bans", None),
        ("GET", "/admin/sessions", None),
        ("POST", "/admin/sessions/999999/end", None),
        ("GET", "/admin/stats", None),
        ("GET", "/admin/stats.csv", None),
        ("GET", "/admin/audit", None),
        ("GET", "/admin/live", None),
        (
            "POST",
            "/admin/bans/999999/lift",
            Some(json!({"reason": "test"})),
        ),
    ];
    for (method, path, body) in routes {
        unauthenticated(rows, method, path, body.clone());
        for (t, why) in [
            (CLERK1, "clerk may not use admin routes"),
            (KIOSK, "kiosk may not use admin routes"),
            (DISPLAY, "display may not use admin routes"),
            (BUTTON1, "button may not use admin routes"),
        ] {
            rows.push(row(
                method,
                path,
                Some(t),
                body.clone(),
                Want::Refused(403),
                why,
            ));
        }
        rows.push(row(method, path, Some(ADMIN), body, Want::Allowed, "admin"));
    }
    // An allowed reload restarts the process, so only its refusals are walked here
    // (tests/reload.rs covers the admin's reload).
    unauthenticated(rows, "POST", "/admin/reload", None);
    for (t, why) in [
        (CLERK1, "clerk may not reload"),
        (KIOSK, "kiosk may not reload"),
        (DISPLAY, "display may not reload"),
        (BUTTON1, "button may not reload"),
    ] {
        rows.push(row(
            "POST",
            "/admin/reload",
            Some(t),
            None,
            Want::Refused(403),
            why,
        ));
    }
}

fn citizen_rows(rows: &mut Vec<Row>) {
    let book = Some(
        json!({"service": "property", "slot_start": "2030-01-01T09:00:00+08:00",
                           "agree_notice": true}),
    );
    let routes: [(&'static str, &str, Option<Value>); 3] = [
        ("POST", "/appointments", book),
        ("GET", "/me/appointments", None),
        ("DELETE", "/appointments/NOSUCHCODE", None),
    ];
    for (method, path, body) in routes {
        rows.push(row(
            method,
            path,
            None,
            body.clone(),
            Want::Code401("identity_required"),
            "citizen route, no assertion",
        ));
        rows.push(row(
            method,
            path,
            Some(BOGUS),
            body.clone(),
            Want::Refused(401),
            "citizen route, garbage assertion",
        ));
        for (t, why) in [
            (ADMIN, "citizen route, admin token is not an assertion"),
            (KIOSK, "citizen route, kiosk token is not an assertion"),
            (CLERK1, "citizen route, clerk token is not an assertion"),
        ] {
            rows.push(row(
                method,
                path,
                Some(t),
                body.clone(),
                Want::Refused(401),
                why,
            ));
        }
    }
}

fn public_rows(rows: &mut Vec<Row>, token: &str) {
    let today = common::shanghai_day(0);
    for (path, want) in [
        ("/health".to_string(), Want::Ok),
        ("/services".to_string(), Want::Ok),
        ("/openapi.json".to_string(), Want::Ok),
        ("/docs".to_string(), Want::Ok),
        ("/docs/swagger-ui-bundle.js".to_string(), Want::Ok),
        ("/docs/swagger-ui.css".to_string(), Want::Ok),
        (format!("/tickets/{token}"), Want::Ok),
        (format!("/tickets/{token}/qr.png"), Want::Ok),
        // Needs a CJK font: 503 without one, which is still not a refusal.
        (format!("/tickets/{token}/ticket.png"), Want::Allowed),
        (format!("/tickets/{token}/escpos"), Want::Ok),
        (
            format!("/appointments/slots?service=property&date={today}"),
            Want::Ok,
        ),
        // Unknown code: 404, not a refusal.
        ("/appointments/NOSUCHCODE/qr.png".to_string(), Want::Allowed),
    ] {
        rows.push(row("GET", path, None, None, want, "public route"));
    }
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
        rows.len() + feeds.len() + 8,
        gaps.join("\n")
    );
}
