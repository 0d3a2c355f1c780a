//! Phones' live status sockets (`GET /api/v1/tickets/{token}/ws`) on the raw TCP stream,
//! so that one refresh writes every phone's prepared frame itself, with no task wake and no
//! WebSocket library between the status and the kernel.
//!
//! - [`frame`]: the accept key and the frames, as pure code.
//! - [`sock`]: one socket: direct writes, and a task for what is left, pings and closes
//!   (a phone that answers no ping for `limits.status_idle_secs` is closed).
//! - [`caps`]: how many sockets may be open per ticket and in all.
//! - [`idle`]: the TCP stream of every HTTP connection, noting whether bytes moved.
//! - here: the handshake check and taking the TCP stream back from hyper after the upgrade
//!   (the controller serves HTTP/1 itself, see [`crate::http`], so the upgraded connection
//!   is the plain `TcpStream`).

pub mod caps;
pub mod frame;
pub mod idle;
pub mod sock;

pub use caps::{Caps, Full, Permit};
pub use idle::Tracked;
pub use sock::{Sock, Timing};

use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Whether a header's comma-separated tokens include `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The `Sec-WebSocket-Accept` for a WebSocket handshake request, or None when the request
/// is not one (version 13, `Connection: upgrade`, `Upgrade: websocket`, a key).
pub fn accept_for(headers: &HeaderMap) -> Option<String> {
    let version = headers.get(header::SEC_WEBSOCKET_VERSION)?;
    let key = headers.get(header::SEC_WEBSOCKET_KEY)?;
    let ok = version == "13"
        && has_token(headers, header::CONNECTION, "upgrade")
        && has_token(headers, header::UPGRADE, "websocket");
    ok.then(|| frame::accept_key(key.as_bytes()))
}

/// The 101 answer that completes the handshake.
pub fn switching(accept: &str) -> Response<axum::body::Body> {
    let mut r = Response::new(axum::body::Body::empty());
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = r.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    if let Ok(v) = HeaderValue::from_str(accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    r
}

/// The TCP stream of an upgraded connection and any bytes the phone sent with its
/// handshake; None when the connection went away or is not a plain TCP stream.
pub async fn upgraded(on: OnUpgrade) -> Option<(TcpStream, Vec<u8>)> {
    let up = on.await.ok()?;
    match up.downcast::<TokioIo<Tracked>>() {
        Ok(parts) => Some((parts.io.into_inner().stream, parts.read_buf.to_vec())),
        Err(_) => {
            tracing::error!("status socket: the upgraded connection is not a TCP stream");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn a_browser_handshake_is_accepted_and_others_are_not() {
        let browser = [
            ("connection", "keep-alive, Upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        assert_eq!(
            accept_for(&request(&browser)).as_deref(),
            Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
        for drop in 0..browser.len() {
            let mut less = browser.to_vec();
            less.remove(drop);
            assert_eq!(
                accept_for(&request(&less)),
                None,
                "without {}",
                browser[drop].0
            );
        }
        let mut old = browser.to_vec();
        old[2].1 = "8";
        assert_eq!(accept_for(&request(&old)), None);
        let r = switching("abc");
        assert_eq!(r.status(), 101);
        assert_eq!(r.headers()[header::SEC_WEBSOCKET_ACCEPT], "abc");
    }
}
