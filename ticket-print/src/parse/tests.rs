//! Unit tests of the decoder.

use super::*;

#[test]
fn commands_and_text() {
    #[rustfmt::skip]
    let bytes = [
        0x1b, 0x40,             // ESC @
        0x1b, 0x61, 0x01,       // ESC a 1
        0x1d, 0x21, 0x11,       // GS ! 0x11: double width and height
        0x1b, 0x45, 0x01,       // ESC E 1
        b'A', b'1', 0x0a,       // "A1" LF
        0x1c, 0x26,             // FS &
        0xb2, 0xbb,             // 不 (GB18030)
        0x1c, 0x2e,             // FS .
        0x1d, 0x56, 0x42, 0x10, // GS V 66 16
    ];
    assert_eq!(
        parse(&bytes),
        [
            Token::Init,
            Token::Align(Align::Centre),
            Token::Size {
                width: 2,
                height: 2
            },
            Token::Bold(true),
            Token::Text("A1".into()),
            Token::LineFeed,
            Token::ChineseOn,
            Token::Text("不".into()),
            Token::ChineseOff,
            Token::Cut {
                partial: true,
                feed: Some(16)
            },
        ]
    );
}

#[test]
fn latin1_outside_chinese_mode_and_truncated_commands() {
    assert_eq!(parse(&[0xe9, b'x']), [Token::Text("éx".into())]);
    assert_eq!(
        parse(&[0x1d, 0x28, 0x6b, 0x09, 0x00, 0x31]),
        [Token::Unknown(vec![0x1d, 0x28, 0x6b, 0x09, 0x00, 0x31])]
    );
    assert_eq!(parse(&[0x1b]), [Token::Unknown(vec![0x1b])]);
    // GS ( k with cn = 48 (PDF417) is not QR.
    assert_eq!(
        parse(&[0x1d, 0x28, 0x6b, 0x03, 0x00, 0x30, 0x41, 0x02]),
        [Token::Unknown(vec![
            0x1d, 0x28, 0x6b, 0x03, 0x00, 0x30, 0x41, 0x02
        ])]
    );
}

#[test]
fn raster_dots() {
    // GS v 0, m 0, 1 byte per row, 2 rows: 0x80 (leftmost dot), 0x01 (rightmost).
    let tokens = parse(&[0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0x80, 0x01]);
    let [Token::Raster(r)] = tokens.as_slice() else {
        panic!("{tokens:?}")
    };
    assert!(r.dot(0, 0) && !r.dot(1, 0) && r.dot(7, 1) && !r.dot(0, 1) && !r.dot(8, 0));
}

#[test]
fn the_decoder_gives_the_same_tokens_however_the_stream_is_cut() {
    #[rustfmt::skip]
    let bytes = [
        0x1b, 0x40,                   // ESC @
        0x1c, 0x26, 0xb2, 0xbb, 0xb6, 0xaf, 0x1c, 0x2e, // FS & 不动 FS .
        0x0a,                         // LF
        0x10, 0x04, 0x04,             // DLE EOT 4
        0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x50, 0x30, b'u', // GS ( k store "u"
        b'A', b'0', b'1', 0x0a,       // "A01" LF
        0x1d, 0x56, 0x42, 0x10,       // GS V 66 16
    ];
    let whole = parse(&bytes);
    assert!(whole.contains(&Token::StatusQuery(4)));
    for piece in 1..bytes.len() {
        let mut decoder = Decoder::default();
        let mut tokens = Vec::new();
        for chunk in bytes.chunks(piece) {
            tokens.extend(decoder.push(chunk));
        }
        tokens.extend(decoder.finish());
        assert_eq!(tokens, whole, "pieces of {piece}");
    }
    // Each command comes out as soon as it is complete: the cut with its last byte.
    let mut decoder = Decoder::default();
    assert!(decoder
        .push(&bytes[..bytes.len() - 1])
        .iter()
        .all(|t| !matches!(t, Token::Cut { .. })));
    assert_eq!(
        decoder.push(&bytes[bytes.len() - 1..]),
        [Token::Cut {
            partial: true,
            feed: Some(16)
        }]
    );
}
