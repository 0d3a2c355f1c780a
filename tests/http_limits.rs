//! No connection or socket can hold the controller (issue 16, "HTTP limits"), against the
//! real binary with raw TCP clients: a half-sent request head is cut after
//! `server.header_timeout_secs`, an idle keep-alive connection and a stalled body are
//! closed, the connection cap makes the next client wait instead of being served at once;
//! a phone's status socket that answers no ping is closed, the per-ticket and total socket
//! caps answer 429; a 64 KiB message on a kiosk's or a clerk's feed closes it.

mod common;

use common::{Hall, HallOpts};
use futures::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// The demo hall with some keys of `[server]` and `[limits]` set otherwise.
fn hall_with(keys: &[(&'static str, &str)]) -> HallOpts {
    HallOpts {
        edits: keys.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        ..HallOpts::default()
    }
}

/// Reads until the server closes the connection; how long that took and what came.
async fn until_closed(s: &mut TcpStream, within: Duration) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + within).into(), s.read(&mut buf)).await {
            Err(_) => panic!("still open after {within:?}; got {got:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return (start.elapsed(), got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn connect(hall: &Hall) -> TcpStream {
    TcpStream::connect(("127.0.0.1", hall.http_port))
        .await
        .unwrap()
}

const HEALTH: &[u8] = b"GET /api/v1/health HTTP/1.1\r\nHost: hall\r\n\r\n";

#[tokio::test(flavor = "multi_thread")]
async fn slow_and_idle_connections_are_cut_and_the_cap_holds() {
    let hall = Hall::start(hall_with(&[
        ("header_timeout_secs = 30", "header_timeout_secs = 1"),
        ("idle_timeout_secs = 60", "idle_timeout_secs = 4"),
        ("max_connections = 4096", "max_connections = 3"),
    ]))
    .await;

    // A request head trickled in a byte at a time (so the connection is never idle):
    // cut after the 1 s header timeout.
    let mut s = connect(&hall).await;
    let start = Instant::now();
    for b in b"GET /api/v1/health HTTP/1.1\r\nHost: hall\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa" {
        if s.write_all(&[*b]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, _) = until_closed(&mut s, Duration::from_secs(5)).await;
    let took = start.elapsed();
    assert!(
        (Duration::from_millis(800)..Duration::from_millis(3000)).contains(&took),
        "{took:?}"
    );

    // A keep-alive connection that is answered, then says nothing: closed after the
    // header timeout too (well before the 4 s idle timeout).
    let mut s = connect(&hall).await;
    s.write_all(HEALTH).await.unwrap();
    let (took, got) = until_closed(&mut s, Duration::from_secs(8)).await;
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(
        (Duration::from_millis(800)..Duration::from_millis(3000)).contains(&took),
        "{took:?}"
    );

    // A whole head and a body that stops halfway: nothing moves, closed after ~4–6 s.
    let stalled = b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: hall\r\n\
        Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user";
    let mut s = connect(&hall).await;
    s.write_all(stalled).await.unwrap();
    let (took, _) = until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(took >= Duration::from_millis(3500), "{took:?}");

    // The cap: three stalled bodies hold all three places; a fourth client is served
    // only when they are cut, not at once — and is served then.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut s = connect(&hall).await;
        s.write_all(stalled).await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    let mut s = connect(&hall).await;
    s.write_all(HEALTH).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(12), s.read(&mut buf))
        .await
        .expect("served once a place is free")
        .unwrap();
    let waited = start.elapsed();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    assert!(
        waited >= Duration::from_millis(2500),
        "served after {waited:?}: the cap of 3 did not hold"
    );
    // And with the places free again, at once.
    drop(held);
    let (st, _) = hall.req("GET", "/health", None, None).await;
    assert_eq!(st, 200);
}

/// A raw status socket handshake for `token`: the socket and the answer's head.
async fn status_socket(hall: &Hall, token: &str) -> (TcpStream, String) {
    let mut s = connect(hall).await;
    let req = format!(
        "GET /api/v1/tickets/{token}/ws HTTP/1.1\r\nHost: hall\r\nConnection: Upgrade\r\n\
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
        assert_eq!(n, 1, "closed during the handshake");
        head.push(b[0]);
    }
    (s, String::from_utf8(head).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn status_sockets_are_capped_and_a_silent_phone_is_closed() {
    let hall = Hall::start(hall_with(&[
        (
            "status_sockets_per_ticket = 8",
            "status_sockets_per_ticket = 3",
        ),
        ("status_sockets = 20000", "status_sockets = 5"),
        ("status_ping_secs = 25", "status_ping_secs = 1"),
        ("status_idle_secs = 60", "status_idle_secs = 2"),
    ]))
    .await;
    let service = hall.window_1_service().await;
    let (a, b) = (hall.ticket(&service).await, hall.ticket(&service).await);
    let (a, b) = (a["token"].as_str().unwrap(), b["token"].as_str().unwrap());

    // Three sockets for ticket a; the fourth is refused with the contract's body.
    let mut open = Vec::new();
    for _ in 0..3 {
        let (s, head) = status_socket(&hall, a).await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        open.push(s);
    }
    let (mut s, head) = status_socket(&hall, a).await;
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");
    let (_, body) = until_closed_or_body(&mut s).await;
    assert!(body.contains("\"error\":\"too_many_sockets\""), "{body}");
    // Two for ticket b fill the server's five; the next is refused too.
    for _ in 0..2 {
        let (s, head) = status_socket(&hall, b).await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        open.push(s);
    }
    let (_, head) = status_socket(&hall, b).await;
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");

    // None of these phones answers the pings: within ~2–3 s each is closed with 1001.
    let start = Instant::now();
    for s in &mut open {
        let (_, got) = until_closed(s, Duration::from_secs(6)).await;
        assert!(got.windows(2).any(|w| w == [0x89, 0x00]), "pinged: {got:?}");
        assert!(
            got.ends_with(&[0x88, 0x02, 0x03, 0xE9]),
            "close 1001: {got:?}"
        );
    }
    assert!(start.elapsed() >= Duration::from_millis(1500));
    // Their places are free again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, head) = status_socket(&hall, a).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
}

/// The rest of an HTTP answer (its body) on a connection the server keeps open.
async fn until_closed_or_body(s: &mut TcpStream) -> (usize, String) {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
        .await
        .expect("a body")
        .unwrap();
    (n, String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_64_kib_message_closes_a_kiosk_or_staff_feed() {
    let hall = Hall::start(HallOpts::default()).await;
    for path in [
        "/api/v1/kiosk/events?token=demo-kiosk",
        "/api/v1/staff/events?token=demo-clerk-1",
    ] {
        let url = format!("ws://127.0.0.1:{}{path}", hall.http_port);
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("handshake");
        // A small message is fine (ignored); 64 KiB is not.
        ws.send(Message::text("hi")).await.unwrap();
        ws.send(Message::text("x".repeat(64 * 1024))).await.unwrap();
        let ended = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(m) = ws.next().await {
                match m {
                    Ok(Message::Close(_)) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(ended.is_ok(), "{path}: the feed stayed open after 64 KiB");
    }
}
