//! [`Font::from_env`] as the controller uses it: system fonts come from
//! fontconfig's configuration (`FONTCONFIG_FILE` here, pointing at a
//! configuration whose one directory the test fills), and
//! `HALLQ_TICKET_FONT` comes first.
//!
//! One test in its own binary, because it sets environment variables.

use hallq_ticket::{render_ticket, Font, FontOrigin, Paper, FONT_ENV, FONT_INDEX_ENV};

mod common;

use common::{font_file, ink, rqrr_decode, view, URL};

/// A fontconfig configuration listing only `dir`.
fn fontconfig(dir: &std::path::Path) -> std::path::PathBuf {
    let conf = dir.join("fonts.conf");
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n\
             <fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            fonts.display(),
            dir.join("cache").display()
        ),
    )
    .unwrap();
    conf
}

fn origins(font: &Font) -> Vec<FontOrigin> {
    font.origins().cloned().collect()
}

#[test]
fn fontconfig_lists_the_system_fonts_and_the_environment_names_one() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = fontconfig(tmp.path());
    std::env::set_var("FONTCONFIG_FILE", &conf);
    std::env::remove_var(FONT_ENV);
    std::env::remove_var(FONT_INDEX_ENV);

    // System fonts hidden: an empty font directory. The bundle draws.
    let font = Font::from_env().unwrap();
    assert_eq!(origins(&font), [FontOrigin::Bundled]);
    let ticket = render_ticket(&view(), Paper::Mm58, &font).unwrap();
    assert_eq!(rqrr_decode(&ticket), URL);
    for part in [hallq_ticket::Part::HallName, hallq_ticket::Part::Service] {
        let (dark, area) = ink(&ticket, part);
        assert!(dark * 25 > area, "{part:?}: {dark} dark pixels of {area}");
    }

    // A font in fontconfig's directory is found.
    let fonts = tmp.path().join("fonts").canonicalize().unwrap();
    std::fs::copy(font_file("test-sc.otf"), fonts.join("test-sc.otf")).unwrap();
    let sc = FontOrigin::File {
        path: fonts.join("test-sc.otf"),
        index: 0,
    };
    let font = Font::from_env().unwrap();
    assert_eq!(origins(&font), [sc.clone(), FontOrigin::Bundled]);
    assert_eq!(font.origin_of('堃'), Some(&sc));

    // HALLQ_TICKET_FONT comes first.
    let han = font_file("test-han.otf");
    std::env::set_var(FONT_ENV, &han);
    let font = Font::from_env().unwrap();
    let explicit = FontOrigin::File {
        path: han,
        index: 0,
    };
    assert_eq!(origins(&font), [explicit, sc, FontOrigin::Bundled]);
    std::env::set_var(FONT_INDEX_ENV, "x");
    assert!(Font::from_env().is_err());
    std::env::remove_var(FONT_INDEX_ENV);
    std::env::set_var(FONT_ENV, tmp.path().join("missing.otf"));
    assert!(Font::from_env().is_err());
    std::env::remove_var(FONT_ENV);
}
