//! The QR matrix shared by the PNG and the raster ESC/POS output.

use qrcode::{Color, EcLevel, QrCode};

use crate::Error;

/// Modules of white border the QR standard asks for on every side.
pub(crate) const QUIET_ZONE: usize = 4;

/// A QR code as a square of dark/light modules, without quiet zone.
pub(crate) struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` (as UTF-8 bytes) with error correction level M, the
    /// level the native ESC/POS QR is printed with too.
    pub(crate) fn encode(text: &str) -> Result<Self, Error> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
        let width = code.width();
        let dark = code
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Self { width, dark })
    }

    /// Modules per side including the quiet zone on both sides.
    pub(crate) fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether module (x, y) is dark; coordinates include the quiet zone, so
    /// anything in it or beyond is light.
    pub(crate) fn dark_in_zone(&self, x: usize, y: usize) -> bool {
        let (Some(x), Some(y)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) else {
            return false;
        };
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }
}
