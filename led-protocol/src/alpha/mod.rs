//! Alpha Sign Communications Protocol (Adaptive Micro Systems), Standard Transmission Packet.
//!
//! # Layout
//! - [`Packet`], [`Address`], [`Command`] and the checksum (`packet.rs`).
//! - [`WriteText`]: label, [`Display`] ([`Position`] + [`Mode`]) and coloured [`Segment`]s
//!   (`text.rs`).
//! - [`Incoming`]: what a sign sends back, ACK/NAK with [`SerialStatus`] or a packet, and
//!   the incremental decoders [`Incoming::decode`] and [`decode_packet`] (`reply.rs`).
//!
//! ```
//! use led_protocol::alpha::{Address, Colour, Command, Mode, Packet, Position, WriteText};
//!
//! let text = WriteText::priority(Position::MIDDLE_LINE, Mode::Hold, Colour::Red, "A001 -> 3");
//! let packet = Packet::new(Address::BROADCAST, Command::WriteText(text));
//! let bytes = packet.to_bytes()?;
//! assert_eq!(Packet::from_bytes(&bytes)?, packet);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions where sources disagree
//! Settled by the vectors in `tests/vectors/alpha.json` (output of alphasignpy 0.1.1, one
//! case also byte-identical to alphasign 0.9):
//! - **Display position bytes**: implementations disagree (alphasignpy 0.1.1: fill `26`, top
//!   `30`, middle `31`, bottom `32`; alphasign 0.9: top `22`, bottom `26`, fill `30`); only
//!   middle line `20` is common. [`Position`] therefore keeps the byte as sent and decodes
//!   every byte; its named constants follow the Alpha protocol document (the alphasign 0.9
//!   table). So the vectors' "fill" cases carry `26`, which this crate names
//!   [`Position::BOTTOM_LINE`]; to reproduce them, send `Position(0x26)`. For a call board,
//!   use [`Position::MIDDLE_LINE`], which means the same everywhere.
//! - **Checksum off**: with one command, neither ETX nor checksum is sent; with several,
//!   each command still ends with ETX. The decoder checks every checksum it finds.
//! - **Timing markers**: some implementations put `FF` after STX as a pause marker that is
//!   never transmitted; this crate neither sends nor expects it (the driver may pause after
//!   the packet header).
//! - **Read TEXT responses** are packets with type code `'0'` and one `A` command
//!   ([`Packet::read_text_response`]); unlike alphasignpy's parser, the checksum is checked.
//! - **Sync**: five NULs are sent; the decoder skips any number (a sign sends 20).

mod error;
mod packet;
mod reply;
mod text;

pub use error::{DecodeError, EncodeError};
pub use packet::{
    checksum, Address, Command, Packet, CMD_READ_TEXT, CMD_WRITE_TEXT, SYNC_LEN, TYPE_ALL_SIGNS,
    TYPE_RESPONSE,
};
pub use reply::{decode_packet, Incoming, SerialStatus, ACK, MAX_PACKET_LEN, NAK};
pub use text::{Colour, Display, Mode, Position, Segment, WriteText};
