//! The reader as a state machine without IO: find card → select → read, over and over.
//!
//! The driver feeds it ([`Reader::handle_input`], [`Reader::handle_timeout`]) and drains it
//! ([`Reader::poll_transmit`], [`Reader::poll_timeout`], [`Reader::poll_event`]). Time is
//! passed in; nothing here reads the clock.
//!
//! Rules:
//! - One request at a time. A cycle starts every `poll_interval` after the previous one
//!   ended: find card; on `9F` select; on `90` read; on `90` decode the card.
//! - A reply that does not come within `reply_timeout`, a frame that fails to decode, or
//!   an unexpected status ends the cycle with [`Event::Error`]; the next cycle starts after
//!   `poll_interval` as usual. Bytes left from an earlier request are dropped when a new
//!   request is sent, so a late reply cannot be taken for the answer to the next one.
//! - One [`Event::CardRead`] per presentation. A card lying on the reader is read again
//!   each cycle (readers differ in what find answers after a read), but reported only if it
//!   differs from the last card reported. The last card is forgotten (and
//!   [`Event::CardRemoved`] emitted) after `removal_polls` consecutive "no card" answers, so
//!   a single spurious `80` does not make the same card count twice.
//! - [`Event::Answering`] on the first reply frame after the start and after replies had
//!   stopped coming ([`ReaderError::Timeout`]): the driver says "the reader answers (again)"
//!   once instead of nothing or a line per poll.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use crate::card::{CardError, IdCard};
use crate::frame::FrameError;
use crate::reply::{self, status, Reply};
use crate::request::Command;

/// Timing of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Pause between the end of one cycle and the next find card.
    pub poll_interval: Duration,
    /// How long to wait for each reply.
    pub reply_timeout: Duration,
    /// Consecutive "no card" answers after which the card counts as taken away (0 acts as 1).
    pub removal_polls: u32,
}

impl Default for ReaderOptions {
    /// 300 ms between cycles, 2 s per reply, 2 polls to notice a removal.
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(300),
            reply_timeout: Duration::from_secs(2),
            removal_polls: 2,
        }
    }
}

/// Something the driver acts on or logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A card was presented and read (once per presentation).
    CardRead(IdCard),
    /// The card last read was taken away.
    CardRemoved,
    /// A cycle failed; the reader carries on.
    Error(ReaderError),
    /// The reader sent a reply frame: the first since the start, or the first after a
    /// reply timed out.
    Answering,
}

/// Why a cycle failed. Messages never contain card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    /// The reply frame was unusable (bad checksum, absurd length).
    #[error("读卡器应答帧无效 / bad reply frame: {0}")]
    Frame(#[from] FrameError),
    /// No reply in time.
    #[error("读卡器无应答 / no reply to {command} within {after:?}")]
    Timeout {
        /// The request that went unanswered.
        command: Command,
        /// The timeout.
        after: Duration,
    },
    /// The reader answered with a status that ends the cycle.
    #[error("读卡器返回错误状态 / reader answered {command} with {sw1:02X} {sw2:02X} {sw3:02X} ({})", status::meaning(*sw3))]
    Status {
        /// The request.
        command: Command,
        /// SW1.
        sw1: u8,
        /// SW2.
        sw2: u8,
        /// SW3.
        sw3: u8,
    },
    /// The read reply's data did not hold a card.
    #[error("读卡数据无效 / bad card data: {0}")]
    Card(#[from] CardError),
    /// A reply arrived while no request was waiting for one.
    #[error("读卡器发来多余应答 / reply with status {sw3:02X} while no request was pending")]
    Unsolicited {
        /// Its SW3.
        sw3: u8,
    },
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Next find card due then.
    Idle { next_poll: Instant },
    /// `command` sent, reply due by `deadline`.
    Waiting { command: Command, deadline: Instant },
}

/// One reader on one port.
///
/// `Debug` shows the state and buffer sizes, not the buffered bytes (they may hold a card).
pub struct Reader {
    opts: ReaderOptions,
    state: State,
    rx: BytesMut,
    transmit: VecDeque<Bytes>,
    events: VecDeque<Event>,
    /// Last card reported and still (as far as we know) on the reader.
    last_card: Option<IdCard>,
    /// Consecutive "no card" answers.
    absent: u32,
    /// Whether the last request was answered (`None` before the first answer or timeout).
    answering: Option<bool>,
}

impl Reader {
    /// A reader whose first find card is due at `now`.
    #[must_use]
    pub fn new(opts: ReaderOptions, now: Instant) -> Self {
        Self {
            opts,
            state: State::Idle { next_poll: now },
            rx: BytesMut::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            last_card: None,
            absent: 0,
            answering: None,
        }
    }

    /// Bytes from the port.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        self.rx.extend_from_slice(bytes);
        loop {
            match reply::decode(&mut self.rx) {
                Ok(Some(reply)) => self.on_reply(now, &reply),
                Ok(None) => break,
                Err(e) => {
                    self.events.push_back(Event::Error(e.into()));
                    if matches!(self.state, State::Waiting { .. }) {
                        self.idle(now);
                    }
                }
            }
        }
    }

    /// The time given by [`Reader::poll_timeout`] has come (calling it early does nothing).
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Idle { next_poll } if now >= next_poll => self.send(Command::FindCard, now),
            State::Waiting { command, deadline } if now >= deadline => {
                self.events.push_back(Event::Error(ReaderError::Timeout {
                    command,
                    after: self.opts.reply_timeout,
                }));
                self.answering = Some(false);
                self.idle(now);
            }
            _ => {}
        }
    }

    /// Next bytes to write to the port.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.transmit.pop_front()
    }

    /// When [`Reader::handle_timeout`] is due next (there is always a next time).
    #[must_use]
    pub const fn poll_timeout(&self) -> Instant {
        match self.state {
            State::Idle { next_poll } => next_poll,
            State::Waiting { deadline, .. } => deadline,
        }
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether a card has been reported and not yet taken away.
    #[must_use]
    pub const fn card_present(&self) -> bool {
        self.last_card.is_some()
    }

    fn send(&mut self, command: Command, now: Instant) {
        let mut out = BytesMut::new();
        command.encode(&mut out);
        self.transmit.push_back(out.freeze());
        self.rx.clear();
        self.state = State::Waiting {
            command,
            deadline: now + self.opts.reply_timeout,
        };
    }

    fn idle(&mut self, now: Instant) {
        self.state = State::Idle {
            next_poll: now + self.opts.poll_interval,
        };
    }

    fn on_reply(&mut self, now: Instant, reply: &Reply) {
        let State::Waiting { command, .. } = self.state else {
            self.events
                .push_back(Event::Error(ReaderError::Unsolicited { sw3: reply.sw3 }));
            return;
        };
        if self.answering != Some(true) {
            self.answering = Some(true);
            self.events.push_back(Event::Answering);
        }
        match (command, reply.sw3) {
            (Command::FindCard, status::FOUND) => {
                self.absent = 0;
                self.send(Command::SelectCard, now);
            }
            (Command::FindCard, status::NO_CARD) => {
                self.absent = self.absent.saturating_add(1);
                if self.absent >= self.opts.removal_polls.max(1) && self.last_card.take().is_some()
                {
                    self.events.push_back(Event::CardRemoved);
                }
                self.idle(now);
            }
            (Command::SelectCard, status::OK) => self.send(Command::ReadBase, now),
            (Command::ReadBase, status::OK) => {
                match IdCard::from_read_data(&reply.data) {
                    Ok(card) => self.on_card(card),
                    Err(e) => self.events.push_back(Event::Error(e.into())),
                }
                self.idle(now);
            }
            _ => {
                self.events.push_back(Event::Error(ReaderError::Status {
                    command,
                    sw1: reply.sw1,
                    sw2: reply.sw2,
                    sw3: reply.sw3,
                }));
                self.idle(now);
            }
        }
    }

    fn on_card(&mut self, card: IdCard) {
        if self.last_card.as_ref() != Some(&card) {
            self.events.push_back(Event::CardRead(card.clone()));
        }
        self.last_card = Some(card);
    }
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("opts", &self.opts)
            .field("state", &self.state)
            .field("rx_len", &self.rx.len())
            .field("transmit", &self.transmit.len())
            .field("events", &self.events.len())
            .field("card_present", &self.card_present())
            .field("absent", &self.absent)
            .field("answering", &self.answering)
            .finish()
    }
}

#[cfg(test)]
mod tests;
