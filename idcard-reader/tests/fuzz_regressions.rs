//! Replays every input in `fuzz/regressions/` (hand-made edge cases, plus anything the
//! fuzzer ever finds) through the reply decoder, on stable, in every `cargo test`.
//!
//! Each file must decode without panic or stall, the same whole and byte by byte; the
//! files named in `EXPECTED` must also give exactly the outcomes listed.

use std::path::Path;
use std::time::Instant;

use bytes::BytesMut;
use hallq_idcard::frame::FrameError;
use hallq_idcard::{decode, CardError, IdCard, Reader, ReaderOptions, Reply};

/// File → outcome of each decode: `ok XX` (SW3), then for `90` replies with data what the
/// card parser made of it; `checksum` / `length` for frame errors.
const EXPECTED: &[(&str, &[&str])] = &[
    ("empty", &[]),
    ("preamble_only", &[]),
    ("preamble_tail_at_end", &["ok 9F"]),
    ("len_ffff", &["length"]),
    ("len_zero", &["length", "ok 9F"]),
    ("len_request_sized", &["length", "ok 9F"]),
    ("max_len_plus_one", &["length"]),
    ("max_len_frame", &["ok 90 truncated"]),
    ("bad_checksum_find", &["checksum", "ok 9F"]),
    ("repeated_preamble_aa", &["ok 9F"]),
    ("garbage_then_two_replies", &["ok 9F", "ok 80"]),
    ("read_reply_ok", &["ok 90 card 4601**********123X"]),
    ("read_reply_split_by_noise", &["checksum"]),
    ("read_reply_truncated_data", &["ok 90 truncated"]),
    ("read_reply_lengths_ffff", &["ok 90 truncated"]),
    ("read_reply_short_text", &["ok 90 short text"]),
    (
        "read_reply_odd_text_len",
        &["ok 90 card 4601**********123X"],
    ),
    // every unit a lone surrogate: decoded as U+FFFD, not an error
    (
        "read_reply_lone_surrogates",
        &["ok 90 card \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}**********\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"],
    ),
];

fn decode_chunks<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Vec<Result<Reply, FrameError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        for _ in 0..=buf.len() {
            match decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(r)) => out.push(Ok(r)),
                Err(e) => out.push(Err(e)),
            }
        }
    }
    out
}

fn outcome(r: &Result<Reply, FrameError>) -> String {
    match r {
        Err(FrameError::Checksum { .. }) => "checksum".into(),
        Err(FrameError::Length { .. }) => "length".into(),
        Ok(reply) if reply.sw3 == 0x90 && !reply.data.is_empty() => {
            match IdCard::from_read_data(&reply.data) {
                Ok(card) => format!(
                    "ok 90 card {}",
                    hallq_idcard::mask_id_number(&card.id_number)
                ),
                Err(CardError::Truncated { .. }) => "ok 90 truncated".into(),
                Err(CardError::TextTooShort { .. }) => "ok 90 short text".into(),
            }
        }
        Ok(reply) => format!("ok {:02X}", reply.sw3),
    }
}

#[test]
fn every_regression_input() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/regressions exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap();

        let whole = decode_chunks(std::iter::once(&data[..]));
        let bytewise = decode_chunks(data.chunks(1));
        assert_eq!(whole, bytewise, "{name}: split input decoded differently");

        let now = Instant::now();
        let mut reader = Reader::new(ReaderOptions::default(), now);
        reader.handle_timeout(now);
        reader.handle_input(now, &data);
        while reader.poll_event().is_some() {}

        let got: Vec<String> = whole.iter().map(outcome).collect();
        if let Some((_, want)) = EXPECTED.iter().find(|(n, _)| *n == name) {
            assert_eq!(got, *want, "{name}");
        }
        seen += 1;
    }
    assert!(
        seen >= EXPECTED.len(),
        "only {seen} files in {}",
        dir.display()
    );
}
