//! `hallq bench fanout`: one display-client process, N TV sockets, a call published on
//! MQTT; how long until every socket has it, and what the display-client costs in memory.

use crate::loads::{ms, pct};
use crate::receipts::Receipts;
use anyhow::Context;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long one WebSocket handshake may take before it is tried again.
pub(crate) const HANDSHAKE: Duration = Duration::from_secs(60);

/// Spacing of connects: a thousand over 0.2 s, then again.
pub(crate) const WAVE: Duration = Duration::from_micros(200);

/// Calls published per socket count.
const CALLS: usize = 5;

struct Display(Child);

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// User + system CPU time of a process, in ms (from /proc, 100 ticks a second).
pub(crate) fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let f: Vec<u64> = after.split(' ').filter_map(|x| x.parse().ok()).collect();
    // Fields after the command: state is not numeric, so utime/stime are at 10 and 11 here.
    (f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0)) * 10
}

pub(crate) fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

pub(crate) async fn run(config: &Path, sockets: &[usize], hallq: &Path) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let mport = crate::loads::free_port()?;
    let broker_addr: std::net::SocketAddr = format!("127.0.0.1:{mport}").parse()?;
    let account = hallq_config::BrokerAccount {
        username: "display".into(),
        password_sha256: hallq_config::secret::sha256_hex("bench"),
        role: hallq_config::Role::Display,
        window: None,
    };
    // The display-client runs as its own process, so its RSS is its alone.
    let src = std::fs::read_to_string(config).context("config")?;
    let hall = hallq_config::load_str("bench", &src)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .hall
        .id;
    let login = hallq_controller::broker::start(broker_addr, &[(hall.as_str(), &[account][..])])?;
    let src = src
        .replacen(
            "mode = \"embedded\"",
            &format!("mode = \"external\"\nurl = \"mqtt://127.0.0.1:{mport}\""),
            1,
        )
        .replacen("password = \"demo-display\"", "password = \"bench\"", 1);
    let cfg_path = tmp.path().join("hall.toml");
    std::fs::write(&cfg_path, &src)?;
    let cfg = hallq_config::load_str("bench", &src).map_err(|e| anyhow::anyhow!("{e}"))?;
    let screen = cfg
        .screens
        .first()
        .context("config has no [[screens]]")?
        .id
        .clone();
    let hport = crate::loads::free_port()?;
    let child = Command::new(hallq)
        .args(["display", "--config"])
        .arg(&cfg_path)
        .args(["--listen", &format!("127.0.0.1:{hport}")])
        .stdout(crate::loads::server_log())
        .stderr(crate::loads::server_log())
        .spawn()?;
    let display = Display(child);
    let url = format!("ws://127.0.0.1:{hport}/screens/{screen}/ws");
    wait_up(hport)
        .await
        .context("display-client did not start")?;
    // The publisher is the controller's own login, on rumqttd's private port.
    let mut o = rumqttc::MqttOptions::new("bench-fanout-pub", "127.0.0.1", login.addr.port());
    o.set_credentials(login.username, login.password);
    let (client, mut ev) = rumqttc::AsyncClient::new(o, 100);
    tokio::spawn(async move { while ev.poll().await.is_ok() {} });
    let topic = format!("hallq/v1/{}/calls", cfg.hall.id);
    println!(
        "display-client pid {}, RSS idle {} MB",
        display.0.id(),
        rss_kb(display.0.id()) / 1024
    );
    let mut event_id = 1_000_000u64;
    for &n in sockets {
        let clients = crate::clients::open(
            n,
            WAVE,
            "screen sockets",
            |_| {
                let url = url.clone();
                async move { connect(&url).await }
            },
            |mut s, r| async move { read_events(&mut s, &r).await },
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss = rss_kb(display.0.id());
        let cpu0 = cpu_ms(display.0.id());
        let mut lat = Vec::new();
        let mut missing = 0;
        let mut frame_len = 0;
        for _ in 0..CALLS {
            event_id += 1;
            let payload = serde_json::json!({"event_id": event_id, "number": "A001", "service": "property",
                "window": "1", "window_name": "1号窗口", "called_at": "2026-12-01T09:00:00+08:00",
                "recall": false, "kind": "walk_in"});
            frame_len = screen_frame_len(&payload);
            let t0 = Instant::now();
            client
                .publish(
                    &topic,
                    rumqttc::QoS::AtLeastOnce,
                    false,
                    payload.to_string(),
                )
                .await?;
            let got = clients
                .receipts
                .take(event_id, n, Duration::from_secs(10))
                .await;
            missing += n.saturating_sub(got.len());
            lat.extend(got.into_iter().map(|at| at - t0));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        lat.sort();
        let cpu = (cpu_ms(display.0.id()) - cpu0) as f64 / CALLS as f64;
        println!("  display-client CPU per call: {cpu:.0} ms (user+system, both cores)");
        println!(
            "fanout {n:>6} sockets: publish → every socket p50 {} p99 {} max {} ({} receipts, {missing} missing); display-client RSS {} MB ({:.1} KB/socket)",
            ms(pct(&lat, 0.5)),
            ms(pct(&lat, 0.99)),
            ms(lat.last().copied().unwrap_or_default()),
            lat.len(),
            rss / 1024,
            rss as f64 / n as f64,
        );
        drop(clients);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let floor = crate::floor::measure(n, frame_len, CALLS).await?;
        crate::floor::report("display-client", &lat, &floor, frame_len);
    }
    Ok(())
}

/// Bytes on the wire of the screens' `call` frame for this MQTT payload.
fn screen_frame_len(payload: &serde_json::Value) -> usize {
    let mut v = payload.clone();
    v["type"] = serde_json::json!("call");
    let body = v.to_string().len();
    body + if body < 126 { 2 } else { 4 }
}

/// A WebSocket client reduced to what the measurement needs: the upgrade handshake, then
/// raw reads. A call has arrived when its frame's bytes are in this socket's buffer, so
/// the load generator spends a read and a byte search per call, not a full WebSocket and
/// JSON decode (10k sockets share the machine with the display-client they measure).
async fn connect(url: &str) -> Option<TcpStream> {
    let (host, path) = url.strip_prefix("ws://")?.split_once('/')?;
    ws_upgrade(host, &format!("/{path}")).await.map(|(s, _)| s)
}

/// Opens a WebSocket by hand: the upgrade request, then the answer's head read up to its
/// blank line. Returns the socket and any bytes read past the head. A handshake still
/// unanswered after a minute (a server busy with 10k of them can take tens of seconds) is
/// given up and tried again, three times at most.
pub(crate) async fn ws_upgrade(host: &str, path: &str) -> Option<(TcpStream, Vec<u8>)> {
    for _ in 0..3 {
        let once = tokio::time::timeout(HANDSHAKE, upgrade_once(host, path));
        if let Ok(Some(opened)) = once.await {
            return Some(opened);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

async fn upgrade_once(host: &str, path: &str) -> Option<(TcpStream, Vec<u8>)> {
    let mut s = TcpStream::connect(host).await.ok()?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    let end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
        }
    };
    if !buf.starts_with(b"HTTP/1.1 101") {
        return None;
    }
    Some((s, buf.split_off(end)))
}

/// Reports every `"event_id":N` that arrives (once per id per socket).
pub(crate) async fn read_events(s: &mut TcpStream, receipts: &Receipts) {
    const KEY: &[u8] = b"\"event_id\":";
    let mut buf = vec![0u8; 16 * 1024];
    let mut carry = 0;
    let mut last = 0u64;
    loop {
        let n = match s.read(&mut buf[carry..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let at = Instant::now();
        let end = carry + n;
        let mut i = 0;
        while let Some(pos) = find(&buf[i..end], KEY) {
            let start = i + pos + KEY.len();
            let digits = buf[start..end]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if start + digits == end {
                break; // the number continues in the next read
            }
            let id: u64 = std::str::from_utf8(&buf[start..start + digits])
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(0);
            if id != last {
                receipts.push(id, at);
            }
            last = id;
            i = start + digits;
        }
        // Keep a tail that may hold a key cut in two.
        let keep = (end - i).min(32);
        buf.copy_within(end - keep..end, 0);
        carry = keep;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Waits until something listens on `port` of this machine (5 s at most).
pub(crate) async fn wait_up(port: u16) -> anyhow::Result<()> {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    anyhow::bail!("nothing listens on port {port}")
}
