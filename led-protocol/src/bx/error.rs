//! Errors of the BX codec.

/// Why a BX frame could not be encoded. Nothing is written when encoding fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The data field would be longer than the 16-bit length field allows.
    #[error("frame data is {len} bytes; at most 65535 fit the length field")]
    DataTooLong {
        /// Length of the data field that was built.
        len: usize,
    },
    /// One area of a dynamic-area command would be longer than its 16-bit length field.
    #[error("area {index} is {len} bytes; at most 65535 fit its length field")]
    AreaTooLong {
        /// Position of the area in the command.
        index: usize,
        /// Length of the area that was built.
        len: usize,
    },
    /// More than 255 areas in one dynamic-area command (the count is one byte).
    #[error("{count} areas in one command; the area count is one byte (at most 255)")]
    TooManyAreas {
        /// Number of areas given.
        count: usize,
    },
    /// More than 254 area ids to delete (the count is one byte and `FF` means "all").
    #[error("{count} area ids to delete; at most 254 (FF means delete all)")]
    TooManyDeleteIds {
        /// Number of ids given.
        count: usize,
    },
    /// Text contains a character that GB2312/GBK cannot represent.
    #[error("{field}: character {ch:?} has no GB2312/GBK encoding")]
    Unencodable {
        /// Which text field.
        field: &'static str,
        /// The first character that failed.
        ch: char,
    },
    /// A numeric field is outside the range its bits allow.
    #[error("{field}: value {value} is out of range (at most {max})")]
    OutOfRange {
        /// Name of the field.
        field: &'static str,
        /// The value given.
        value: u32,
        /// Largest value that fits.
        max: u32,
    },
}

/// Why bytes could not be decoded as a BX frame.
///
/// The incremental decoder reports "need more bytes" as `Ok(None)`, never as an error. When
/// it returns an error it has already removed the offending frame from the buffer, so the
/// next call continues with the bytes after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The CRC carried by the frame differs from the one computed over its content.
    #[error(
        "bad CRC: expected {expected:#06x} (computed over dst..data), frame carries {actual:#06x}"
    )]
    BadCrc {
        /// CRC-16/ARC computed over the unescaped destination address through data.
        expected: u16,
        /// CRC found in the frame.
        actual: u16,
    },
    /// An escape byte (`A6` or `5B`) is followed by something other than `01`/`02`.
    #[error("bad escape at body offset {offset}: {byte:#04x} followed by {next:?}")]
    BadEscape {
        /// Offset in the escaped body (after the preamble).
        offset: usize,
        /// The escape byte.
        byte: u8,
        /// The byte after it, if any.
        next: Option<u8>,
    },
    /// No end byte (`5A`) within the longest possible frame; the bytes were dropped.
    #[error("no end byte within {max} bytes after the preamble")]
    FrameTooLong {
        /// Longest escaped body accepted.
        max: usize,
    },
    /// The unescaped body is shorter than header plus CRC.
    #[error("frame body is {len} bytes; header and CRC alone take 16")]
    TooShort {
        /// Unescaped body length.
        len: usize,
    },
    /// The header's data length differs from the data actually carried.
    #[error("header says {declared} data bytes, frame carries {actual}")]
    LengthMismatch {
        /// Data length in the header.
        declared: usize,
        /// Data bytes present.
        actual: usize,
    },
    /// The data field ends inside a field.
    #[error("data ends inside {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// Bytes are left after the last field of a command.
    #[error("{count} unexpected bytes after the {command} fields")]
    TrailingBytes {
        /// The command being decoded.
        command: &'static str,
        /// Number of bytes left over.
        count: usize,
    },
    /// A field holds a value this crate does not know.
    #[error("{field}: unsupported value {value:#x}")]
    InvalidValue {
        /// Name of the field.
        field: &'static str,
        /// The value found.
        value: u32,
    },
    /// An area's length field disagrees with the fields it holds.
    #[error("area {index}: length field says {declared} bytes, its fields take {actual}")]
    AreaLength {
        /// Position of the area in the command.
        index: usize,
        /// Value of the length field.
        declared: usize,
        /// Bytes the area's fields take.
        actual: usize,
    },
    /// An area carries extension parameters, whose layout no checked peer defines.
    #[error("area {index}: extension parameters ({len} bytes) are not supported")]
    UnsupportedExtension {
        /// Position of the area in the command.
        index: usize,
        /// Value of the extension length byte.
        len: u8,
    },
    /// Text bytes are not valid GB2312/GBK.
    #[error("{field}: bytes are not valid GB2312/GBK")]
    BadText {
        /// Which text field.
        field: &'static str,
    },
    /// [`Frame::from_bytes`](super::Frame::from_bytes) got an incomplete frame.
    #[error("incomplete frame")]
    Incomplete,
    /// [`Frame::from_bytes`](super::Frame::from_bytes) found bytes after the frame.
    #[error("{count} bytes after the end of the frame")]
    BytesAfterFrame {
        /// Number of extra bytes.
        count: usize,
    },
}
