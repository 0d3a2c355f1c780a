//! One serial line or TCP controller with its boards, as a state machine without IO.
//!
//! The driver that owns the port feeds it ([`Bus::handle_content`], [`Bus::handle_bytes`],
//! [`Bus::handle_timeout`], [`Bus::handle_opened`], [`Bus::handle_open_failed`],
//! [`Bus::handle_closed`]) and drains it ([`Bus::poll_transmit`], [`Bus::poll_timeout`],
//! [`Bus::poll_event`]). Time is passed in; nothing here reads the clock.
//!
//! Rules:
//! - One frame at a time on the line. A board that answers (BX; Alpha with `E s`) gets
//!   `ack_timeout` for its ACK; a missing ACK or a NACK resends, up to `retries` times. Then
//!   the frame is given up and the board is skipped for `give_up_pause` (a silent board
//!   costs the line at most `(retries + 1) × ack_timeout` per pause). Boards without ACK get
//!   `frame_gap` before the next frame.
//! - Each board keeps only its newest content; content that changes while a frame is in
//!   flight is sent after it. Boards take turns (round robin).
//! - Lost port: the driver reports [`Bus::handle_closed`]; reopening is due after
//!   `reconnect_min`, doubling on each failed open up to `reconnect_max`. Once open, every
//!   board's current content is sent again.
//! - Replies that do not decode, or that nobody waits for, become [`BusEvent::BadReply`] and
//!   are otherwise ignored.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::BytesMut;

use crate::show::Protocol;
use crate::{alpha, bx};

/// Timing of a bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusOptions {
    /// How long to wait for an ACK.
    pub ack_timeout: Duration,
    /// Resends after a missing ACK or a NACK.
    pub retries: u32,
    /// Pause after a frame to a board that does not answer.
    pub frame_gap: Duration,
    /// First wait before reopening a lost port.
    pub reconnect_min: Duration,
    /// Longest wait before reopening.
    pub reconnect_max: Duration,
    /// How long a board that never answered is skipped.
    pub give_up_pause: Duration,
}

impl Default for BusOptions {
    fn default() -> Self {
        Self {
            ack_timeout: Duration::from_millis(500),
            retries: 2,
            frame_gap: Duration::from_millis(100),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            give_up_pause: Duration::from_secs(30),
        }
    }
}

/// How one board on the bus is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardLink {
    /// Its protocol (decides how replies are read).
    pub protocol: Protocol,
    /// Its address (a BX ACK must come from it; `FFFE` accepts any).
    pub address: u16,
    /// Whether it answers each frame.
    pub ack: bool,
}

/// Something the driver may log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusEvent {
    /// The board's frame was acknowledged (or, without ACK, sent).
    Delivered {
        /// Board index.
        board: usize,
        /// Sends it took.
        attempts: u32,
    },
    /// The board refused the frame (BX NACK error code / Alpha status byte).
    Nacked {
        /// Board index.
        board: usize,
        /// Error code or status byte.
        code: u8,
    },
    /// No ACK in time; the frame is resent.
    TimedOut {
        /// Board index.
        board: usize,
        /// Sends so far.
        attempts: u32,
    },
    /// Every send failed; the board is skipped for a while.
    GaveUp {
        /// Board index.
        board: usize,
    },
    /// Bytes from the line that are not a reply anyone waits for.
    BadReply {
        /// What was wrong.
        reason: String,
    },
}

#[derive(Debug)]
struct Slot {
    link: BoardLink,
    frame: Option<Vec<u8>>,
    /// Bumped by each new content.
    version: u64,
    /// Version delivered or given up.
    done: u64,
    /// Skipped until then after giving up.
    paused_until: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    board: usize,
    version: u64,
    attempts: u32,
    deadline: Instant,
}

#[derive(Debug, Clone, Copy)]
enum Link {
    Down { failures: u32, retry_at: Instant },
    Up,
}

/// The state of one bus; see the module docs.
#[derive(Debug)]
pub struct Bus {
    opts: BusOptions,
    slots: Vec<Slot>,
    link: Link,
    in_flight: Option<InFlight>,
    rx: BytesMut,
    rx_protocol: Protocol,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<BusEvent>,
    cursor: usize,
}

impl Bus {
    /// A bus with these boards (indices are positions in `boards`), not yet open: opening
    /// is due at `now`.
    #[must_use]
    pub fn new(boards: Vec<BoardLink>, opts: BusOptions, now: Instant) -> Self {
        let rx_protocol = boards.first().map_or(Protocol::Bx, |b| b.protocol);
        Self {
            opts,
            slots: boards
                .into_iter()
                .map(|link| Slot {
                    link,
                    frame: None,
                    version: 0,
                    done: 0,
                    paused_until: None,
                })
                .collect(),
            link: Link::Down {
                failures: 0,
                retry_at: now,
            },
            in_flight: None,
            rx: BytesMut::new(),
            rx_protocol,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            cursor: 0,
        }
    }

    /// Whether the port is open.
    #[must_use]
    pub const fn is_up(&self) -> bool {
        matches!(self.link, Link::Up)
    }

    /// Whether the port is closed and reopening is due.
    #[must_use]
    pub fn wants_open(&self, now: Instant) -> bool {
        matches!(self.link, Link::Down { retry_at, .. } if retry_at <= now)
    }

    /// How many opens failed in a row (0 once open).
    #[must_use]
    pub const fn failures(&self) -> u32 {
        match self.link {
            Link::Down { failures, .. } => failures,
            Link::Up => 0,
        }
    }

    /// New content for `board`: its whole frame. Sent as soon as the line is free; an
    /// identical frame is sent again too (a recall re-shows the same text).
    ///
    /// # Panics
    /// When `board` is not an index given to [`Bus::new`].
    pub fn handle_content(&mut self, board: usize, frame: Vec<u8>, now: Instant) {
        let slot = &mut self.slots[board];
        slot.frame = Some(frame);
        slot.version += 1;
        self.schedule(now);
    }

    /// The port is open: every board's content goes out again.
    pub fn handle_opened(&mut self, now: Instant) {
        self.link = Link::Up;
        self.in_flight = None;
        self.rx.clear();
        self.transmit.clear();
        for slot in &mut self.slots {
            slot.done = 0;
            slot.paused_until = None;
        }
        self.schedule(now);
    }

    /// Opening failed: the next try waits twice as long as the last (bounded).
    pub fn handle_open_failed(&mut self, now: Instant) {
        let failures = self.failures().saturating_add(1);
        self.go_down(failures, now);
    }

    /// The port failed or vanished (read/write error, end of stream, device file gone).
    pub fn handle_closed(&mut self, now: Instant) {
        self.go_down(0, now);
    }

    fn go_down(&mut self, failures: u32, now: Instant) {
        let factor = 1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX);
        let wait = self
            .opts
            .reconnect_min
            .saturating_mul(factor)
            .min(self.opts.reconnect_max);
        self.link = Link::Down {
            failures,
            retry_at: now + wait,
        };
        self.in_flight = None;
        self.transmit.clear();
        self.rx.clear();
    }

    /// Bytes read from the line.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        self.rx.extend_from_slice(bytes);
        if let Some(f) = self.in_flight {
            self.rx_protocol = self.slots[f.board].link.protocol;
        }
        loop {
            let reply = match self.rx_protocol {
                Protocol::Bx => match bx::Frame::decode(&mut self.rx) {
                    Ok(Some(frame)) => Reply::from_bx(&frame),
                    Ok(None) => break,
                    Err(e) => Reply::Bad(format!("BX: {e}")),
                },
                Protocol::Alpha => match alpha::Incoming::decode(&mut self.rx) {
                    Ok(Some(alpha::Incoming::Ack(_))) => Reply::Ack { from: None },
                    Ok(Some(alpha::Incoming::Nak(s))) => Reply::Nack {
                        from: None,
                        code: s.to_byte(),
                    },
                    Ok(Some(alpha::Incoming::Packet(_))) => {
                        Reply::Bad("Alpha: a packet where an ACK was expected".into())
                    }
                    Ok(None) => break,
                    Err(e) => Reply::Bad(format!("Alpha: {e}")),
                },
            };
            self.on_reply(reply, now);
        }
        self.schedule(now);
    }

    fn on_reply(&mut self, reply: Reply, now: Instant) {
        let waiting = self
            .in_flight
            .filter(|f| self.slots[f.board].link.ack)
            .filter(|f| reply.is_from(self.slots[f.board].link.address));
        match (reply, waiting) {
            (Reply::Ack { .. }, Some(f)) => self.finish(f, true),
            (Reply::Nack { code, .. }, Some(f)) => {
                self.events.push_back(BusEvent::Nacked {
                    board: f.board,
                    code,
                });
                self.retry_or_give_up(f, now);
            }
            (Reply::Bad(reason), _) => self.events.push_back(BusEvent::BadReply { reason }),
            (Reply::Other(name), _) => self.events.push_back(BusEvent::BadReply {
                reason: format!("unexpected {name} frame from the line"),
            }),
            (other, _) => self.events.push_back(BusEvent::BadReply {
                reason: format!("{other:?} that no frame waits for"),
            }),
        }
    }

    /// Time passed: ACK deadlines, gaps, reopening and paused boards.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(f) = self.in_flight.filter(|f| f.deadline <= now) {
            if self.slots[f.board].link.ack {
                self.events.push_back(BusEvent::TimedOut {
                    board: f.board,
                    attempts: f.attempts,
                });
                self.retry_or_give_up(f, now);
            } else {
                self.finish(f, true);
            }
        }
        self.schedule(now);
    }

    fn retry_or_give_up(&mut self, f: InFlight, now: Instant) {
        if f.attempts <= self.opts.retries {
            if let Some(frame) = self.slots[f.board].frame.clone() {
                self.transmit.push_back(frame);
                // The resend carries the newest content.
                self.in_flight = Some(InFlight {
                    version: self.slots[f.board].version,
                    attempts: f.attempts + 1,
                    deadline: now + self.opts.ack_timeout,
                    ..f
                });
                return;
            }
        }
        self.slots[f.board].paused_until = Some(now + self.opts.give_up_pause);
        self.events.push_back(BusEvent::GaveUp { board: f.board });
        self.finish(f, false);
    }

    fn finish(&mut self, f: InFlight, delivered: bool) {
        let slot = &mut self.slots[f.board];
        slot.done = slot.done.max(f.version);
        if delivered {
            slot.paused_until = None;
            self.events.push_back(BusEvent::Delivered {
                board: f.board,
                attempts: f.attempts,
            });
        }
        self.in_flight = None;
    }

    /// Starts the next frame when the line is free.
    fn schedule(&mut self, now: Instant) {
        if !self.is_up() || self.in_flight.is_some() {
            return;
        }
        let n = self.slots.len();
        for step in 0..n {
            let board = (self.cursor + step) % n;
            let slot = &self.slots[board];
            let due = slot.paused_until.is_none_or(|t| t <= now);
            let Some(frame) = slot
                .frame
                .as_ref()
                .filter(|_| slot.done < slot.version && due)
            else {
                continue;
            };
            self.transmit.push_back(frame.clone());
            let wait = if slot.link.ack {
                self.opts.ack_timeout
            } else {
                self.opts.frame_gap
            };
            self.in_flight = Some(InFlight {
                board,
                version: slot.version,
                attempts: 1,
                deadline: now + wait,
            });
            self.rx_protocol = slot.link.protocol;
            self.cursor = (board + 1) % n;
            return;
        }
    }

    /// The next bytes to write, whole frames in order.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// When [`Bus::handle_timeout`] is due next, if ever.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.link {
            Link::Down { retry_at, .. } => Some(retry_at),
            Link::Up => match self.in_flight {
                Some(f) => Some(f.deadline),
                None => self
                    .slots
                    .iter()
                    .filter(|s| s.frame.is_some() && s.done < s.version)
                    .filter_map(|s| s.paused_until)
                    .min(),
            },
        }
    }

    /// The next event to log.
    pub fn poll_event(&mut self) -> Option<BusEvent> {
        self.events.pop_front()
    }
}

#[derive(Debug)]
enum Reply {
    Ack { from: Option<u16> },
    Nack { from: Option<u16>, code: u8 },
    Other(&'static str),
    Bad(String),
}

impl Reply {
    fn from_bx(frame: &bx::Frame) -> Self {
        let from = Some(frame.header.src);
        match &frame.command {
            bx::Command::Ack(_) => Self::Ack { from },
            bx::Command::Nack(r) => Self::Nack {
                from,
                code: r.error,
            },
            other => Self::Other(other.name()),
        }
    }

    fn is_from(&self, address: u16) -> bool {
        let from = match self {
            Self::Ack { from } | Self::Nack { from, .. } => *from,
            Self::Other(_) | Self::Bad(_) => return true,
        };
        from.is_none_or(|a| a == address || address == bx::Header::WILDCARD_DST)
    }
}

#[cfg(test)]
mod tests;
