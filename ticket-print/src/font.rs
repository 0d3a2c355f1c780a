//! Fonts for the PNG ticket: a chain of faces, each character drawn with the
//! first face of the chain that has it.
//!
//! [`Font::from_env`] (what the controller uses) builds the chain of
//! [`FontSearch::from_env`]; [`Font::find`] takes any [`FontSearch`]:
//! 1. the file named by `HALLQ_TICKET_FONT` (face `HALLQ_TICKET_FONT_INDEX`,
//!    default 0); when the variable is set, a failure to load it is an error;
//! 2. system fonts that cover Simplified Chinese, as fontconfig lists them
//!    (through the `fontdb` crate), best first (see `system.rs`);
//! 3. the bundled subset of Noto Sans CJK SC ([`FontOrigin::Bundled`]): the
//!    GB 2312 characters, ASCII, Latin-1, CJK punctuation and the example
//!    configuration's characters, compiled into the crate, so a ticket always
//!    renders;
//! 4. other system fonts with Han characters (Japanese, Korean, Traditional
//!    Chinese), only for characters none of the above has.
//!
//! The first face gives the line metrics. System faces after the first are
//! read from disk only when a character needs them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use ab_glyph::{Font as _, FontArc, FontRef, FontVec, GlyphId, PxScale, ScaleFont as _};

use crate::system::{discover, FontSearch};
use crate::Error;

/// The bundled subset (see `fonts/subset.py` and `fonts/OFL.txt` in this crate).
const BUNDLED: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular-ticket.otf");

/// Where a face of a [`Font`] comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FontOrigin {
    /// The subset of Noto Sans CJK SC compiled into this crate.
    Bundled,
    /// A font file and the face inside it.
    File {
        /// The font file.
        path: PathBuf,
        /// The face index inside the file (0 unless it is a collection).
        index: u32,
    },
}

impl std::fmt::Display for FontOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bundled => f.write_str("bundled Noto Sans CJK SC subset"),
            Self::File { path, index } => write!(f, "{} (face {index})", path.display()),
        }
    }
}

/// Data to check a system face's characters before it is loaded.
pub(crate) type Lazy = (Arc<fontdb::Database>, fontdb::ID);

/// One face of the chain.
struct Face {
    origin: FontOrigin,
    /// The parsed face, once loaded (`None`: it failed to load).
    font: OnceLock<Option<FontArc>>,
    /// For system faces not loaded yet: where to look at their `cmap`.
    lazy: Option<Lazy>,
}

impl Face {
    fn loaded(origin: FontOrigin, font: FontArc) -> Self {
        Self {
            origin,
            font: OnceLock::from(Some(font)),
            lazy: None,
        }
    }

    fn has(&self, ch: char) -> bool {
        if let Some(font) = self.font.get() {
            return font.as_ref().is_some_and(|f| f.glyph_id(ch).0 != 0);
        }
        let Some((db, id)) = &self.lazy else {
            return false;
        };
        db.with_face_data(*id, |data, index| {
            FontRef::try_from_slice_and_index(data, index).is_ok_and(|f| f.glyph_id(ch).0 != 0)
        })
        .unwrap_or(false)
    }

    fn font(&self) -> Option<&FontArc> {
        self.font
            .get_or_init(|| match &self.origin {
                FontOrigin::Bundled => Some(bundled_face()),
                FontOrigin::File { path, index } => read_face(path, *index).ok(),
            })
            .as_ref()
    }
}

/// The fonts a ticket is drawn with: one face, or a chain of faces where
/// each character comes from the first face that has it.
pub struct Font {
    faces: Vec<Face>,
    /// The first face: line metrics, and the advance of unknown whitespace.
    primary: FontArc,
    /// Which face draws each character seen so far (`None`: no face has it).
    chosen: RwLock<HashMap<char, Option<usize>>>,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.faces.iter().map(|face| &face.origin))
            .finish()
    }
}

impl Font {
    /// Loads a TTF or OTF file, or the first face (index 0) of a TTC
    /// collection, as a font of that face alone (no fallback).
    ///
    /// # Errors
    ///
    /// [`Error::FontRead`] if the file cannot be read, [`Error::FontInvalid`]
    /// if it is not a font.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_index(path, 0)
    }

    /// Loads face `index` of a font file (collections have several faces),
    /// as a font of that face alone (no fallback).
    ///
    /// # Errors
    ///
    /// As [`Font::load`]; also [`Error::FontInvalid`] if there is no such face.
    pub fn load_index(path: impl AsRef<Path>, index: u32) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let font = read_face(&path, index)?;
        Ok(Self::chain(vec![Face::loaded(
            FontOrigin::File { path, index },
            font,
        )]))
    }

    /// The bundled subset alone: the same ticket on every machine.
    pub fn bundled() -> Self {
        Self::chain(vec![Face::loaded(FontOrigin::Bundled, bundled_face())])
    }

    /// The chain of [`FontSearch::from_env`]: `HALLQ_TICKET_FONT`, system
    /// fonts, the bundled subset (see the module docs).
    ///
    /// # Errors
    ///
    /// As [`Font::find`], and [`Error::FontIndexEnv`].
    pub fn from_env() -> Result<Self, Error> {
        Self::find(&FontSearch::from_env()?)
    }

    /// Builds the chain for `search` (see the module docs). Never fails for
    /// want of a font: the bundled subset is always in the chain.
    ///
    /// # Errors
    ///
    /// The load error of [`FontSearch::file`], when one is named.
    pub fn find(search: &FontSearch) -> Result<Self, Error> {
        let mut faces = Vec::new();
        if let Some((path, index)) = &search.file {
            let font = read_face(path, *index)?;
            faces.push(Face::loaded(
                FontOrigin::File {
                    path: path.clone(),
                    index: *index,
                },
                font,
            ));
        }
        let found = discover(&search.system);
        let lazy = |(origin, id)| Face {
            origin,
            font: OnceLock::new(),
            lazy: Some((Arc::clone(&found.db), id)),
        };
        faces.extend(found.chinese.into_iter().map(lazy));
        faces.push(Face::loaded(FontOrigin::Bundled, bundled_face()));
        faces.extend(found.other.into_iter().map(lazy));
        // The first face that loads leads (a broken system file is skipped;
        // the bundled face always loads).
        while faces.first().is_some_and(|f| f.font().is_none()) {
            faces.remove(0);
        }
        Ok(Self::chain(faces))
    }

    /// `faces` must not be empty and its first face must be loaded.
    fn chain(faces: Vec<Face>) -> Self {
        let primary = faces
            .first()
            .and_then(Face::font)
            .cloned()
            .unwrap_or_else(bundled_face);
        Self {
            faces,
            primary,
            chosen: RwLock::default(),
        }
    }

    /// The faces of the chain, in the order they are tried.
    pub fn origins(&self) -> impl Iterator<Item = &FontOrigin> {
        self.faces.iter().map(|f| &f.origin)
    }

    /// The face that draws `ch`, if any has it.
    pub fn origin_of(&self, ch: char) -> Option<&FontOrigin> {
        self.face_of(ch).map(|(i, _)| &self.faces[i].origin)
    }

    /// Checks that every visible character of `text` has a glyph in some face.
    ///
    /// # Errors
    ///
    /// [`Error::MissingGlyph`] naming the first character without one.
    pub fn check(&self, text: &str) -> Result<(), Error> {
        match text
            .chars()
            .find(|&ch| !ch.is_whitespace() && self.face_of(ch).is_none())
        {
            None => Ok(()),
            Some(ch) => Err(Error::MissingGlyph {
                ch,
                text: text.to_owned(),
                fonts: self
                    .origins()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The face index and face for `ch`, remembered per character.
    fn face_of(&self, ch: char) -> Option<(usize, &FontArc)> {
        let cached = self
            .chosen
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&ch)
            .copied();
        let index = cached.unwrap_or_else(|| {
            let found = self
                .faces
                .iter()
                .position(|f| f.has(ch) && f.font().is_some());
            self.chosen
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(ch, found);
            found
        })?;
        self.faces[index].font().map(|f| (index, f))
    }

    /// Each character's face (its index, `usize::MAX` for none) and glyph;
    /// a character no face has gets the primary face's glyph (whitespace).
    fn glyphs<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, &'a FontArc, GlyphId)> {
        text.chars().map(|ch| match self.face_of(ch) {
            Some((i, font)) => (i, font, font.glyph_id(ch)),
            None => (usize::MAX, &self.primary, self.primary.glyph_id(ch)),
        })
    }

    /// Width of `text` in pixels at height `px`.
    pub(crate) fn text_width(&self, text: &str, px: f32) -> f32 {
        let mut prev: Option<(usize, GlyphId)> = None;
        let mut width = 0.0;
        for (face, font, id) in self.glyphs(text) {
            let scaled = font.as_scaled(PxScale::from(px));
            if let Some((_, p)) = prev.filter(|(f, _)| *f == face) {
                width += scaled.kern(p, id);
            }
            width += scaled.h_advance(id);
            prev = Some((face, id));
        }
        width
    }

    /// Ascent and line height (ascent − descent) in pixels at height `px`.
    pub(crate) fn metrics(&self, px: f32) -> (f32, f32) {
        let scaled = self.primary.as_scaled(PxScale::from(px));
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
        let mut pen = x;
        let mut prev: Option<(usize, GlyphId)> = None;
        for (face, font, id) in self.glyphs(text) {
            let scaled = font.as_scaled(scale);
            if let Some((_, p)) = prev.filter(|(f, _)| *f == face) {
                pen += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(pen, baseline));
            // Never draw glyph 0 (.notdef, the box); `check` has made sure
            // only whitespace can map to it here.
            let outline = if id.0 == 0 {
                None
            } else {
                font.outline_glyph(glyph)
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
            prev = Some((face, id));
        }
    }
}

fn read_face(path: &Path, index: u32) -> Result<FontArc, Error> {
    let data = std::fs::read(path).map_err(|source| Error::FontRead {
        path: path.to_path_buf(),
        source,
    })?;
    FontVec::try_from_vec_and_index(data, index)
        .map(FontArc::new)
        .map_err(|_| Error::FontInvalid {
            path: path.to_path_buf(),
            index,
        })
}

fn bundled_face() -> FontArc {
    static FACE: OnceLock<FontArc> = OnceLock::new();
    FACE.get_or_init(|| {
        // Checked by the crate's tests; the bytes are part of the binary.
        FontArc::try_from_slice(BUNDLED).expect("the bundled font parses")
    })
    .clone()
}
