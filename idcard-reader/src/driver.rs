//! The IO around [`Reader`]: one task owns the port, feeds the state machine, writes what it
//! asks for, and hands each card to a channel.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_serial::SerialStream;

use crate::card::IdCard;
use crate::reader::{Event, Reader, ReaderOptions};

/// Speed most readers ship with.
pub const DEFAULT_BAUD: u32 = 115_200;

fn now() -> std::time::Instant {
    Instant::now().into_std()
}

/// Drives a reader on `port` until the receiver of `tx` is dropped (`Ok`) or the port fails,
/// and hands every [`Event`] to `tx` (waiting while the channel is full): cards, removals,
/// errors and [`Event::Answering`]. Logs nothing: the caller knows which port and kiosk it
/// is and says so (see `hallq`'s controller, which summarises repeated failures).
///
/// # Errors
/// The port's IO error (a write that takes longer than `reply_timeout` is
/// [`io::ErrorKind::TimedOut`]); end of stream is [`io::ErrorKind::UnexpectedEof`]. Reopening
/// is the caller's choice.
pub async fn drive<P>(mut port: P, opts: ReaderOptions, tx: mpsc::Sender<Event>) -> io::Result<()>
where
    P: AsyncRead + AsyncWrite + Unpin,
{
    let mut reader = Reader::new(opts, now());
    let mut buf = vec![0u8; 2048];
    loop {
        while let Some(bytes) = reader.poll_transmit() {
            write(&mut port, &bytes, opts).await?;
        }
        while let Some(event) = reader.poll_event() {
            if tx.send(event).await.is_err() {
                return Ok(());
            }
        }
        let due = Instant::from_std(reader.poll_timeout());
        tokio::select! {
            read = port.read(&mut buf) => match read? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => reader.handle_input(now(), &buf[..n]),
            },
            () = tokio::time::sleep_until(due) => reader.handle_timeout(now()),
            () = tx.closed() => return Ok(()),
        }
    }
}

/// [`drive`], handing on only the cards: each card presentation sends one [`IdCard`] on
/// `tx` (waiting while the channel is full). Reader errors are logged with `tracing` at
/// `warn` (without naming the port: callers that know it use [`drive`]) and survived.
/// Nothing logged contains an ID number in clear.
///
/// # Errors
/// As [`drive`].
pub async fn run<P>(port: P, opts: ReaderOptions, tx: mpsc::Sender<IdCard>) -> io::Result<()>
where
    P: AsyncRead + AsyncWrite + Unpin,
{
    let (events, mut rx) = mpsc::channel(4);
    let forward = async move {
        loop {
            let event = tokio::select! {
                e = rx.recv() => e,
                () = tx.closed() => return,
            };
            match event {
                None => return,
                Some(Event::CardRead(card)) => {
                    // Personal fields (even masked) only at debug level.
                    tracing::info!("身份证已读取 / ID card read");
                    tracing::debug!(card = ?card, "身份证内容（已打码）/ ID card fields, masked");
                    if tx.send(card).await.is_err() {
                        return;
                    }
                }
                Some(Event::CardRemoved) => tracing::debug!("身份证已取走 / ID card removed"),
                Some(Event::Answering) => tracing::debug!("读卡器应答 / the reader answers"),
                Some(Event::Error(e)) => tracing::warn!("{e}"),
            }
        }
    };
    tokio::select! {
        r = drive(port, opts, events) => r,
        () = forward => Ok(()),
    }
}

/// Writes one request; a port that does not take it within `reply_timeout` is stuck.
async fn write<P: AsyncWrite + Unpin>(
    port: &mut P,
    bytes: &[u8],
    opts: ReaderOptions,
) -> io::Result<()> {
    let write = async {
        port.write_all(bytes).await?;
        port.flush().await
    };
    tokio::time::timeout(opts.reply_timeout, write)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "serial write timed out"))?
}

/// Opens a reader's serial port: `baud` ([`DEFAULT_BAUD`] for most readers), 8 data bits,
/// no parity, 1 stop bit, no flow control. Must be called inside a tokio runtime.
///
/// # Errors
/// The open error (missing device, permission, port already open elsewhere).
pub fn open_serial(path: &str, baud: u32) -> io::Result<SerialStream> {
    use tokio_serial::SerialPortBuilderExt;
    tokio_serial::new(path, baud)
        .data_bits(tokio_serial::DataBits::Eight)
        .parity(tokio_serial::Parity::None)
        .stop_bits(tokio_serial::StopBits::One)
        .flow_control(tokio_serial::FlowControl::None)
        .open_native_async()
        .map_err(io::Error::from)
}

/// Plays a reader: answers what the host writes on `port` with the shared [`Emulator`]
/// (a pty master in tests, or a demo without hardware). Returns when the port closes.
pub async fn serve_emulator<P>(mut port: P, emu: std::sync::Arc<std::sync::Mutex<crate::Emulator>>)
where
    P: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = [0u8; 512];
    loop {
        let n = match port.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let out = {
            let mut e = emu.lock().unwrap_or_else(|e| e.into_inner());
            e.handle_input(&buf[..n]);
            e.poll_transmit()
        };
        if let Some(out) = out {
            if port.write_all(&out).await.is_err() {
                return;
            }
        }
    }
}
