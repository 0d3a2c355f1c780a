//! Frame header, encoding and the incremental decoder.
//!
//! ```text
//! A5 ×8 | dst u16  src u16  00 00 00  option crc_mode display_mode device_type version
//!       | data_len u16 | data… | crc u16 | 5A
//!         └──────── escaped (CRC over the unescaped dst..data) ────────┘
//! ```

use bytes::{Buf, BufMut, BytesMut};
use serde::Serialize;

use super::command::Command;
use super::wire::{crc16, escape_into, unescape, END_BYTE, PREAMBLE_BYTE, PREAMBLE_LEN};
use super::{DecodeError, EncodeError};

/// Header length: addresses, reserved bytes, five one-byte fields and the data length.
pub const HEADER_LEN: usize = 14;
/// Longest data field the 16-bit length allows.
pub const MAX_DATA_LEN: usize = u16::MAX as usize;
/// Longest escaped body (every byte escaped) the decoder waits for before giving up.
pub const MAX_ESCAPED_BODY: usize = 2 * (HEADER_LEN + MAX_DATA_LEN + 2);

/// The 14-byte frame header, less the data length (computed when encoding). The three
/// reserved bytes are sent as `00` and ignored when decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Destination: a screen address, [`Header::HOST`] for replies, or
    /// [`Header::WILDCARD_DST`].
    pub dst: u16,
    /// Source: [`Header::HOST`] for host requests.
    pub src: u16,
    /// Option byte (0).
    pub option: u8,
    /// 0 CRC16, 1 sum, 2 none. Carried as data only: like the reference SDK, this crate
    /// always sends and checks a CRC-16/ARC.
    pub crc_mode: u8,
    /// 0 normal, 1 dynamic areas first.
    pub display_mode: u8,
    /// [`Header::DEVICE_WILDCARD`] (some senders use `61`).
    pub device_type: u8,
    /// Protocol version, [`Header::VERSION`].
    pub version: u8,
}

impl Header {
    /// Address of the host (PC) side.
    pub const HOST: u16 = 0x8000;
    /// Destination address every controller accepts.
    pub const WILDCARD_DST: u16 = 0xFFFE;
    /// Device type every controller accepts.
    pub const DEVICE_WILDCARD: u8 = 0xFE;
    /// Protocol version of BX-5/BX-6 frames.
    pub const VERSION: u8 = 0x02;

    /// Header of a host request to screen `dst`: source [`Header::HOST`], device type
    /// wildcard, version 2, other fields 0.
    #[must_use]
    pub const fn to_screen(dst: u16) -> Self {
        Self {
            dst,
            src: Self::HOST,
            option: 0,
            crc_mode: 0,
            display_mode: 0,
            device_type: Self::DEVICE_WILDCARD,
            version: Self::VERSION,
        }
    }

    fn encode(&self, data_len: u16, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.dst.to_le_bytes());
        out.extend_from_slice(&self.src.to_le_bytes());
        out.extend_from_slice(&[
            0,
            0,
            0,
            self.option,
            self.crc_mode,
            self.display_mode,
            self.device_type,
            self.version,
        ]);
        out.extend_from_slice(&data_len.to_le_bytes());
    }

    fn decode(b: &[u8; HEADER_LEN]) -> (Self, usize) {
        let header = Self {
            dst: u16::from_le_bytes([b[0], b[1]]),
            src: u16::from_le_bytes([b[2], b[3]]),
            option: b[7],
            crc_mode: b[8],
            display_mode: b[9],
            device_type: b[10],
            version: b[11],
        };
        (header, usize::from(u16::from_le_bytes([b[12], b[13]])))
    }
}

impl Default for Header {
    /// [`Header::to_screen`]`(0x0001)`, the usual first screen.
    fn default() -> Self {
        Self::to_screen(0x0001)
    }
}

/// One BX frame: header and command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// Addresses and link fields.
    pub header: Header,
    /// The data field.
    pub command: Command,
}

impl Frame {
    /// A frame with `header` carrying `command`.
    #[must_use]
    pub const fn new(header: Header, command: Command) -> Self {
        Self { header, command }
    }

    /// Writes the whole frame (preamble, escaped body, end byte) to `out`.
    ///
    /// # Errors
    /// [`EncodeError`] when a field does not fit; nothing is written then.
    pub fn encode<B: BufMut>(&self, out: &mut B) -> Result<(), EncodeError> {
        out.put_slice(&self.to_bytes()?);
        Ok(())
    }

    /// The whole frame as bytes.
    ///
    /// # Errors
    /// [`EncodeError`] when a field does not fit.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut data = Vec::new();
        self.command.encode_data(&mut data)?;
        let data_len =
            u16::try_from(data.len()).map_err(|_| EncodeError::DataTooLong { len: data.len() })?;
        let mut body = Vec::with_capacity(HEADER_LEN + data.len() + 2);
        self.header.encode(data_len, &mut body);
        body.extend_from_slice(&data);
        let crc = crc16(&body);
        body.extend_from_slice(&crc.to_le_bytes());

        let mut out = Vec::with_capacity(PREAMBLE_LEN + body.len() * 9 / 8 + 1);
        out.extend_from_slice(&[PREAMBLE_BYTE; PREAMBLE_LEN]);
        escape_into(&body, &mut out);
        out.push(END_BYTE);
        Ok(out)
    }

    /// Takes the next frame off the front of `buf`.
    ///
    /// - `Ok(None)`: no complete frame yet; read more bytes and call again.
    /// - Bytes before a preamble are dropped, as is a frame cut short by a new preamble.
    /// - Any run of one or more `A5` counts as a preamble.
    ///
    /// # Errors
    /// [`DecodeError`] for a complete frame that is bad (CRC, escaping, lengths, fields).
    /// The frame's bytes are consumed either way.
    pub fn decode(buf: &mut BytesMut) -> Result<Option<Self>, DecodeError> {
        loop {
            let Some(start) = buf.iter().position(|&b| b == PREAMBLE_BYTE) else {
                buf.clear();
                return Ok(None);
            };
            buf.advance(start);
            let run = buf.iter().take_while(|&&b| b == PREAMBLE_BYTE).count();
            if run == buf.len() {
                // Only preamble so far; keep a bounded amount of it.
                buf.advance(run.saturating_sub(PREAMBLE_LEN));
                return Ok(None);
            }
            let body = &buf[run..];
            match body
                .iter()
                .position(|&b| b == END_BYTE || b == PREAMBLE_BYTE)
            {
                None if body.len() > MAX_ESCAPED_BODY => {
                    buf.clear();
                    return Err(DecodeError::FrameTooLong {
                        max: MAX_ESCAPED_BODY,
                    });
                }
                None => return Ok(None),
                // A new preamble before the end byte: the frame was cut short.
                Some(i) if body[i] == PREAMBLE_BYTE => buf.advance(run + i),
                Some(i) => {
                    let frame = buf.split_to(run + i + 1);
                    return Self::decode_body(&frame[run..run + i]).map(Some);
                }
            }
        }
    }

    /// Decodes exactly one complete frame (bytes before its preamble are skipped).
    ///
    /// # Errors
    /// [`DecodeError::Incomplete`] when the frame is cut short,
    /// [`DecodeError::BytesAfterFrame`] when bytes follow it, or any frame error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut buf = BytesMut::from(bytes);
        let frame = Self::decode(&mut buf)?.ok_or(DecodeError::Incomplete)?;
        match buf.len() {
            0 => Ok(frame),
            count => Err(DecodeError::BytesAfterFrame { count }),
        }
    }

    /// Decodes the escaped bytes between preamble and end byte.
    fn decode_body(escaped: &[u8]) -> Result<Self, DecodeError> {
        let body = unescape(escaped).map_err(|e| DecodeError::BadEscape {
            offset: e.offset,
            byte: e.byte,
            next: e.next,
        })?;
        if body.len() < HEADER_LEN + 2 {
            return Err(DecodeError::TooShort { len: body.len() });
        }
        let (content, crc) = body.split_at(body.len() - 2);
        let actual = u16::from_le_bytes([crc[0], crc[1]]);
        let expected = crc16(content);
        if expected != actual {
            return Err(DecodeError::BadCrc { expected, actual });
        }
        let (head, data) = content.split_at(HEADER_LEN);
        let head: &[u8; HEADER_LEN] = head
            .try_into()
            .map_err(|_| DecodeError::TooShort { len: body.len() })?;
        let (header, declared) = Header::decode(head);
        if declared != data.len() {
            return Err(DecodeError::LengthMismatch {
                declared,
                actual: data.len(),
            });
        }
        Ok(Self {
            header,
            command: Command::decode_data(data)?,
        })
    }

    /// A JSON description for tools (`hallq led decode`): protocol, header and command.
    #[must_use]
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "protocol": "bx",
            "header": self.header,
            "command": self.command,
        })
    }
}

/// Same as [`Frame::decode`].
///
/// # Errors
/// See [`Frame::decode`].
pub fn decode(buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
    Frame::decode(buf)
}
