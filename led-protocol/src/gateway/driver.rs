//! The task that owns one bus: opens it, feeds the [`Bus`] state machine, writes what it
//! says, and reopens with backoff when the port is lost. Reports what each board shows to
//! the state file, and logs each board by bus, address and window.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::log::BusLog;
use super::state::Shared;
use super::transport::{device_id, open, Endpoint, Line, Opened};
use crate::bus::{Bus, Transmit};

/// New content for one board of this bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Board index on the bus.
    pub board: usize,
    /// The whole frame.
    pub frame: Vec<u8>,
    /// The text it shows (for the state file and logs).
    pub text: String,
}

/// How often a serial device file is checked for having vanished.
const DEVICE_CHECK: Duration = Duration::from_secs(1);
/// A write that takes longer than this means the line is stuck.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// A bus task's names, for logs and the state file.
#[derive(Debug, Clone)]
pub struct Names {
    /// Bus id.
    pub bus: String,
    /// Each board's label (`#1 窗口 / window 3`), by index on the bus.
    pub boards: Vec<String>,
    /// Index of this bus's first board in the state file.
    pub first: usize,
}

impl Names {
    /// Names for a bus `bus` whose boards serve `windows` at `addresses` (state index 0).
    #[must_use]
    pub fn new(bus: &str, boards: &[(u16, String)]) -> Self {
        Self {
            bus: bus.to_string(),
            boards: boards
                .iter()
                .map(|(address, window)| board_label(*address, window))
                .collect(),
            first: 0,
        }
    }
}

/// `#1 窗口 / window 3` or `#2 大厅 / hall`.
#[must_use]
pub fn board_label(address: u16, window: &str) -> String {
    if window == hallq_config::led::HALL {
        format!("#{address} 大厅 / hall")
    } else {
        format!("#{address} 窗口 / window {window}")
    }
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
    state: Option<Arc<Shared>>,
) {
    let place = endpoint.describe();
    let mut log = BusLog::new(&names, &place, state);
    loop {
        log.report(&bus);
        let due = bus.poll_timeout().map(Instant::from_std);
        tokio::select! {
            () = sleep_until(due) => {}
            u = updates.recv() => match u {
                Some(u) => { bus.handle_update(u.board, u.frame, u.text, now()); continue; }
                None => return,
            },
            _ = stop.changed() => return,
        }
        if !bus.wants_open(now()) {
            continue;
        }
        match open(&endpoint).await {
            Ok(opened) => {
                let reopened = bus.failures() > 0 || log.was_open();
                bus.handle_opened(now());
                log.opened(reopened);
                match drive_logged(opened, &mut bus, &mut log, &mut updates, &mut stop).await {
                    Ended::Lost(why) => {
                        log.lost(&why);
                        bus.handle_closed(now());
                    }
                    Ended::Stopped => return,
                }
            }
            Err(e) => {
                bus.handle_open_failed(now());
                log.open_failed(bus.failures(), &e.to_string());
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

/// Drives an open bus over `opened` until it fails or the gateway stops (logs and state as
/// `names` say, no state file).
pub async fn drive(
    opened: Opened,
    bus: &mut Bus,
    names: &Names,
    updates: &mut mpsc::UnboundedReceiver<Update>,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let mut log = BusLog::new(names, "", None);
    drive_logged(opened, bus, &mut log, updates, stop).await
}

async fn drive_logged(
    opened: Opened,
    bus: &mut Bus,
    log: &mut BusLog,
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
        log.events(bus);
        log.report(bus);
        let due = bus.poll_timeout().map(Instant::from_std);
        tokio::select! {
            r = stream.read(&mut buf) => match r {
                Ok(0) => return Ended::Lost("end of stream".into()),
                Ok(n) => bus.handle_bytes(&buf[..n], now()),
                Err(e) => return Ended::Lost(format!("read: {e}")),
            },
            u = updates.recv() => match u {
                Some(u) => bus.handle_update(u.board, u.frame, u.text, now()),
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

async fn flush(stream: &mut Box<dyn Line>, bus: &mut Bus) -> Result<(), String> {
    while let Some(out) = bus.poll_transmit() {
        let bytes = match out {
            Transmit::Frame(bytes) => bytes,
            Transmit::Clear => {
                // Bytes waiting from before (an answer too late, a board's power-on noise)
                // must not be read as the answer to what comes next.
                if let Err(e) = stream.clear() {
                    tracing::debug!("cannot clear the line's buffers: {e}");
                }
                continue;
            }
        };
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
