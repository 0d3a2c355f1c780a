//! The task that owns one bus: opens it, feeds the [`Bus`] state machine, writes what it
//! says, and reopens with backoff when the port is lost.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::transport::{device_id, open, AsyncReadWrite, Endpoint, Opened};
use crate::bus::{Bus, BusEvent};

/// New content for one board of this bus: (board index on the bus, frame bytes).
pub type Update = (usize, Vec<u8>);

/// How often a serial device file is checked for having vanished.
const DEVICE_CHECK: Duration = Duration::from_secs(1);
/// A write that takes longer than this means the line is stuck.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// A bus task's names, for logs.
#[derive(Debug, Clone)]
pub struct Names {
    /// Bus id.
    pub bus: String,
    /// Board names, by index on the bus.
    pub boards: Vec<String>,
}

fn now() -> std::time::Instant {
    Instant::now().into_std()
}

/// Runs the bus until `stop` turns true or every sender of `updates` is gone.
pub async fn run_bus(
    names: Names,
    endpoint: Endpoint,
    mut bus: Bus,
    mut updates: mpsc::UnboundedReceiver<Update>,
    mut stop: watch::Receiver<bool>,
) {
    let place = endpoint.describe();
    loop {
        let due = bus.poll_timeout().map(Instant::from_std);
        tokio::select! {
            () = sleep_until(due) => {}
            u = updates.recv() => match u {
                Some((board, frame)) => { bus.handle_content(board, frame, now()); continue; }
                None => return,
            },
            _ = stop.changed() => return,
        }
        if !bus.wants_open(now()) {
            continue;
        }
        match open(&endpoint).await {
            Ok(opened) => {
                let failures = bus.failures();
                bus.handle_opened(now());
                if failures > 0 {
                    tracing::info!(bus = %names.bus, "LED 总线已重新连接 / bus reopened: {place}");
                } else {
                    tracing::info!(bus = %names.bus, "LED 总线已连接 / bus open: {place}");
                }
                match drive(opened, &mut bus, &names, &mut updates, &mut stop).await {
                    Ended::Lost(why) => {
                        tracing::warn!(bus = %names.bus, "LED 总线断开 / bus lost ({place}): {why}; reopening with backoff");
                        bus.handle_closed(now());
                    }
                    Ended::Stopped => return,
                }
            }
            Err(e) => {
                bus.handle_open_failed(now());
                if bus.failures() == 1 {
                    tracing::warn!(bus = %names.bus, "LED 总线无法打开 / cannot open bus {place}: {e}; retrying quietly with backoff");
                } else {
                    tracing::debug!(bus = %names.bus, failures = bus.failures(), "cannot open {place}: {e}");
                }
            }
        }
    }
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Why [`drive`] returned.
#[derive(Debug)]
pub enum Ended {
    /// The port failed; the reason.
    Lost(String),
    /// Shutdown (or no more updates).
    Stopped,
}

/// Drives an open bus over `stream` until it fails or the gateway stops.
pub async fn drive(
    opened: Opened,
    bus: &mut Bus,
    names: &Names,
    updates: &mut mpsc::UnboundedReceiver<Update>,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let Opened { mut stream, device } = opened;
    let mut check = tokio::time::interval(DEVICE_CHECK);
    let mut buf = vec![0u8; 4096];
    loop {
        if let Err(why) = flush(&mut stream, bus).await {
            return Ended::Lost(why);
        }
        log_events(bus, names);
        let due = bus.poll_timeout().map(Instant::from_std);
        tokio::select! {
            r = stream.read(&mut buf) => match r {
                Ok(0) => return Ended::Lost("end of stream".into()),
                Ok(n) => bus.handle_bytes(&buf[..n], now()),
                Err(e) => return Ended::Lost(format!("read: {e}")),
            },
            u = updates.recv() => match u {
                Some((board, frame)) => bus.handle_content(board, frame, now()),
                None => return Ended::Stopped,
            },
            () = sleep_until(due) => bus.handle_timeout(now()),
            _ = check.tick(), if device.is_some() => {
                if let Some((path, id)) = &device {
                    let current = device_id(path);
                    if current.is_none() || current != *id {
                        return Ended::Lost(format!("device file {path} vanished or was replaced"));
                    }
                }
            }
            _ = stop.changed() => return Ended::Stopped,
        }
    }
}

async fn flush(stream: &mut Box<dyn AsyncReadWrite>, bus: &mut Bus) -> Result<(), String> {
    while let Some(bytes) = bus.poll_transmit() {
        let write = async {
            stream.write_all(&bytes).await?;
            stream.flush().await
        };
        match tokio::time::timeout(WRITE_TIMEOUT, write).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("write: {e}")),
            Err(_) => return Err("write timed out".into()),
        }
    }
    Ok(())
}

fn log_events(bus: &mut Bus, names: &Names) {
    let board = |i: usize| names.boards.get(i).map_or("?", String::as_str);
    while let Some(event) = bus.poll_event() {
        match event {
            BusEvent::Delivered { board: b, attempts } => {
                tracing::debug!(bus = %names.bus, board = board(b), attempts, "frame delivered");
            }
            BusEvent::TimedOut { board: b, attempts } => {
                tracing::debug!(bus = %names.bus, board = board(b), attempts, "no ACK in time; resending");
            }
            BusEvent::Nacked { board: b, code } => {
                tracing::warn!(bus = %names.bus, board = board(b), code, "LED 屏拒收 / board refused the frame (NACK)");
            }
            BusEvent::GaveUp { board: b } => {
                tracing::warn!(bus = %names.bus, board = board(b), "LED 屏无应答 / board does not answer; trying again later");
            }
            BusEvent::BadReply { reason } => {
                tracing::warn!(bus = %names.bus, "LED 屏回复无效 / bad reply ignored: {reason}");
            }
        }
    }
}
