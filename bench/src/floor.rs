//! The machine's floor for a fan-out, measured in the same run as the benchmark it is
//! compared with: a bare process (`hallq-bench floor-server`) that writes one prepared
//! WebSocket frame of the same size to N loopback sockets from every core — std threads,
//! blocking writes, no runtime, no parsing — read by the same load generator. One write
//! system call per socket is all it does, so a server that does anything more per socket
//! (as every real one does) is not expected to beat it on the same machine.

use crate::fanout::{read_events, WAVE};
use crate::loads::{ms, pct};
use anyhow::Context;
use hallq_controller::live::frame;
use std::io::{BufRead, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The child process: accepts sockets; stdin line `count` answers how many it holds; each
/// line `LEN EVENT_ID` sends a text frame of LEN bytes carrying `"event_id":EVENT_ID` to
/// every socket, then answers `done N MICROS` (sockets, time the writes took).
pub(crate) fn serve(listen: &str) -> anyhow::Result<()> {
    // A deep accept queue: 10k connects arrive within 0.2 s.
    let addr: std::net::SocketAddr = listen.parse().context("--listen")?;
    let sock = tokio::net::TcpSocket::new_v4()?;
    sock.bind(addr).with_context(|| format!("bind {listen}"))?;
    let listener: TcpListener = sock.listen(8192)?.into_std()?;
    listener.set_nonblocking(false)?;
    let socks: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let accepted = socks.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let _ = s.set_nodelay(true);
            accepted.lock().unwrap_or_else(|e| e.into_inner()).push(s);
        }
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = std::io::stdout();
    writeln!(out, "ready")?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line == "count" {
            let n = socks.lock().unwrap_or_else(|e| e.into_inner()).len();
            writeln!(out, "{n}")?;
            continue;
        }
        let mut it = line.split(' ').filter_map(|x| x.parse::<u64>().ok());
        let (Some(len), Some(id)) = (it.next(), it.next()) else {
            continue;
        };
        let frame = text_frame(len as usize, id);
        let socks = socks.lock().unwrap_or_else(|e| e.into_inner());
        let t0 = Instant::now();
        let per = socks.len().div_ceil(cores).max(1);
        std::thread::scope(|scope| {
            for chunk in socks.chunks(per) {
                let frame = &frame;
                scope.spawn(move || {
                    for mut s in chunk {
                        let _ = s.write_all(frame);
                    }
                });
            }
        });
        writeln!(out, "done {} {}", socks.len(), t0.elapsed().as_micros())?;
    }
    Ok(())
}

/// An unmasked WebSocket text frame of `len` bytes in all, its payload a JSON object with
/// the event id, padded.
fn text_frame(len: usize, id: u64) -> Vec<u8> {
    // 128 and 129 bytes cannot be made (a 126-byte payload needs the 4-byte header).
    let want = len.saturating_sub(if len < 128 { 2 } else { 4 });
    let mut body = format!("{{\"event_id\":{id},\"pad\":\"\"}}");
    if want > body.len() {
        body.insert_str(body.len() - 2, &"x".repeat(want - body.len()));
    }
    frame::server_frame(frame::TEXT, body.as_bytes())
}

/// What the floor process achieved.
pub(crate) struct Floor {
    /// Every receipt's latency from the moment the send was asked for, sorted.
    pub lat: Vec<Duration>,
    /// The longest time the bare process took to write one frame to every socket.
    pub writes: Duration,
}

/// The floor for `n` sockets and frames of `frame_len` bytes, over `rounds` sends.
pub(crate) async fn measure(n: usize, frame_len: usize, rounds: usize) -> anyhow::Result<Floor> {
    let port = crate::loads::free_port()?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["floor-server", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().context("floor stdin")?;
    let mut lines = BufReader::new(child.stdout.take().context("floor stdout")?).lines();
    anyhow::ensure!(
        lines.next_line().await?.as_deref() == Some("ready"),
        "floor-server did not start"
    );
    let clients = crate::clients::open(
        n,
        WAVE,
        "floor sockets",
        |_| async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
        },
        |mut s, r| async move { read_events(&mut s, &r).await },
    )
    .await?;
    // A connect can finish before the process has accepted it: wait until it holds all.
    for _ in 0..100 {
        stdin.write_all(b"count\n").await?;
        if lines.next_line().await?.and_then(|l| l.parse().ok()) == Some(n) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut lat = Vec::with_capacity(n * rounds);
    let mut writes = Duration::ZERO;
    for round in 0..rounds as u64 {
        let id = 9_000_000 + round;
        let t0 = Instant::now();
        stdin
            .write_all(format!("{frame_len} {id}\n").as_bytes())
            .await?;
        let got = clients.receipts.take(id, n, Duration::from_secs(10)).await;
        lat.extend(got.iter().map(|at| *at - t0));
        let got = got.len();
        let done = lines.next_line().await?.unwrap_or_default();
        anyhow::ensure!(
            got == n,
            "floor: {got} of {n} sockets got the frame ({done})"
        );
        let us = done.rsplit(' ').next().and_then(|u| u.parse().ok());
        writes = writes.max(Duration::from_micros(us.unwrap_or(0)));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(clients);
    lat.sort();
    Ok(Floor { lat, writes })
}

/// Prints the floor next to a measured distribution, with the ratio of their p99s.
pub(crate) fn report(what: &str, measured: &[Duration], floor: &Floor, frame_len: usize) {
    let (m, f) = (pct(measured, 0.99), pct(&floor.lat, 0.99));
    println!(
        "  floor, same run ({frame_len}-byte frame written by a bare process from every core): p50 {} p99 {} (its writes alone took up to {}) → {what} p99 is {:.2}× the floor",
        ms(pct(&floor.lat, 0.5)),
        ms(f),
        ms(floor.writes),
        m.as_secs_f64() / f.as_secs_f64().max(1e-9),
    );
}

#[cfg(test)]
mod tests {
    use super::{frame, text_frame};

    #[test]
    fn frames_have_the_asked_length_and_carry_the_id() {
        for len in [40, 127, 130, 300, 4000] {
            let f = text_frame(len, 42);
            assert_eq!(f.len(), len, "{len}");
            let v: serde_json::Value = serde_json::from_slice(frame::payload_of(&f)).unwrap();
            assert_eq!(v["event_id"], 42);
        }
    }
}
