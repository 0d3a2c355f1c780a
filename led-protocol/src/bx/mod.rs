//! Onbon BX-5 / BX-6 controller protocol (protocol version 02).
//!
//! # Layout
//! - [`wire`]: CRC-16/ARC and the escaping of the frame body.
//! - [`Frame`], [`Header`] and the incremental [`decode`] (`frame.rs`).
//! - [`Command`]: the data field; [`Plain`] requests (ping `A2 00`, clear screen `A3 10`),
//!   [`TurnOnOff`] (`A3 00`), [`DynamicArea`] (`A3 06`, the call text), [`Reply`]
//!   (ACK `A0 00` / NACK `A0 01`) and [`RawCommand`] for anything else.
//!
//! ```
//! use led_protocol::bx::{Area, Command, DynamicArea, Frame, Geometry, Header, HorizontalUnit};
//!
//! let geometry = Geometry::from_pixels(0, 0, 64, 16, HorizontalUnit::Columns8);
//! let area = Area::new(0, geometry, "请A001号到3号窗口");
//! let frame = Frame::new(Header::to_screen(1), Command::DynamicArea(DynamicArea::single(area)));
//! let bytes = frame.to_bytes()?;
//! assert_eq!(Frame::from_bytes(&bytes)?, frame);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions where sources disagree
//! Settled by the vectors in `tests/vectors/bx.json` (output of the vendor's Java SDK
//! `onbonlab/bx.k.java`, three cases also byte-identical to the vendor document's example
//! frames and one to a Python peer):
//! - **Area count** after the delete list is **one byte**, in every case and in both peers.
//! - **No type-setting byte**: extension length `00` is followed directly by the alignment
//!   byte. Frames with a non-zero extension length are rejected
//!   ([`DecodeError::UnsupportedExtension`]): no checked peer defines what follows.
//! - **x and width units**: sent as the wire values in [`Geometry`]. The SDK (and every vector)
//!   uses 8-pixel columns ([`HorizontalUnit::Columns8`], `pixels / 8` rounded down);
//!   [`HorizontalUnit::Pixels`] copies the SDK's non-5K behaviour (pixels, no flag) and
//!   [`HorizontalUnit::FlaggedPixels`] the vendor document's top-bit flag. No vector uses
//!   the latter two.
//! - **Replies**: one error byte and two reserved bytes after `A0 00|01` (the SDK's reading;
//!   the 16-bit status fields belong to the BX-6Q "dual" protocol).
//! - **CRC mode** is carried in the header but a CRC-16/ARC is always sent and checked, as
//!   the SDK does; every vector has mode 0 and a valid CRC16.
//! - **Sound fields**: mode 1 is followed by `repeat << 4 | voice`, volume and speed; mode 2
//!   by those and a u32 length plus GB2312 text. The mode 2 layout is the SDK's; mode 1 is
//!   inferred from it. No vector carries sound.
//! - **Delete all**: a delete count of `FF` with no ids ([`DeleteAreas::All`]), as a Python
//!   peer sends it.
//! - **Brightness** (`A3 02`) is not modelled: no checkable peer defines its fields, so it
//!   decodes as [`Command::Other`].

mod command;
mod dynamic_area;
mod error;
mod frame;
mod geometry;
mod reader;
mod reply;
mod sound;
mod text;
pub mod wire;

pub use command::{Command, Plain, RawCommand, TurnOnOff, GROUP_CONTROL, GROUP_PING, GROUP_REPLY};
pub use dynamic_area::{Area, DeleteAreas, DisplayMode, DynamicArea};
pub use error::{DecodeError, EncodeError};
pub use frame::{decode, Frame, Header, HEADER_LEN, MAX_DATA_LEN, MAX_ESCAPED_BODY};
pub use geometry::{Geometry, HorizontalUnit};
pub use reply::Reply;
pub use sound::{Sound, Voice};
pub use text::{encode_gb2312, TextColour};
pub use wire::crc16;
