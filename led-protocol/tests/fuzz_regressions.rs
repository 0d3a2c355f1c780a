//! Replays every input in `fuzz/regressions/{bx,alpha}/` (hand-made edge cases, plus
//! anything the fuzzers ever find) through the checks of the fuzz targets
//! (`fuzz/checks.rs`), on stable, in every `cargo test`.
//!
//! Each file must decode without panic or stall, the same whole, split and byte by byte;
//! decoded frames must describe and re-encode to themselves. The files named in
//! `BX_EXPECTED` / `ALPHA_EXPECTED` must also give exactly the outcomes listed.

use std::path::{Path, PathBuf};

use led_protocol::{alpha, bx};

#[path = "../fuzz/checks.rs"]
mod checks;

/// File → outcome of each decode: `ok <command>` or the error variant.
const BX_EXPECTED: &[(&str, &[&str])] = &[
    ("empty", &[]),
    ("preamble_only", &[]),
    ("ping", &["ok ping"]),
    ("ping_bad_crc", &["BadCrc"]),
    // a frame cut short by the next preamble is dropped without an error
    ("cut_short_then_ping", &["ok ping"]),
    // noise before, between and after; one A5 is preamble enough
    (
        "garbage_two_frames_one_preamble_byte",
        &["ok ping", "ok ping"],
    ),
    ("bad_escape_then_ping", &["BadEscape", "ok ping"]),
    ("escape_byte_before_end", &["BadEscape"]),
    ("too_short", &["TooShort"]),
    ("length_mismatch", &["LengthMismatch"]),
    ("empty_data", &["Truncated"]),
    ("ping_trailing_bytes", &["TrailingBytes"]),
    ("ping_bad_response_flag", &["InvalidValue"]),
    // escaped A5 and 5A in the raw payload
    ("unknown_group_raw", &["ok other"]),
    ("dynamic_length_field_escaped", &["ok dynamic_area"]),
    (
        "dynamic_crc_escaped_then_ack",
        &["ok dynamic_area", "ok ack"],
    ),
];

/// File → outcomes of `Incoming::decode` (`ack`, `nak`, `packet <codes>` or the error
/// variant), then `|`, then those of `decode_packet`.
const ALPHA_EXPECTED: &[(&str, &[&str])] = &[
    ("empty", &["|"]),
    ("sync_only", &["|"]),
    ("soh_without_eot", &["|"]),
    ("ack_at_end", &["|"]),
    ("hold_red", &["packet A", "|", "packet A"]),
    (
        "hold_red_bad_checksum",
        &["BadChecksum", "|", "BadChecksum"],
    ),
    ("no_checksum_middle_line", &["packet A", "|", "packet A"]),
    ("etx_without_checksum", &["packet B", "|", "packet B"]),
    ("mixed_checksum", &["MixedChecksum", "|", "MixedChecksum"]),
    (
        "eot_right_after_address",
        &["UnexpectedByte", "|", "UnexpectedByte"],
    ),
    (
        "read_text_then_response",
        &["packet B", "packet A", "|", "packet B", "packet A"],
    ),
    (
        "bad_address_then_hold_red",
        &[
            "InvalidAddress",
            "packet A",
            "|",
            "InvalidAddress",
            "packet A",
        ],
    ),
    (
        "ack_nak_bad_status_ack",
        &["ack", "nak", "InvalidStatus", "ack", "|"],
    ),
    ("non_ascii_text", &["NonAscii", "|", "NonAscii"]),
    ("bad_colour", &["InvalidColour", "|", "InvalidColour"]),
    ("colour_code_at_end", &["Truncated", "|", "Truncated"]),
    ("esc_without_mode", &["Truncated", "|", "Truncated"]),
    ("bad_mode", &["InvalidMode", "|", "InvalidMode"]),
    // decodes, but cannot be re-encoded (type code 7F, command code 05)
    (
        "other_command_nonprintable_code",
        &["packet \u{5}", "|", "packet \u{5}"],
    ),
];

/// The variant name of an error's `Debug` form.
fn variant(e: &impl std::fmt::Debug) -> String {
    format!("{e:?}")
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn bx_outcome(r: &Result<bx::Frame, bx::DecodeError>) -> String {
    match r {
        Ok(frame) => format!("ok {}", frame.command.name()),
        Err(e) => variant(e),
    }
}

fn alpha_packet(p: &alpha::Packet) -> String {
    let codes: String = p
        .commands
        .iter()
        .map(|c| match c {
            alpha::Command::WriteText(_) => 'A',
            alpha::Command::ReadText { .. } => 'B',
            alpha::Command::Other { code, .. } => char::from(*code),
        })
        .collect();
    format!("packet {codes}")
}

fn alpha_outcomes(o: &checks::AlphaOutcome) -> Vec<String> {
    let incoming = o.incoming.iter().map(|r| match r {
        Ok(alpha::Incoming::Ack(_)) => "ack".to_owned(),
        Ok(alpha::Incoming::Nak(_)) => "nak".to_owned(),
        Ok(alpha::Incoming::Packet(p)) => alpha_packet(p),
        Err(e) => variant(e),
    });
    let packets = o.packets.iter().map(|r| match r {
        Ok(p) => alpha_packet(p),
        Err(e) => variant(e),
    });
    incoming
        .chain(std::iter::once("|".to_owned()))
        .chain(packets)
        .collect()
}

/// Every file in `fuzz/regressions/<dir>`, sorted, with its name.
fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(dir);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn replay(dir: &str, expected: &[(&str, &[&str])], outcomes: impl Fn(&[u8]) -> Vec<String>) {
    let files = inputs(dir);
    for (name, _) in expected {
        assert!(
            files.iter().any(|(n, _)| n == name),
            "{dir}/{name} is listed but missing"
        );
    }
    for (name, data) in &files {
        let got = outcomes(data);
        if let Some((_, want)) = expected.iter().find(|(n, _)| n == name) {
            assert_eq!(got, *want, "{dir}/{name}");
        }
    }
}

#[test]
fn every_bx_regression_input() {
    replay("bx", BX_EXPECTED, |data| {
        checks::check_bx(data, true)
            .iter()
            .map(bx_outcome)
            .collect()
    });
}

/// `data_field_*` files are bare BX data fields (checked inside a frame with a good CRC by
/// `checks::check_bx_data_field`): file → command, and whether it encodes again.
const BX_DATA_FIELDS: &[(&str, &str, bool)] = &[
    ("data_field_dynamic_area", "dynamic_area", true),
    // 80 decodes as U+20AC, which GBK encodes as 80 again
    ("data_field_euro_byte", "dynamic_area", true),
    // a GB18030 four-byte sequence decodes (U+0080) but has no GBK encoding
    ("data_field_gb18030_four_byte_text", "dynamic_area", false),
];

#[test]
fn bx_data_fields() {
    let files = inputs("bx");
    for (name, command, encodes) in BX_DATA_FIELDS {
        let (_, data) = files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("bx/{name} is listed but missing"));
        let decoded = bx::Command::decode_data(data).unwrap();
        assert_eq!(decoded.name(), *command, "{name}");
        let frame = bx::Frame::new(bx::Header::default(), decoded);
        assert_eq!(frame.to_bytes().is_ok(), *encodes, "{name}");
    }
}

#[test]
fn every_alpha_regression_input() {
    replay("alpha", ALPHA_EXPECTED, |data| {
        alpha_outcomes(&checks::check_alpha(data, true))
    });
}
