//! Fuzzes the Alpha decoders (`Incoming::decode` for what a sign sends, `decode_packet` for
//! what the host sends): no panic, no stall, the same items and errors however the bytes are
//! split, and every decoded item described and re-encoded (see `checks.rs`).
//!
//! Run: `cd led-protocol/fuzz && cargo +nightly fuzz run alpha_decode`. Crashes found go
//! into `regressions/alpha/` (replayed by `tests/fuzz_regressions.rs` on stable).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::check_alpha(data, false);
});
