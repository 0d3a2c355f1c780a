//! One phone's status socket after the handshake. Whoever has a new status writes its
//! frame straight to the socket with one non-blocking `write` ([`Sock::send_status`]),
//! without waking a task per phone; only what the kernel does not take at once (a slow or
//! vanished phone) is left to the socket's own task, which also answers pings and closes,
//! and pings the phone (every 25 s by default) so that proxies and phones keep the
//! connection; a phone from which nothing, not even a pong, came for a minute (by default)
//! is gone, and its socket is closed.

use super::frame::{self, Frame};
use bytes::Bytes;
use std::io::ErrorKind;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// Bytes left for the task over this are a phone that does not read: it is closed.
const MAX_PENDING: usize = 64 * 1024;
/// How long the task waits for a phone to take what is pending before giving up on it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// Close code for a phone that answered no ping (going away).
const GONE: u16 = 1001;

/// How often the server pings, and how long a phone may stay silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Ping interval.
    pub ping: Duration,
    /// Silence after which the socket is closed (checked at each ping).
    pub idle: Duration,
}

impl Timing {
    /// The `[limits]` of `cfg`.
    pub fn of(cfg: &hallq_config::Settings) -> Self {
        Self {
            ping: Duration::from_secs(cfg.limits.status_ping_secs.get()),
            idle: Duration::from_secs(cfg.limits.status_idle_secs.get()),
        }
    }
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            ping: Duration::from_secs(25),
            idle: Duration::from_secs(60),
        }
    }
}

/// What is still to be written, in order.
#[derive(Default)]
struct Out {
    /// Newest status version sent (or queued); an older one is dropped.
    sent: u64,
    /// Bytes the kernel did not take yet (the rest of a frame, then control frames).
    pending: Vec<u8>,
    /// The newest status, written after `pending` (replaces an older one not yet written;
    /// only ever set while `pending` is not empty).
    next: Option<Bytes>,
    closed: bool,
}

/// A phone's status socket (shared by the refresh that writes to it and its task).
pub struct Sock {
    stream: TcpStream,
    out: Mutex<Out>,
    /// Tells the task there is something pending.
    wake: Notify,
}

impl Sock {
    /// Wraps an upgraded connection.
    pub fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            out: Mutex::default(),
            wake: Notify::new(),
        }
    }

    fn out(&self) -> MutexGuard<'_, Out> {
        self.out.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the socket is done (closed by either side or failed).
    pub fn is_closed(&self) -> bool {
        self.out().closed
    }

    /// Sends status `version` as the prepared `frame`, unless a newer one was sent;
    /// false when the socket is closed (nothing more will be sent on it).
    pub fn send_status(&self, version: u64, frame: &Bytes) -> bool {
        let mut o = self.out();
        if o.closed || version <= o.sent {
            return !o.closed;
        }
        o.sent = version;
        if o.pending.is_empty() {
            self.write_now(&mut o, frame);
        } else {
            o.next = Some(frame.clone());
        }
        !o.closed
    }

    /// Sends a control frame (after whatever is pending).
    fn send_control(&self, frame: &[u8]) {
        let mut o = self.out();
        if o.closed {
            return;
        }
        if o.pending.is_empty() {
            self.write_now(&mut o, frame);
        } else {
            o.pending.extend_from_slice(frame);
            if o.pending.len() > MAX_PENDING {
                o.closed = true;
                self.wake.notify_one();
            }
        }
    }

    /// One non-blocking write; what the kernel does not take is left to the task.
    fn write_now(&self, o: &mut Out, bytes: &[u8]) {
        match self.stream.try_write(bytes) {
            Ok(n) if n == bytes.len() => return,
            Ok(n) => o.pending.extend_from_slice(&bytes[n..]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => o.pending.extend_from_slice(bytes),
            Err(_) => o.closed = true,
        }
        self.wake.notify_one();
    }

    /// Writes what is pending, waiting for the phone to take it.
    async fn flush(&self) -> std::io::Result<()> {
        loop {
            {
                let mut o = self.out();
                if o.closed {
                    return Err(ErrorKind::BrokenPipe.into());
                }
                if o.pending.is_empty() {
                    match o.next.take() {
                        Some(f) => o.pending.extend_from_slice(&f),
                        None => return Ok(()),
                    }
                }
                match self.stream.try_write(&o.pending) {
                    Ok(n) => {
                        o.pending.drain(..n);
                        continue;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => {
                        o.closed = true;
                        return Err(e);
                    }
                }
            }
            tokio::time::timeout(WRITE_TIMEOUT, self.stream.writable())
                .await
                .map_err(|_| std::io::Error::from(ErrorKind::TimedOut))??;
        }
    }

    /// Answers one frame from the phone; false when the socket is to be closed.
    fn answer(&self, f: &Frame) -> bool {
        match f.opcode {
            frame::CLOSE => {
                // Echo the phone's code (or none), as the closing handshake asks.
                let code = f.payload.get(..2).unwrap_or_default();
                self.send_control(&frame::server_frame(frame::CLOSE, code));
                false
            }
            frame::PING => {
                self.send_control(&frame::server_frame(frame::PONG, &f.payload));
                true
            }
            _ => true,
        }
    }

    /// Reads the phone's frames in `input` (bytes read so far); false when closing.
    fn take_frames(&self, input: &mut Vec<u8>) -> bool {
        loop {
            match frame::parse(input) {
                Ok(Some((f, n))) => {
                    input.drain(..n);
                    if !self.answer(&f) {
                        return false;
                    }
                }
                Ok(None) => return true,
                Err(e) => {
                    self.send_control(&frame::close_frame(e.close_code()));
                    return false;
                }
            }
        }
    }

    /// Serves the socket until either side closes it or the phone stays silent for
    /// `timing.idle`; `input` holds bytes the phone sent along with its handshake.
    pub async fn run(&self, mut input: Vec<u8>, timing: Timing) {
        let start = tokio::time::Instant::now();
        let mut ping = tokio::time::interval_at(start + timing.ping, timing.ping);
        let mut heard = start;
        let mut buf = [0u8; 2048];
        while self.take_frames(&mut input) {
            tokio::select! {
                r = self.stream.readable() => {
                    if r.is_err() {
                        break;
                    }
                    match self.stream.try_read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            heard = tokio::time::Instant::now();
                            input.extend_from_slice(&buf[..n]);
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(_) => break,
                    }
                }
                _ = self.wake.notified() => {
                    if self.flush().await.is_err() {
                        break;
                    }
                }
                now = ping.tick() => {
                    if now.duration_since(heard) >= timing.idle {
                        self.send_control(&frame::close_frame(GONE));
                        break;
                    }
                    self.send_control(&frame::server_frame(frame::PING, &[]));
                }
            }
        }
        // Whatever is pending (a close frame) goes out before the socket is closed.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.flush()).await;
        self.out().closed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// A connected pair: our side with a small send buffer, and the phone's side.
    async fn pair() -> (Sock, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let phone = TcpStream::connect(listener.local_addr().unwrap());
        let (ours, phone) = tokio::join!(listener.accept(), phone);
        let ours = ours.unwrap().0;
        socket2::SockRef::from(&ours)
            .set_send_buffer_size(4096)
            .unwrap();
        (Sock::new(ours), phone.unwrap())
    }

    /// The whole server frames at the start of `bytes`, as (opcode, payload).
    fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while bytes.len() >= 2 {
            let (head, len) = match bytes[1] {
                126 if bytes.len() >= 4 => {
                    (4, usize::from(u16::from_be_bytes([bytes[2], bytes[3]])))
                }
                126 => break,
                n => (2, usize::from(n)),
            };
            let Some(p) = bytes.get(head..head + len) else {
                break;
            };
            out.push((bytes[0] & 0x0F, p.to_vec()));
            bytes = &bytes[head + len..];
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_phone_that_stops_reading_gets_only_the_newest_status_later_and_whole() {
        let (sock, mut phone) = pair().await;
        let sock = std::sync::Arc::new(sock);
        let task = tokio::spawn({
            let sock = sock.clone();
            async move { sock.run(Vec::new(), Timing::default()).await }
        });
        // The phone reads nothing while 2,000 statuses of 1 KB each are sent: far more
        // than the kernel holds, so most wait, and only the newest of those is kept.
        for v in 1..=2000u64 {
            let json = format!("{{\"v\":{v},\"pad\":\"{}\"}}", "x".repeat(1000));
            let f = Bytes::from(frame::server_frame(frame::TEXT, json.as_bytes()));
            sock.send_status(v, &f);
            // An older version arriving late is dropped.
            sock.send_status(v - 1, &Bytes::from_static(b"stale"));
        }
        assert!(!sock.is_closed());
        // Now the phone reads: whole frames, versions rising, ending with the newest.
        let mut got = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = tokio::time::timeout(Duration::from_secs(3), phone.read(&mut buf))
                .await
                .expect("data keeps coming")
                .unwrap();
            assert!(n > 0, "connection closed");
            got.extend_from_slice(&buf[..n]);
            let last = frames(&got).pop();
            if last.is_some_and(|(_, p)| p.starts_with(b"{\"v\":2000,")) {
                break;
            }
        }
        let fs = frames(&got);
        let versions: Vec<u64> = fs
            .iter()
            .map(|(op, p)| {
                assert_eq!(*op, frame::TEXT);
                let v: serde_json::Value = serde_json::from_slice(p).expect("a whole JSON frame");
                v["v"].as_u64().unwrap()
            })
            .collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        assert_eq!(versions.last(), Some(&2000));
        assert!(versions.len() < 2000, "the waiting ones were coalesced");
        // The phone leaves: the task ends and the socket says it is closed.
        drop(phone);
        tokio::time::timeout(Duration::from_secs(3), task)
            .await
            .expect("task ends")
            .unwrap();
        assert!(sock.is_closed());
    }

    #[tokio::test]
    async fn a_phone_that_answers_no_ping_is_closed_and_one_that_answers_is_kept() {
        let timing = Timing {
            ping: Duration::from_millis(100),
            idle: Duration::from_millis(350),
        };
        // Silent: pinged, then closed with 1001 once silent for `idle`.
        let (sock, mut phone) = pair().await;
        let started = std::time::Instant::now();
        tokio::time::timeout(Duration::from_secs(3), sock.run(Vec::new(), timing))
            .await
            .expect("the silent phone's socket ends");
        assert!(started.elapsed() >= Duration::from_millis(350));
        assert!(sock.is_closed());
        drop(sock);
        let mut got = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(1), phone.read_to_end(&mut got)).await;
        let fs = frames(&got);
        assert!(fs.iter().any(|(op, _)| *op == frame::PING), "{fs:?}");
        assert_eq!(
            fs.last(),
            Some(&(frame::CLOSE, 1001u16.to_be_bytes().to_vec()))
        );

        // Answering: a masked, empty pong to each ping keeps the socket open.
        let (sock, phone) = pair().await;
        let sock = std::sync::Arc::new(sock);
        let task = tokio::spawn({
            let sock = sock.clone();
            async move { sock.run(Vec::new(), timing).await }
        });
        let (mut rd, mut wr) = phone.into_split();
        let answering = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let mut buf = [0u8; 64];
            while let Ok(n) = rd.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if wr.write_all(&[0x8A, 0x80, 1, 2, 3, 4]).await.is_err() {
                    break;
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert!(!sock.is_closed(), "a phone that answers stays");
        assert!(!task.is_finished());
        task.abort();
        answering.abort();
    }
}
