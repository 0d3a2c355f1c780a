//! The controller's HTTP/1 server: accepts connections (at most `server.max_connections`
//! at once), serves the router on each (with the client's address, and upgrades), cuts
//! connections that hold the server without using it, and shuts down gracefully.
//!
//! It is ours rather than `axum::serve` for one reason: an upgraded connection must come
//! back as the plain `TcpStream`, which the phones' status sockets write to directly
//! ([`crate::live`]); axum's server wraps every connection in a private type for its
//! HTTP/2 detection. A hall's browsers, kiosks and phones speak HTTP/1.1.
//!
//! Limits (docs/http.md):
//! - a request head must arrive whole within `server.header_timeout_secs` of the server
//!   waiting for it — hyper starts that wait when a keep-alive connection goes idle, so an
//!   idle connection is closed after it too;
//! - a connection on which no byte moved either way for `server.idle_timeout_secs` (a
//!   stalled body, an answer nobody reads) is closed;
//! - at `server.max_connections` open connections the server accepts no more until one
//!   ends (they wait in the kernel's backlog); upgraded sockets no longer count;
//! - the client's address is the TCP peer's, or the one a proxy listed in
//!   `server.trusted_proxies` put in `X-Forwarded-For`; from anyone else that header is
//!   removed before the router sees it.

use crate::live::Tracked;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderName};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// How long a shutdown waits for requests in flight (long-lived feeds are cut after it).
const DRAIN: Duration = Duration::from_secs(5);

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The server's limits (from `[server]`).
#[derive(Debug, Clone)]
pub struct Options {
    /// Time to send a whole request head (and how long an idle connection is kept).
    pub header_timeout: Duration,
    /// No byte either way for this long closes a connection.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[IpAddr]>,
}

impl Options {
    /// The limits `server` sets.
    pub fn of(server: &hallq_config::Server) -> Self {
        Self {
            header_timeout: Duration::from_secs(server.header_timeout_secs.clamp(1, 30)),
            idle_timeout: Duration::from_secs(server.idle_timeout_secs.max(1)),
            max_connections: server.max_connections.max(1),
            trusted_proxies: server.trusted_proxies.iter().copied().collect(),
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|p| p.to_canonical() == ip)
    }

    /// The client of a request from `peer`: the peer itself, or, when the peer is a
    /// trusted proxy, the nearest address in `X-Forwarded-For` that is not one (the
    /// header is a list, each proxy appending who it heard from).
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let listed: Vec<&str> = headers
            .get_all(&X_FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for entry in listed.iter().rev() {
            match parse_forwarded(entry) {
                Some(ip) if self.trusts(ip) => continue,
                Some(ip) => return SocketAddr::new(ip, 0),
                // Garbage in the list: trust nothing before it.
                None => return peer,
            }
        }
        peer
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`[v6]:port`, `v4:port`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    e.parse::<IpAddr>()
        .ok()
        .or_else(|| e.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight end
/// (for at most 5 s). Accept errors (out of file descriptors…) are logged and
/// retried.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    opts: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let opts = Arc::new(opts);
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection holds a receiver; the server waits until all are gone.
    let (open_tx, open_rx) = watch::channel(());
    let slots = Arc::new(Semaphore::new(opts.max_connections));
    let mut warned: Option<Instant> = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(s) => s,
            Err(_) => {
                if warned.is_none_or(|w| w.elapsed() > Duration::from_secs(60)) {
                    tracing::warn!(
                        max = opts.max_connections,
                        "HTTP connection cap reached: new connections wait until one ends"
                    );
                    warned = Some(Instant::now());
                }
                tokio::select! {
                    s = slots.clone().acquire_owned() => match s {
                        Ok(s) => s,
                        Err(_) => break,
                    },
                    _ = &mut shutdown => break,
                }
            }
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Small frames (calls, statuses) go out at once, not after the previous one's ACK.
        let _ = stream.set_nodelay(true);
        let conn = connection(
            stream,
            addr,
            app.clone(),
            opts.clone(),
            stop_rx.clone(),
            open_rx.clone(),
        );
        tokio::spawn(async move {
            conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    let _ = tokio::time::timeout(DRAIN, open_tx.closed()).await;
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    opts: Arc<Options>,
    mut stop: watch::Receiver<bool>,
    _open: watch::Receiver<()>,
) {
    let idle = opts.idle_timeout;
    let header_timeout = opts.header_timeout;
    let proxy = opts.trusts(peer.ip());
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let client = if proxy {
            opts.client(peer, req.headers())
        } else {
            // Nobody downstream may take it for the client's word.
            req.headers_mut().remove(X_FORWARDED_FOR);
            peer
        };
        req.extensions_mut().insert(ConnectInfo(client));
        let mut app = app.clone();
        async move { tower::Service::call(&mut app, req).await }
    });
    let (io, moved) = Tracked::new(stream);
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    // Checked every half `idle`: two checks in a row with nothing moved close it.
    let mut check = tokio::time::interval(idle / 2);
    check.tick().await;
    let mut quiet = 0;
    let stopping = loop {
        tokio::select! {
            _ = conn.as_mut() => break false,
            r = stop.wait_for(|s| *s) => break r.is_ok(),
            _ = check.tick() => {
                if moved.swap(false, Ordering::Relaxed) {
                    quiet = 0;
                } else {
                    quiet += 1;
                    if quiet >= 2 {
                        tracing::debug!(%peer, "connection idle: closed");
                        return;
                    }
                }
            }
        }
    };
    if stopping {
        // Idle keep-alive connections close now; a request in flight finishes first.
        conn.as_mut().graceful_shutdown();
        let _ = conn.as_mut().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(trusted: &[&str]) -> Options {
        Options {
            header_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max_connections: 1,
            trusted_proxies: trusted.iter().map(|s| s.parse().unwrap()).collect(),
        }
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(X_FORWARDED_FOR, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let h = xff(&["198.51.100.7"]);
        assert_eq!(opts(&[]).client(peer, &h), peer);
        assert_eq!(opts(&["10.0.0.9"]).client(peer, &h), peer);
        let via = opts(&["10.0.0.5", "10.0.0.6"]);
        assert_eq!(via.client(peer, &h).ip().to_string(), "198.51.100.7");
        // The nearest untrusted hop counts, not what the client wrote first.
        let chain = xff(&["6.6.6.6, 198.51.100.7", "10.0.0.6"]);
        assert_eq!(via.client(peer, &chain).ip().to_string(), "198.51.100.7");
        // Ports and brackets; garbage means the peer.
        let h = xff(&["[2001:db8::1]:443"]);
        assert_eq!(via.client(peer, &h).ip().to_string(), "2001:db8::1");
        assert_eq!(via.client(peer, &xff(&["nonsense"])), peer);
        assert_eq!(via.client(peer, &HeaderMap::new()), peer);
        // A peer speaking IPv4 over IPv6 is the same proxy.
        let mapped: SocketAddr = "[::ffff:10.0.0.5]:4000".parse().unwrap();
        let h = xff(&["198.51.100.7"]);
        assert_eq!(via.client(mapped, &h).ip().to_string(), "198.51.100.7");
    }
}
