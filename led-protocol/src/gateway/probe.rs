//! Probing boards by hand (`hallq led probe`): opens a bus, asks each board for an answer
//! and reports what came back and how fast.
//!
//! - BX: a ping (`A2 00`, answer wanted) to the board's address; an ACK from that address
//!   is the answer.
//! - Alpha: Read TEXT of the board's file label; the sign answers with the file it holds
//!   (so the probe also says what an Alpha sign shows), or ACK/NAK.
//!
//! Each board gets up to `tries` sends, each waiting `timeout`; bytes left on the line from
//! one board are dropped before the next is asked. Nothing here changes what a board shows.

use std::io;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::transport::{open, Endpoint, Line};
use crate::show::{BoardSpec, Protocol};
use crate::{alpha, bx};

/// What a board answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Acknowledged.
    Ack,
    /// Refused, with the BX error code or the Alpha status byte.
    Nack(u8),
    /// An Alpha sign's file: what it shows.
    Text(String),
    /// Nothing in time.
    Nothing,
    /// Bytes that are not an answer (wrong protocol or line settings, noise).
    Garbled(String),
}

impl Answer {
    /// Whether the board is there and listening (an ACK, a NACK or its text).
    #[must_use]
    pub const fn is_alive(&self) -> bool {
        matches!(self, Self::Ack | Self::Nack(_) | Self::Text(_))
    }
}

/// One board's probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    /// The board's answer (the last try's, when none was alive).
    pub answer: Answer,
    /// From the send to the answer, for an answer.
    pub round_trip: Option<Duration>,
    /// Sends it took.
    pub tries: u32,
}

/// The probe frame for a board: a BX ping, or an Alpha Read TEXT of its label.
///
/// # Errors
/// When the frame cannot be encoded (an Alpha label that is not printable ASCII).
pub fn probe_frame(spec: &BoardSpec) -> Result<Vec<u8>, String> {
    match spec.protocol {
        Protocol::Bx => bx::Frame::new(
            bx::Header::to_screen(spec.address),
            bx::Command::Ping(bx::Plain::default()),
        )
        .to_bytes()
        .map_err(|e| e.to_string()),
        Protocol::Alpha => alpha::Packet::new(
            alpha::Address::new(u8::try_from(spec.address).unwrap_or(0)),
            alpha::Command::ReadText { label: spec.label },
        )
        .to_bytes()
        .map_err(|e| e.to_string()),
    }
}

/// Opens `endpoint`, probes each board in order, closes it.
///
/// # Errors
/// The open's IO error (missing device, port busy, refused connection); a read or write
/// error while probing.
pub async fn probe_bus(
    endpoint: &Endpoint,
    boards: &[BoardSpec],
    timeout: Duration,
    tries: u32,
) -> io::Result<Vec<Probed>> {
    let mut stream = open(endpoint).await?.stream;
    let mut out = Vec::with_capacity(boards.len());
    for spec in boards {
        out.push(probe_one(&mut stream, spec, timeout, tries.max(1)).await?);
    }
    Ok(out)
}

async fn probe_one(
    stream: &mut Box<dyn Line>,
    spec: &BoardSpec,
    timeout: Duration,
    tries: u32,
) -> io::Result<Probed> {
    let frame = probe_frame(spec).map_err(io::Error::other)?;
    let mut last = Answer::Nothing;
    for attempt in 1..=tries {
        drain(stream).await?;
        let sent = Instant::now();
        stream.write_all(&frame).await?;
        stream.flush().await?;
        last = read_answer(stream, spec, sent + timeout).await?;
        if last.is_alive() {
            return Ok(Probed {
                answer: last,
                round_trip: Some(sent.elapsed()),
                tries: attempt,
            });
        }
    }
    Ok(Probed {
        answer: last,
        round_trip: None,
        tries,
    })
}

/// Drops whatever is waiting on the line (late answers to an earlier probe).
async fn drain(stream: &mut Box<dyn Line>) -> io::Result<()> {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(Duration::from_millis(20), stream.read(&mut buf)).await {
            Ok(Ok(0)) => return Err(io::Error::other("end of stream")),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Ok(()),
        }
    }
}

async fn read_answer(
    stream: &mut Box<dyn Line>,
    spec: &BoardSpec,
    deadline: Instant,
) -> io::Result<Answer> {
    let mut rx = BytesMut::new();
    let mut buf = [0u8; 1024];
    let mut garbled = None;
    loop {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut buf)).await;
        let n = match read {
            Err(_) => return Ok(garbled.map_or(Answer::Nothing, Answer::Garbled)),
            Ok(Ok(0)) => return Err(io::Error::other("end of stream")),
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(e),
        };
        rx.extend_from_slice(&buf[..n]);
        if rx.len() > 64 * 1024 {
            return Ok(Answer::Garbled("more than 64 KiB without an answer".into()));
        }
        loop {
            match decode(spec, &mut rx) {
                Ok(Some(Some(answer))) => return Ok(answer),
                Ok(Some(None)) => {}
                Ok(None) => break,
                Err(e) => garbled = Some(e),
            }
        }
    }
}

/// `Ok(None)`: need more bytes; `Ok(Some(None))`: something not for us (skipped).
fn decode(spec: &BoardSpec, rx: &mut BytesMut) -> Result<Option<Option<Answer>>, String> {
    match spec.protocol {
        Protocol::Bx => match bx::Frame::decode(rx) {
            Ok(Some(frame)) => {
                let from_board =
                    frame.header.src == spec.address || spec.address == bx::Header::WILDCARD_DST;
                Ok(Some(match (&frame.command, from_board) {
                    (bx::Command::Ack(_), true) => Some(Answer::Ack),
                    (bx::Command::Nack(r), true) => Some(Answer::Nack(r.error)),
                    _ => None,
                }))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(format!("BX: {e}")),
        },
        Protocol::Alpha => match alpha::Incoming::decode(rx) {
            Ok(Some(alpha::Incoming::Ack(_))) => Ok(Some(Some(Answer::Ack))),
            Ok(Some(alpha::Incoming::Nak(s))) => Ok(Some(Some(Answer::Nack(s.to_byte())))),
            Ok(Some(alpha::Incoming::Packet(p))) => {
                Ok(Some(p.read_text_response().map(|t| {
                    Answer::Text(t.segments.iter().map(|s| s.text.as_str()).collect())
                })))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(format!("Alpha: {e}")),
        },
    }
}
