//! Errors of the Alpha codec.

/// Why an Alpha packet could not be encoded. Nothing is written when encoding fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A packet needs at least one command.
    #[error("a packet needs at least one command")]
    NoCommands,
    /// Type code, file label or command code is not printable ASCII.
    #[error("{field}: byte {byte:#04x} is not printable ASCII")]
    NotPrintable {
        /// Which field.
        field: &'static str,
        /// The byte given.
        byte: u8,
    },
    /// Text holds a character the protocol cannot carry in a message (non-ASCII, or one of
    /// the framing bytes `00`–`04` or the colour code `1C`).
    #[error("text: character {ch:?} cannot be sent")]
    InvalidText {
        /// The first offending character.
        ch: char,
    },
    /// A segment without colour after the first, or an empty one without colour: it would
    /// merge with its neighbour and not decode back the same.
    #[error("segment {index} has no colour; only a non-empty first segment may omit it")]
    UncolouredSegment {
        /// Position of the segment.
        index: usize,
    },
    /// Message text starts with ESC although no display position/mode was given: a reader
    /// would take it for one.
    #[error("message starts with ESC but no display position/mode is set")]
    LeadingEscape,
    /// Raw command data contains a framing byte (`00`–`04`).
    #[error("command {code:?}: data contains framing byte {byte:#04x}")]
    FramingByteInData {
        /// The command code.
        code: char,
        /// The offending byte.
        byte: u8,
    },
}

/// Why bytes could not be decoded as an Alpha packet or reply.
///
/// The incremental decoder reports "need more bytes" as `Ok(None)`, never as an error; on an
/// error the offending packet has been removed from the buffer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The checksum sent differs from the one computed over STX..ETX.
    #[error(
        "bad checksum: expected {expected:04X} (sum of STX..ETX), packet carries {actual:04X}"
    )]
    BadChecksum {
        /// Computed checksum.
        expected: u16,
        /// Checksum found in the packet.
        actual: u16,
    },
    /// A byte that does not belong where it was found.
    #[error("unexpected byte {byte:#04x} at offset {offset} (expected {expected})")]
    UnexpectedByte {
        /// Offset from SOH.
        offset: usize,
        /// The byte found.
        byte: u8,
        /// What should have been there.
        expected: &'static str,
    },
    /// The packet ends inside a field.
    #[error("packet ends inside {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// An address character is neither a hex digit nor `?`.
    #[error("address {0:?} is not two hex digits or '?'")]
    InvalidAddress(String),
    /// `1C` followed by an unknown colour code.
    #[error("unknown colour code {0:#04x} after 1C")]
    InvalidColour(u8),
    /// Unknown display mode byte after ESC and position.
    #[error("unknown display mode {0:#04x}")]
    InvalidMode(u8),
    /// A byte outside 7-bit ASCII in text.
    #[error("non-ASCII byte {0:#04x} in text")]
    NonAscii(u8),
    /// Some commands of one packet carry a checksum and others do not.
    #[error("some commands carry a checksum and others do not")]
    MixedChecksum,
    /// An ACK/NAK status byte without bit 6 set (or with bit 7 set).
    #[error("status byte {0:#04x} lacks bit 6 (0x40), which a sign always sets")]
    InvalidStatus(u8),
    /// No EOT within the longest packet accepted; the bytes were dropped.
    #[error("no EOT within {max} bytes after SOH")]
    PacketTooLong {
        /// Longest packet accepted.
        max: usize,
    },
    /// A `from_bytes` call got an incomplete packet.
    #[error("incomplete packet")]
    Incomplete,
    /// A `from_bytes` call found bytes after the packet.
    #[error("{count} bytes after the end of the packet")]
    BytesAfterPacket {
        /// Number of extra bytes.
        count: usize,
    },
}
