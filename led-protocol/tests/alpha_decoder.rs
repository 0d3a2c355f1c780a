//! The Alpha decoder's error paths, multi-command packets and the encoder's checks.

use bytes::BytesMut;
use led_protocol::alpha::{
    decode_packet, Address, Colour, Command, DecodeError, Display, EncodeError, Incoming, Mode,
    Packet, Position, Segment, WriteText,
};

/// `priority_hold_red_broadcast` from the vectors.
const HOLD_RED: &str = "0000000000015a30300241301b26621c3141303031202d3e2033033033313604";

fn hold_red() -> Vec<u8> {
    hex::decode(HOLD_RED).unwrap()
}

#[test]
fn bad_checksum_names_both_values() {
    let mut bytes = hold_red();
    let n = bytes.len();
    bytes[n - 3] = b'7'; // 0316 → 0376
    let err = Packet::from_bytes(&bytes).unwrap_err();
    assert_eq!(
        err,
        DecodeError::BadChecksum {
            expected: 0x0316,
            actual: 0x0376
        }
    );
    assert!(err.to_string().contains("0316"));
}

#[test]
fn several_commands_with_and_without_checksums() {
    let text = WriteText::priority(Position::MIDDLE_LINE, Mode::Hold, Colour::Green, "OPEN");
    for checksum in [false, true] {
        let packet = Packet {
            type_code: b'Z',
            address: Address::new(0x1F),
            checksum,
            commands: vec![
                Command::WriteText(text.clone()),
                Command::ReadText { label: b'0' },
            ],
        };
        let bytes = packet.to_bytes().unwrap();
        assert_eq!(&bytes[7..9], b"1F");
        // Without checksums, ETX still closes each command of a multi-command packet.
        assert_eq!(bytes.iter().filter(|&&b| b == 0x03).count(), 2);
        assert_eq!(Packet::from_bytes(&bytes).unwrap(), packet);
    }
    let mixed = b"\x01Z00\x02B0\x030077\x02B0\x03\x04";
    assert_eq!(Packet::from_bytes(mixed), Err(DecodeError::MixedChecksum));
}

#[test]
fn malformed_packets() {
    let cases: [(&[u8], DecodeError); 5] = [
        (
            b"\x01Z0G\x02B0\x04",
            DecodeError::InvalidAddress("0G".into()),
        ),
        (
            b"\x01Z00\x02A0\x1c\x44x\x04",
            DecodeError::InvalidColour(b'D'),
        ),
        (
            b"\x01Z00\x02A0\x1b\x20d\x04",
            DecodeError::InvalidMode(b'd'),
        ),
        (
            b"\x01Z00\x02A0\x1b\x20\x04",
            DecodeError::Truncated {
                field: "display position and mode",
            },
        ),
        (
            b"\x01Z00X\x04",
            DecodeError::UnexpectedByte {
                offset: 4,
                byte: b'X',
                expected: "STX",
            },
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(Packet::from_bytes(bytes), Err(want), "{bytes:02x?}");
    }
    assert_eq!(
        Packet::from_bytes(b"\x01Z00\x02A0"),
        Err(DecodeError::Incomplete)
    );
    assert_eq!(
        Packet::from_bytes(b"\x01Z00\x04"),
        Err(DecodeError::UnexpectedByte {
            offset: 4,
            byte: 0x04,
            expected: "STX",
        })
    );
}

#[test]
fn long_packets_without_eot_are_dropped() {
    let mut buf = BytesMut::from(&b"\x01Z00\x02A0"[..]);
    buf.resize(led_protocol::alpha::MAX_PACKET_LEN + 10, b'x');
    assert!(matches!(
        decode_packet(&mut buf),
        Err(DecodeError::PacketTooLong { .. })
    ));
    assert!(buf.is_empty());
}

#[test]
fn ack_nak_and_packets_interleave() {
    let mut buf = BytesMut::from(&[0x00, 0x06, 0x40, 0x15][..]);
    assert!(matches!(
        Incoming::decode(&mut buf),
        Ok(Some(Incoming::Ack(_)))
    ));
    assert_eq!(
        Incoming::decode(&mut buf),
        Ok(None),
        "NAK waits for its status"
    );
    buf.extend_from_slice(&[0x61]);
    let Ok(Some(Incoming::Nak(status))) = Incoming::decode(&mut buf) else {
        panic!("no NAK");
    };
    assert!(status.illegal_command && status.parity_error && !status.checksum_error);
    buf.extend_from_slice(&[0x06, 0x00]);
    assert_eq!(
        Incoming::decode(&mut buf),
        Err(DecodeError::InvalidStatus(0))
    );
    buf.extend_from_slice(&hold_red());
    assert!(matches!(
        Incoming::decode(&mut buf),
        Ok(Some(Incoming::Packet(_)))
    ));
}

fn encode_err(text: WriteText) -> EncodeError {
    Packet::new(Address::BROADCAST, Command::WriteText(text))
        .to_bytes()
        .unwrap_err()
}

fn plain(segments: Vec<Segment>) -> WriteText {
    WriteText {
        label: b'A',
        display: None,
        segments,
    }
}

#[test]
fn encoder_checks() {
    let seg = |colour, text: &str| Segment {
        colour,
        text: text.into(),
    };
    assert_eq!(
        encode_err(plain(vec![seg(Some(Colour::Red), "Café")])),
        EncodeError::InvalidText { ch: 'é' }
    );
    assert_eq!(
        encode_err(plain(vec![seg(Some(Colour::Red), "a"), seg(None, "b")])),
        EncodeError::UncolouredSegment { index: 1 }
    );
    assert_eq!(
        encode_err(plain(vec![seg(None, "")])),
        EncodeError::UncolouredSegment { index: 0 }
    );
    assert_eq!(
        encode_err(plain(vec![seg(None, "\u{1b} b")])),
        EncodeError::LeadingEscape
    );
    let no_commands = Packet {
        commands: vec![],
        ..Packet::new(Address::BROADCAST, Command::ReadText { label: b'A' })
    };
    assert_eq!(no_commands.to_bytes(), Err(EncodeError::NoCommands));
    let framing = Packet::new(
        Address::BROADCAST,
        Command::Other {
            code: b'E',
            data: vec![b'$', 0x02],
        },
    );
    assert!(matches!(
        framing.to_bytes(),
        Err(EncodeError::FramingByteInData { code: 'E', byte: 2 })
    ));
    let special = WriteText {
        display: Some(Display {
            position: Position::FILL,
            mode: Mode::Special(b'8'),
        }),
        ..plain(vec![seg(None, "WELCOME")])
    };
    let packet = Packet::new(Address::WILDCARD, Command::WriteText(special));
    let bytes = packet.to_bytes().unwrap();
    assert_eq!(&bytes[11..16], b"A\x1b0n8");
    assert_eq!(Packet::from_bytes(&bytes).unwrap(), packet);
}

#[test]
fn description_is_plain_json() {
    let packet = Packet::from_bytes(&hold_red()).unwrap();
    assert_eq!(
        packet.read_text_response(),
        None,
        "type Z is not a response"
    );
    let d = packet.describe();
    assert_eq!(d["protocol"], "alpha");
    assert_eq!(d["packet"]["type_code"], "Z");
    assert_eq!(d["packet"]["address"], "00");
    let cmd = &d["packet"]["commands"][0];
    assert_eq!(cmd["command"], "write_text");
    assert_eq!(cmd["label"], "0");
    assert_eq!(cmd["display"]["position"], "26");
    assert_eq!(cmd["display"]["mode"], "hold");
    assert_eq!(cmd["segments"][0]["colour"], "red");
    assert_eq!(cmd["segments"][0]["text"], "A001 -> 3");
    let ack = Incoming::from_bytes(&[0x06, 0x40]).unwrap().describe();
    assert_eq!(ack["incoming"]["kind"], "ack");
}
