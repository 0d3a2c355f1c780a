//! escpos() output decoded again: text lines and QR payload, in both QR modes.

use hallq_ticket::{
    escpos, parse, qr_payloads, text_runs, Cut, EscPosOptions, Paper, QrMode, Raster, TicketView,
    Token,
};
use proptest::prelude::*;
use qrcode::{Color, EcLevel, QrCode};

const URL: &str = "http://127.0.0.1:8080/t/Zk3q9XbP";
const NOTICE: &str = "请留意屏幕和广播叫号，过号需重新取号。办理业务请携带本人身份证原件。";

fn view() -> TicketView {
    TicketView {
        hall_name: "市民服务中心".into(),
        number: "A001".into(),
        service_name: "不动产登记".into(),
        people_ahead: 5,
        wait_hint: None,
        issued_at: "2025-03-04 09:15".into(),
        status_url: URL.into(),
        notice: Some(NOTICE.into()),
        reprinted_at: None,
    }
}

fn options(qr: QrMode, paper: Paper) -> EscPosOptions {
    EscPosOptions {
        qr,
        paper,
        cut: Cut::Partial,
        qr_module: 6,
    }
}

fn check_text(tokens: &[Token], paper: Paper) {
    let runs = text_runs(tokens);
    let v = view();
    let people = v.people_ahead_line();
    assert_eq!(
        runs[..5],
        [v.hall_name, v.number, v.service_name, people, v.issued_at]
    );
    let notice = &runs[5..];
    assert!(notice.len() > 1, "the notice is wrapped: {notice:?}");
    assert!(notice
        .iter()
        .all(|l| l.chars().count() <= paper.columns() / 2));
    assert_eq!(notice.concat(), NOTICE);
    // Every Chinese run sits inside FS & … FS .
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Text(s) = t {
            if !s.is_ascii() {
                assert_eq!(tokens[i - 1], Token::ChineseOn);
                assert_eq!(tokens[i + 1], Token::ChineseOff);
            }
        }
    }
    assert_eq!(
        tokens.last(),
        Some(&Token::Cut {
            partial: true,
            feed: Some(16)
        })
    );
}

#[test]
fn native_qr_roundtrip() {
    for paper in [Paper::Mm58, Paper::Mm80] {
        let tokens = parse(&escpos(&view(), &options(QrMode::Native, paper)).unwrap());
        check_text(&tokens, paper);
        assert_eq!(qr_payloads(&tokens), [URL.as_bytes()]);
        let params: Vec<_> = tokens
            .iter()
            .filter(|t| matches!(t, Token::QrParam { .. } | Token::QrPrint))
            .collect();
        assert_eq!(
            params,
            [
                &Token::QrParam {
                    function: 0x41,
                    params: vec![0x32, 0x00]
                },
                &Token::QrParam {
                    function: 0x43,
                    params: vec![6]
                },
                &Token::QrParam {
                    function: 0x45,
                    params: vec![0x31]
                },
                &Token::QrPrint,
            ]
        );
        assert!(!tokens.iter().any(|t| matches!(t, Token::Raster(_))));
    }
}

fn raster(tokens: &[Token]) -> &Raster {
    let rasters: Vec<_> = tokens
        .iter()
        .filter_map(|t| {
            if let Token::Raster(r) = t {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(rasters.len(), 1);
    rasters[0]
}

#[test]
fn raster_qr_decodes_with_rqrr() {
    for paper in [Paper::Mm58, Paper::Mm80] {
        let tokens = parse(&escpos(&view(), &options(QrMode::Raster, paper)).unwrap());
        check_text(&tokens, paper);
        assert!(qr_payloads(&tokens).is_empty());
        let r = raster(&tokens);
        assert_eq!(r.width_dots(), paper.width_dots() as usize);
        let mut image = rqrr::PreparedImage::prepare_from_bitmap(
            r.width_dots(),
            usize::from(r.rows),
            |x, y| r.dot(x, y),
        );
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, URL);
    }
}

#[test]
fn raster_qr_matches_qrcode_matrix() {
    let tokens = parse(&escpos(&view(), &options(QrMode::Raster, Paper::Mm58)).unwrap());
    let r = raster(&tokens);
    let dark: Vec<(usize, usize)> = (0..usize::from(r.rows))
        .flat_map(|y| (0..r.width_dots()).map(move |x| (x, y)))
        .filter(|&(x, y)| r.dot(x, y))
        .collect();
    let left = dark.iter().map(|p| p.0).min().unwrap();
    let right = dark.iter().map(|p| p.0).max().unwrap();
    let top = dark.iter().map(|p| p.1).min().unwrap();
    let code = QrCode::with_error_correction_level(URL, EcLevel::M).unwrap();
    let n = code.width();
    let dot = (right - left + 1) / n;
    assert_eq!(dot * n, right - left + 1);
    assert_eq!(dot, 6);
    // Centred, with at least the 4-module quiet zone above.
    assert!((r.width_dots() - (right + 1)).abs_diff(left) <= 1);
    assert!(top >= 4 * dot);
    let colors = code.to_colors();
    for my in 0..n {
        for mx in 0..n {
            let sampled = r.dot(left + mx * dot + dot / 2, top + my * dot + dot / 2);
            assert_eq!(
                sampled,
                colors[my * n + mx] == Color::Dark,
                "module ({mx}, {my})"
            );
        }
    }
}

#[test]
fn status_url_too_long_for_a_qr_code_is_an_error() {
    let mut v = view();
    v.status_url = "x".repeat(5000);
    assert!(matches!(
        escpos(&v, &EscPosOptions::default()),
        Err(hallq_ticket::Error::Qr(_))
    ));
}

proptest! {
    #[test]
    fn parse_recovers_number_and_service(
        number in "[A-Z]{0,2}[0-9]{1,4}",
        service in "[\u{4e00}-\u{9fa5}A-Za-z0-9]{1,24}",
        people in 0u32..10_000,
        raster in any::<bool>(),
        wide in any::<bool>(),
    ) {
        let v = TicketView { number: number.clone(), service_name: service.clone(), people_ahead: people, notice: None, ..view() };
        let paper = if wide { Paper::Mm80 } else { Paper::Mm58 };
        let qr = if raster { QrMode::Raster } else { QrMode::Native };
        let tokens = parse(&escpos(&v, &options(qr, paper)).unwrap());
        let runs = text_runs(&tokens);
        prop_assert_eq!(&runs[1], &number);
        let people_line = v.people_ahead_line();
        let end = runs.iter().position(|r| *r == people_line).unwrap();
        prop_assert_eq!(runs[2..end].concat(), service);
        prop_assert_eq!(&runs[end + 1], &v.issued_at);
        if !raster {
            prop_assert_eq!(qr_payloads(&tokens), vec![URL.as_bytes().to_vec()]);
        }
    }
}
