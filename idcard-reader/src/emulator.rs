//! A reader without hardware: decodes requests and answers like a real one.
//!
//! - reset, SAM status → `90`
//! - find card → `9F` while a card lies on it, `80` otherwise
//! - select card → `90` after a successful find, `81` otherwise
//! - read → `90` + text block + photo after a successful select, `41` otherwise; the card
//!   must be found and selected again for the next read
//! - unknown command → `21`; a request with a bad checksum → `10`, a bad length → `11`
//!
//! Faults queued with [`Emulator::inject`] replace or spoil the next replies, in order. No
//! IO: a test puts it behind a pty or a duplex pipe. What it answered can be read back
//! ([`Emulator::poll_answer`]; the last [`MAX_ANSWERS`] are kept) for a console to show.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use crate::card::IdCard;
use crate::frame::FrameError;
use crate::reply::{status, Reply};
use crate::request::{Command, Request};

/// Answers kept for [`Emulator::poll_answer`]; older ones are dropped.
pub const MAX_ANSWERS: usize = 64;

/// What to do to the next reply instead of sending it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Send these bytes instead of the reply.
    Garbage(Vec<u8>),
    /// Send the reply with its CHK inverted.
    BadChecksum,
    /// Send nothing (the host should time out).
    Silence,
}

/// The emulated reader.
///
/// `Debug` shows counters and flags, not the card or the buffered bytes.
#[derive(Default)]
pub struct Emulator {
    card: Option<(IdCard, Bytes)>,
    found: bool,
    selected: bool,
    faults: VecDeque<Fault>,
    rx: BytesMut,
    tx: BytesMut,
    requests: u64,
    reads: u64,
    answers: VecDeque<(Option<Command>, u8)>,
}

impl Emulator {
    /// A reader with no card on it.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Lays a card on the reader (with the photo bytes its read reply carries), or takes it
    /// off (`None`).
    pub fn set_card(&mut self, card: Option<(IdCard, Vec<u8>)>) {
        self.card = card.map(|(c, photo)| (c, Bytes::from(photo)));
        self.found = false;
        self.selected = false;
    }

    /// Queues a fault for the next reply not yet spoiled.
    pub fn inject(&mut self, fault: Fault) {
        self.faults.push_back(fault);
    }

    /// Faults not yet applied.
    #[must_use]
    pub fn pending_faults(&self) -> usize {
        self.faults.len()
    }

    /// Request frames seen (bad ones included).
    #[must_use]
    pub const fn requests(&self) -> u64 {
        self.requests
    }

    /// Read replies with card data sent (spoiled ones included).
    #[must_use]
    pub const fn reads(&self) -> u64 {
        self.reads
    }

    /// Bytes from the host.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.rx.extend_from_slice(bytes);
        loop {
            let (command, reply) = match Request::decode(&mut self.rx) {
                Ok(Some(req)) => (req.command(), self.answer(&req)),
                Ok(None) => break,
                Err(FrameError::Checksum { .. }) => {
                    (None, Reply::new(status::BAD_CHECKSUM, Bytes::new()))
                }
                Err(FrameError::Length { .. }) => {
                    (None, Reply::new(status::BAD_LENGTH, Bytes::new()))
                }
            };
            self.requests += 1;
            if self.answers.len() == MAX_ANSWERS {
                self.answers.pop_front();
            }
            self.answers.push_back((command, reply.sw3));
            self.send(&reply);
        }
    }

    /// The oldest answer not yet polled: the request's command (`None` for a request it
    /// could not take) and the status it answered (before any fault spoiled the reply).
    pub fn poll_answer(&mut self) -> Option<(Option<Command>, u8)> {
        self.answers.pop_front()
    }

    /// Bytes for the host, if any.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.tx.is_empty()).then(|| self.tx.split().freeze())
    }

    fn answer(&mut self, req: &Request) -> Reply {
        let sw3 = |s| Reply::new(s, Bytes::new());
        match req.command() {
            Some(Command::Reset | Command::Status) => sw3(status::OK),
            Some(Command::FindCard) => {
                self.found = self.card.is_some();
                self.selected = false;
                sw3(if self.found {
                    status::FOUND
                } else {
                    status::NO_CARD
                })
            }
            Some(Command::SelectCard) => {
                self.selected = self.found && self.card.is_some();
                sw3(if self.selected {
                    status::OK
                } else {
                    status::SELECT_FAILED
                })
            }
            Some(Command::ReadBase) => match (&self.card, self.selected) {
                (Some((card, photo)), true) => {
                    self.found = false;
                    self.selected = false;
                    self.reads += 1;
                    Reply::new(status::OK, card.to_read_data(photo).into())
                }
                _ => sw3(status::READ_FAILED),
            },
            None => sw3(status::BAD_COMMAND),
        }
    }

    fn send(&mut self, reply: &Reply) {
        match self.faults.pop_front() {
            None => reply.encode(&mut self.tx),
            Some(Fault::Garbage(bytes)) => self.tx.extend_from_slice(&bytes),
            Some(Fault::BadChecksum) => {
                reply.encode(&mut self.tx);
                let last = self.tx.len() - 1;
                self.tx[last] = !self.tx[last];
            }
            Some(Fault::Silence) => {}
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("card", &self.card.is_some())
            .field("found", &self.found)
            .field("selected", &self.selected)
            .field("faults", &self.faults.len())
            .field("requests", &self.requests)
            .field("reads", &self.reads)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{CardType, Sex};
    use crate::reply::decode;

    fn ask(emu: &mut Emulator, c: Command) -> Result<Option<Reply>, FrameError> {
        let mut out = BytesMut::new();
        c.encode(&mut out);
        emu.handle_input(&out);
        let mut rx = BytesMut::from(&emu.poll_transmit().unwrap_or_default()[..]);
        decode(&mut rx)
    }

    fn card() -> IdCard {
        IdCard {
            name: "李四".into(),
            sex: Sex::Female,
            nation: "01".into(),
            birth: "20000229".into(),
            address: "北京市".into(),
            id_number: "110101200002290018".into(),
            authority: "北京市公安局".into(),
            valid_from: "20200101".into(),
            valid_to: "长期".into(),
            card_type: CardType::Resident,
        }
    }

    #[test]
    fn answers_the_cycle() {
        let mut emu = Emulator::new();
        let sw = |r: Result<Option<Reply>, FrameError>| r.unwrap().unwrap().sw3;
        assert_eq!(sw(ask(&mut emu, Command::Status)), status::OK);
        assert_eq!(sw(ask(&mut emu, Command::FindCard)), status::NO_CARD);
        assert_eq!(
            sw(ask(&mut emu, Command::SelectCard)),
            status::SELECT_FAILED
        );
        emu.set_card(Some((card(), vec![1, 2, 3])));
        assert_eq!(sw(ask(&mut emu, Command::ReadBase)), status::READ_FAILED);
        assert_eq!(sw(ask(&mut emu, Command::FindCard)), status::FOUND);
        assert_eq!(sw(ask(&mut emu, Command::SelectCard)), status::OK);
        let read = ask(&mut emu, Command::ReadBase).unwrap().unwrap();
        assert_eq!(read.sw3, status::OK);
        assert_eq!(IdCard::from_read_data(&read.data).unwrap(), card());
        assert_eq!(sw(ask(&mut emu, Command::ReadBase)), status::READ_FAILED);
        assert_eq!(emu.reads(), 1);
        let answers: Vec<_> = std::iter::from_fn(|| emu.poll_answer()).collect();
        assert_eq!(answers.len(), 8);
        assert_eq!(answers[0], (Some(Command::Status), status::OK));
        assert_eq!(answers[6], (Some(Command::ReadBase), status::OK));
    }

    #[test]
    fn keeps_only_the_last_answers() {
        let mut emu = Emulator::new();
        for _ in 0..MAX_ANSWERS + 10 {
            let _ = ask(&mut emu, Command::FindCard);
        }
        assert_eq!(
            std::iter::from_fn(|| emu.poll_answer()).count(),
            MAX_ANSWERS
        );
    }

    #[test]
    fn faults_apply_in_order() {
        let mut emu = Emulator::new();
        emu.inject(Fault::Garbage(b"zz".to_vec()));
        emu.inject(Fault::BadChecksum);
        emu.inject(Fault::Silence);
        assert_eq!(ask(&mut emu, Command::Status), Ok(None));
        assert!(matches!(
            ask(&mut emu, Command::Status),
            Err(FrameError::Checksum { .. })
        ));
        assert_eq!(ask(&mut emu, Command::Status), Ok(None));
        assert_eq!(
            ask(&mut emu, Command::Status).unwrap().unwrap().sw3,
            status::OK
        );
        assert_eq!(emu.pending_faults(), 0);
    }

    #[test]
    fn bad_requests_get_status_codes() {
        let mut emu = Emulator::new();
        emu.handle_input(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x00]);
        emu.handle_input(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x99, 0x01, 0x9B]);
        let mut rx = BytesMut::from(&emu.poll_transmit().unwrap()[..]);
        assert_eq!(decode(&mut rx).unwrap().unwrap().sw3, status::BAD_CHECKSUM);
        assert_eq!(decode(&mut rx).unwrap().unwrap().sw3, status::BAD_COMMAND);
    }
}
