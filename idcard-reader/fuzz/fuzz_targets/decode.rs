//! Fuzzes the reply decoder: no panic, no stall, the same result however the bytes are
//! split, and any decoded reply's data through the card parser and the reader state machine.
//!
//! Run: `cd idcard-reader/fuzz && cargo +nightly fuzz run decode`. Crashes found go into
//! `regressions/` (replayed by `tests/fuzz_regressions.rs` on stable).
#![no_main]

use std::time::Instant;

use bytes::BytesMut;
use hallq_idcard::frame::FrameError;
use hallq_idcard::{decode, IdCard, Reader, ReaderOptions, Reply};
use libfuzzer_sys::fuzz_target;

fn decode_all(chunks: &mut dyn Iterator<Item = &[u8]>) -> Vec<Result<Reply, FrameError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(r)) => out.push(Ok(r)),
                Err(e) => out.push(Err(e)),
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let whole = decode_all(&mut std::iter::once(data));
    let step = usize::from(data.first().copied().unwrap_or(0) % 17) + 1;
    let split = decode_all(&mut data.chunks(step));
    assert_eq!(whole, split);
    for reply in whole.iter().flatten() {
        let _ = IdCard::from_read_data(&reply.data);
    }
    let now = Instant::now();
    let mut reader = Reader::new(ReaderOptions::default(), now);
    reader.handle_timeout(now);
    reader.handle_input(now, data);
    while reader.poll_event().is_some() {}
});
