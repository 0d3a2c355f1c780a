//! Reader → host frames: `SW1 SW2 SW3 [data]`.

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::frame::{self, FrameError};

/// SW3 values (GA 467). SW1 and SW2 are `00 00` on every reply seen.
pub mod status {
    /// Operation succeeded.
    pub const OK: u8 = 0x90;
    /// The card has no content for this item.
    pub const NO_CONTENT: u8 = 0x91;
    /// Find card: a card is in the field.
    pub const FOUND: u8 = 0x9F;
    /// The reader got a request with a bad checksum.
    pub const BAD_CHECKSUM: u8 = 0x10;
    /// The reader got a request with a bad length.
    pub const BAD_LENGTH: u8 = 0x11;
    /// Unknown command or bad parameters.
    pub const BAD_COMMAND: u8 = 0x21;
    /// Read failed.
    pub const READ_FAILED: u8 = 0x41;
    /// SAM self-check failed.
    pub const SAM_FAULT: u8 = 0x60;
    /// Find card: no card.
    pub const NO_CARD: u8 = 0x80;
    /// Select card failed.
    pub const SELECT_FAILED: u8 = 0x81;

    /// A short English meaning of an SW3 value, for error messages.
    #[must_use]
    pub const fn meaning(sw3: u8) -> &'static str {
        match sw3 {
            OK => "ok",
            NO_CONTENT => "no content",
            FOUND => "card found",
            BAD_CHECKSUM => "reader saw a bad checksum",
            BAD_LENGTH => "reader saw a bad length",
            BAD_COMMAND => "bad command",
            0x23 => "not authorised",
            0x24 => "unrecognised error",
            0x31 => "card failed SAM authentication",
            0x32 => "SAM failed card authentication",
            0x33 => "information verification failed",
            0x40 => "unknown card type",
            READ_FAILED => "read failed",
            0x47 => "random number failed",
            SAM_FAULT => "SAM self-check failed",
            0x66 => "SAM not authorised",
            NO_CARD => "no card",
            SELECT_FAILED => "select failed",
            _ => "unknown status",
        }
    }
}

/// One reply frame.
///
/// `Debug` shows the length of `data`, never its bytes (a read reply holds the ID number).
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    /// SW1 (`00`).
    pub sw1: u8,
    /// SW2 (`00`).
    pub sw2: u8,
    /// SW3: the outcome, see [`status`].
    pub sw3: u8,
    /// Bytes after SW3 (the text and photo of a read reply; empty otherwise).
    pub data: Bytes,
}

impl Reply {
    /// Smallest `len`: SW1, SW2, SW3, CHK.
    const MIN_LEN: u16 = 4;

    /// A reply with SW1 SW2 = `00 00`.
    #[must_use]
    pub const fn new(sw3: u8, data: Bytes) -> Self {
        Self {
            sw1: 0,
            sw2: 0,
            sw3,
            data,
        }
    }

    /// Appends the frame.
    ///
    /// # Panics
    /// If `data` is longer than [`frame::MAX_LEN`] − 4 bytes.
    pub fn encode(&self, out: &mut BytesMut) {
        frame::encode(&[&[self.sw1, self.sw2, self.sw3], &self.data], out);
    }

    /// Takes one reply off the front of `buf`; see [`decode`].
    ///
    /// # Errors
    /// As [`decode`].
    pub fn decode(buf: &mut BytesMut) -> Result<Option<Self>, FrameError> {
        let Some(mut body) = frame::decode(buf, Self::MIN_LEN)? else {
            return Ok(None);
        };
        let sw = body.split_to(3);
        Ok(Some(Self {
            sw1: sw[0],
            sw2: sw[1],
            sw3: sw[2],
            data: body.freeze(),
        }))
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field(
                "sw",
                &format_args!("{:02X} {:02X} {:02X}", self.sw1, self.sw2, self.sw3),
            )
            .field("data_len", &self.data.len())
            .finish()
    }
}

/// Takes one reply off the front of `buf`.
///
/// - `Ok(None)`: more bytes are needed. Bytes before a preamble are dropped, so garbage never
///   accumulates.
/// - `Ok(Some(reply))`: the frame's bytes are consumed.
///
/// # Errors
/// - [`FrameError::Checksum`]: the frame's bytes are consumed.
/// - [`FrameError::Length`]: `len` below 4 or above [`frame::MAX_LEN`]; the preamble is
///   consumed and the next call looks for the next one.
///
/// Either way the caller may call again at once: every call makes progress.
pub fn decode(buf: &mut BytesMut) -> Result<Option<Reply>, FrameError> {
    Reply::decode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_card_reply_byte_by_byte() {
        let wire = [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, // preamble
            0x00, 0x04, // len: SW1 SW2 SW3 CHK
            0x00, 0x00, 0x9F, // SW: card found
            0x9B, // CHK = 00^04^00^00^9F
        ];
        let mut buf = BytesMut::new();
        for (i, b) in wire.iter().enumerate() {
            buf.extend_from_slice(&[*b]);
            let got = decode(&mut buf).unwrap();
            if i + 1 < wire.len() {
                assert_eq!(got, None, "after {} bytes", i + 1);
            } else {
                assert_eq!(got, Some(Reply::new(status::FOUND, Bytes::new())));
            }
        }
        assert!(buf.is_empty());
    }

    #[test]
    fn garbage_before_the_preamble_is_skipped() {
        let mut buf = BytesMut::from(&b"\x00\x13noise\xAA\x96"[..]);
        Reply::new(status::OK, Bytes::from_static(b"xy")).encode(&mut buf);
        let reply = decode(&mut buf).unwrap().unwrap();
        assert_eq!(reply.sw3, status::OK);
        assert_eq!(&reply.data[..], b"xy");
    }

    #[test]
    fn a_request_sized_len_is_absurd_for_a_reply() {
        let mut buf = BytesMut::new();
        crate::Command::FindCard.encode(&mut buf);
        assert_eq!(decode(&mut buf), Err(FrameError::Length { len: 3, min: 4 }));
    }

    #[test]
    fn debug_hides_data() {
        let reply = Reply::new(status::OK, Bytes::from_static(b"4601"));
        assert_eq!(format!("{reply:?}"), "Reply { sw: 00 00 90, data_len: 4 }");
    }
}
