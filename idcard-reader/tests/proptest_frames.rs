//! Property tests: frames survive encode → decode, however the bytes arrive, and no input
//! makes the decoder panic or stall.

use bytes::{Bytes, BytesMut};
use hallq_idcard::frame::{FrameError, MAX_LEN, PREAMBLE};
use hallq_idcard::{decode, Reply, Request};
use proptest::collection::vec;
use proptest::prelude::*;

fn reply() -> impl Strategy<Value = Reply> {
    (any::<[u8; 3]>(), vec(any::<u8>(), 0..1400)).prop_map(|(sw, data)| Reply {
        sw1: sw[0],
        sw2: sw[1],
        sw3: sw[2],
        data: Bytes::from(data),
    })
}

/// Bytes that often form preambles and plausible lengths.
fn wire_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        prop::sample::select(vec![0xAA, 0x96, 0x69, 0x00, 0x04, 0x05])
    ]
}

/// One piece of a reply stream.
#[derive(Debug, Clone)]
enum Piece {
    Good(Reply),
    BadChecksum(Reply),
    Garbage(Vec<u8>),
    AbsurdLen(u16),
    /// A preamble followed by one length byte: the next piece completes a header of sorts.
    Torn,
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => reply().prop_map(Piece::Good),
        1 => reply().prop_map(Piece::BadChecksum),
        2 => vec(wire_byte(), 0..40).prop_map(Piece::Garbage),
        1 => prop_oneof![0..4u16, (MAX_LEN + 1)..=u16::MAX].prop_map(Piece::AbsurdLen),
        1 => Just(Piece::Torn),
    ]
}

fn render(pieces: &[Piece]) -> Vec<u8> {
    let mut out = BytesMut::new();
    for p in pieces {
        match p {
            Piece::Good(r) => r.encode(&mut out),
            Piece::BadChecksum(r) => {
                r.encode(&mut out);
                let last = out.len() - 1;
                out[last] = !out[last];
            }
            Piece::Garbage(g) => out.extend_from_slice(g),
            Piece::AbsurdLen(len) => {
                out.extend_from_slice(&PREAMBLE);
                out.extend_from_slice(&len.to_be_bytes());
            }
            Piece::Torn => {
                out.extend_from_slice(&PREAMBLE);
                out.extend_from_slice(&[0x00]);
            }
        }
    }
    out.to_vec()
}

/// Decodes until the decoder wants more bytes, recording every outcome.
fn drain(buf: &mut BytesMut, out: &mut Vec<Result<Reply, FrameError>>) {
    for _ in 0..=buf.len() {
        match decode(buf) {
            Ok(None) => return,
            Ok(Some(r)) => out.push(Ok(r)),
            Err(e) => out.push(Err(e)),
        }
    }
    panic!("decoder made no progress");
}

fn decode_in_chunks(bytes: &[u8], cuts: &[usize]) -> (Vec<Result<Reply, FrameError>>, usize) {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts {
        let end = (at + cut).min(bytes.len());
        buf.extend_from_slice(&bytes[at..end]);
        drain(&mut buf, &mut out);
        at = end;
    }
    buf.extend_from_slice(&bytes[at..]);
    drain(&mut buf, &mut out);
    (out, buf.len())
}

proptest! {
    #[test]
    fn reply_round_trip(r in reply(), junk in vec(any::<u8>(), 0..20)) {
        let mut buf = BytesMut::new();
        r.encode(&mut buf);
        let len = buf.len();
        prop_assert_eq!(u16::from_be_bytes([buf[5], buf[6]]) as usize, len - 7);
        buf.extend_from_slice(&junk);
        prop_assert_eq!(decode(&mut buf), Ok(Some(r)));
        prop_assert_eq!(buf.len() <= junk.len(), true);
    }

    #[test]
    fn request_round_trip(cmd in any::<u8>(), para in any::<u8>(), data in vec(any::<u8>(), 0..600)) {
        let req = Request { cmd, para, data: Bytes::from(data) };
        let mut buf = BytesMut::new();
        req.encode(&mut buf);
        prop_assert_eq!(Request::decode(&mut buf), Ok(Some(req)));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn never_panics_or_stalls_on_random_bytes(bytes in vec(wire_byte(), 0..3000)) {
        let mut buf = BytesMut::from(&bytes[..]);
        let mut out = Vec::new();
        drain(&mut buf, &mut out);
        // What is left can only be the start of a frame.
        prop_assert!(buf.len() < 7 + MAX_LEN as usize);
        let mut req_buf = BytesMut::from(&bytes[..]);
        while let Ok(Some(_)) | Err(_) = Request::decode(&mut req_buf) {}
    }

    #[test]
    fn split_input_decodes_the_same(
        pieces in vec(piece(), 0..12),
        cuts in vec(0..300usize, 0..40),
    ) {
        let bytes = render(&pieces);
        let (whole, left_whole) = decode_in_chunks(&bytes, &[]);
        let (split, left_split) = decode_in_chunks(&bytes, &cuts);
        prop_assert_eq!(&whole, &split);
        prop_assert_eq!(left_whole, left_split);
        // Byte by byte too.
        let ones = vec![1; bytes.len()];
        let (single, _) = decode_in_chunks(&bytes, &ones);
        prop_assert_eq!(&whole, &single);
    }

    #[test]
    fn good_replies_after_noise_are_found(pieces in vec(piece(), 0..8), r in reply()) {
        // Whatever came before, a good reply after a fresh garbage gap of MAX_LEN + 7
        // bytes (more than any torn header can swallow) decodes.
        let mut bytes = render(&pieces);
        bytes.extend(std::iter::repeat_n(0x00, 7 + MAX_LEN as usize));
        let mut buf = BytesMut::new();
        r.encode(&mut buf);
        bytes.extend_from_slice(&buf);
        let (all, _) = decode_in_chunks(&bytes, &[]);
        prop_assert_eq!(all.last(), Some(&Ok(r)));
    }
}
