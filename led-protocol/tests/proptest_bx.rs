//! Property tests: BX frames survive encode → decode, however the bytes arrive.

use bytes::BytesMut;
use led_protocol::bx::{
    Area, Command, DeleteAreas, DisplayMode, DynamicArea, Frame, Geometry, Header, Plain,
    RawCommand, Reply, Sound, TurnOnOff, Voice,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn header() -> impl Strategy<Value = Header> {
    (any::<[u16; 2]>(), any::<[u8; 5]>()).prop_map(|([dst, src], b)| Header {
        dst,
        src,
        option: b[0],
        crc_mode: b[1],
        display_mode: b[2],
        device_type: b[3],
        version: b[4],
    })
}

/// ASCII and CJK unified ideographs (all of which GBK encodes), plus colour codes.
fn text() -> impl Strategy<Value = String> {
    "(\\\\C[1-3]|[ -~]|[\u{4e00}-\u{9fa5}]){0,24}"
}

fn voice() -> impl Strategy<Value = Voice> {
    (0..16u8, 0..16u8, any::<u8>(), any::<u8>()).prop_map(|(voice, repeat, volume, speed)| Voice {
        voice,
        repeat,
        volume,
        speed,
    })
}

fn sound() -> impl Strategy<Value = Sound> {
    prop_oneof![
        Just(Sound::Off),
        voice().prop_map(Sound::AreaText),
        (voice(), text()).prop_map(|(voice, text)| Sound::Text { voice, text }),
    ]
}

fn display_mode() -> impl Strategy<Value = DisplayMode> {
    (1..=6u8).prop_map(|b| DisplayMode::try_from(b).unwrap())
}

fn area() -> impl Strategy<Value = Area> {
    (
        (
            any::<u8>(),
            any::<[u16; 4]>(),
            any::<[u8; 2]>(),
            any::<u16>(),
        ),
        (sound(), any::<[u8; 7]>(), display_mode(), text()),
    )
        .prop_map(
            |((id, g, ls_rm, timeout), (sound, b, display_mode, text))| Area {
                id,
                geometry: Geometry {
                    x: g[0],
                    y: g[1],
                    width: g[2],
                    height: g[3],
                },
                line_space: ls_rm[0],
                run_mode: ls_rm[1],
                timeout,
                sound,
                align: b[0],
                single_line: b[1],
                auto_newline: b[2],
                display_mode,
                exit_mode: b[3],
                speed: b[4],
                hold_time: b[5],
                text,
            },
        )
}

fn dynamic_area() -> impl Strategy<Value = DynamicArea> {
    let delete = prop_oneof![
        vec(any::<u8>(), 0..6).prop_map(DeleteAreas::Ids),
        Just(DeleteAreas::All)
    ];
    (any::<bool>(), any::<u8>(), delete, vec(area(), 0..4)).prop_map(
        |(response_wanted, process_mode, delete, areas)| DynamicArea {
            response_wanted,
            process_mode,
            delete,
            areas,
        },
    )
}

fn command() -> impl Strategy<Value = Command> {
    let modelled = [
        (0xA2, 0x00),
        (0xA3, 0x10),
        (0xA3, 0x00),
        (0xA3, 0x06),
        (0xA0, 0x00),
        (0xA0, 0x01),
    ];
    let raw = (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..40))
        .prop_filter("modelled group/code", move |(g, c, _)| {
            !modelled.contains(&(*g, *c))
        })
        .prop_map(|(group, code, payload)| {
            Command::Other(RawCommand {
                group,
                code,
                payload,
            })
        });
    prop_oneof![
        any::<bool>().prop_map(|r| Command::Ping(Plain { response_wanted: r })),
        any::<bool>().prop_map(|r| Command::ClearScreen(Plain { response_wanted: r })),
        any::<(bool, bool)>().prop_map(|(response_wanted, on)| Command::TurnOnOff(TurnOnOff {
            response_wanted,
            on
        })),
        dynamic_area().prop_map(Command::DynamicArea),
        any::<u8>().prop_map(|error| Command::Ack(Reply { error })),
        any::<u8>().prop_map(|error| Command::Nack(Reply { error })),
        raw,
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    (header(), command()).prop_map(|(h, c)| Frame::new(h, c))
}

proptest! {
    #[test]
    fn decode_inverts_encode(frame in frame()) {
        let mut buf = BytesMut::new();
        frame.encode(&mut buf).unwrap();
        prop_assert_eq!(Frame::decode(&mut buf).unwrap(), Some(frame));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn reserved_bytes_only_at_the_edges(frame in frame()) {
        let bytes = frame.to_bytes().unwrap();
        let body = &bytes[8..bytes.len() - 1];
        prop_assert!(bytes[..8].iter().all(|&b| b == 0xA5));
        prop_assert_eq!(bytes[bytes.len() - 1], 0x5A);
        prop_assert!(!body.iter().any(|&b| b == 0xA5 || b == 0x5A));
    }

    #[test]
    fn garbage_first_and_split_anywhere(
        frame in frame(),
        garbage in vec(any::<u8>().prop_filter("no A5", |b| *b != 0xA5), 0..16),
        split in any::<prop::sample::Index>(),
    ) {
        let mut bytes = garbage;
        bytes.extend(frame.to_bytes().unwrap());
        bytes.extend([0x00, 0xA5, 0xA5]); // start of a next frame
        let cut = split.index(bytes.len() - 3);
        let mut buf = BytesMut::from(&bytes[..cut]);
        prop_assert_eq!(Frame::decode(&mut buf).unwrap(), None);
        buf.extend_from_slice(&bytes[cut..]);
        prop_assert_eq!(Frame::decode(&mut buf).unwrap(), Some(frame));
        prop_assert_eq!(Frame::decode(&mut buf).unwrap(), None);
        prop_assert_eq!(&buf[..], &[0xA5, 0xA5][..]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..300)) {
        let mut buf = BytesMut::from(&bytes[..]);
        for _ in 0..=bytes.len() {
            let before = buf.len();
            match Frame::decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(_)) | Err(_) => prop_assert!(buf.len() < before),
            }
        }
    }
}
