//! One serial line or TCP controller with its boards, as a state machine without IO.
//!
//! The driver that owns the port feeds it ([`Bus::handle_content`], [`Bus::handle_bytes`],
//! [`Bus::handle_timeout`], [`Bus::handle_opened`], [`Bus::handle_open_failed`],
//! [`Bus::handle_closed`]) and drains it ([`Bus::poll_transmit`], [`Bus::poll_timeout`],
//! [`Bus::poll_event`]). Time is passed in; nothing here reads the clock.
//!
//! Rules:
//! - One frame at a time on the line. A board that answers (BX; Alpha with `E s`) gets
//!   `ack_timeout` for its ACK; a missing ACK or a NACK resends, up to `retries` times,
//!   each resend after clearing the line ([`Transmit::Clear`]) so a late answer to an
//!   earlier send is not taken for this one. Boards without ACK get `frame_gap` before the
//!   next frame.
//! - Each board keeps only its newest content; content that changes while a frame is in
//!   flight is sent after it (a resend carries the newest). Boards take turns.
//! - A board whose sends all went unanswered is *silent*: the line is cleared, nothing but
//!   a probe goes to it, once every `probe_every` (BX: a ping; Alpha with ACK: its newest
//!   content). Content that changes meanwhile only replaces its newest content. When it
//!   answers again it gets that newest content once — what it missed is not replayed.
//! - A BX board that answers and has nothing new is pinged every `keepalive`; a missed ping
//!   is resent like a frame, then the board is silent as above — so a board switched off
//!   between two calls is noticed and shown its content again when it is back.
//! - Lost port: the driver reports [`Bus::handle_closed`]; reopening is due after
//!   `reconnect_min`, doubling on each failed open up to `reconnect_max`. Once open, every
//!   board counts as answering and its current content is sent again.
//! - Bytes that do not decode become [`BusEvent::BadReply`]; a reply nobody waits for
//!   becomes [`BusEvent::Unexpected`]; both are otherwise ignored.

mod reply;
mod types;

use std::collections::VecDeque;
use std::time::Instant;

use bytes::BytesMut;

use crate::show::Protocol;
use reply::Reply;
pub use types::{BoardLink, BusEvent, BusOptions, Transmit};

/// At most this many bytes of an unfinished reply are kept (a line of noise cannot grow
/// memory): more, and the buffer is dropped as bad.
const MAX_RX: usize = 64 * 1024;

#[derive(Debug)]
struct Slot {
    link: BoardLink,
    /// BX: the ping that probes it.
    ping: Option<Vec<u8>>,
    frame: Option<Vec<u8>>,
    /// The text its newest frame shows (for the state file).
    text: String,
    /// Bumped by each new content.
    version: u64,
    /// Version delivered.
    done: u64,
    /// The text of the last frame delivered (or, without ACK, sent).
    shown: Option<String>,
    /// Silent since giving up: the next probe is due then.
    silent: Option<Instant>,
    /// Answering: the next keepalive ping is due then.
    check_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sending {
    Content,
    /// A probe of a silent board; `delivers` when it carries the board's content (Alpha).
    Probe {
        delivers: bool,
    },
    /// A keepalive ping to a board that answers.
    Check,
}

#[derive(Debug, Clone)]
struct InFlight {
    board: usize,
    version: u64,
    attempts: u32,
    deadline: Instant,
    sending: Sending,
    text: String,
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
    transmit: VecDeque<Transmit>,
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
                    ping: (link.protocol == Protocol::Bx).then(|| reply::bx_ping(link.address)),
                    link,
                    frame: None,
                    text: String::new(),
                    version: 0,
                    done: 0,
                    shown: None,
                    silent: None,
                    check_at: None,
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

    /// Whether board `board` answers: `None` for a board that never answers by design (no
    /// ACK), `Some(false)` while it is silent.
    ///
    /// # Panics
    /// When `board` is not an index given to [`Bus::new`].
    #[must_use]
    pub fn answering(&self, board: usize) -> Option<bool> {
        let slot = &self.slots[board];
        slot.link.ack.then_some(slot.silent.is_none())
    }

    /// The text of the last frame board `board` acknowledged (without ACK: was sent).
    ///
    /// # Panics
    /// When `board` is not an index given to [`Bus::new`].
    #[must_use]
    pub fn shown(&self, board: usize) -> Option<&str> {
        self.slots[board].shown.as_deref()
    }

    /// The text of board `board`'s newest content when it is not delivered yet.
    ///
    /// # Panics
    /// When `board` is not an index given to [`Bus::new`].
    #[must_use]
    pub fn pending(&self, board: usize) -> Option<&str> {
        let slot = &self.slots[board];
        (slot.frame.is_some() && slot.done < slot.version).then_some(slot.text.as_str())
    }

    /// New content for `board`: its whole frame. Sent as soon as the line is free; an
    /// identical frame is sent again too (a recall re-shows the same text).
    ///
    /// # Panics
    /// When `board` is not an index given to [`Bus::new`].
    pub fn handle_content(&mut self, board: usize, frame: Vec<u8>, now: Instant) {
        self.handle_update(board, frame, String::new(), now);
    }

    /// [`Bus::handle_content`] with the text the frame shows (reported by [`Bus::shown`]).
    ///
    /// # Panics
    /// When `board` is not an index given to [`Bus::new`].
    pub fn handle_update(&mut self, board: usize, frame: Vec<u8>, text: String, now: Instant) {
        let slot = &mut self.slots[board];
        slot.frame = Some(frame);
        slot.text = text;
        slot.version += 1;
        self.schedule(now);
    }

    /// The port is open: every board counts as answering and its content goes out again.
    pub fn handle_opened(&mut self, now: Instant) {
        self.link = Link::Up;
        self.in_flight = None;
        self.rx.clear();
        self.transmit.clear();
        for slot in &mut self.slots {
            slot.done = 0;
            slot.silent = None;
            slot.check_at = None;
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
        if let Some(f) = &self.in_flight {
            self.rx_protocol = self.slots[f.board].link.protocol;
        }
        while let Some(reply) = Reply::next(self.rx_protocol, &mut self.rx) {
            self.on_reply(reply, now);
        }
        if self.rx.len() > MAX_RX {
            self.rx.clear();
            self.events.push_back(BusEvent::BadReply {
                reason: format!("more than {MAX_RX} bytes without a whole reply"),
            });
        }
        self.schedule(now);
    }

    fn on_reply(&mut self, reply: Reply, now: Instant) {
        let waiting = self
            .in_flight
            .as_ref()
            .filter(|f| self.slots[f.board].link.ack)
            .filter(|f| reply.is_from(self.slots[f.board].link.address))
            .cloned();
        match (reply, waiting) {
            (Reply::Ack { .. }, Some(f)) => match f.sending {
                Sending::Content | Sending::Probe { delivers: true } => {
                    if self.slots[f.board].silent.take().is_some() {
                        self.events
                            .push_back(BusEvent::AnswersAgain { board: f.board });
                    }
                    self.finish(&f, now);
                }
                Sending::Probe { delivers: false } => self.revived(f.board),
                Sending::Check => self.checked(f.board, now),
            },
            (Reply::Nack { code, .. }, Some(f)) => {
                self.events.push_back(BusEvent::Nacked {
                    board: f.board,
                    code,
                });
                match f.sending {
                    // It refused the probe, but it is there: its content goes out next.
                    Sending::Probe { .. } => self.revived(f.board),
                    Sending::Check => self.checked(f.board, now),
                    Sending::Content => self.retry_or_give_up(f, now),
                }
            }
            (Reply::Bad(reason), _) => self.events.push_back(BusEvent::BadReply { reason }),
            (other, _) => self.events.push_back(BusEvent::Unexpected {
                reason: format!("{} that no frame waits for", other.describe()),
            }),
        }
    }

    /// An answering board answered its keepalive ping.
    fn checked(&mut self, board: usize, now: Instant) {
        self.slots[board].check_at = self.opts.keepalive.map(|k| now + k);
        self.in_flight = None;
    }

    /// A silent board answered its probe: its newest content goes out next, once,
    /// whatever it showed before it fell silent.
    fn revived(&mut self, board: usize) {
        let slot = &mut self.slots[board];
        slot.silent = None;
        slot.done = 0;
        slot.check_at = None;
        self.events.push_back(BusEvent::AnswersAgain { board });
        self.in_flight = None;
    }

    /// Time passed: ACK deadlines, gaps, reopening and probes.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(f) = self.in_flight.clone().filter(|f| f.deadline <= now) {
            if !self.slots[f.board].link.ack {
                self.finish(&f, now);
            } else if let Sending::Probe { .. } = f.sending {
                self.transmit.push_back(Transmit::Clear);
                self.slots[f.board].silent = Some(now + self.opts.probe_every);
                self.events
                    .push_back(BusEvent::StillSilent { board: f.board });
                self.in_flight = None;
            } else {
                self.events.push_back(BusEvent::TimedOut {
                    board: f.board,
                    attempts: f.attempts,
                });
                self.retry_or_give_up(f, now);
            }
        }
        self.schedule(now);
    }

    fn retry_or_give_up(&mut self, f: InFlight, now: Instant) {
        self.transmit.push_back(Transmit::Clear);
        if f.attempts <= self.opts.retries {
            let slot = &self.slots[f.board];
            // A missed keepalive is resent as a ping; a frame with the newest content.
            let again = match f.sending {
                Sending::Check => slot.ping.clone(),
                _ => slot.frame.clone(),
            };
            if let Some(frame) = again {
                self.transmit.push_back(Transmit::Frame(frame));
                // The resend carries the newest content.
                self.in_flight = Some(InFlight {
                    version: slot.version,
                    attempts: f.attempts + 1,
                    deadline: now + self.opts.ack_timeout,
                    text: slot.text.clone(),
                    ..f
                });
                return;
            }
        }
        self.slots[f.board].silent = Some(now + self.opts.probe_every);
        self.events.push_back(BusEvent::GaveUp { board: f.board });
        self.in_flight = None;
    }

    fn finish(&mut self, f: &InFlight, now: Instant) {
        let slot = &mut self.slots[f.board];
        slot.done = slot.done.max(f.version);
        slot.shown = Some(f.text.clone());
        if slot.link.ack && slot.ping.is_some() {
            slot.check_at = self.opts.keepalive.map(|k| now + k);
        }
        self.events.push_back(BusEvent::Delivered {
            board: f.board,
            attempts: f.attempts,
        });
        self.in_flight = None;
    }

    /// Starts the next frame (or probe) when the line is free.
    fn schedule(&mut self, now: Instant) {
        if !self.is_up() || self.in_flight.is_some() {
            return;
        }
        let n = self.slots.len();
        for step in 0..n {
            let board = (self.cursor + step) % n;
            let slot = &self.slots[board];
            let (bytes, sending) = match slot.silent {
                Some(due) if due > now => continue,
                Some(_) => match (&slot.ping, &slot.frame) {
                    (Some(ping), _) => (ping.clone(), Sending::Probe { delivers: false }),
                    // Alpha with ACK: its newest content is the probe.
                    (None, Some(frame)) => (frame.clone(), Sending::Probe { delivers: true }),
                    (None, None) => continue,
                },
                None => match (&slot.frame, &slot.ping) {
                    (Some(frame), _) if slot.done < slot.version => {
                        (frame.clone(), Sending::Content)
                    }
                    (_, Some(ping)) if slot.link.ack && slot.check_at.is_some_and(|t| t <= now) => {
                        (ping.clone(), Sending::Check)
                    }
                    _ => continue,
                },
            };
            if let Sending::Probe { .. } = sending {
                self.transmit.push_back(Transmit::Clear);
            }
            self.transmit.push_back(Transmit::Frame(bytes));
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
                sending,
                text: slot.text.clone(),
            });
            self.rx_protocol = slot.link.protocol;
            self.cursor = (board + 1) % n;
            return;
        }
    }

    /// What to do on the line next: whole frames and clears, in order.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmit.pop_front()
    }

    /// When [`Bus::handle_timeout`] is due next, if ever.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.link {
            Link::Down { retry_at, .. } => Some(retry_at),
            Link::Up => match &self.in_flight {
                Some(f) => Some(f.deadline),
                None => self
                    .slots
                    .iter()
                    .filter_map(|s| match s.silent {
                        Some(due) => Some(due),
                        None => s.check_at.filter(|_| s.link.ack && s.ping.is_some()),
                    })
                    .min(),
            },
        }
    }

    /// The next event to log.
    pub fn poll_event(&mut self) -> Option<BusEvent> {
        self.events.pop_front()
    }
}

#[cfg(test)]
mod tests;
