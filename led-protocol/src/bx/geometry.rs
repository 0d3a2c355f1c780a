//! Area position and size (`x`/`width` units differ between controllers).

use serde::Serialize;

/// Area position and size, as the values on the wire.
///
/// `y` and `height` are pixels. `x` and `width` are in 8-pixel columns unless the top bit
/// ([`Geometry::PIXEL_FLAG`]) is set, in which case the low 15 bits are pixels (vendor
/// document). The reference SDK never sets that bit; with its `is5K` flag off it sends
/// pixels without the flag ([`HorizontalUnit::Pixels`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Geometry {
    /// Left edge as sent.
    pub x: u16,
    /// Top edge in pixels.
    pub y: u16,
    /// Width as sent.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
}

/// How [`Geometry::from_pixels`] writes `x` and `width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HorizontalUnit {
    /// 8-pixel columns, `pixels / 8` rounded down (5K-class controllers; the SDK's `is5K`).
    Columns8,
    /// Pixels as they are, no flag (the SDK with `is5K` off).
    Pixels,
    /// Pixels with the top bit set (vendor document).
    FlaggedPixels,
}

impl Geometry {
    /// Top bit of `x`/`width`: the low 15 bits are pixels.
    pub const PIXEL_FLAG: u16 = 0x8000;

    /// Builds the wire values from pixels.
    #[must_use]
    pub const fn from_pixels(
        x: u16,
        y: u16,
        width: u16,
        height: u16,
        unit: HorizontalUnit,
    ) -> Self {
        let (x, width) = match unit {
            HorizontalUnit::Columns8 => (x / 8, width / 8),
            HorizontalUnit::Pixels => (x, width),
            HorizontalUnit::FlaggedPixels => (
                (x & !Self::PIXEL_FLAG) | Self::PIXEL_FLAG,
                (width & !Self::PIXEL_FLAG) | Self::PIXEL_FLAG,
            ),
        };
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// `x` in pixels: flagged values as pixels, others as `unflagged` says.
    #[must_use]
    pub const fn x_pixels(&self, unflagged: HorizontalUnit) -> u32 {
        to_pixels(self.x, unflagged)
    }

    /// `width` in pixels: flagged values as pixels, others as `unflagged` says.
    #[must_use]
    pub const fn width_pixels(&self, unflagged: HorizontalUnit) -> u32 {
        to_pixels(self.width, unflagged)
    }
}

const fn to_pixels(v: u16, unflagged: HorizontalUnit) -> u32 {
    if v & Geometry::PIXEL_FLAG != 0 {
        (v & !Geometry::PIXEL_FLAG) as u32
    } else {
        match unflagged {
            HorizontalUnit::Columns8 => v as u32 * 8,
            HorizontalUnit::Pixels | HorizontalUnit::FlaggedPixels => v as u32,
        }
    }
}
