//! Fonts for the PNG ticket.
//!
//! The crate embeds no font. [`Font::find_system`] looks, in order, at
//! 1. the file named by `HALLQ_TICKET_FONT` (face index `HALLQ_TICKET_FONT_INDEX`,
//!    default 0); when the variable is set, a failure to load it is an error
//!    and no other font is tried;
//! 2. the files of [`SYSTEM_FONTS`], the first that exists:
//!    Noto Sans CJK (Debian `fonts-noto-cjk`), WenQuanYi Micro Hei
//!    (`fonts-wqy-microhei`), AR PL UMing (`fonts-arphic-uming`).

use std::path::{Path, PathBuf};

use ab_glyph::{Font as _, FontVec, GlyphId, PxScale, ScaleFont as _};

use crate::Error;

/// Environment variable naming a font file that overrides the system list.
pub const FONT_ENV: &str = "HALLQ_TICKET_FONT";

/// Environment variable with the face index inside a `.ttc` named by
/// [`FONT_ENV`] (default 0).
pub const FONT_INDEX_ENV: &str = "HALLQ_TICKET_FONT_INDEX";

/// Known CJK fonts, as (path, face index), tried in this order.
///
/// The Noto Sans CJK collection uses face 2, "Noto Sans CJK SC", so that
/// characters take their Simplified Chinese shapes (face 0 is the Japanese
/// one). The two other collections have their Chinese face first.
pub const SYSTEM_FONTS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

/// A loaded font face and the file it came from.
pub struct Font {
    face: FontVec,
    path: PathBuf,
    index: u32,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("path", &self.path)
            .field("index", &self.index)
            .finish()
    }
}

impl Font {
    /// Loads a TTF or OTF file, or the first face (index 0) of a TTC collection.
    ///
    /// # Errors
    ///
    /// [`Error::FontRead`] if the file cannot be read, [`Error::FontInvalid`]
    /// if it is not a font.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_index(path, 0)
    }

    /// Loads face `index` of a font file (collections have several faces).
    ///
    /// # Errors
    ///
    /// As [`Font::load`]; also [`Error::FontInvalid`] if there is no such face.
    pub fn load_index(path: impl AsRef<Path>, index: u32) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let data = std::fs::read(&path).map_err(|source| Error::FontRead {
            path: path.clone(),
            source,
        })?;
        let face =
            FontVec::try_from_vec_and_index(data, index).map_err(|_| Error::FontInvalid {
                path: path.clone(),
                index,
            })?;
        Ok(Self { face, path, index })
    }

    /// Finds a CJK font: `HALLQ_TICKET_FONT` if set, else the first existing
    /// file of [`SYSTEM_FONTS`] (see the module docs).
    ///
    /// # Errors
    ///
    /// The load error of the font named by the environment, or
    /// [`Error::NoFont`] listing the paths tried.
    pub fn find_system() -> Result<Self, Error> {
        if let Some(path) = std::env::var_os(FONT_ENV).filter(|p| !p.is_empty()) {
            let index = match std::env::var(FONT_INDEX_ENV) {
                Ok(v) if !v.trim().is_empty() => {
                    v.trim().parse().map_err(|_| Error::FontIndexEnv(v))?
                }
                _ => 0,
            };
            return Self::load_index(PathBuf::from(path), index);
        }
        for &(path, index) in SYSTEM_FONTS {
            if Path::new(path).is_file() {
                return Self::load_index(path, index);
            }
        }
        let tried = SYSTEM_FONTS
            .iter()
            .map(|(p, _)| *p)
            .collect::<Vec<_>>()
            .join(", ");
        Err(Error::NoFont {
            tried: format!("${FONT_ENV}, {tried}"),
        })
    }

    /// The file this font was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The face index inside the file.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Checks that every visible character of `text` has a glyph.
    ///
    /// # Errors
    ///
    /// [`Error::MissingGlyph`] naming the first character without one.
    pub fn check(&self, text: &str) -> Result<(), Error> {
        match text
            .chars()
            .find(|&ch| !ch.is_whitespace() && self.face.glyph_id(ch).0 == 0)
        {
            None => Ok(()),
            Some(ch) => Err(Error::MissingGlyph {
                ch,
                text: text.to_owned(),
                font: self.path.clone(),
            }),
        }
    }

    /// Width of `text` in pixels at height `px`.
    pub(crate) fn text_width(&self, text: &str, px: f32) -> f32 {
        let scaled = self.face.as_scaled(PxScale::from(px));
        let mut prev: Option<GlyphId> = None;
        let mut width = 0.0;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = prev {
                width += scaled.kern(p, id);
            }
            width += scaled.h_advance(id);
            prev = Some(id);
        }
        width
    }

    /// Ascent and line height (ascent − descent) in pixels at height `px`.
    pub(crate) fn metrics(&self, px: f32) -> (f32, f32) {
        let scaled = self.face.as_scaled(PxScale::from(px));
        (scaled.ascent(), scaled.ascent() - scaled.descent())
    }

    /// Draws `text` with its baseline at (`x`, `baseline`); `plot` receives
    /// pixel coordinates and a coverage in 0..=1.
    pub(crate) fn draw(
        &self,
        text: &str,
        px: f32,
        x: f32,
        baseline: f32,
        mut plot: impl FnMut(i32, i32, f32),
    ) {
        let scale = PxScale::from(px);
        let scaled = self.face.as_scaled(scale);
        let mut pen = x;
        let mut prev: Option<GlyphId> = None;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(pen, baseline));
            // Never draw glyph 0 (.notdef, the box); `check` has made sure
            // only whitespace can map to it here.
            let outline = if id.0 == 0 {
                None
            } else {
                self.face.outline_glyph(glyph)
            };
            if let Some(outline) = outline {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, c| {
                    plot(
                        bounds.min.x as i32 + gx as i32,
                        bounds.min.y as i32 + gy as i32,
                        c,
                    );
                });
            }
            pen += scaled.h_advance(id);
            prev = Some(id);
        }
    }
}
