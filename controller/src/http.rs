//! The controller's HTTP/1 server: accepts connections, serves the router on each (with
//! the client's address for the audit log, and upgrades), and shuts down gracefully.
//!
//! It is ours rather than `axum::serve` for one reason: an upgraded connection must come
//! back as the plain `TcpStream`, which the phones' status sockets write to directly
//! ([`crate::live`]); axum's server wraps every connection in a private type for its
//! HTTP/2 detection. A hall's browsers, kiosks and phones speak HTTP/1.1.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long a shutdown waits for requests in flight (long-lived feeds are cut after it).
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight end
/// (for at most 5 s). Accept errors (out of file descriptors…) are logged and
/// retried.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection holds a receiver; the server waits until all are gone.
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
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
        tokio::spawn(connection(
            stream,
            addr,
            app.clone(),
            stop_rx.clone(),
            open_rx.clone(),
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    let _ = tokio::time::timeout(DRAIN, open_tx.closed()).await;
}

async fn connection(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    app: Router,
    mut stop: watch::Receiver<bool>,
    _open: watch::Receiver<()>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(addr));
        let mut app = app.clone();
        async move { tower::Service::call(&mut app, req).await }
    });
    // No timer, as with axum's server: idle keep-alive connections are not cut at a fixed
    // age, so a clerk's POST never races the server closing its reused connection.
    let conn = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let stopping = tokio::select! {
        _ = conn.as_mut() => false,
        r = stop.wait_for(|s| *s) => r.is_ok(),
    };
    if stopping {
        // Idle keep-alive connections close now; a request in flight finishes first.
        conn.as_mut().graceful_shutdown();
        let _ = conn.as_mut().await;
    }
}
