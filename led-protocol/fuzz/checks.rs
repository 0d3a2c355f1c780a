//! The checks shared by the fuzz targets (`fuzz_targets/*.rs`, included with `#[path]`) and
//! `tests/fuzz_regressions.rs`, which replays `regressions/` through them on stable.
//!
//! For one input, each decoder is fed the bytes as a stream and called until it answers
//! `Ok(None)`; a call that answers anything else must consume bytes (no stall). The same
//! frames and errors must come out whether the input arrives whole, split in two at a
//! position taken from its first byte, in chunks of a size taken from its first byte, or
//! (optionally) byte by byte. Every decoded frame is described (JSON) and, when it can be
//! encoded, must decode back to itself.
#![allow(dead_code)]

use bytes::BytesMut;
use led_protocol::show::{self, Protocol};
use led_protocol::{alpha, bx};

/// Feeds `chunks` one after another to `decode`, calling it after each until `Ok(None)`.
///
/// # Panics
/// When a call that returns a frame or an error leaves the buffer as long as it was.
pub fn decode_stream<'a, T, E>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    mut decode: impl FnMut(&mut BytesMut) -> Result<Option<T>, E>,
) -> Vec<Result<T, E>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            let before = buf.len();
            let result = decode(&mut buf);
            assert!(buf.len() <= before, "decoder grew its buffer");
            match result {
                Ok(None) => break,
                Ok(Some(item)) => out.push(Ok(item)),
                Err(e) => out.push(Err(e)),
            }
            assert!(
                buf.len() < before,
                "decoder answered without consuming a byte ({before} left)"
            );
        }
    }
    out
}

/// The ways `data` is cut into chunks besides whole: in two at `data[0] % (len + 1)`, in
/// chunks of `data[0] % 17 + 1` bytes, and byte by byte when `bytewise`.
pub fn splits(data: &[u8], bytewise: bool) -> Vec<Vec<&[u8]>> {
    let first = data.first().copied().unwrap_or(0);
    let (a, b) = data.split_at(usize::from(first) % (data.len() + 1));
    let mut out = vec![
        vec![a, b],
        data.chunks(usize::from(first % 17) + 1).collect(),
    ];
    if bytewise {
        out.push(data.chunks(1).collect());
    }
    out
}

/// Decodes `data` with the decoder `decode`, checks that every split gives the same, and
/// returns what the whole input gave.
fn same_however_split<T, E>(
    name: &str,
    data: &[u8],
    bytewise: bool,
    decode: impl Fn(&mut BytesMut) -> Result<Option<T>, E> + Copy,
) -> Vec<Result<T, E>>
where
    T: PartialEq + std::fmt::Debug,
    E: PartialEq + std::fmt::Debug,
{
    let whole = decode_stream([data], decode);
    for chunks in splits(data, bytewise) {
        let lens: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        let split = decode_stream(chunks, decode);
        assert_eq!(whole, split, "{name}: chunks {lens:?} decoded differently");
    }
    whole
}

/// All BX checks on `data`; returns what [`bx::decode`] made of it, whole.
pub fn check_bx(data: &[u8], bytewise: bool) -> Vec<Result<bx::Frame, bx::DecodeError>> {
    let whole = same_however_split("bx", data, bytewise, bx::decode);
    for frame in whole.iter().flatten() {
        check_bx_frame(frame);
    }
    let _ = show::describe_all(Protocol::Bx, data);
    check_bx_data_field(data);
    whole
}

/// `data` as the data field of a frame with a good CRC: the CRC otherwise keeps most
/// mutations away from the command decoders. The frame must decode to what
/// [`bx::Command::decode_data`] makes of `data` directly.
pub fn check_bx_data_field(data: &[u8]) {
    let Ok(data_len) = u16::try_from(data.len()) else {
        return;
    };
    let header = bx::Header::default();
    let mut body = vec![0x01, 0x00, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0xFE, 0x02];
    body.extend_from_slice(&data_len.to_le_bytes());
    body.extend_from_slice(data);
    body.extend_from_slice(&bx::crc16(&body).to_le_bytes());
    let mut bytes = vec![0xA5; 8];
    bx::wire::escape_into(&body, &mut bytes);
    bytes.push(0x5A);

    let direct = bx::Command::decode_data(data).map(|command| bx::Frame::new(header, command));
    assert_eq!(
        bx::Frame::from_bytes(&bytes),
        direct,
        "bx: data field decodes differently inside a frame"
    );
    if let Ok(frame) = &direct {
        check_bx_frame(frame);
    }
}

/// Describes `frame` and, if it can be encoded, decodes the bytes back to it.
pub fn check_bx_frame(frame: &bx::Frame) {
    let description = frame.describe();
    let _ = show::shown_text(&description);
    let _ = description.to_string();
    let _ = frame.command.name();
    let _ = frame.command.group_code();
    if let Ok(bytes) = frame.to_bytes() {
        assert_eq!(
            bx::Frame::from_bytes(&bytes).as_ref(),
            Ok(frame),
            "bx: re-encoded frame decodes differently"
        );
    }
}

/// What the two Alpha decoders made of one input, whole.
pub struct AlphaOutcome {
    /// [`alpha::Incoming::decode`]: a sign's side of the line.
    pub incoming: Vec<Result<alpha::Incoming, alpha::DecodeError>>,
    /// [`alpha::decode_packet`]: the host's side of the line.
    pub packets: Vec<Result<alpha::Packet, alpha::DecodeError>>,
}

/// All Alpha checks on `data`, for both decoders.
pub fn check_alpha(data: &[u8], bytewise: bool) -> AlphaOutcome {
    let incoming = same_however_split("alpha incoming", data, bytewise, alpha::Incoming::decode);
    for item in incoming.iter().flatten() {
        check_alpha_incoming(item);
    }
    let packets = same_however_split("alpha packet", data, bytewise, alpha::decode_packet);
    for packet in packets.iter().flatten() {
        check_alpha_packet(packet);
    }
    let _ = show::describe_all(Protocol::Alpha, data);
    AlphaOutcome { incoming, packets }
}

/// Describes `item` and, if it can be encoded, decodes the bytes back to it.
pub fn check_alpha_incoming(item: &alpha::Incoming) {
    let _ = item.describe().to_string();
    if let alpha::Incoming::Packet(packet) = item {
        check_alpha_packet(packet);
    }
    if let Ok(bytes) = item.to_bytes() {
        assert_eq!(
            alpha::Incoming::from_bytes(&bytes).as_ref(),
            Ok(item),
            "alpha: re-encoded item decodes differently"
        );
    }
}

/// Describes `packet` and, if it can be encoded, decodes the bytes back to it.
pub fn check_alpha_packet(packet: &alpha::Packet) {
    let description = packet.describe();
    let _ = show::shown_text(&description);
    let _ = description.to_string();
    let _ = packet.read_text_response();
    if let Ok(bytes) = packet.to_bytes() {
        assert_eq!(
            alpha::Packet::from_bytes(&bytes).as_ref(),
            Ok(packet),
            "alpha: re-encoded packet decodes differently"
        );
    }
}
