//! The font chain: the bundled subset covers GB 2312 and the example
//! configuration, a character missing from one face comes from the next face
//! that has it (a rare character in a name prints when a system font has
//! it), and only a character no face has is an error.
//!
//! "System fonts" here are the test fonts of `fonts/` copied into a
//! temporary directory ([`SystemFonts::Dirs`]): test-sc.otf counts as a
//! Simplified Chinese font, test-han.otf as a Han font of another locale;
//! both have 堃 and 喆, which are outside GB 2312 and the bundle.

use std::path::{Path, PathBuf};

use hallq_ticket::{
    render_ticket, Error, Font, FontOrigin, FontSearch, Paper, Part, SystemFonts, TicketView,
};

mod common;

use common::{font_file, ink, rqrr_decode, view, URL};

const RARE: &str = "堃喆";

fn search(system: SystemFonts) -> FontSearch {
    FontSearch { file: None, system }
}

/// A directory holding copies of the named test fonts.
fn system_dir(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in names {
        std::fs::copy(font_file(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn file(dir: &Path, name: &str) -> FontOrigin {
    // fontdb reports canonical paths.
    FontOrigin::File {
        path: dir.canonicalize().unwrap().join(name),
        index: 0,
    }
}

fn with_system(dir: &Path) -> Font {
    Font::find(&search(SystemFonts::Dirs(vec![PathBuf::from(dir)]))).unwrap()
}

/// The chain with one test font as the only system font, and that font's origin.
fn with_system_font(name: &str) -> (tempfile::TempDir, Font, FontOrigin) {
    let dir = system_dir(&[name]);
    let font = with_system(dir.path());
    let origin = file(dir.path(), name);
    (dir, font, origin)
}

fn rare_view() -> TicketView {
    TicketView {
        hall_name: format!("{RARE}镇便民服务中心"),
        service_name: format!("{RARE}登记"),
        ..view()
    }
}

#[test]
fn bundled_subset_covers_gb2312_and_the_example_config() {
    let font = Font::bundled();
    let mut chars = 0;
    for hi in 0xA1..=0xF7_u8 {
        for lo in 0xA1..=0xFE_u8 {
            let bytes = [hi, lo];
            let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
            if bad || text.chars().count() != 1 {
                continue;
            }
            let ch = text.chars().next().unwrap();
            // GBK fills GB 2312's empty rows with the private use area.
            // A8BC is empty in GB 2312; the WHATWG decoder gives it ḿ,
            // which the source font lacks.
            if ('\u{E000}'..='\u{F8FF}').contains(&ch) || (0xAA..=0xAF).contains(&hi) || ch == 'ḿ'
            {
                continue;
            }
            font.check(&ch.to_string())
                .unwrap_or_else(|e| panic!("{hi:02X}{lo:02X}: {e}"));
            chars += 1;
        }
    }
    assert!(chars >= 7445, "{chars} GB 2312 characters checked");
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/examples");
    // Every example file, a city's hall files in their folders too.
    let mut dirs = vec![std::path::PathBuf::from(examples)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let visible: String = text.chars().filter(|c| !c.is_control()).collect();
            font.check(&visible)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
    // ASCII, punctuation, and the code points Python's gb2312 codec gives
    // for A1A4 and A1AA (GBK decoders give · and —).
    font.check("ABCxyz0123456789，。、；：？！“”‘’（）【】《》—…·￥・―")
        .unwrap();
    for ch in RARE.chars() {
        assert!(font.origin_of(ch).is_none(), "{ch} is not in the bundle");
    }
}

#[test]
fn a_rare_character_comes_from_a_system_font_that_has_it() {
    let (_dir, font, sc) = with_system_font("test-sc.otf");
    // A Simplified Chinese system font leads; the bundle follows.
    assert_eq!(
        font.origins().collect::<Vec<_>>(),
        [&sc, &FontOrigin::Bundled]
    );
    assert_eq!(font.origin_of('堃'), Some(&sc));
    assert_eq!(font.origin_of('中'), Some(&sc));
    assert_eq!(font.origin_of('登'), Some(&FontOrigin::Bundled));
    for paper in [Paper::Mm58, Paper::Mm80] {
        let ticket = render_ticket(&rare_view(), paper, &font).unwrap();
        assert_eq!(rqrr_decode(&ticket), URL);
    }
    // The rare characters are drawn: ink where they stand alone.
    let alone = TicketView {
        service_name: RARE.into(),
        ..view()
    };
    let ticket = render_ticket(&alone, Paper::Mm58, &font).unwrap();
    let (dark, area) = ink(&ticket, Part::Service);
    assert!(dark * 20 > area, "{dark} dark pixels of {area}");
}

#[test]
fn another_locales_han_font_comes_after_the_bundle() {
    let (_dir, font, han) = with_system_font("test-han.otf");
    assert_eq!(
        font.origins().collect::<Vec<_>>(),
        [&FontOrigin::Bundled, &han]
    );
    // 中 is in both: the bundle draws it; 堃 only in the other font.
    assert_eq!(font.origin_of('中'), Some(&FontOrigin::Bundled));
    assert_eq!(font.origin_of('堃'), Some(&han));
    let ticket = render_ticket(&rare_view(), Paper::Mm58, &font).unwrap();
    assert_eq!(rqrr_decode(&ticket), URL);
}

#[test]
fn a_character_no_font_has_is_an_error() {
    let font = Font::find(&search(SystemFonts::None)).unwrap();
    let err = render_ticket(&rare_view(), Paper::Mm58, &font).unwrap_err();
    assert!(
        matches!(err, Error::MissingGlyph { ch: '堃', .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("U+5803"), "{err}");
    assert!(err.to_string().contains("bundled"), "{err}");
    // With the system font the same ticket renders, but not a character
    // that font lacks too.
    let dir = system_dir(&["test-sc.otf", "test-han.otf"]);
    let font = with_system(dir.path());
    render_ticket(&rare_view(), Paper::Mm58, &font).unwrap();
    let tibetan = TicketView {
        notice: Some("请带证件 ཀ".into()),
        ..rare_view()
    };
    let err = render_ticket(&tibetan, Paper::Mm58, &font).unwrap_err();
    assert!(
        matches!(err, Error::MissingGlyph { ch: 'ཀ', .. }),
        "{err:?}"
    );
}

#[test]
fn an_explicit_file_comes_first_and_falls_back_too() {
    let dir = system_dir(&["test-sc.otf"]);
    let han = font_file("test-han.otf");
    let font = Font::find(&FontSearch {
        file: Some((han.clone(), 0)),
        system: SystemFonts::Dirs(vec![dir.path().to_path_buf()]),
    })
    .unwrap();
    let explicit = FontOrigin::File {
        path: han,
        index: 0,
    };
    let origins: Vec<_> = font.origins().cloned().collect();
    assert_eq!(
        origins,
        [
            explicit.clone(),
            file(dir.path(), "test-sc.otf"),
            FontOrigin::Bundled
        ]
    );
    assert_eq!(font.origin_of('中'), Some(&explicit));
    assert_eq!(font.origin_of('登'), Some(&FontOrigin::Bundled));
    let ticket = render_ticket(&rare_view(), Paper::Mm58, &font).unwrap();
    assert_eq!(rqrr_decode(&ticket), URL);
    // A named file that cannot be loaded is an error, not a silent fallback.
    let missing = FontSearch {
        file: Some((dir.path().join("missing.otf"), 0)),
        system: SystemFonts::None,
    };
    assert!(matches!(Font::find(&missing), Err(Error::FontRead { .. })));
}
