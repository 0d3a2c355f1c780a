//! The BX decoder's error paths and resynchronisation, and the encoder's limits.

use bytes::BytesMut;
use led_protocol::bx::{
    crc16, Area, Command, DecodeError, DeleteAreas, DynamicArea, EncodeError, Frame, Geometry,
    Header, HorizontalUnit, Plain, Sound, Voice, MAX_ESCAPED_BODY,
};

const PING: &str = "a5a5a5a5a5a5a5a501000080000000000000fe020500a20001000068f85a";

fn ping() -> Vec<u8> {
    hex::decode(PING).unwrap()
}

fn ping_frame() -> Frame {
    Frame::new(Header::to_screen(1), Command::Ping(Plain::default()))
}

/// A frame with `body` (unescaped dst..data) and a correct CRC.
fn frame_with_body(body: &[u8]) -> Vec<u8> {
    let mut raw = body.to_vec();
    raw.extend(crc16(body).to_le_bytes());
    let mut out = vec![0xA5; 8];
    led_protocol::bx::wire::escape_into(&raw, &mut out);
    out.push(0x5A);
    out
}

#[test]
fn bad_crc_names_both_values_and_consumes_the_frame() {
    let mut bad = ping();
    let n = bad.len();
    bad[n - 3] = 0x00; // CRC low byte 68 → 00
    let mut buf = BytesMut::from(&bad[..]);
    buf.extend_from_slice(&ping());
    let err = Frame::decode(&mut buf).unwrap_err();
    assert_eq!(
        err,
        DecodeError::BadCrc {
            expected: 0xF868,
            actual: 0xF800
        }
    );
    let msg = err.to_string();
    assert!(msg.contains("0xf868") && msg.contains("0xf800"), "{msg}");
    assert_eq!(Frame::decode(&mut buf).unwrap(), Some(ping_frame()));
    assert!(buf.is_empty());
}

#[test]
fn garbage_and_cut_frames_are_skipped() {
    let mut bytes = b"\x00\x5a\xff garbage".to_vec();
    bytes.extend(&ping()[..15]); // a frame cut short …
    bytes.extend(ping()); // … then a whole one
    let mut buf = BytesMut::from(&bytes[..]);
    assert_eq!(Frame::decode(&mut buf).unwrap(), Some(ping_frame()));
    assert!(buf.is_empty());
}

#[test]
fn partial_input_is_never_an_error() {
    let mut buf = BytesMut::new();
    assert_eq!(Frame::decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(&[0xA5; 100]);
    assert_eq!(Frame::decode(&mut buf).unwrap(), None);
    assert_eq!(buf.len(), 8, "a long run of preamble bytes is trimmed");
    buf.extend_from_slice(&ping()[8..20]);
    assert_eq!(Frame::decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(&ping()[20..]);
    assert_eq!(Frame::decode(&mut buf).unwrap(), Some(ping_frame()));
}

#[test]
fn malformed_bodies() {
    let mut buf = BytesMut::from(&[0xA5, 0xA5, 0x01, 0xA6, 0x03, 0x5A][..]);
    assert_eq!(
        Frame::decode(&mut buf),
        Err(DecodeError::BadEscape {
            offset: 1,
            byte: 0xA6,
            next: Some(0x03)
        })
    );
    assert_eq!(
        Frame::from_bytes(&[0xA5, 0x01, 0x02, 0x5A]),
        Err(DecodeError::TooShort { len: 2 })
    );
    // Header says 6 data bytes; 5 are present; CRC is right.
    let mut body = hex::decode("01000080000000000000fe020600").unwrap();
    body.extend([0xA2, 0x00, 0x01, 0x00, 0x00]);
    assert_eq!(
        Frame::from_bytes(&frame_with_body(&body)),
        Err(DecodeError::LengthMismatch {
            declared: 6,
            actual: 5
        })
    );
    let mut long = vec![0xA5; 8];
    long.resize(8 + MAX_ESCAPED_BODY + 1, 0x00);
    let mut buf = BytesMut::from(&long[..]);
    assert!(matches!(
        Frame::decode(&mut buf),
        Err(DecodeError::FrameTooLong { .. })
    ));
    assert!(buf.is_empty());
}

#[test]
fn from_bytes_wants_exactly_one_frame() {
    assert_eq!(
        Frame::from_bytes(&ping()[..20]),
        Err(DecodeError::Incomplete)
    );
    let mut two = ping();
    two.push(0x00);
    assert_eq!(
        Frame::from_bytes(&two),
        Err(DecodeError::BytesAfterFrame { count: 1 })
    );
}

fn area(text: &str) -> Area {
    Area::new(
        0,
        Geometry::from_pixels(0, 0, 64, 16, HorizontalUnit::Columns8),
        text,
    )
}

fn encode_err(d: DynamicArea) -> EncodeError {
    Frame::new(Header::default(), Command::DynamicArea(d))
        .to_bytes()
        .unwrap_err()
}

#[test]
fn encoder_limits() {
    let many = DynamicArea {
        areas: vec![area("x"); 256],
        ..DynamicArea::single(area("x"))
    };
    assert_eq!(encode_err(many), EncodeError::TooManyAreas { count: 256 });
    let delete = DynamicArea {
        delete: DeleteAreas::Ids(vec![1; 255]),
        ..DynamicArea::single(area("x"))
    };
    assert_eq!(
        encode_err(delete),
        EncodeError::TooManyDeleteIds { count: 255 }
    );
    assert_eq!(
        encode_err(DynamicArea::single(area("请😀"))),
        EncodeError::Unencodable {
            field: "text",
            ch: '😀'
        }
    );
    let long = "A".repeat(70_000);
    assert!(matches!(
        encode_err(DynamicArea::single(area(&long))),
        EncodeError::AreaTooLong { index: 0, .. }
    ));
    let loud = Area {
        sound: Sound::AreaText(Voice {
            voice: 16,
            ..Voice::default()
        }),
        ..area("x")
    };
    assert!(matches!(
        encode_err(DynamicArea::single(loud)),
        EncodeError::OutOfRange { field: "voice", .. }
    ));
}

#[test]
fn delete_all_sound_and_pixel_flag_on_the_wire() {
    let a = Area {
        geometry: Geometry::from_pixels(3, 0, 100, 16, HorizontalUnit::FlaggedPixels),
        sound: Sound::Text {
            voice: Voice {
                voice: 1,
                repeat: 2,
                volume: 5,
                speed: 6,
            },
            text: "请".into(),
        },
        ..area("A")
    };
    let d = DynamicArea {
        delete: DeleteAreas::All,
        ..DynamicArea::single(a)
    };
    let mut data = Vec::new();
    Command::DynamicArea(d.clone())
        .encode_data(&mut data)
        .unwrap();
    assert_eq!(&data[5..7], &[0xFF, 0x01], "delete all, no ids, one area");
    assert_eq!(&data[10..12], &[0x03, 0x80], "x = 3 px, flagged");
    assert_eq!(&data[14..16], &[0x64, 0x80], "width = 100 px, flagged");
    // sound mode 2, repeat << 4 | voice, volume, speed, u32 length, GB2312 text
    assert_eq!(
        &data[23..34],
        &[0x02, 0x21, 0x05, 0x06, 2, 0, 0, 0, 0xC7, 0xEB, 0x00]
    );
    assert_eq!(
        Command::decode_data(&data).unwrap(),
        Command::DynamicArea(d)
    );
    assert_eq!(a_geometry_pixels(), (3, 100));
}

fn a_geometry_pixels() -> (u32, u32) {
    let g = Geometry::from_pixels(3, 0, 100, 16, HorizontalUnit::FlaggedPixels);
    (
        g.x_pixels(HorizontalUnit::Columns8),
        g.width_pixels(HorizontalUnit::Columns8),
    )
}

#[test]
fn description_is_plain_json() {
    let frame = Frame::new(
        Header::to_screen(2),
        Command::DynamicArea(DynamicArea::single(area("请A001号到3号窗口"))),
    );
    let d = frame.describe();
    assert_eq!(d["protocol"], "bx");
    assert_eq!(d["header"]["dst"], 2);
    assert_eq!(d["command"]["command"], "dynamic_area");
    assert_eq!(d["command"]["areas"][0]["text"], "请A001号到3号窗口");
    assert_eq!(d["command"]["areas"][0]["display_mode"], "static");
    assert_eq!(d["command"]["areas"][0]["sound"]["mode"], "off");
    let raw = Frame::from_bytes(&frame_with_body(
        &hex::decode("01000080000000000000fe020600a30201000050").unwrap(),
    ))
    .unwrap();
    assert_eq!(raw.describe()["command"]["payload"], "01000050");
}
