//! The ticket as ESC/POS bytes (field notes: shared PROTOCOLS.md §3).
//!
//! ```text
//! bytes                          meaning
//! 1B 40                          ESC @      initialise
//! 1B 61 01                       ESC a 1    centre
//! 1B 45 n                        ESC E n    bold on (01) / off (00)
//! 1D 21 n                        GS ! n     size: high nibble width−1, low nibble height−1
//! 1C 26 <GB18030> 1C 2E          FS & … FS .  Chinese mode around every non-ASCII line
//! 0A                             LF         print the line
//! native QR (QrMode::Native):
//! 1D 28 6B 04 00 31 41 32 00     GS ( k fn 65: model 2
//! 1D 28 6B 03 00 31 43 m         GS ( k fn 67: module size m dots (1..=16)
//! 1D 28 6B 03 00 31 45 31        GS ( k fn 69: error correction M
//! 1D 28 6B pL pH 31 50 30 d…     GS ( k fn 80: store d, pL + 256·pH = len(d) + 3
//! 1D 28 6B 03 00 31 51 30        GS ( k fn 81: print the stored symbol
//! raster QR (QrMode::Raster):
//! 1D 76 30 00 xL xH yL yH d…     GS v 0: x bytes per row (full paper width),
//!                                y rows, bit 7 of each byte = leftmost dot
//! cut:
//! 1D 56 41 n / 1D 56 42 n        GS V 65/66 n: feed to the cutter + n dots, full / partial cut
//! ```
//!
//! Layout: hall name (bold, double size), the number (bold, up to 4× on
//! 58 mm and 6× on 80 mm), service name (double size), people ahead, where
//! to wait (when set), issue time, for a reprint "补打 / reprint" and its time (bold),
//! QR code, notice; long lines are wrapped to the paper's columns
//! (a Chinese character takes two columns of font A).

use serde::{Deserialize, Serialize};

use crate::qr::QrMatrix;
use crate::wrap::wrap;
use crate::{Error, Paper, TicketView};

/// How the QR code is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QrMode {
    /// The printer draws it from the data (`GS ( k`).
    #[default]
    Native,
    /// We draw it and send a bitmap (`GS v 0`), for printers without QR support.
    Raster,
}

/// Which cut ends the ticket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cut {
    /// Full cut (`GS V 65 n`).
    #[default]
    Full,
    /// Partial cut, leaving one point attached (`GS V 66 n`).
    Partial,
}

/// Printer-dependent choices for [`escpos()`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscPosOptions {
    /// Native or raster QR code.
    pub qr: QrMode,
    /// Paper width.
    pub paper: Paper,
    /// Full or partial cut.
    pub cut: Cut,
    /// QR module size in dots (native: clamped to 1..=16; raster: reduced
    /// until the code fits the paper width).
    pub qr_module: u8,
}

impl Default for EscPosOptions {
    fn default() -> Self {
        Self {
            qr: QrMode::Native,
            paper: Paper::Mm58,
            cut: Cut::Full,
            qr_module: 6,
        }
    }
}

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const FS: u8 = 0x1c;
const LF: u8 = 0x0a;
/// Extra feed after reaching the cutter, in vertical motion units (dots).
const CUT_FEED: u8 = 16;

/// Encodes the ticket for an ESC/POS printer.
///
/// # Errors
///
/// [`Error::Qr`] if the status URL does not fit into a QR code (checked in
/// both modes, so a printer is never sent a symbol it cannot print).
pub fn escpos(view: &TicketView, options: &EscPosOptions) -> Result<Vec<u8>, Error> {
    let matrix = QrMatrix::encode(&view.status_url)?;
    let cols = options.paper.columns();
    let mut out = Vec::with_capacity(512);
    out.extend([ESC, b'@', ESC, b'a', 1]);

    out.extend([ESC, b'E', 1, GS, b'!', 0x11]);
    lines(&mut out, &view.hall_name, cols / 2);
    out.extend([GS, b'!', 0x00, ESC, b'E', 0, LF]);

    let magnify = number_magnification(&view.number, cols);
    out.extend([GS, b'!', (magnify - 1) << 4 | (magnify - 1), ESC, b'E', 1]);
    line(&mut out, &view.number);
    out.extend([ESC, b'E', 0, GS, b'!', 0x11]);
    lines(&mut out, &view.service_name, cols / 2);
    out.extend([GS, b'!', 0x00]);
    line(&mut out, &view.people_ahead_line());
    if let Some(hint) = &view.wait_hint {
        lines(&mut out, hint, cols);
    }
    line(&mut out, &view.issued_at);
    if let Some(reprint) = view.reprint_line() {
        out.extend([ESC, b'E', 1]);
        line(&mut out, &reprint);
        out.extend([ESC, b'E', 0]);
    }

    match options.qr {
        QrMode::Native => native_qr(&mut out, &view.status_url, options.qr_module),
        QrMode::Raster => raster_qr(&mut out, &matrix, options.paper, options.qr_module),
    }
    out.push(LF);
    if let Some(notice) = &view.notice {
        lines(&mut out, notice, cols);
    }
    cut(&mut out, options.cut);
    Ok(out)
}

/// A printer test page: the hall's name, "打印测试 / printer test", the time, a line of
/// Chinese and ASCII, the QR code of `url` (the hall's public address) with the address
/// under it, and a cut (`hallq print test`).
///
/// # Errors
/// [`Error::Qr`] if `url` does not fit into a QR code.
pub fn escpos_test_page(
    hall_name: &str,
    printed_at: &str,
    url: &str,
    options: &EscPosOptions,
) -> Result<Vec<u8>, Error> {
    let matrix = QrMatrix::encode(url)?;
    let cols = options.paper.columns();
    let mut out = Vec::with_capacity(512);
    out.extend([ESC, b'@', ESC, b'a', 1]);
    out.extend([ESC, b'E', 1, GS, b'!', 0x11]);
    lines(&mut out, hall_name, cols / 2);
    out.extend([GS, b'!', 0x00]);
    line(&mut out, "打印测试 / printer test");
    out.extend([ESC, b'E', 0]);
    line(&mut out, printed_at);
    line(&mut out, "中文 GB18030：一二三 ABC 123");
    match options.qr {
        QrMode::Native => native_qr(&mut out, url, options.qr_module),
        QrMode::Raster => raster_qr(&mut out, &matrix, options.paper, options.qr_module),
    }
    out.push(LF);
    lines(&mut out, url, cols);
    cut(&mut out, options.cut);
    Ok(out)
}

fn cut(out: &mut Vec<u8>, cut: Cut) {
    let m = match cut {
        Cut::Full => 0x41,
        Cut::Partial => 0x42,
    };
    out.extend([GS, b'V', m, CUT_FEED]);
}

/// The largest width/height multiplier (1..=8) with which `number` fits.
fn number_magnification(number: &str, cols: usize) -> u8 {
    let len = number.chars().map(char_columns).sum::<usize>().max(1);
    (cols / len).clamp(1, cols / 8) as u8
}

fn char_columns(ch: char) -> usize {
    if ch.is_ascii() {
        1
    } else {
        2
    }
}

/// Writes `text` wrapped to `cols` columns, one printed line each.
fn lines(out: &mut Vec<u8>, text: &str, cols: usize) {
    let measure = |l: &str| l.chars().map(char_columns).sum::<usize>() as f32;
    for l in wrap(text, cols as f32, measure) {
        line(out, &l);
    }
}

/// Writes one line and LF: ASCII as is, anything else as GB18030 inside
/// `FS &` … `FS .`. Control characters become spaces.
fn line(out: &mut Vec<u8>, text: &str) {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.is_ascii() {
        out.extend_from_slice(clean.as_bytes());
    } else {
        let (bytes, _, _) = encoding_rs::GB18030.encode(&clean);
        out.extend([FS, b'&']);
        out.extend_from_slice(&bytes);
        out.extend([FS, b'.']);
    }
    out.push(LF);
}

/// `GS ( k` with cn = 49 (QR): pL pH count the bytes after them.
fn gs_k(out: &mut Vec<u8>, function: u8, params: &[u8]) {
    let len = u16::try_from(params.len() + 2).unwrap_or(u16::MAX);
    out.extend([GS, b'(', b'k']);
    out.extend(len.to_le_bytes());
    out.extend([0x31, function]);
    out.extend_from_slice(params);
}

fn native_qr(out: &mut Vec<u8>, data: &str, module: u8) {
    gs_k(out, 0x41, &[0x32, 0x00]);
    gs_k(out, 0x43, &[module.clamp(1, 16)]);
    gs_k(out, 0x45, &[0x31]);
    let mut store = vec![0x30];
    store.extend_from_slice(data.as_bytes());
    gs_k(out, 0x50, &store);
    gs_k(out, 0x51, &[0x30]);
}

/// The QR code (with quiet zone) centred in a bitmap as wide as the paper.
fn raster_qr(out: &mut Vec<u8>, matrix: &QrMatrix, paper: Paper, module: u8) {
    let width = paper.width_dots() as usize;
    let modules = matrix.width_with_quiet_zone();
    let dot = usize::from(module).clamp(1, (width / modules).max(1));
    let side = modules * dot;
    let left = width.saturating_sub(side) / 2;
    let width_bytes = width / 8;
    out.extend([GS, b'v', b'0', 0]);
    out.extend((width_bytes as u16).to_le_bytes());
    out.extend((side as u16).to_le_bytes());
    for y in 0..side {
        let mut row = vec![0u8; width_bytes];
        for x in left..(left + side).min(width) {
            if matrix.dark_in_zone((x - left) / dot, y / dot) {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        out.extend_from_slice(&row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> TicketView {
        TicketView {
            hall_name: "市民中心".into(),
            number: "A001".into(),
            service_name: "不动产登记".into(),
            people_ahead: 5,
            wait_hint: None,
            issued_at: "2025-03-04 09:15".into(),
            status_url: "http://127.0.0.1:8080/t/abc123".into(),
            notice: None,
            reprinted_at: None,
        }
    }

    #[test]
    fn starts_with_init_centre_and_ends_with_cut() {
        let bytes = escpos(&view(), &EscPosOptions::default()).unwrap();
        assert_eq!(&bytes[..5], [0x1b, 0x40, 0x1b, 0x61, 0x01]); // ESC @, ESC a 1
        assert_eq!(&bytes[bytes.len() - 4..], [0x1d, 0x56, 0x41, CUT_FEED]); // GS V 65 n
        let partial = EscPosOptions {
            cut: Cut::Partial,
            ..Default::default()
        };
        let bytes = escpos(&view(), &partial).unwrap();
        assert_eq!(&bytes[bytes.len() - 4..], [0x1d, 0x56, 0x42, CUT_FEED]); // GS V 66 n
    }

    #[test]
    fn native_qr_bytes() {
        let mut out = Vec::new();
        native_qr(&mut out, "AB", 6);
        #[rustfmt::skip]
        let expected = [
            0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // model 2
            0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06,       // module 6 dots
            0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31,       // level M
            0x1d, 0x28, 0x6b, 0x05, 0x00, 0x31, 0x50, 0x30, b'A', b'B', // store, 2 + 3
            0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30,       // print
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn chinese_line_is_wrapped_in_fs_and_gb18030() {
        let mut out = Vec::new();
        line(&mut out, "不动产登记");
        // FS &, GB18030 of 不动产登记, FS ., LF
        let expected = [
            &[0x1c, 0x26][..],
            &[0xb2, 0xbb, 0xb6, 0xaf, 0xb2, 0xfa, 0xb5, 0xc7, 0xbc, 0xc7],
            &[0x1c, 0x2e, 0x0a],
        ]
        .concat();
        assert_eq!(out, expected);
        let mut out = Vec::new();
        line(&mut out, "A\x1b@1");
        assert_eq!(out, b"A @1\n");
    }

    #[test]
    fn wait_hint_printed_under_people_ahead_only_when_set() {
        let hint = "请到 3、4号窗口附近等候";
        let with = TicketView {
            wait_hint: Some(hint.into()),
            ..view()
        };
        let runs = crate::text_runs(&crate::parse(
            &escpos(&with, &EscPosOptions::default()).unwrap(),
        ));
        let ahead = runs.iter().position(|r| r.contains("前面还有")).unwrap();
        assert_eq!(runs[ahead + 1], hint, "{runs:?}");
        let runs = crate::text_runs(&crate::parse(
            &escpos(&view(), &EscPosOptions::default()).unwrap(),
        ));
        assert!(!runs.iter().any(|r| r.contains("窗口附近")), "{runs:?}");
    }

    #[test]
    fn a_reprint_is_marked_under_the_issue_time() {
        let again = TicketView {
            reprinted_at: Some("2025-03-04 10:02".into()),
            ..view()
        };
        let runs = crate::text_runs(&crate::parse(
            &escpos(&again, &EscPosOptions::default()).unwrap(),
        ));
        let issued = runs.iter().position(|r| r == "2025-03-04 09:15").unwrap();
        assert_eq!(
            runs[issued + 1],
            "补打 / reprint 2025-03-04 10:02",
            "{runs:?}"
        );
        let runs = crate::text_runs(&crate::parse(
            &escpos(&view(), &EscPosOptions::default()).unwrap(),
        ));
        assert!(!runs.iter().any(|r| r.contains("补打")), "{runs:?}");
    }

    #[test]
    fn test_page_has_the_hall_the_time_the_address_and_a_cut() {
        let bytes = escpos_test_page(
            "市民中心",
            "2025-03-04 10:02:03",
            "https://hall.example",
            &EscPosOptions::default(),
        )
        .unwrap();
        let tokens = crate::parse(&bytes);
        let runs = crate::text_runs(&tokens);
        assert_eq!(
            runs[..3],
            ["市民中心", "打印测试 / printer test", "2025-03-04 10:02:03"]
        );
        assert_eq!(
            crate::qr_payloads(&tokens),
            [b"https://hall.example".to_vec()]
        );
        assert!(matches!(tokens.last(), Some(crate::Token::Cut { .. })));
    }

    #[test]
    fn number_size_fits_paper() {
        assert_eq!(number_magnification("A001", Paper::Mm58.columns()), 4);
        assert_eq!(number_magnification("A001", Paper::Mm80.columns()), 6);
        assert_eq!(
            number_magnification("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32),
            1
        );
    }
}
