//! Serialising byte strings as lowercase hex for JSON descriptions.

use std::fmt::Write as _;

/// Lowercase hex without separators, e.g. `a30601`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `serialize_with` helper: a byte string as lowercase hex.
pub(crate) fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(bytes))
}
