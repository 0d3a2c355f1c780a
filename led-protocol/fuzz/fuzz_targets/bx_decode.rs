//! Fuzzes the BX frame decoder: no panic, no stall, the same frames and errors however the
//! bytes are split, and every decoded frame described and re-encoded (see `checks.rs`).
//!
//! Run: `cd led-protocol/fuzz && cargo +nightly fuzz run bx_decode`. Crashes found go into
//! `regressions/bx/` (replayed by `tests/fuzz_regressions.rs` on stable).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::check_bx(data, false);
});
