//! A board without hardware: reads what the host sends, answers like a controller, and
//! says what the board would show. Sans-IO; `hallq led emulate` and the tests drive it.
//!
//! BX controllers ACK every frame that asks for an answer (pings too). Alpha signs ACK
//! writes only when configured to (`E s`), and always answer Read TEXT with the file
//! they hold, as real signs do (what `hallq led probe` reads back).

use std::collections::BTreeMap;

use bytes::BytesMut;

use crate::show::{shown_text, Protocol};
use crate::{alpha, bx};

/// Something the emulated board received.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// A complete frame.
    Frame {
        /// Its JSON description (as `hallq led decode` prints it).
        description: serde_json::Value,
        /// The text it puts on the board, if it shows text.
        text: Option<String>,
        /// Whether it is addressed to this board.
        for_me: bool,
        /// The answer written back, if any.
        reply: Option<Vec<u8>>,
    },
    /// Bytes that are not a valid frame.
    Bad(String),
}

/// One emulated board (or every board, when no address is set).
#[derive(Debug)]
pub struct Emulator {
    protocol: Protocol,
    address: Option<u16>,
    alpha_ack: bool,
    rx: BytesMut,
    /// Alpha TEXT files written to this sign, by label (at most 256).
    alpha_files: BTreeMap<u8, alpha::WriteText>,
}

impl Emulator {
    /// A board speaking `protocol` at `address` (`None`: answers for any address). Alpha
    /// signs answer only when `alpha_ack` is set (as after `E s`); BX controllers answer
    /// every frame that asks for it.
    #[must_use]
    pub fn new(protocol: Protocol, address: Option<u16>, alpha_ack: bool) -> Self {
        Self {
            protocol,
            address,
            alpha_ack,
            rx: BytesMut::new(),
            alpha_files: BTreeMap::new(),
        }
    }

    /// Feeds bytes from the line; returns what complete frames arrived.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> Vec<Seen> {
        self.rx.extend_from_slice(bytes);
        let mut out = Vec::new();
        loop {
            let seen = match self.protocol {
                Protocol::Bx => match bx::Frame::decode(&mut self.rx) {
                    Ok(Some(frame)) => self.bx_frame(&frame),
                    Ok(None) => break,
                    Err(e) => Seen::Bad(e.to_string()),
                },
                Protocol::Alpha => match alpha::decode_packet(&mut self.rx) {
                    Ok(Some(packet)) => self.alpha_packet(&packet),
                    Ok(None) => break,
                    Err(e) => Seen::Bad(e.to_string()),
                },
            };
            out.push(seen);
        }
        out
    }

    fn bx_frame(&self, frame: &bx::Frame) -> Seen {
        let dst = frame.header.dst;
        let for_me = self
            .address
            .is_none_or(|a| a == dst || dst == bx::Header::WILDCARD_DST);
        let wants = match &frame.command {
            bx::Command::Ping(p) | bx::Command::ClearScreen(p) => p.response_wanted,
            bx::Command::TurnOnOff(t) => t.response_wanted,
            bx::Command::DynamicArea(d) => d.response_wanted,
            bx::Command::Ack(_) | bx::Command::Nack(_) => false,
            bx::Command::Other(_) => true,
        };
        let reply = (for_me && wants).then(|| {
            let mut header = bx::Header::to_screen(bx::Header::HOST);
            header.src = self.address.unwrap_or(dst);
            bx::Frame::new(header, bx::Command::Ack(bx::Reply::default()))
                .to_bytes()
                .unwrap_or_default()
        });
        let description = frame.describe();
        Seen::Frame {
            text: shown_text(&description),
            description,
            for_me,
            reply,
        }
    }

    fn alpha_packet(&mut self, packet: &alpha::Packet) -> Seen {
        let address = packet.address.as_bytes();
        let for_me = self.address.is_none_or(|a| {
            let mine = alpha::Address::new(u8::try_from(a).unwrap_or(0)).as_bytes();
            address == mine || address == *b"00" || address.contains(&b'?')
        });
        let mut reply = None;
        for command in packet.commands.iter().filter(|_| for_me) {
            match command {
                alpha::Command::WriteText(t) => {
                    self.alpha_files.insert(t.label, t.clone());
                    if self.alpha_ack {
                        reply = Some(vec![alpha::ACK, 0x40]);
                    }
                }
                alpha::Command::ReadText { label } => {
                    let text = self
                        .alpha_files
                        .get(label)
                        .cloned()
                        .unwrap_or(alpha::WriteText {
                            label: *label,
                            display: None,
                            segments: Vec::new(),
                        });
                    let mut answer =
                        alpha::Packet::new(packet.address, alpha::Command::WriteText(text));
                    answer.type_code = alpha::TYPE_RESPONSE;
                    reply = answer.to_bytes().ok();
                }
                alpha::Command::Other { .. } => {
                    if self.alpha_ack {
                        reply = Some(vec![alpha::ACK, 0x40]);
                    }
                }
            }
        }
        let description = packet.describe();
        Seen::Frame {
            text: shown_text(&description),
            description,
            for_me,
            reply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::{BoardSpec, Colour, Content, Effect};

    #[test]
    fn bx_board_answers_frames_for_it_only() {
        let mut board = Emulator::new(Protocol::Bx, Some(2), false);
        let to = |address| {
            BoardSpec::new(Protocol::Bx, address)
                .frame(&Content::new("请A001号", Effect::Static, Colour::Red))
                .unwrap()
        };
        let mut bytes = to(2);
        bytes.extend_from_slice(b"junk");
        bytes.extend_from_slice(&to(3));
        let seen = board.handle_bytes(&bytes[..10]);
        assert!(seen.is_empty(), "half a frame is not a frame");
        let seen = board.handle_bytes(&bytes[10..]);
        let [Seen::Frame {
            text,
            for_me: true,
            reply: Some(reply),
            ..
        }, Seen::Frame {
            for_me: false,
            reply: None,
            ..
        }] = seen.as_slice()
        else {
            panic!("{seen:?}")
        };
        assert_eq!(text.as_deref(), Some("请A001号"));
        let ack = bx::Frame::from_bytes(reply).unwrap();
        assert_eq!(ack.header.src, 2);
        assert_eq!(ack.header.dst, bx::Header::HOST);
        assert!(matches!(ack.command, bx::Command::Ack(_)));
    }

    #[test]
    fn alpha_sign_acks_when_asked_to() {
        let frame = BoardSpec::new(Protocol::Alpha, 1)
            .frame(&Content::new("A001", Effect::Static, Colour::Red))
            .unwrap();
        let mut quiet = Emulator::new(Protocol::Alpha, Some(1), false);
        let mut acking = Emulator::new(Protocol::Alpha, Some(1), true);
        assert!(matches!(
            quiet.handle_bytes(&frame).as_slice(),
            [Seen::Frame { reply: None, .. }]
        ));
        assert!(matches!(
            acking.handle_bytes(&frame).as_slice(),
            [Seen::Frame { reply: Some(r), .. }] if r == &[alpha::ACK, 0x40]
        ));
    }

    #[test]
    fn alpha_sign_answers_read_text_with_what_it_shows() {
        let read = alpha::Packet::new(
            alpha::Address::new(1),
            alpha::Command::ReadText { label: b'0' },
        )
        .to_bytes()
        .unwrap();
        let mut sign = Emulator::new(Protocol::Alpha, Some(1), false);
        let answer = |seen: Vec<Seen>| match seen.as_slice() {
            [Seen::Frame {
                reply: Some(r),
                for_me: true,
                ..
            }] => {
                let packet = alpha::Packet::from_bytes(r).unwrap();
                let text = packet.read_text_response().expect("a read-text response");
                text.segments
                    .iter()
                    .map(|s| s.text.clone())
                    .collect::<String>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(answer(sign.handle_bytes(&read)), "", "a blank sign");
        let frame = BoardSpec::new(Protocol::Alpha, 1)
            .frame(&Content::new("A001 -> 3", Effect::Static, Colour::Red))
            .unwrap();
        sign.handle_bytes(&frame);
        assert_eq!(answer(sign.handle_bytes(&read)), "A001 -> 3");
        let mut other = Emulator::new(Protocol::Alpha, Some(2), false);
        assert!(matches!(
            other.handle_bytes(&read).as_slice(),
            [Seen::Frame {
                reply: None,
                for_me: false,
                ..
            }]
        ));
    }
}
