//! The PNG ticket: QR decoded by independent decoders (zbarimg, rqrr), real
//! CJK glyph pixels, and an error instead of boxes for missing glyphs.
//!
//! Every ticket here is drawn with the system fonts left out, so the results
//! do not depend on what the machine has installed: the bundled subset draws.

use std::process::Command;

use hallq_ticket::{
    qr_png, render_ticket, ticket_png, Error, Font, FontOrigin, FontSearch, Paper, Part,
    RenderedTicket, SystemFonts, TicketView,
};

mod common;

use common::{ink, rqrr_decode, view, URL};

/// The chain without system fonts: only the bundled subset.
fn font() -> Font {
    let search = FontSearch {
        file: None,
        system: SystemFonts::None,
    };
    let font = Font::find(&search).unwrap();
    assert_eq!(font.origins().collect::<Vec<_>>(), [&FontOrigin::Bundled]);
    font
}

/// Decodes every QR code in a PNG with zbarimg; None if zbarimg is missing.
fn zbarimg(png: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ticket.png");
    std::fs::write(&path, png).unwrap();
    let output = match Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&path)
        .output()
    {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("zbarimg: {e}"),
    };
    assert!(
        output.status.success(),
        "zbarimg failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(
        String::from_utf8(output.stdout)
            .unwrap()
            .trim_end()
            .to_owned(),
    )
}

#[test]
fn qr_in_ticket_png_decodes_with_zbarimg() {
    let font = font();
    let mut ran = false;
    for paper in [Paper::Mm58, Paper::Mm80] {
        let png = ticket_png(&view(), paper, &font).unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!(decoded.width(), paper.width_dots());
        match zbarimg(&png) {
            Some(text) => {
                assert_eq!(text, URL, "{paper:?}");
                ran = true;
            }
            None => {
                println!("skipped: zbarimg not installed");
                return;
            }
        }
    }
    assert!(ran);
    match zbarimg(&qr_png(URL, 4).unwrap()) {
        Some(text) => assert_eq!(text, URL),
        None => println!("skipped: zbarimg not installed"),
    }
}

#[test]
fn qr_in_ticket_decodes_with_rqrr() {
    let font = font();
    for paper in [Paper::Mm58, Paper::Mm80] {
        assert_eq!(
            rqrr_decode(&render_ticket(&view(), paper, &font).unwrap()),
            URL
        );
    }
}

fn crop(ticket: &RenderedTicket, part: Part) -> Vec<u8> {
    let r = ticket.regions.iter().find(|r| r.part == part).unwrap();
    image::imageops::crop_imm(&ticket.image, r.x, r.y, r.width, r.height)
        .to_image()
        .into_raw()
}

#[test]
fn chinese_glyphs_are_drawn() {
    let font = font();
    let ticket = render_ticket(&view(), Paper::Mm58, &font).unwrap();
    for part in [
        Part::HallName,
        Part::Number,
        Part::Service,
        Part::PeopleAhead,
        Part::IssuedAt,
        Part::Notice,
    ] {
        let (dark, area) = ink(&ticket, part);
        let ratio = dark as f64 / area as f64;
        assert!(
            (0.04..0.7).contains(&ratio),
            "{part:?}: {dark} dark pixels of {area}"
        );
    }
    // The same characters in another order give other pixels: these are
    // real glyphs, not identical boxes.
    let a = render_ticket(
        &TicketView {
            service_name: "登记登记".into(),
            ..view()
        },
        Paper::Mm58,
        &font,
    )
    .unwrap();
    let b = render_ticket(
        &TicketView {
            service_name: "记登记登".into(),
            ..view()
        },
        Paper::Mm58,
        &font,
    )
    .unwrap();
    assert_eq!(a.image.dimensions(), b.image.dimensions());
    assert_ne!(crop(&a, Part::Service), crop(&b, Part::Service));
    // The parts do not overlap and come in layout order.
    let tops: Vec<_> = ticket
        .regions
        .iter()
        .map(|r| (r.part, r.y, r.y + r.height))
        .collect();
    for pair in tops.windows(2) {
        assert!(pair[0].2 <= pair[1].1, "{tops:?}");
    }
}

#[test]
fn wider_paper_gives_wider_image_and_wraps_less() {
    let font = font();
    let narrow = render_ticket(&view(), Paper::Mm58, &font).unwrap();
    let wide = render_ticket(&view(), Paper::Mm80, &font).unwrap();
    assert_eq!(narrow.image.width(), 384);
    assert_eq!(wide.image.width(), 576);
    let hall = |t: &RenderedTicket| {
        t.regions
            .iter()
            .find(|r| r.part == Part::HallName)
            .unwrap()
            .height
    };
    assert!(hall(&narrow) > 0 && hall(&wide) > 0);
}

#[test]
fn missing_glyph_is_an_error_naming_the_character() {
    let font = font();
    // Tibetan is not in a CJK font.
    let view = TicketView {
        notice: Some("请带证件 ཀ".into()),
        ..view()
    };
    let err = ticket_png(&view, Paper::Mm58, &font).unwrap_err();
    assert!(
        matches!(err, Error::MissingGlyph { ch: 'ཀ', .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("U+0F40"), "{err}");

    // A Latin-only font cannot draw the service name.
    let dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if std::path::Path::new(dejavu).exists() {
        let latin = Font::load(dejavu).unwrap();
        let err = ticket_png(&self::view(), Paper::Mm58, &latin).unwrap_err();
        assert!(
            matches!(err, Error::MissingGlyph { ch: '市', .. }),
            "{err:?}"
        );
    }
}

#[test]
fn font_load_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.ttf");
    assert!(matches!(Font::load(&missing), Err(Error::FontRead { .. })));
    let junk = dir.path().join("junk.ttf");
    std::fs::write(&junk, b"not a font").unwrap();
    assert!(matches!(Font::load(&junk), Err(Error::FontInvalid { .. })));
    let bundled = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fonts/NotoSansCJKsc-Regular-ticket.otf"
    );
    assert!(Font::load(bundled).is_ok());
    assert!(matches!(
        Font::load_index(bundled, 999),
        Err(Error::FontInvalid { index: 999, .. })
    ));
}

#[test]
fn qr_png_sizes() {
    let png = qr_png(URL, 3).unwrap();
    let image = image::load_from_memory(&png).unwrap();
    let modules = qrcode::QrCode::with_error_correction_level(URL, qrcode::EcLevel::M)
        .unwrap()
        .width() as u32
        + 8;
    assert_eq!(image.width(), modules * 3);
    assert_eq!(image.height(), modules * 3);
}

#[test]
fn control_characters_and_odd_spaces_do_not_draw_boxes() {
    let font = font();
    let plain = render_ticket(
        &TicketView {
            notice: Some("请 带 证件".into()),
            ..view()
        },
        Paper::Mm58,
        &font,
    )
    .unwrap();
    let odd = render_ticket(
        &TicketView {
            notice: Some("请\t带\u{3000}证件".into()),
            ..view()
        },
        Paper::Mm58,
        &font,
    )
    .unwrap();
    assert_eq!(ink(&plain, Part::Notice).0, ink(&odd, Part::Notice).0);
}
