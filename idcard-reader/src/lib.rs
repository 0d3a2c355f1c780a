//! Chinese 2nd-generation ID card readers (SAM module, GA 467 style framing).
//!
//! # Parts
//! - [`frame`]: the wire frame `AA AA AA 96 69 | len | body | CHK`, its XOR checksum and
//!   [`FrameError`].
//! - [`request`]: host → reader commands ([`Command`]: reset, SAM status, find card, select
//!   card, read text and photo) as [`Request`] frames.
//! - [`reply`]: reader → host frames ([`Reply`]: `SW1 SW2 SW3 | data`), the incremental
//!   decoder [`decode`] and the status codes in [`reply::status`].
//! - [`card`]: the read reply's data (text block + photo) → [`IdCard`], whose `Debug` masks
//!   personal data; the inverse, for emulators and tests; [`nation_name`] for the nation
//!   code.
//! - [`id_number`]: GB 11643-1999 ID numbers: [`validate_id_number`], [`mask_id_number`],
//!   [`mask_name`].
//! - [`reader`]: the reader as a state machine ([`Reader`]): find → select → read, poll
//!   interval, reply timeouts, one [`Event::CardRead`] per card presentation.
//! - [`emulator`]: a reader without hardware ([`Emulator`]): answers requests like a real
//!   one, with injectable faults. Used by the tests; usable by other crates' tests.
//! - `driver` (feature `driver`, on by default): the only IO: [`drive`] drives a [`Reader`]
//!   over any byte stream and hands each [`Event`] to a channel ([`run`]: only the cards,
//!   logging the rest); [`open_serial`] opens the port with tokio-serial;
//!   [`serve_emulator`] puts an [`Emulator`] behind a port.
//!
//! # Rules
//! Outside `driver`, this crate does no IO and reads no clock: time comes in as
//! `now: Instant` (quinn-proto style `handle_*` / `poll_*`). Decoders take bytes off the
//! front of a [`bytes::BytesMut`] and answer `Ok(None)` while a frame is incomplete ("need
//! more bytes" is never an error); garbage before a frame is skipped.
//!
//! An ID number never appears in clear in anything this crate logs or formats: [`IdCard`]'s
//! `Debug` masks the name and the number (and hides the fields that would give the masked
//! digits back), [`Reply`]'s `Debug` shows only the data length, and no error message
//! contains card data.
//!
//! # Tests
//! Unit tests sit next to the code (the state machine against the emulator on a virtual
//! clock); `tests/` holds proptests (frame round trips, random and split input, text blocks,
//! ID numbers), the driver against a fake reader on a pseudo-terminal pair, and a replay of
//! `fuzz/regressions/`. `fuzz/` is a cargo-fuzz package outside the workspace:
//! `cd idcard-reader/fuzz && cargo +nightly fuzz run decode`.
#![warn(missing_docs)]

pub mod card;
#[cfg(feature = "driver")]
mod driver;
pub mod emulator;
pub mod frame;
pub mod id_number;
pub mod reader;
pub mod reply;
pub mod request;

pub use card::nation::nation_name;
pub use card::{CardError, CardType, IdCard, Sex};
#[cfg(feature = "driver")]
pub use driver::{drive, open_serial, run, serve_emulator, DEFAULT_BAUD};
pub use emulator::Emulator;
pub use frame::FrameError;
pub use id_number::{mask_id_number, mask_name, validate_id_number, IdError};
pub use reader::{Event, Reader, ReaderError, ReaderOptions};
pub use reply::{decode, Reply};
pub use request::{Command, Request};
