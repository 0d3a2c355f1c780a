//! The phone's live status over its WebSocket (`/api/v1/tickets/{token}/ws`), against the
//! real binary with an independent client (tokio-tungstenite): every phone of a queue sees
//! each position once and in order, then its call, then its finish; pings are answered, a close is echoed,
//! and what breaks the protocol is refused the way RFC 6455 says, without the server
//! stopping for the other phones; with two controllers, a phone on either hears the calls
//! made on both.

mod common;

use common::{Hall, HallOpts};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn open(hall: &Hall, token: &str) -> Ws {
    let url = format!(
        "ws://127.0.0.1:{}/api/v1/tickets/{token}/ws",
        hall.http_port
    );
    tokio_tungstenite::connect_async(url)
        .await
        .expect("handshake")
        .0
}

/// The next message, or a panic after 3 s.
async fn next(ws: &mut Ws) -> Message {
    tokio::time::timeout(Duration::from_secs(3), ws.next())
        .await
        .expect("a message within 3 s")
        .expect("socket open")
        .expect("a valid frame")
}

/// The next status (pings in between are skipped).
async fn status(ws: &mut Ws) -> Value {
    loop {
        match next(ws).await {
            Message::Text(t) => return serde_json::from_str(&t).expect("JSON status"),
            Message::Ping(_) | Message::Pong(_) => continue,
            m => panic!("wanted a status, got {m:?}"),
        }
    }
}

/// Whether nothing arrives for `ms` milliseconds.
async fn quiet(ws: &mut Ws, ms: u64) -> Option<Message> {
    match tokio::time::timeout(Duration::from_millis(ms), ws.next()).await {
        Ok(Some(Ok(m))) => Some(m),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn many_phones_see_each_change_once_and_in_order() {
    // More phones on one ticket than the default cap of 8 (see tests/http_limits.rs).
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "status_sockets_per_ticket = 8",
            "status_sockets_per_ticket = 30".into(),
        )],
        ..HallOpts::default()
    })
    .await;
    let service = hall.window_1_service().await;
    let tickets = hall.tickets(&service, 4).await;
    let last = tickets[3]["token"].as_str().unwrap().to_string();
    // Thirty phones on the last ticket (a family sharing the QR code, reconnects) and one
    // on every other ticket, opened at once.
    let opens = (0..30)
        .map(|_| last.clone())
        .chain(
            tickets[..3]
                .iter()
                .map(|t| t["token"].as_str().unwrap().into()),
        )
        .map(|tok: String| {
            let hall = &hall;
            async move { (tok.clone(), open(hall, &tok).await) }
        });
    let mut phones = futures::future::join_all(opens).await;
    for (tok, ws) in &mut phones {
        let v = status(ws).await;
        let i = tickets.iter().position(|t| t["token"] == *tok).unwrap();
        assert_eq!(
            (v["status"].as_str(), v["people_ahead"].as_i64()),
            (Some("waiting"), Some(i as i64)),
            "opening status of ticket {i}: {v}"
        );
        assert!(v.get("token").is_none(), "no token in the status: {v}");
    }
    let index = |tok: &str| tickets.iter().position(|t| t["token"] == tok).unwrap();
    for (called, ticket) in tickets.iter().enumerate() {
        let (st, b) = hall.act("1", "call-next", None).await;
        assert_eq!(st, 200, "{b}");
        assert_eq!(b["ticket"]["number"], ticket["number"]);
        for (tok, ws) in &mut phones {
            let i = index(tok);
            if i + 1 < called {
                continue;
            }
            let v = status(ws).await;
            if i + 1 == called {
                // The window's next call finishes the one it served before.
                assert_eq!(v["status"], "done", "ticket {i}: {v}");
            } else if i == called {
                let got = (v["status"].as_str(), v["window"].as_str());
                assert_eq!(got, (Some("called"), Some("1")), "ticket {i}: {v}");
            } else {
                assert_eq!(v["status"], "waiting", "{v}");
                assert_eq!(v["people_ahead"], i - called - 1, "ticket {i}: {v}");
            }
        }
    }
    // Each change was sent once: nothing more is on its way to anybody.
    for (_, ws) in &mut phones {
        assert_eq!(quiet(ws, 100).await, None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pings_are_answered_and_a_close_is_echoed() {
    let hall = Hall::start(HallOpts::default()).await;
    let service = hall.window_1_service().await;
    let t = hall.ticket(&service).await;
    let token = t["token"].as_str().unwrap();
    let mut ws = open(&hall, token).await;
    assert_eq!(status(&mut ws).await["number"], t["number"]);
    ws.send(Message::Ping(b"still there?".to_vec().into()))
        .await
        .unwrap();
    assert_eq!(
        next(&mut ws).await,
        Message::Pong(b"still there?".to_vec().into())
    );
    // A text from the phone is ignored; the socket stays open and live.
    ws.send(Message::Text("hello".into())).await.unwrap();
    let (st, _) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200);
    assert_eq!(status(&mut ws).await["status"], "called");
    ws.close(None).await.unwrap();
    match next(&mut ws).await {
        Message::Close(_) => {}
        m => panic!("wanted the close echoed, got {m:?}"),
    }
    assert!(
        tokio::time::timeout(Duration::from_secs(3), ws.next())
            .await
            .expect("the server closes the connection")
            .is_none_or(|r| r.is_err()),
        "nothing after the close"
    );
}

/// A raw handshake; returns the socket after the 101 and the head of the answer.
async fn raw_handshake(port: u16, token: &str) -> (TcpStream, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!(
        "GET /api/v1/tickets/{token}/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut b))
            .await
            .expect("an answer")
            .unwrap();
        assert_eq!(n, 1, "connection closed during the handshake");
        head.push(b[0]);
    }
    (s, String::from_utf8(head).unwrap())
}

/// Everything the server sends until it closes the connection (3 s at most).
async fn read_to_end(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out))
        .await
        .expect("the server closes the connection")
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn protocol_breaks_are_refused_and_others_keep_their_feed() {
    let hall = Hall::start(HallOpts::default()).await;
    let service = hall.window_1_service().await;
    let (a, b) = (hall.ticket(&service).await, hall.ticket(&service).await);
    let mut good = open(&hall, b["token"].as_str().unwrap()).await;
    assert_eq!(status(&mut good).await["people_ahead"], 1);

    // The accept key of RFC 6455's own example, and the status as the first frame.
    let (mut s, head) = raw_handshake(hall.http_port, a["token"].as_str().unwrap()).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    // An unmasked frame from a client: close 1002, then the connection ends.
    s.write_all(b"\x81\x02hi").await.unwrap();
    let got = read_to_end(&mut s).await;
    let close = [0x88, 0x02, 0x03, 0xEA];
    assert!(
        got.ends_with(&close),
        "wanted close 1002 at the end, got {got:?}"
    );
    assert_eq!(got[0], 0x81, "the status came first: {got:?}");

    // A frame over 4 KB: close 1009.
    let (mut s, _) = raw_handshake(hall.http_port, a["token"].as_str().unwrap()).await;
    s.write_all(&[0x82, 0xFE, 0x40, 0x00, 1, 2, 3, 4])
        .await
        .unwrap();
    assert!(read_to_end(&mut s)
        .await
        .ends_with(&[0x88, 0x02, 0x03, 0xF1]));

    // Not a handshake, and a ticket that does not exist: the contract's error body.
    let token = a["token"].as_str().unwrap();
    let (st, body) = hall
        .req("GET", &format!("/tickets/{token}/ws"), None, None)
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (400, Some("websocket_required")),
        "{body}"
    );
    let (_, head) = raw_handshake(hall.http_port, "no-such-ticket").await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");

    // The well-behaved phone never noticed.
    let (st, _) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200);
    assert_eq!(status(&mut good).await["people_ahead"], 0);
    assert_eq!(quiet(&mut good, 200).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn six_hundred_phones_each_get_their_own_new_place() {
    // Over 512 watchers of one service, the controller shares the update out among its
    // cores: every phone must still get its own ticket's position, once.
    let hall = Hall::start(HallOpts {
        edits: vec![("daily_cap = 400", "daily_cap = 999".into())],
        ..HallOpts::default()
    })
    .await;
    let service = hall.window_1_service().await;
    let tickets = hall.tickets(&service, 600).await;
    let mut phones = Vec::new();
    for chunk in tickets.chunks(100) {
        let opens = chunk
            .iter()
            .map(|t| open(&hall, t["token"].as_str().unwrap()));
        phones.extend(futures::future::join_all(opens).await);
    }
    for (i, ws) in phones.iter_mut().enumerate() {
        assert_eq!(
            status(ws).await["people_ahead"],
            i,
            "opening status of ticket {i}"
        );
    }
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    let tickets = &tickets;
    let updates = phones.iter_mut().enumerate().map(|(i, ws)| async move {
        let v = status(ws).await;
        if i == 0 {
            assert_eq!(v["status"], "called", "{v}");
        } else {
            assert_eq!(
                (v["number"].clone(), v["people_ahead"].clone()),
                (tickets[i]["number"].clone(), (i - 1).into()),
                "{v}"
            );
        }
    });
    futures::future::join_all(updates).await;
    for ws in &mut phones {
        assert_eq!(quiet(ws, 1).await, None);
    }
}

/// Two controllers on one PostgreSQL and one Mosquitto: a phone connected to either sees
/// every change once, whichever controller the clerk's call went through (its own action,
/// or heard from the broker), and nothing twice when its own controller's events come back
/// from the broker.
#[tokio::test(flavor = "multi_thread")]
async fn phones_on_two_controllers_see_calls_made_on_either() {
    let Some(pg) = common::env_or_skip("HALLQ_TEST_PG_URL", "status sockets on two controllers")
    else {
        return;
    };
    let Some(mq) = common::env_or_skip("HALLQ_TEST_MQTT_URL", "status sockets on two controllers")
    else {
        return;
    };
    let db = common::PgDb::create(&pg).await;
    let opts = HallOpts::replica(&db.url, &mq, &common::unique_hall());
    let a = Hall::start(opts.clone()).await;
    let b = Hall::start(opts).await;
    let service = a.window_1_service().await;
    let tickets = a.tickets(&service, 4).await;
    let last = tickets[3]["token"].as_str().unwrap();
    let mut phones = [open(&a, last).await, open(&b, last).await];
    for ws in &mut phones {
        assert_eq!(status(ws).await["people_ahead"], 3);
    }
    // Calls alternate between the controllers; every phone sees each one, in order. Between
    // two calls a phone may hear its place again with a fresher estimate (the service in
    // progress ages, and each controller refreshes on what it hears), never an older place.
    for (k, hall) in [&b, &a, &b].into_iter().enumerate() {
        let (st, body) = hall.act("1", "call-next", None).await;
        assert_eq!(st, 200, "{body}");
        let want = 2 - k as i64;
        for ws in &mut phones {
            loop {
                let v = status(ws).await;
                let ahead = v["people_ahead"].as_i64();
                assert_eq!(v["status"].as_str(), Some("waiting"), "after call {k}: {v}");
                assert!(
                    ahead == Some(want) || ahead == Some(want + 1),
                    "after call {k}: {v}"
                );
                if ahead == Some(want) {
                    break;
                }
            }
        }
    }
    let (st, body) = a.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{body}");
    for ws in &mut phones {
        let mut v = status(ws).await;
        // A fresher estimate of the last place may come first, never another place.
        while v["status"] == "waiting" {
            assert_eq!(v["people_ahead"], 0, "{v}");
            v = status(ws).await;
        }
        let got = (v["status"].as_str(), v["window"].as_str());
        assert_eq!(got, (Some("called"), Some("1")), "{v}");
        assert_eq!(quiet(ws, 300).await, None, "nothing after the call");
    }
}

/// A ticket the clerk sends on to another service (one this window does not serve): its
/// phone shows it waiting in that queue at its place there, and a phone already waiting
/// in that queue sees the newcomer ahead of it — both as a fresh read of the ticket says.
/// The hall's broker is unreachable here, so nothing comes back from it: the controller's
/// own action must refresh every queue it changed by itself.
#[tokio::test(flavor = "multi_thread")]
async fn a_ticket_transferred_to_another_service_shows_its_new_place() {
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("mqtt://127.0.0.1:{}", nobody.local_addr().unwrap().port());
    drop(nobody);
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "mode = \"embedded\"",
            format!("mode = \"external\"\nurl = \"{gone}\""),
        )],
        ..Default::default()
    })
    .await;
    let service = hall.window_1_service().await;
    let other = "household";
    // One waits in the other service since before X came, one since after.
    let before = hall.tickets(other, 1).await.remove(0);
    let x = hall.tickets(&service, 1).await.remove(0);
    let after = hall.tickets(other, 1).await.remove(0);
    let tok = |t: &Value| t["token"].as_str().unwrap().to_string();
    let (x_tok, h_tok) = (tok(&x), tok(&after));
    let mut px = open(&hall, &x_tok).await;
    let mut ph = open(&hall, &h_tok).await;
    assert_eq!(status(&mut px).await["people_ahead"], 0);
    assert_eq!(
        status(&mut ph).await["people_ahead"],
        1,
        "behind {}",
        before["number"]
    );
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["ticket"]["number"], x["number"]);
    assert_eq!(status(&mut px).await["status"], "called");
    let body = serde_json::json!({ "service": other });
    let (st, b) = hall.act("1", "transfer", Some(body)).await;
    assert_eq!(st, 200, "{b}");
    for (ws, token) in [(&mut px, &x_tok), (&mut ph, &h_tok)] {
        let v = status(ws).await;
        let (_, fresh) = hall
            .req("GET", &format!("/tickets/{token}"), None, None)
            .await;
        assert_eq!(v["status"], "waiting", "{v}");
        assert_eq!(v["service"], fresh["service"], "{v} / {fresh}");
        assert_eq!(v["people_ahead"], fresh["people_ahead"], "{v} / {fresh}");
        assert_eq!(quiet(ws, 300).await, None, "one update for the transfer");
    }
    // The transferred ticket kept its arrival: between the two.
    for (token, ahead) in [(&x_tok, 1), (&h_tok, 2)] {
        let (_, fresh) = hall
            .req("GET", &format!("/tickets/{token}"), None, None)
            .await;
        assert_eq!(fresh["people_ahead"], ahead, "{fresh}");
    }
}
