//! Errors of rendering and encoding a ticket.

use std::path::PathBuf;

/// Why a ticket could not be rendered or encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The font file could not be read.
    #[error("cannot read font {path}: {source}")]
    FontRead {
        /// The file that was tried.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a font that can be parsed, or has no face at that index.
    #[error("{path} is not a usable font (face index {index})")]
    FontInvalid {
        /// The file that was tried.
        path: PathBuf,
        /// The face index inside a collection (0 for a single font).
        index: u32,
    },
    /// `HALLQ_TICKET_FONT_INDEX` is not a number.
    #[error("HALLQ_TICKET_FONT_INDEX={0:?} is not a face index")]
    FontIndexEnv(String),
    /// A character of the ticket has no glyph in any face of the font; it
    /// would print as a box, so nothing is rendered.
    #[error("no font has a glyph for {ch:?} (U+{code:04X}) in {text:?} (tried {fonts})", code = u32::from(*.ch))]
    MissingGlyph {
        /// The missing character.
        ch: char,
        /// The text it appears in.
        text: String,
        /// The faces that were tried, comma separated.
        fonts: String,
    },
    /// The data does not fit into a QR code.
    #[error("QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
    /// PNG encoding failed.
    #[error("PNG encoding: {0}")]
    Png(#[from] image::ImageError),
}
