//! LED board wire protocols of the hall as sans-IO codecs.
//!
//! # Parts
//! - [`bx`]: Onbon BX-5 / BX-6 controllers (Chinese text, GB2312): frames with header, CRC-16
//!   and escaping; ping, clear screen, screen on/off, dynamic areas, ACK/NACK replies.
//! - [`alpha`]: Alpha Sign Communications Protocol (Latin text): packets with write/read
//!   text commands, optional checksums, ACK/NAK status bytes and read-text responses.
//! - [`bus`]: one serial line or TCP controller as a state machine: one frame at a time,
//!   ACK timeouts and bounded retries, silent boards probed each second and given only their
//!   newest content when back, keepalive pings, reopening with backoff, resending after a
//!   reopen.
//! - [`emulator`]: a board without hardware: decodes what the host sends, answers ACKs.
//! - `gateway` (feature `gateway`): the IO around these: MQTT subscriber (waiting for the
//!   retained state before serving boards), one task per bus owning its serial port or TCP
//!   socket, the state file `led-state.json`, the emulator on TCP or a pty.
//! - [`show`]: protocol-neutral content (text, effect, colour) → the frame for one board;
//!   captured bytes → JSON descriptions (`hallq led encode|decode`).
//!
//! # Rules
//! Outside `gateway`, this crate does no IO and reads no clock. Encoders append bytes to a buffer; decoders
//! take bytes off the front of a [`bytes::BytesMut`] and answer `Ok(None)` while a frame is
//! incomplete ("need more bytes" is never an error). A driver that owns the serial port or
//! TCP socket, and any timing (retries, pauses), lives elsewhere.
//!
//! Every frame type derives [`serde::Serialize`] and has a `describe()` returning a
//! [`serde_json::Value`], for tools such as `hallq led decode`.
//!
//! The test vectors in `tests/vectors/` (outputs of independent peer implementations) are
//! reproduced byte for byte; each module's docs record where they settle a disagreement
//! between sources.
#![warn(missing_docs)]

pub mod alpha;
pub mod bus;
pub mod bx;
pub mod emulator;
#[cfg(feature = "gateway")]
pub mod gateway;
mod hexfmt;
pub mod show;
