//! A ticket with the status check: for TCP and serial printers, ask `DLE EOT 2` and
//! `DLE EOT 4` before the ticket (paper out or cover open: nothing is sent), send the
//! ticket, then ask again and wait for the answer — a printer that stopped reading part way
//! through never answers, so the print times out instead of passing for printed.
//!
//! A printer that does not answer the first question within `answer_within` is taken as
//! one that does not answer status at all (many cheap printers), and the ticket goes out
//! unchecked; the caller remembers that ([`Checked::asked`] without a condition) and may
//! say with [`PrintOptions::expect_answer`] that a printer known to answer must answer.
//! Device files (USB `lp`) are written without a check.

use std::io::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::{tcp_address, PrintError, Printer, Stage};
use crate::status::{Condition, STATUS_QUERY};

/// How [`Printer::print`] goes about one ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// Deadline of the whole print: connect, status, ticket, confirmation.
    pub timeout: Duration,
    /// Ask the status around the ticket (TCP and serial printers only).
    pub ask_status: bool,
    /// The printer answered status before: no answer now fails ([`Stage::Status`]).
    pub expect_answer: bool,
    /// How long the first status answer may take.
    pub answer_within: Duration,
}

impl Default for PrintOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            ask_status: true,
            expect_answer: false,
            answer_within: Duration::from_millis(800),
        }
    }
}

/// What a print found out about the printer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// The status was asked (a TCP or serial printer, and `ask_status`).
    pub asked: bool,
    /// The printer's last status answer (after the ticket); `None` when it did not answer.
    pub condition: Option<Condition>,
}

impl Printer {
    /// Prints `bytes` with the status check of the module docs.
    ///
    /// # Errors
    /// [`PrintError::NotReady`] when the status says paper out, cover open or error;
    /// [`PrintError::Timeout`] naming the stage that did not finish in time; the other
    /// variants as for [`Printer::send`].
    pub async fn print(&self, bytes: &[u8], options: &PrintOptions) -> Result<Checked, PrintError> {
        match self {
            Self::File(_) => {
                self.send(bytes, options.timeout).await?;
                Ok(Checked::default())
            }
            Self::Tcp(addr) => tcp(&tcp_address(addr), bytes, options).await,
            Self::Serial { path, baud } => {
                serial(path.clone(), *baud, bytes.to_vec(), *options, self.target()).await
            }
        }
    }
}

/// Asks [`STATUS_QUERY`] and reads the two answers; `None` when they are not status bytes.
async fn ask<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S) -> std::io::Result<Option<Condition>> {
    s.write_all(&STATUS_QUERY).await?;
    let mut b = [0u8; 2];
    s.read_exact(&mut b).await?;
    Ok(Condition::from_answers(b[0], b[1]))
}

/// The status answer before the ticket: stops on a problem, or on silence from a printer
/// that must answer.
fn judge_before(
    condition: Option<Condition>,
    options: &PrintOptions,
    target: &str,
) -> Result<(), PrintError> {
    match condition {
        None if options.expect_answer => Err(PrintError::Timeout {
            target: target.to_owned(),
            after: options.answer_within,
            stage: Stage::Status,
        }),
        Some(c) => match c.problem() {
            Some(problem) => Err(PrintError::NotReady {
                target: target.to_owned(),
                problem,
            }),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

async fn tcp(target: &str, bytes: &[u8], options: &PrintOptions) -> Result<Checked, PrintError> {
    let deadline = Instant::now() + options.timeout;
    let timed_out = |stage| PrintError::Timeout {
        target: target.to_owned(),
        after: options.timeout,
        stage,
    };
    let failed = |source| PrintError::Write {
        target: target.to_owned(),
        source,
    };
    let mut stream = timeout_at(deadline, TcpStream::connect(target))
        .await
        .map_err(|_| timed_out(Stage::Open))?
        .map_err(|source| PrintError::Open {
            target: target.to_owned(),
            source,
        })?;
    let mut condition = None;
    if options.ask_status {
        let within = deadline.min(Instant::now() + options.answer_within);
        condition = match timeout_at(within, ask(&mut stream)).await {
            Ok(answer) => answer.map_err(failed)?,
            Err(_) => None,
        };
        judge_before(condition, options, target)?;
    }
    timeout_at(deadline, stream.write_all(bytes))
        .await
        .map_err(|_| timed_out(Stage::Write))?
        .map_err(failed)?;
    if condition.is_some() {
        condition = timeout_at(deadline, ask(&mut stream))
            .await
            .map_err(|_| timed_out(Stage::Confirm))?
            .map_err(failed)?;
        if let Some(problem) = condition.and_then(|c| c.problem()) {
            let target = target.to_owned();
            return Err(PrintError::NotReady { target, problem });
        }
    }
    timeout_at(deadline, stream.shutdown())
        .await
        .map_err(|_| timed_out(Stage::Write))?
        .map_err(failed)?;
    Ok(Checked {
        asked: options.ask_status,
        condition,
    })
}

const OPEN: u8 = 0;
const WRITE: u8 = 1;
const STATUS: u8 = 2;
const CONFIRM: u8 = 3;

/// The serial print, on the blocking pool (see the parent module), given up after the
/// timeout with the stage it was in.
async fn serial(
    path: String,
    baud: u32,
    bytes: Vec<u8>,
    options: PrintOptions,
    target: String,
) -> Result<Checked, PrintError> {
    let stage = Arc::new(AtomicU8::new(OPEN));
    let flag = Arc::clone(&stage);
    let name = target.clone();
    let job = move || serial_job(&path, baud, &bytes, &options, &name, &flag);
    match tokio::time::timeout(options.timeout, tokio::task::spawn_blocking(job)).await {
        Err(_) => Err(PrintError::Timeout {
            target,
            after: options.timeout,
            stage: match stage.load(Ordering::Acquire) {
                OPEN => Stage::Open,
                STATUS => Stage::Status,
                CONFIRM => Stage::Confirm,
                _ => Stage::Write,
            },
        }),
        Ok(Err(join)) => Err(PrintError::Worker {
            target,
            reason: join.to_string(),
        }),
        Ok(Ok(result)) => result,
    }
}

fn ask_blocking(port: &mut dyn serialport::SerialPort) -> std::io::Result<Option<Condition>> {
    port.write_all(&STATUS_QUERY)?;
    port.flush()?;
    let mut b = [0u8; 2];
    port.read_exact(&mut b)?;
    Ok(Condition::from_answers(b[0], b[1]))
}

fn serial_job(
    path: &str,
    baud: u32,
    bytes: &[u8],
    options: &PrintOptions,
    target: &str,
    stage: &AtomicU8,
) -> Result<Checked, PrintError> {
    let deadline = std::time::Instant::now() + options.timeout;
    let left = || deadline.saturating_duration_since(std::time::Instant::now());
    let failed = |source| PrintError::Write {
        target: target.to_owned(),
        source,
    };
    let mut port = serialport::new(path, baud)
        .timeout(options.answer_within.min(options.timeout))
        .open()
        .map_err(|source| PrintError::Serial {
            target: target.to_owned(),
            source,
        })?;
    // A late answer to an earlier question must not be read as this one's.
    let _ = port.clear(serialport::ClearBuffer::Input);
    let mut condition = None;
    if options.ask_status {
        stage.store(STATUS, Ordering::Release);
        condition = match ask_blocking(&mut *port) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => None,
            Err(e) => return Err(failed(e)),
        };
        judge_before(condition, options, target)?;
    }
    stage.store(WRITE, Ordering::Release);
    let _ = port.set_timeout(left());
    if let Err(e) = port.write_all(bytes).and_then(|()| port.flush()) {
        // Drop what is still queued so that closing the port does not wait for it.
        let _ = port.clear(serialport::ClearBuffer::Output);
        return Err(failed(e));
    }
    if condition.is_some() {
        stage.store(CONFIRM, Ordering::Release);
        let _ = port.set_timeout(left());
        condition = match ask_blocking(&mut *port) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                let _ = port.clear(serialport::ClearBuffer::Output);
                return Err(PrintError::Timeout {
                    target: target.to_owned(),
                    after: options.timeout,
                    stage: Stage::Confirm,
                });
            }
            Err(e) => return Err(failed(e)),
        };
        if let Some(problem) = condition.and_then(|c| c.problem()) {
            let target = target.to_owned();
            return Err(PrintError::NotReady { target, problem });
        }
    }
    Ok(Checked {
        asked: options.ask_status,
        condition,
    })
}
