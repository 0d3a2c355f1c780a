//! The Standard Transmission Packet: sync, SOH, type code, address, commands, EOT.
//!
//! ```text
//! 00 ×5  01  type  addr addr  { 02 cmd data [03 [cccc]] }+  04
//! ```

use bytes::{BufMut, BytesMut};
use serde::{Serialize, Serializer};

use super::text::WriteText;
use super::{DecodeError, EncodeError};

pub(crate) const SOH: u8 = 0x01;
pub(crate) const STX: u8 = 0x02;
pub(crate) const ETX: u8 = 0x03;
pub(crate) const EOT: u8 = 0x04;
/// NUL bytes sent before SOH so the sign can find the baud rate.
pub const SYNC_LEN: usize = 5;

/// Type code addressing every sign type.
pub const TYPE_ALL_SIGNS: u8 = b'Z';
/// Type code of packets a sign sends back.
pub const TYPE_RESPONSE: u8 = b'0';

/// Command code of Write TEXT.
pub const CMD_WRITE_TEXT: u8 = b'A';
/// Command code of Read TEXT.
pub const CMD_READ_TEXT: u8 = b'B';

/// A sign address: two ASCII hex digits, or `?` wildcards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Address([u8; 2]);

impl Address {
    /// `"00"`: every sign.
    pub const BROADCAST: Self = Self(*b"00");
    /// `"??"`: any address.
    pub const WILDCARD: Self = Self(*b"??");

    /// Address `n` as two upper-case hex digits.
    #[must_use]
    pub const fn new(n: u8) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        Self([HEX[(n >> 4) as usize], HEX[(n & 0x0F) as usize]])
    }

    /// The address as sent, if both bytes are hex digits or `?`.
    #[must_use]
    pub fn from_ascii(bytes: [u8; 2]) -> Option<Self> {
        bytes
            .iter()
            .all(|b| b.is_ascii_hexdigit() || *b == b'?')
            .then_some(Self(bytes))
    }

    /// The two bytes sent.
    #[must_use]
    pub const fn as_bytes(&self) -> [u8; 2] {
        self.0
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(&self.0))
    }
}

/// `serialize_with` helper: an ASCII byte as a one-character string.
pub(crate) fn serialize_ascii<S: Serializer>(b: &u8, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(char::from(*b).encode_utf8(&mut [0; 4]))
}

pub(crate) fn check_printable(field: &'static str, byte: u8) -> Result<(), EncodeError> {
    if (0x20..0x7F).contains(&byte) {
        Ok(())
    } else {
        Err(EncodeError::NotPrintable { field, byte })
    }
}

/// One command inside a packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// `A`: write a TEXT file. In a packet with type code `'0'` this is a sign's answer to
    /// Read TEXT.
    WriteText(WriteText),
    /// `B`: ask the sign for the TEXT file `label`.
    ReadText {
        /// File label.
        #[serde(serialize_with = "serialize_ascii")]
        label: u8,
    },
    /// Any other command, kept raw.
    Other {
        /// Command code.
        #[serde(serialize_with = "serialize_ascii")]
        code: u8,
        /// Bytes after the code.
        #[serde(serialize_with = "crate::hexfmt::serialize")]
        data: Vec<u8>,
    },
}

impl Command {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::WriteText(t) => {
                out.push(CMD_WRITE_TEXT);
                t.encode_data(out)?;
            }
            Self::ReadText { label } => {
                check_printable("file label", *label)?;
                out.extend_from_slice(&[CMD_READ_TEXT, *label]);
            }
            Self::Other { code, data } => {
                check_printable("command code", *code)?;
                if let Some(&byte) = data.iter().find(|&&b| b <= EOT) {
                    return Err(EncodeError::FramingByteInData {
                        code: char::from(*code),
                        byte,
                    });
                }
                out.push(*code);
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }

    fn decode(code: u8, data: &[u8]) -> Result<Self, DecodeError> {
        Ok(match (code, data) {
            (CMD_WRITE_TEXT, _) => Self::WriteText(WriteText::decode_data(data)?),
            (CMD_READ_TEXT, [label]) => Self::ReadText { label: *label },
            _ => Self::Other {
                code,
                data: data.to_vec(),
            },
        })
    }
}

/// A Standard Transmission Packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Packet {
    /// Sign type code: [`TYPE_ALL_SIGNS`], or [`TYPE_RESPONSE`] in a sign's answer.
    #[serde(serialize_with = "serialize_ascii")]
    pub type_code: u8,
    /// Sign address.
    pub address: Address,
    /// Whether each command ends with ETX and a checksum. Without it, ETX is sent only
    /// when the packet has more than one command.
    pub checksum: bool,
    /// The commands, at least one.
    pub commands: Vec<Command>,
}

impl Packet {
    /// A packet to every sign type at `address` with one command and checksums on.
    #[must_use]
    pub fn new(address: Address, command: Command) -> Self {
        Self {
            type_code: TYPE_ALL_SIGNS,
            address,
            checksum: true,
            commands: vec![command],
        }
    }

    /// Writes the packet (five NULs first) to `out`.
    ///
    /// # Errors
    /// [`EncodeError`] when a field cannot be sent; nothing is written then.
    pub fn encode<B: BufMut>(&self, out: &mut B) -> Result<(), EncodeError> {
        out.put_slice(&self.to_bytes()?);
        Ok(())
    }

    /// Decodes exactly one packet (bytes before SOH, such as the sync NULs, are skipped).
    ///
    /// # Errors
    /// [`DecodeError::Incomplete`] when it is cut short, [`DecodeError::BytesAfterPacket`]
    /// when bytes follow it, or any decoding error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut buf = BytesMut::from(bytes);
        let packet = super::decode_packet(&mut buf)?.ok_or(DecodeError::Incomplete)?;
        match buf.len() {
            0 => Ok(packet),
            count => Err(DecodeError::BytesAfterPacket { count }),
        }
    }

    /// The packet as bytes, five NULs first.
    ///
    /// # Errors
    /// [`EncodeError`] when a field cannot be sent.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        if self.commands.is_empty() {
            return Err(EncodeError::NoCommands);
        }
        check_printable("type code", self.type_code)?;
        let mut out = vec![0; SYNC_LEN];
        out.push(SOH);
        out.push(self.type_code);
        out.extend_from_slice(&self.address.0);
        for command in &self.commands {
            let start = out.len();
            out.push(STX);
            command.encode(&mut out)?;
            if self.checksum {
                out.push(ETX);
                let sum = checksum(&out[start..]);
                out.extend_from_slice(format!("{sum:04X}").as_bytes());
            } else if self.commands.len() > 1 {
                out.push(ETX);
            }
        }
        out.push(EOT);
        Ok(out)
    }

    /// Parses one packet from SOH through EOT inclusive.
    pub(crate) fn parse(p: &[u8]) -> Result<Self, DecodeError> {
        let truncated = |field| DecodeError::Truncated { field };
        let unexpected = |offset: usize, expected| DecodeError::UnexpectedByte {
            offset,
            byte: p.get(offset).copied().unwrap_or(0),
            expected,
        };
        let [SOH, type_code, a0, a1, ..] = *p.get(..4).ok_or(truncated("packet header"))? else {
            return Err(unexpected(0, "SOH"));
        };
        let address = Address::from_ascii([a0, a1]).ok_or_else(|| {
            DecodeError::InvalidAddress(String::from_utf8_lossy(&[a0, a1]).into_owned())
        })?;
        let mut pos = 4;
        let mut commands = Vec::new();
        let mut with_checksum = Vec::new();
        loop {
            match p.get(pos) {
                Some(&STX) => {}
                Some(&EOT) if !commands.is_empty() => break,
                Some(_) => return Err(unexpected(pos, "STX")),
                None => return Err(truncated("command")),
            }
            let start = pos;
            let code = *p.get(pos + 1).ok_or(truncated("command code"))?;
            let end = p[pos + 2..]
                .iter()
                .position(|&b| matches!(b, STX | ETX | EOT))
                .map(|i| pos + 2 + i)
                .ok_or(truncated("command data"))?;
            commands.push(Command::decode(code, &p[pos + 2..end])?);
            pos = end;
            let mut has_sum = false;
            if p[pos] == ETX {
                pos += 1;
                let digits = p
                    .get(pos..pos + 4)
                    .filter(|d| d.iter().all(u8::is_ascii_hexdigit));
                if let Some(digits) = digits {
                    let actual = std::str::from_utf8(digits)
                        .ok()
                        .and_then(|s| u16::from_str_radix(s, 16).ok())
                        .ok_or(unexpected(pos, "checksum digits"))?;
                    let expected = checksum(&p[start..pos]);
                    if expected != actual {
                        return Err(DecodeError::BadChecksum { expected, actual });
                    }
                    pos += 4;
                    has_sum = true;
                }
            }
            with_checksum.push(has_sum);
        }
        if with_checksum.iter().any(|&c| c != with_checksum[0]) {
            return Err(DecodeError::MixedChecksum);
        }
        if pos + 1 != p.len() {
            return Err(unexpected(pos + 1, "end of packet"));
        }
        Ok(Self {
            type_code,
            address,
            checksum: with_checksum[0],
            commands,
        })
    }

    /// The text of a sign's answer to Read TEXT: type code `'0'` and one Write TEXT command.
    #[must_use]
    pub fn read_text_response(&self) -> Option<&WriteText> {
        match self.commands.as_slice() {
            [Command::WriteText(t)] if self.type_code == TYPE_RESPONSE => Some(t),
            _ => None,
        }
    }

    /// A JSON description for tools (`hallq led decode`).
    #[must_use]
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({ "protocol": "alpha", "packet": self })
    }
}

/// 16-bit sum of the bytes from STX through ETX inclusive.
#[must_use]
pub fn checksum(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |sum, &b| sum.wrapping_add(u16::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_text_packet_byte_by_byte() {
        let packet = Packet::new(Address::new(1), Command::ReadText { label: b'A' });
        let bytes = packet.to_bytes().unwrap();
        #[rustfmt::skip]
        let expected = [
            0, 0, 0, 0, 0,          // sync
            SOH, b'Z', b'0', b'1',  // all sign types, address "01"
            STX, b'B', b'A', ETX,   // Read TEXT file 'A'
            b'0', b'0', b'8', b'8', // 02 + 42 + 41 + 03 = 0x0088
            EOT,
        ];
        assert_eq!(bytes, expected);
        assert_eq!(checksum(&[STX, b'B', b'A', ETX]), 0x88);
        assert_eq!(Packet::parse(&bytes[SYNC_LEN..]).unwrap(), packet);
    }

    #[test]
    fn checksum_wraps_at_16_bits() {
        assert_eq!(checksum(&[0xFF; 300]), (300 * 0xFF % 0x1_0000) as u16);
    }
}
