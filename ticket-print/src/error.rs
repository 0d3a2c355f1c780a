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
    /// No font was configured and none of the known system fonts exists.
    #[error("no CJK font found: set HALLQ_TICKET_FONT or install fonts-noto-cjk (tried {tried})")]
    NoFont {
        /// The paths that were tried, comma separated.
        tried: String,
    },
    /// A character of the ticket has no glyph in the font; it would print as
    /// a box, so nothing is rendered.
    #[error("font {font} has no glyph for {ch:?} (U+{code:04X}) in {text:?}", code = u32::from(*.ch))]
    MissingGlyph {
        /// The missing character.
        ch: char,
        /// The text it appears in.
        text: String,
        /// The font file.
        font: PathBuf,
    },
    /// The data does not fit into a QR code.
    #[error("QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
    /// PNG encoding failed.
    #[error("PNG encoding: {0}")]
    Png(#[from] image::ImageError),
}
