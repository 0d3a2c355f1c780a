//! Finding CJK fonts on the machine with the `fontdb` crate.
//!
//! [`SystemFonts::Fontconfig`] reads fontconfig's configuration (the file in
//! `FONTCONFIG_FILE` if set, else the user's and `/etc/fonts/fonts.conf`)
//! and scans the directories it lists, so any font fontconfig knows is found.
//! fontdb falls back to the usual font directories when the configuration
//! lists none; to hide the system fonts, point `FONTCONFIG_FILE` at a
//! configuration whose only `<dir>` is empty (what the tests do), or use
//! [`SystemFonts::None`].
//!
//! A face takes part when it has the Han character 中. It is a Chinese face
//! when it also has every character of `SIMPLIFIED_PROBE` (simplified forms
//! that Japanese and Traditional Chinese fonts lack). Chinese faces come
//! before the bundled subset, best first: a name marking Simplified Chinese
//! (a zh-CN family name, or a family name with a word SC, CN, GB or Hans),
//! sans serif, upright, not monospaced, weight nearest Regular, then path.
//! The other Han faces come after it. Only the best face of each file is
//! kept (the faces of a collection share their characters).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use ab_glyph::{Font as _, FontRef};
use fontdb::{Database, FaceInfo, Language, Source, Style, ID};

use crate::{Error, FontOrigin};

/// Environment variable naming a font file tried before all others.
pub const FONT_ENV: &str = "HALLQ_TICKET_FONT";

/// Environment variable with the face index inside a `.ttc` named by
/// [`FONT_ENV`] (default 0).
pub const FONT_INDEX_ENV: &str = "HALLQ_TICKET_FONT_INDEX";

/// A face with this character has Han characters.
const HAN_PROBE: char = '中';

/// Simplified forms that a font for Simplified Chinese has and Japanese or
/// Traditional Chinese fonts usually lack.
const SIMPLIFIED_PROBE: &str = "们这说门车东";

/// Which system fonts take part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SystemFonts {
    /// Those fontconfig's configuration lists (see the module docs).
    #[default]
    Fontconfig,
    /// Those in these directories (and their subdirectories) only.
    Dirs(Vec<PathBuf>),
    /// None: the explicit file, if any, and the bundled subset.
    None,
}

/// How [`crate::Font::find`] builds its chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FontSearch {
    /// A font file and face index tried first (`HALLQ_TICKET_FONT`).
    pub file: Option<(PathBuf, u32)>,
    /// The system fonts that follow it.
    pub system: SystemFonts,
}

impl FontSearch {
    /// `HALLQ_TICKET_FONT` and `HALLQ_TICKET_FONT_INDEX`, and the fonts
    /// fontconfig knows.
    ///
    /// # Errors
    ///
    /// [`Error::FontIndexEnv`] if the index is not a number.
    pub fn from_env() -> Result<Self, Error> {
        let file = match std::env::var_os(FONT_ENV).filter(|p| !p.is_empty()) {
            None => None,
            Some(path) => {
                let index = match std::env::var(FONT_INDEX_ENV) {
                    Ok(v) if !v.trim().is_empty() => {
                        v.trim().parse().map_err(|_| Error::FontIndexEnv(v))?
                    }
                    _ => 0,
                };
                Some((PathBuf::from(path), index))
            }
        };
        Ok(Self {
            file,
            system: SystemFonts::Fontconfig,
        })
    }
}

/// The system faces found, ranked.
pub(crate) struct Found {
    /// The database the faces' data is read through.
    pub db: Arc<Database>,
    /// Faces for Simplified Chinese, best first (before the bundled subset).
    pub chinese: Vec<(FontOrigin, ID)>,
    /// Other faces with Han characters (after the bundled subset).
    pub other: Vec<(FontOrigin, ID)>,
}

/// Loads and ranks the system faces (see the module docs).
pub(crate) fn discover(system: &SystemFonts) -> Found {
    let mut db = Database::new();
    match system {
        SystemFonts::Fontconfig => db.load_system_fonts(),
        SystemFonts::Dirs(dirs) => dirs.iter().for_each(|d| db.load_fonts_dir(d)),
        SystemFonts::None => {}
    }
    let mut chinese = Vec::new();
    let mut other = Vec::new();
    for info in db.faces() {
        let Source::File(path) = &info.source else {
            continue;
        };
        let coverage = db.with_face_data(info.id, |data, index| {
            let face = FontRef::try_from_slice_and_index(data, index).ok()?;
            let has = |ch| face.glyph_id(ch).0 != 0;
            has(HAN_PROBE).then(|| SIMPLIFIED_PROBE.chars().all(has))
        });
        let entry = (rank(info), path.clone(), info.index, info.id);
        match coverage.flatten() {
            Some(true) => chinese.push(entry),
            Some(false) => other.push(entry),
            None => {}
        }
    }
    Found {
        chinese: best_per_file(chinese),
        other: best_per_file(other),
        db: Arc::new(db),
    }
}

type Entry = (Rank, PathBuf, u32, ID);

fn best_per_file(mut faces: Vec<Entry>) -> Vec<(FontOrigin, ID)> {
    faces.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    let mut seen = HashSet::new();
    faces
        .into_iter()
        .filter(|(_, path, _, _)| seen.insert(path.clone()))
        .map(|(_, path, index, id)| (FontOrigin::File { path, index }, id))
        .collect()
}

/// Smaller is better: not marked Simplified Chinese, serif, italic,
/// monospaced, distance from Regular.
type Rank = (bool, bool, bool, bool, u16);

fn rank(info: &FaceInfo) -> Rank {
    let names: Vec<String> = info
        .families
        .iter()
        .map(|(n, _)| n.to_lowercase())
        .collect();
    let simplified = info.families.iter().any(|(name, lang)| {
        matches!(
            lang,
            Language::Chinese_PeoplesRepublicOfChina | Language::Chinese_Singapore
        ) || name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| ["SC", "CN", "GB", "HANS"].contains(&w.to_ascii_uppercase().as_str()))
    });
    let serif = names.iter().any(|n| {
        !n.contains("sans")
            && ["serif", "ming", "song", "mincho", "kai"]
                .iter()
                .any(|w| n.contains(w))
    });
    (
        !simplified,
        serif,
        info.style != Style::Normal,
        info.monospaced,
        info.weight.0.abs_diff(400),
    )
}
