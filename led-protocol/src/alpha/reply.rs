//! What a sign sends back: ACK/NAK with a status byte, or a packet, and the incremental
//! decoder that tells them apart.

use bytes::{Buf, BytesMut};
use serde::Serialize;

use super::packet::{Packet, EOT, SOH};
use super::DecodeError;

/// ACK byte, sent after a packet was accepted (when ACK/NAK is enabled with `E s`).
pub const ACK: u8 = 0x06;
/// NAK byte, sent after a packet was refused.
pub const NAK: u8 = 0x15;
/// Longest packet the decoder waits for before giving up.
pub const MAX_PACKET_LEN: usize = 256 * 1024;

/// The serial error status register that follows ACK or NAK. Bit 6 (`40`) is always set on
/// the wire; the other bits are the flags below.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SerialStatus {
    /// `20`: illegal command or command field.
    pub illegal_command: bool,
    /// `10`: checksum error.
    pub checksum_error: bool,
    /// `08`: receive buffer overflow.
    pub buffer_overflow: bool,
    /// `04`: serial timeout.
    pub serial_timeout: bool,
    /// `02`: framing error.
    pub framing_error: bool,
    /// `01`: parity error.
    pub parity_error: bool,
}

const ALWAYS_SET: u8 = 0x40;

impl SerialStatus {
    /// The byte sent, bit 6 included.
    #[must_use]
    pub fn to_byte(self) -> u8 {
        [
            (self.illegal_command, 0x20),
            (self.checksum_error, 0x10),
            (self.buffer_overflow, 0x08),
            (self.serial_timeout, 0x04),
            (self.framing_error, 0x02),
            (self.parity_error, 0x01),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .fold(ALWAYS_SET, |acc, (_, bit)| acc | bit)
    }

    /// Reads a status byte.
    ///
    /// # Errors
    /// [`DecodeError::InvalidStatus`] unless bit 6 is set and bit 7 clear.
    pub const fn from_byte(b: u8) -> Result<Self, DecodeError> {
        if b & 0xC0 != ALWAYS_SET {
            return Err(DecodeError::InvalidStatus(b));
        }
        Ok(Self {
            illegal_command: b & 0x20 != 0,
            checksum_error: b & 0x10 != 0,
            buffer_overflow: b & 0x08 != 0,
            serial_timeout: b & 0x04 != 0,
            framing_error: b & 0x02 != 0,
            parity_error: b & 0x01 != 0,
        })
    }
}

/// One thing received from a sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Incoming {
    /// `06` + status: the packet was accepted.
    Ack(SerialStatus),
    /// `15` + status: the packet was refused.
    Nak(SerialStatus),
    /// A packet, e.g. the answer to Read TEXT (see [`Packet::read_text_response`]).
    Packet(Packet),
}

impl Incoming {
    /// Takes the next ACK/NAK or packet off the front of `buf`.
    ///
    /// Bytes before SOH, ACK or NAK (the sync NULs included) are dropped; `Ok(None)` means
    /// more bytes are needed.
    ///
    /// # Errors
    /// [`DecodeError`] for a bad status byte or packet; its bytes are consumed.
    pub fn decode(buf: &mut BytesMut) -> Result<Option<Self>, DecodeError> {
        let Some(start) = buf.iter().position(|&b| matches!(b, SOH | ACK | NAK)) else {
            buf.clear();
            return Ok(None);
        };
        buf.advance(start);
        match buf[0] {
            SOH => Ok(take_packet(buf)?.map(Self::Packet)),
            first => {
                if buf.len() < 2 {
                    return Ok(None);
                }
                let status = buf[1];
                buf.advance(2);
                let status = SerialStatus::from_byte(status)?;
                Ok(Some(if first == ACK {
                    Self::Ack(status)
                } else {
                    Self::Nak(status)
                }))
            }
        }
    }

    /// Decodes exactly one reply or packet (leading sync NULs are skipped).
    ///
    /// # Errors
    /// [`DecodeError::Incomplete`] when it is cut short, [`DecodeError::BytesAfterPacket`]
    /// when bytes follow it, or any decoding error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut buf = BytesMut::from(bytes);
        let item = Self::decode(&mut buf)?.ok_or(DecodeError::Incomplete)?;
        match buf.len() {
            0 => Ok(item),
            count => Err(DecodeError::BytesAfterPacket { count }),
        }
    }

    /// The bytes a sign sends for this item (packets with five leading NULs).
    ///
    /// # Errors
    /// [`super::EncodeError`] for a packet that cannot be encoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>, super::EncodeError> {
        match self {
            Self::Ack(s) => Ok(vec![ACK, s.to_byte()]),
            Self::Nak(s) => Ok(vec![NAK, s.to_byte()]),
            Self::Packet(p) => p.to_bytes(),
        }
    }

    /// A JSON description for tools (`hallq led decode`).
    #[must_use]
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({ "protocol": "alpha", "incoming": self })
    }
}

/// Decodes the next packet from the host side of the line (no ACK/NAK expected): what a
/// sign simulator or a line sniffer reads. Bytes before SOH are dropped; `Ok(None)` means
/// more bytes are needed.
///
/// # Errors
/// [`DecodeError`] for a bad packet; its bytes are consumed.
pub fn decode_packet(buf: &mut BytesMut) -> Result<Option<Packet>, DecodeError> {
    let Some(start) = buf.iter().position(|&b| b == SOH) else {
        buf.clear();
        return Ok(None);
    };
    buf.advance(start);
    take_packet(buf)
}

/// Takes SOH..EOT off the front of `buf` (which starts with SOH) and parses it.
fn take_packet(buf: &mut BytesMut) -> Result<Option<Packet>, DecodeError> {
    let Some(end) = buf.iter().position(|&b| b == EOT) else {
        if buf.len() > MAX_PACKET_LEN {
            buf.clear();
            return Err(DecodeError::PacketTooLong {
                max: MAX_PACKET_LEN,
            });
        }
        return Ok(None);
    };
    let packet = buf.split_to(end + 1);
    Packet::parse(&packet).map(Some)
}
