//! Area text: GB2312 (GBK) encoding and inline colour codes.

use serde::Serialize;

use super::{DecodeError, EncodeError};

/// Inline colour codes understood in area text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextColour {
    /// `\C1`
    Red,
    /// `\C2`
    Green,
    /// `\C3`
    Yellow,
}

impl TextColour {
    /// The control sequence to put before the text it colours.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Red => "\\C1",
            Self::Green => "\\C2",
            Self::Yellow => "\\C3",
        }
    }
}

/// Encodes `text` as GB2312/GBK bytes.
///
/// # Errors
/// [`EncodeError::Unencodable`] naming the first character GBK lacks.
pub fn encode_gb2312(text: &str, field: &'static str) -> Result<Vec<u8>, EncodeError> {
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
    if !had_errors {
        return Ok(bytes.into_owned());
    }
    let mut tmp = [0u8; 4];
    let ch = text
        .chars()
        .find(|c| encoding_rs::GBK.encode(c.encode_utf8(&mut tmp)).2)
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    Err(EncodeError::Unencodable { field, ch })
}

pub(crate) fn decode_gb2312(bytes: &[u8], field: &'static str) -> Result<String, DecodeError> {
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
        .ok_or(DecodeError::BadText { field })
}

pub(crate) fn put_u32_len(out: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths beyond u32 cannot reach here: the frame's 16-bit data length rejects them.
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(bytes);
}
