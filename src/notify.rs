//! systemd readiness (`sd_notify`, for a unit with `Type=notify`).
//!
//! - `READY=1` once the HTTP server answers `GET /api/v1/health` on its own address, so
//!   `systemctl start hallq` returns when the hall can be used, and a start that fails
//!   (database, broker, identity key) never reports ready.
//! - `RELOADING=1` before a reload's restart in place; the fresh process (same pid, same
//!   `NOTIFY_SOCKET`, which is therefore never unset) sends `READY=1` again.
//! - `STOPPING=1` when a shutdown begins.
//!
//! Every call is a no-op when `NOTIFY_SOCKET` is unset (not started by systemd).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

/// Whether a service manager listens for notifications.
fn enabled() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some()
}

#[cfg(unix)]
fn send(states: &[sd_notify::NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("sd_notify failed: {e}");
    }
}

/// Spawns a task that sends `READY=1` as soon as the server bound at `addr` answers its
/// health route. Call it just before serving.
pub(crate) fn ready_when_serving(addr: SocketAddr) {
    if !enabled() {
        return;
    }
    tokio::spawn(async move {
        let url = format!("http://{}/api/v1/health", probe_addr(addr));
        // No proxy: a hall's http_proxy must not see (or break) a loopback probe.
        let client = match reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
        {
            Ok(c) => c,
            Err(e) => return tracing::warn!("readiness probe: {e}"),
        };
        let started = Instant::now();
        let mut warned = false;
        loop {
            match client.get(&url).send().await {
                Ok(r) if r.status().is_success() => break,
                other if !warned && started.elapsed() > Duration::from_secs(10) => {
                    warned = true;
                    tracing::warn!("not ready yet: {url} answers {other:?}");
                }
                _ => {}
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        #[cfg(unix)]
        send(&[
            sd_notify::NotifyState::Ready,
            sd_notify::NotifyState::Status(&format!("serving on {addr}")),
        ]);
    });
}

/// The address to probe: the bound one, with a wildcard replaced by loopback.
fn probe_addr(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// `RELOADING=1` (with the monotonic time systemd asks for), before a restart in place.
pub(crate) fn reloading() {
    #[cfg(unix)]
    if enabled() {
        let mut states = vec![
            sd_notify::NotifyState::Reloading,
            sd_notify::NotifyState::Status("reloading the config"),
        ];
        states.extend(sd_notify::NotifyState::monotonic_usec_now().ok());
        send(&states);
    }
}

/// `STOPPING=1`, when a shutdown begins.
pub(crate) fn stopping() {
    #[cfg(unix)]
    if enabled() {
        send(&[sd_notify::NotifyState::Stopping]);
    }
}

#[cfg(test)]
mod tests {
    use super::probe_addr;

    #[test]
    fn wildcard_is_probed_on_loopback() {
        let p = |s: &str| probe_addr(s.parse().unwrap()).to_string();
        assert_eq!(p("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(p("[::]:8080"), "[::1]:8080");
        assert_eq!(p("192.168.1.10:80"), "192.168.1.10:80");
    }
}
