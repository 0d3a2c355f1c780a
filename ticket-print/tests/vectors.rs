//! python-escpos 3.1 output (shared/vectors/escpos.json, copied to
//! tests/vectors/) decoded by our parser and compared with what emupos 0.4.0
//! made of the same bytes.

use hallq_ticket::{parse_with, qr_payloads, text_runs, Align, ParseOptions, Token};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let json = include_str!("vectors/escpos.json");
    let file: Value = serde_json::from_str(json).expect("escpos.json");
    file["cases"].as_array().expect("cases").clone()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn gs_k(data: &[u8]) -> (String, String, String) {
    let len = u16::try_from(data.len()).unwrap().to_le_bytes();
    ("GS ( k".into(), hex(&len), hex(data))
}

/// Our token in emupos' notation: (command, params_hex, data_hex), or
/// ("text", text re-encoded as GB18030 hex, "").
fn emupos_form(token: &Token) -> (String, String, String) {
    let cmd = |c: &str, p: &[u8]| (c.to_owned(), hex(p), String::new());
    match token {
        Token::Init => cmd("ESC @", &[]),
        Token::Align(a) => cmd("ESC a", &[*a as u8]),
        Token::PrintMode(n) => cmd("ESC !", &[*n]),
        Token::CodePage(n) => cmd("ESC t", &[*n]),
        Token::LineFeed => cmd("LF", &[]),
        Token::Feed(n) => cmd("ESC d", &[*n]),
        Token::Cut {
            partial,
            feed: None,
        } => cmd("GS V", &[u8::from(*partial)]),
        Token::QrParam { function, params } => gs_k(&[&[0x31, *function][..], params].concat()),
        Token::QrStore(payload) => gs_k(&[&[0x31, 0x50, 0x30][..], payload].concat()),
        Token::QrPrint => gs_k(&[0x31, 0x51, 0x30]),
        Token::Text(s) => (
            "text".into(),
            hex(&encoding_rs::GB18030.encode(s).0),
            String::new(),
        ),
        other => panic!("token not produced by python-escpos: {other:?}"),
    }
}

fn expected_form(token: &Value) -> (String, String, String) {
    if let Some(text) = token["text_hex"].as_str() {
        return ("text".into(), text.into(), String::new());
    }
    let field = |k: &str| token[k].as_str().expect(k).to_owned();
    (field("command"), field("params_hex"), field("data_hex"))
}

#[test]
fn python_escpos_vectors_decode_like_emupos() {
    let cases = cases();
    assert_eq!(cases.len(), 7);
    // python-escpos writes GB18030 without FS &, as for a printer that starts in Chinese mode.
    let options = ParseOptions {
        chinese_at_power_on: true,
    };
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let tokens = parse_with(&unhex(case["hex"].as_str().unwrap()), options);
        let expected = &case["expected_decode"];

        let ours: Vec<_> = tokens.iter().map(emupos_form).collect();
        let theirs: Vec<_> = expected["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(expected_form)
            .collect();
        assert_eq!(ours, theirs, "{name}: tokens");

        let texts: Vec<String> =
            serde_json::from_value(expected["text_tokens_gb18030"].clone()).unwrap();
        assert_eq!(text_runs(&tokens), texts, "{name}: text runs");

        let qrs: Vec<String> = serde_json::from_value(expected["qr_payloads"].clone()).unwrap();
        let ours: Vec<String> = qr_payloads(&tokens)
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect();
        assert_eq!(ours, qrs, "{name}: QR payloads");
    }
}

#[test]
fn full_ticket_vector_token_details() {
    let case = cases()
        .into_iter()
        .find(|c| c["name"] == "queue_ticket_A001")
        .unwrap();
    let tokens = parse_with(
        &unhex(case["hex"].as_str().unwrap()),
        ParseOptions {
            chinese_at_power_on: true,
        },
    );
    assert_eq!(tokens[0], Token::Init);
    assert_eq!(tokens[1], Token::Align(Align::Centre));
    assert!(tokens.contains(&Token::QrParam {
        function: 0x41,
        params: vec![0x32, 0x00]
    })); // model 2
    assert!(tokens.contains(&Token::QrParam {
        function: 0x43,
        params: vec![3]
    })); // module size 3
    assert!(tokens.contains(&Token::QrParam {
        function: 0x45,
        params: vec![0x30]
    })); // level L
    assert_eq!(
        tokens.last(),
        Some(&Token::Cut {
            partial: false,
            feed: None
        })
    );
    // Without the power-on assumption the GB18030 bytes read as Latin-1, not Chinese.
    let plain = hallq_ticket::parse(&unhex(case["hex"].as_str().unwrap()));
    assert!(!text_runs(&plain).contains(&"不动产登记".to_owned()));
}
