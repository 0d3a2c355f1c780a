//! Sending bytes to a printer: USB `lp` device file, serial port, TCP 9100.
//!
//! Every send has one deadline covering open/connect, write and flush; on
//! any failure the caller gets a [`PrintError`] and should mark the ticket
//! `print_failed` (it stays reprintable). The device file and the serial
//! port are written from the blocking thread pool with std I/O, since a
//! stuck printer can block `write`, `tcdrain` and even `close`; such a
//! thread may outlive the timeout, the caller does not.
//!
//! [`Printer::print`] (`printer/checked.rs`) adds the status check of printers that answer
//! `DLE EOT` (TCP and serial): paper and cover before the ticket, and an answer after it.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

mod checked;
pub use checked::{Checked, PrintOptions};

/// Port used by `Printer::Tcp` when the address has none (raw "JetDirect").
pub const DEFAULT_TCP_PORT: u16 = 9100;

/// Where a printer is attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Printer {
    /// A device file written as is, e.g. `/dev/usb/lp0`. It must exist:
    /// it is never created (a regular file is appended to).
    File(PathBuf),
    /// A serial port, 8N1 without flow control.
    Serial {
        /// Device path, e.g. `/dev/ttyUSB0`.
        path: String,
        /// Baud rate, e.g. 9600 or 115200.
        baud: u32,
    },
    /// A network printer: `host:port`, or `host` for port 9100.
    Tcp(String),
}

/// Stage of a send that went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Opening the file or port, or connecting.
    Open,
    /// Writing or flushing the bytes.
    Write,
    /// Waiting for the status answer before the ticket (of a printer known to answer).
    Status,
    /// Waiting for the status answer after the ticket: the printer stopped reading.
    Confirm,
}

/// Why a ticket could not be sent to the printer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    /// The device file could not be opened or the TCP connection failed.
    #[error("cannot open printer {target}: {source}")]
    Open {
        /// The printer, as in [`Printer::target`].
        target: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The serial port could not be opened or configured.
    #[error("cannot open serial printer {target}: {source}")]
    Serial {
        /// The printer.
        target: String,
        /// The cause.
        #[source]
        source: serialport::Error,
    },
    /// Writing failed part way; the printer may have printed part of the ticket.
    #[error("writing to printer {target} failed: {source}")]
    Write {
        /// The printer.
        target: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The deadline passed before the bytes were sent.
    #[error("printer {target} timed out after {after:?} ({stage:?})")]
    Timeout {
        /// The printer.
        target: String,
        /// The timeout that was given.
        after: Duration,
        /// Which stage was running.
        stage: Stage,
    },
    /// The printer's status says it cannot print (paper out, cover open, error).
    #[error("printer {target} is not ready: {}", problem.as_str())]
    NotReady {
        /// The printer.
        target: String,
        /// What its status says.
        problem: crate::status::Problem,
    },
    /// The blocking worker thread panicked or was cancelled.
    #[error("printer {target}: worker thread failed: {reason}")]
    Worker {
        /// The printer.
        target: String,
        /// What the runtime reported.
        reason: String,
    },
}

impl Printer {
    /// A human-readable name of the printer for messages: the path or address.
    pub fn target(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Serial { path, baud } => format!("{path}@{baud}"),
            Self::Tcp(addr) => tcp_address(addr),
        }
    }

    /// Sends `bytes` and waits until they are written, within `timeout`.
    ///
    /// # Errors
    ///
    /// A [`PrintError`] naming the printer and the stage that failed.
    pub async fn send(&self, bytes: &[u8], timeout: Duration) -> Result<(), PrintError> {
        match self {
            Self::File(path) => {
                send_file(path.clone(), bytes.to_vec(), timeout, self.target()).await
            }
            Self::Serial { path, baud } => {
                send_serial(path.clone(), *baud, bytes.to_vec(), timeout, self.target()).await
            }
            Self::Tcp(addr) => send_tcp(&tcp_address(addr), bytes, timeout).await,
        }
    }
}

/// `host:port` for an address given with or without a port.
fn tcp_address(addr: &str) -> String {
    if addr.parse::<SocketAddr>().is_ok() {
        return addr.to_owned();
    }
    if let Ok(ip) = addr.parse::<IpAddr>() {
        return SocketAddr::new(ip, DEFAULT_TCP_PORT).to_string();
    }
    match addr.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.parse::<u16>().is_ok() => addr.to_owned(),
        _ => format!("{addr}:{DEFAULT_TCP_PORT}"),
    }
}

async fn send_tcp(addr: &str, bytes: &[u8], timeout: Duration) -> Result<(), PrintError> {
    let deadline = Instant::now() + timeout;
    let timed_out = |stage| PrintError::Timeout {
        target: addr.to_owned(),
        after: timeout,
        stage,
    };
    let mut stream = timeout_at(deadline, TcpStream::connect(addr))
        .await
        .map_err(|_| timed_out(Stage::Open))?
        .map_err(|source| PrintError::Open {
            target: addr.to_owned(),
            source,
        })?;
    let write = async {
        stream.write_all(bytes).await?;
        stream.shutdown().await
    };
    timeout_at(deadline, write)
        .await
        .map_err(|_| timed_out(Stage::Write))?
        .map_err(|source| PrintError::Write {
            target: addr.to_owned(),
            source,
        })
}

async fn send_file(
    path: PathBuf,
    bytes: Vec<u8>,
    timeout: Duration,
    target: String,
) -> Result<(), PrintError> {
    let name = target.clone();
    run_blocking(target, timeout, move |opened| {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|source| PrintError::Open {
                target: name.clone(),
                source,
            })?;
        opened.store(true, Ordering::Release);
        file.write_all(&bytes)
            .and_then(|()| file.flush())
            .map_err(|source| PrintError::Write {
                target: name,
                source,
            })
    })
    .await
}

async fn send_serial(
    path: String,
    baud: u32,
    bytes: Vec<u8>,
    timeout: Duration,
    target: String,
) -> Result<(), PrintError> {
    let name = target.clone();
    run_blocking(target, timeout, move |opened| {
        let mut port = serialport::new(&path, baud)
            .timeout(timeout)
            .open()
            .map_err(|source| PrintError::Serial {
                target: name.clone(),
                source,
            })?;
        opened.store(true, Ordering::Release);
        let result = port.write_all(&bytes).and_then(|()| port.flush());
        if result.is_err() {
            // Drop what is still queued so that closing the port does not wait for it.
            let _ = port.clear(serialport::ClearBuffer::Output);
        }
        result.map_err(|source| PrintError::Write {
            target: name,
            source,
        })
    })
    .await
}

/// Runs `job` on the blocking pool and gives up waiting after `timeout`;
/// `job` sets the flag it is given once the device is open, so that a
/// timeout reports the right [`Stage`].
async fn run_blocking(
    target: String,
    timeout: Duration,
    job: impl FnOnce(&AtomicBool) -> Result<(), PrintError> + Send + 'static,
) -> Result<(), PrintError> {
    let opened = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&opened);
    let task = tokio::task::spawn_blocking(move || job(&flag));
    match tokio::time::timeout(timeout, task).await {
        Err(_) => {
            let stage = if opened.load(Ordering::Acquire) {
                Stage::Write
            } else {
                Stage::Open
            };
            Err(PrintError::Timeout {
                target,
                after: timeout,
                stage,
            })
        }
        Ok(Err(join)) => Err(PrintError::Worker {
            target,
            reason: join.to_string(),
        }),
        Ok(Ok(result)) => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_address_defaults_to_9100() {
        assert_eq!(tcp_address("192.168.1.50"), "192.168.1.50:9100");
        assert_eq!(tcp_address("printer.local"), "printer.local:9100");
        assert_eq!(tcp_address("printer.local:9101"), "printer.local:9101");
        assert_eq!(tcp_address("::1"), "[::1]:9100");
        assert_eq!(tcp_address("[::1]:9200"), "[::1]:9200");
    }
}
