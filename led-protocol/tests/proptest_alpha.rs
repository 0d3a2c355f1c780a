//! Property tests: Alpha packets (write text above all) survive encode → decode.

use bytes::BytesMut;
use led_protocol::alpha::{
    Address, Colour, Command, Display, Incoming, Mode, Packet, Position, Segment, WriteText,
    CMD_READ_TEXT, CMD_WRITE_TEXT,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn printable() -> impl Strategy<Value = u8> {
    0x20..0x7F_u8
}

fn colour() -> impl Strategy<Value = Colour> {
    prop::sample::select(b"123456789ABC".to_vec()).prop_map(|c| Colour::from_code(c).unwrap())
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        prop::sample::select(b"abcefghijklmopqrstuv".to_vec())
            .prop_map(|b| Mode::from_byte(b).unwrap()),
        printable().prop_map(Mode::Special),
    ]
}

/// Text a message may carry: ASCII without framing bytes or the colour code.
fn text(min: usize) -> impl Strategy<Value = String> {
    vec(
        prop_oneof![0x05..0x1C_u8, 0x1D..0x80_u8].prop_map(char::from),
        min..16,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn write_text() -> impl Strategy<Value = WriteText> {
    let display = prop::option::of((printable(), mode()).prop_map(|(p, mode)| Display {
        position: Position(p),
        mode,
    }));
    let coloured = vec(
        (colour(), text(0)).prop_map(|(c, text)| Segment {
            colour: Some(c),
            text,
        }),
        0..4,
    );
    (printable(), display, prop::option::of(text(1)), coloured).prop_map(
        |(label, display, lead, mut segments)| {
            let lead = lead.filter(|t| display.is_some() || !t.starts_with('\u{1b}'));
            if let Some(text) = lead {
                segments.insert(0, Segment { colour: None, text });
            }
            WriteText {
                label,
                display,
                segments,
            }
        },
    )
}

fn command() -> impl Strategy<Value = Command> {
    let other = (
        printable().prop_filter("modelled", |c| *c != CMD_WRITE_TEXT && *c != CMD_READ_TEXT),
        vec(0x05..=0xFF_u8, 0..20),
    )
        .prop_map(|(code, data)| Command::Other { code, data });
    prop_oneof![
        3 => write_text().prop_map(Command::WriteText),
        1 => printable().prop_map(|label| Command::ReadText { label }),
        1 => other,
    ]
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![any::<u8>().prop_map(Address::new), Just(Address::WILDCARD)]
}

fn packet() -> impl Strategy<Value = Packet> {
    (printable(), address(), any::<bool>(), vec(command(), 1..4)).prop_map(
        |(type_code, address, checksum, commands)| Packet {
            type_code,
            address,
            checksum,
            commands,
        },
    )
}

proptest! {
    #[test]
    fn write_text_round_trips(text in write_text(), address in address(), checksum in any::<bool>()) {
        let packet = Packet { checksum, ..Packet::new(address, Command::WriteText(text)) };
        let bytes = packet.to_bytes().unwrap();
        prop_assert_eq!(Packet::from_bytes(&bytes).unwrap(), packet);
    }

    #[test]
    fn packets_round_trip(packet in packet()) {
        let bytes = packet.to_bytes().unwrap();
        prop_assert_eq!(Packet::from_bytes(&bytes).unwrap(), packet);
    }

    #[test]
    fn noise_first_and_split_anywhere(
        packet in packet(),
        noise in vec(any::<u8>().prop_filter("no SOH/ACK/NAK", |b| ![0x01, 0x06, 0x15].contains(b)), 0..16),
        split in any::<prop::sample::Index>(),
    ) {
        let mut bytes = noise;
        bytes.extend(packet.to_bytes().unwrap());
        let cut = split.index(bytes.len());
        let mut buf = BytesMut::from(&bytes[..cut]);
        prop_assert_eq!(Incoming::decode(&mut buf).unwrap(), None);
        buf.extend_from_slice(&bytes[cut..]);
        prop_assert_eq!(Incoming::decode(&mut buf).unwrap(), Some(Incoming::Packet(packet)));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..200)) {
        let mut buf = BytesMut::from(&bytes[..]);
        for _ in 0..=bytes.len() {
            let before = buf.len();
            match Incoming::decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(_)) | Err(_) => prop_assert!(buf.len() < before),
            }
        }
    }
}
