//! Serving the [`Emulator`] on a byte stream, a TCP port or a pty.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::transport::AsyncReadWrite;
use crate::emulator::{Emulator, Seen};
use crate::show::Protocol;

/// How the emulated board behaves.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// Protocol it speaks.
    pub protocol: Protocol,
    /// Its address (`None`: any).
    pub address: Option<u16>,
    /// Alpha: answer ACK (as after `E s`).
    pub alpha_ack: bool,
    /// While true, the board reads but never answers (a board that stopped answering).
    pub silent: Arc<AtomicBool>,
    /// The power switch: while false the board is off — what reaches it is lost (not
    /// decoded, not shown, not answered), and when it comes on it starts from nothing, like
    /// a controller on an RS-485 line that was switched off.
    pub powered: Arc<AtomicBool>,
}

impl EmulatorOptions {
    /// An answering board for `protocol` at any address.
    #[must_use]
    pub fn new(protocol: Protocol) -> Self {
        Self {
            protocol,
            address: None,
            alpha_ack: false,
            silent: Arc::new(AtomicBool::new(false)),
            powered: Arc::new(AtomicBool::new(true)),
        }
    }
}

/// Serves one connection until it closes: every frame goes to `on_seen`; answers are
/// written back unless the board is silent. While the board is off (see
/// [`EmulatorOptions::powered`]) bytes are read and lost.
///
/// # Errors
/// A read or write error of the stream.
pub async fn serve<S: AsyncReadWrite>(
    mut stream: S,
    opts: &EmulatorOptions,
    on_seen: &(dyn Fn(&Seen) + Send + Sync),
) -> io::Result<()> {
    let fresh = || Emulator::new(opts.protocol, opts.address, opts.alpha_ack);
    let mut emu = fresh();
    let mut was_on = true;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let on = opts.powered.load(Ordering::Relaxed);
        if !on {
            was_on = false;
            continue;
        }
        if !was_on {
            // Powered on again: nothing of before survives.
            emu = fresh();
            was_on = true;
        }
        for seen in emu.handle_bytes(&buf[..n]) {
            on_seen(&seen);
            if let Seen::Frame {
                reply: Some(reply), ..
            } = &seen
            {
                if !opts.silent.load(Ordering::Relaxed) {
                    stream.write_all(reply).await?;
                    stream.flush().await?;
                }
            }
        }
    }
}

/// Accepts connections on `listener` forever, one emulated board per connection. Dropping
/// (or aborting) the future closes every connection, like a controller that reboots.
///
/// # Errors
/// An accept error.
pub async fn serve_tcp(
    listener: TcpListener,
    opts: EmulatorOptions,
    on_seen: Arc<dyn Fn(&Seen) + Send + Sync>,
) -> io::Result<()> {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (stream, _) = listener.accept().await?;
        let opts = opts.clone();
        let on_seen = on_seen.clone();
        connections.spawn(async move {
            let _ = serve(stream, &opts, &*on_seen).await;
        });
        while connections.try_join_next().is_some() {}
    }
}

/// A pseudo-terminal pair: the emulator's end, the other end kept open (so the pty lives
/// while the gateway closes and reopens it), and the path the gateway opens.
///
/// # Errors
/// When no pty can be allocated.
#[cfg(unix)]
pub fn open_pty() -> io::Result<(
    tokio_serial::SerialStream,
    tokio_serial::SerialStream,
    String,
)> {
    use tokio_serial::SerialPort;
    let (master, slave) = tokio_serial::SerialStream::pair().map_err(io::Error::from)?;
    let path = slave
        .name()
        .ok_or_else(|| io::Error::other("pty without a name"))?;
    Ok((master, slave, path))
}
