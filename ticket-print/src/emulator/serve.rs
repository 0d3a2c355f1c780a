//! Driving the [`Emulator`] over a byte stream: read, answer status queries, report each
//! ticket as it is cut; and a TCP listener that serves each connection so.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::{Emulator, EmulatorOptions, PrintedTicket};

/// What the emulator tells its user: each ticket as it is cut.
pub type Seen = dyn Fn(&PrintedTicket) + Send + Sync;

/// The stall switch and the ticket count, shared by all connections of one emulator.
#[derive(Debug, Default)]
pub struct Stall {
    /// Bytes left to read before the printer hangs (`None`: never).
    left: Option<AtomicU64>,
    /// Tickets so far.
    seq: AtomicU64,
}

impl Stall {
    /// A printer that hangs after `after` bytes (never with `None`).
    pub fn new(after: Option<u64>) -> Self {
        Self {
            left: after.map(AtomicU64::new),
            seq: AtomicU64::new(0),
        }
    }

    /// How many of `want` bytes may still be read (takes them from the allowance).
    fn take(&self, want: usize) -> usize {
        let Some(left) = &self.left else {
            return want;
        };
        let mut granted = 0;
        let _ = left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |l| {
            granted = l.min(want as u64);
            Some(l - granted)
        });
        granted as usize
    }
}

/// Serves one stream until its end (a pty: until an error). After the stall allowance is
/// used up it reads nothing more and never returns, holding the stream open.
///
/// # Errors
/// A read or write error of the stream.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: S,
    options: &EmulatorOptions,
    stall: &Stall,
    seen: &Seen,
) -> std::io::Result<()> {
    let mut emulator = Emulator::new(*options);
    let mut buf = vec![0u8; 4096];
    loop {
        let allowed = stall.take(buf.len());
        if allowed == 0 {
            std::future::pending::<()>().await;
        }
        let n = io.read(&mut buf[..allowed]).await?;
        let out = if n == 0 {
            emulator.finish()
        } else {
            emulator.handle(&buf[..n])
        };
        if !out.answer.is_empty() {
            io.write_all(&out.answer).await?;
            io.flush().await?;
        }
        for mut ticket in out.tickets {
            ticket.seq = stall.seq.fetch_add(1, Ordering::AcqRel) + 1;
            seen(&ticket);
        }
        if n == 0 {
            return Ok(());
        }
    }
}

/// Accepts connections on `listener` for ever, serving each as [`serve`] does.
///
/// # Errors
/// When accepting fails.
pub async fn serve_tcp(
    listener: TcpListener,
    options: EmulatorOptions,
    stall: Arc<Stall>,
    seen: Arc<Seen>,
) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let (stall, seen) = (stall.clone(), seen.clone());
        tokio::spawn(async move {
            let _ = serve(stream, &options, &stall, &*seen).await;
        });
    }
}
