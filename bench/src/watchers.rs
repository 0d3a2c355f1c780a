//! `hallq bench watchers`: N phones watching their ticket's status page (WebSocket), one call
//! made by a clerk; how long until every watcher has its update, and the server's RSS.
//! The server is a separate `hallq run` process (its RSS is its own).

use crate::fanout::{cpu_ms, rss_kb, ws_upgrade, HANDSHAKE};
use crate::loads::{ms, pct};
use crate::receipts::Receipts;
use anyhow::Context;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Calls made per run.
const CALLS: usize = 3;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) async fn run(config: &Path, n: usize, hallq: &Path) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    // Six-digit numbers and no daily cap, so N tickets fit in one service.
    let src = std::fs::read_to_string(config).context("config")?;
    let src: String = src
        .lines()
        .filter(|l| !l.trim_start().starts_with("daily_cap"))
        .map(|l| {
            if l.trim() == "width = 3" {
                "width = 6"
            } else if l.starts_with("status_idle_secs") {
                // The watchers read raw frames and answer no ping: keep them open anyway.
                "status_idle_secs = 86400"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let cfg_path = tmp.path().join("hall.toml");
    std::fs::write(&cfg_path, &src)?;
    let cfg = hallq_config::load_str("bench", &src).map_err(|e| anyhow::anyhow!("{e}"))?;
    let w = cfg.windows.first().context("no window")?;
    let service = w.services.first().context("window serves nothing")?.clone();
    let (hport, mport) = (crate::loads::free_port()?, crate::loads::free_port()?);
    let child = Command::new(hallq)
        .args(["run", "--config"])
        .arg(&cfg_path)
        .arg("--data-dir")
        .arg(tmp.path())
        .args([
            "--listen",
            &format!("127.0.0.1:{hport}"),
            "--mqtt-listen",
            &format!("127.0.0.1:{mport}"),
        ])
        .stdout(crate::loads::server_log())
        .stderr(crate::loads::server_log())
        .spawn()?;
    let server = Server(child);
    let base = format!("http://127.0.0.1:{hport}/api/v1");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let tokens = issue(&client, &base, &service, n).await?;
    println!(
        "{n} tickets issued for {service}; server RSS {} MB",
        rss_kb(server.0.id()) / 1024
    );

    // The first message's size, for the floor's frames.
    let frame_len = Arc::new(AtomicUsize::new(0));
    let addr = format!("127.0.0.1:{hport}");
    let clients = crate::clients::open(
        n,
        Duration::from_micros(300),
        "status sockets",
        |i| {
            let (addr, token, frame_len) = (addr.clone(), tokens[i].clone(), frame_len.clone());
            async move {
                let (s, first) = open_events(&addr, &token).await?;
                frame_len.fetch_max(first, Ordering::Relaxed);
                Some(s)
            }
        },
        |mut s, r| async move { watch_events(&mut s, &r).await },
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = rss_kb(server.0.id());
    let clerk = format!("demo-clerk-{}", w.id);
    let mut lat = Vec::new();
    let mut last = Vec::new();
    let mut answered = Vec::new();
    let mut missing = 0;
    let cpu0 = cpu_ms(server.0.id());
    for call in 0..CALLS {
        // Call k finishes the ticket called by call k-1; tickets finished before that
        // do not change any more, so their watchers get nothing.
        let expect = n - call.saturating_sub(1);
        let t0 = Instant::now();
        let r = client
            .post(format!("{base}/windows/{}/call-next", w.id))
            .bearer_auth(&clerk)
            .send()
            .await?;
        anyhow::ensure!(r.status() == 200, "call-next: {}", r.status());
        answered.push(ms(t0.elapsed()));
        let mut got = clients
            .receipts
            .take(0, expect, Duration::from_secs(15))
            .await;
        got.sort();
        got.truncate(expect);
        missing += expect - got.len();
        lat.extend(got.iter().map(|at| at.saturating_duration_since(t0)));
        last.push(ms(got
            .last()
            .map(|at| at.saturating_duration_since(t0))
            .unwrap_or_default()));
        tokio::time::sleep(Duration::from_millis(300)).await;
        clients.receipts.clear();
    }
    let cpu = (cpu_ms(server.0.id()) - cpu0) as f64 / CALLS as f64;
    lat.sort();
    println!(
        "  server CPU per call: {cpu:.0} ms (user+system, both cores, with the 300 ms pause after it); first watcher updated after {}",
        ms(lat.first().copied().unwrap_or_default())
    );
    println!(
        "  call by call: clerk's call answered after {}; last watcher updated after {}",
        answered.join(", "),
        last.join(", ")
    );
    println!(
        "watchers {n:>6}: call → every watcher updated p50 {} p99 {} max {} ({} updates, {missing} missing); server RSS {} MB with {n} open streams",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
        lat.len(),
        rss / 1024,
    );
    drop(clients);
    drop(server);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let frame_len = frame_len.load(Ordering::Relaxed);
    let floor = crate::floor::measure(n, frame_len, CALLS).await?;
    crate::floor::report("the server", &lat, &floor, frame_len);
    Ok(())
}

async fn issue(
    client: &reqwest::Client,
    base: &str,
    service: &str,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let mut tokens = Vec::with_capacity(n);
    let mut set = tokio::task::JoinSet::new();
    for chunk in 0..64usize {
        let (client, base, service) = (client.clone(), base.to_string(), service.to_string());
        let count = n / 64 + usize::from(chunk < n % 64);
        set.spawn(async move {
            let mut out = Vec::new();
            for _ in 0..count {
                let r = client
                    .post(format!("{base}/tickets"))
                    .bearer_auth("demo-kiosk")
                    .json(&serde_json::json!({"service": service}))
                    .send()
                    .await?;
                let v: serde_json::Value = r.json().await?;
                out.push(
                    v["ticket"]["token"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            anyhow::Ok(out)
        });
    }
    while let Some(r) = set.join_next().await {
        tokens.extend(r??);
    }
    Ok(tokens)
}

/// The marker counted once per status message (each has exactly one `number` field).
const MARK: &[u8] = b"\"number\":";

/// Opens the status page's WebSocket (upgrade handshake, then raw reads: an update has
/// arrived when its bytes are in the socket) and reads up to its first message, whose
/// size in bytes it returns with the socket.
async fn open_events(addr: &str, token: &str) -> Option<(TcpStream, usize)> {
    let (mut s, mut buf) = ws_upgrade(addr, &format!("/api/v1/tickets/{token}/ws")).await?;
    let mut chunk = [0u8; 2048];
    while !contains(&buf, MARK) {
        let read = tokio::time::timeout(HANDSHAKE, s.read(&mut chunk));
        match read.await {
            Ok(Ok(k)) if k > 0 => buf.extend_from_slice(&chunk[..k]),
            _ => return None,
        }
    }
    Some((s, buf.len()))
}

/// Reports the arrival of every later status message.
async fn watch_events(s: &mut TcpStream, receipts: &Receipts) {
    let mut buf = vec![0u8; 8192];
    let mut carry = 0;
    loop {
        let k = match s.read(&mut buf[carry..]).await {
            Ok(0) | Err(_) => return,
            Ok(k) => k,
        };
        let at = Instant::now();
        let end = carry + k;
        let events = buf[..end]
            .windows(MARK.len())
            .filter(|w| *w == MARK)
            .count();
        for _ in 0..events {
            receipts.push(0, at);
        }
        let keep = end.min(MARK.len() - 1);
        buf.copy_within(end - keep..end, 0);
        // A kept tail never holds a whole marker, so nothing counts twice.
        carry = keep;
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
