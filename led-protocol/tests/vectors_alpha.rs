//! Every case of `tests/vectors/alpha.json` (output of alphasignpy 0.1.1): our encoder must
//! produce its bytes from its `inputs`, and our decoder must turn the bytes back into them.

mod common;

use bytes::BytesMut;
use common::{hex_field, run_cases, same};
use led_protocol::alpha::{
    Address, Colour, Command, Display, Incoming, Mode, Packet, Position, Segment, SerialStatus,
    WriteText,
};
use serde_json::Value;

fn str_field<'a>(v: &'a Value, field: &str) -> Result<&'a str, String> {
    v[field]
        .as_str()
        .ok_or_else(|| format!("field {field} missing"))
}

fn one_byte(v: &Value, field: &str) -> Result<u8, String> {
    match str_field(v, field)?.as_bytes() {
        [b] => Ok(*b),
        other => Err(format!("{field}: not one byte: {other:?}")),
    }
}

fn address(v: &Value) -> Result<Address, String> {
    let a: [u8; 2] = str_field(v, "address")?
        .as_bytes()
        .try_into()
        .map_err(|_| "address is not 2 bytes")?;
    Address::from_ascii(a).ok_or_else(|| "invalid address".to_owned())
}

fn colour(name: &str) -> Result<Colour, String> {
    Ok(match name {
        "red" => Colour::Red,
        "green" => Colour::Green,
        "amber" => Colour::Amber,
        other => return Err(format!("no mapping for colour {other}")),
    })
}

fn mode(name: &str) -> Result<Mode, String> {
    Ok(match name {
        "rotate" => Mode::Rotate,
        "hold" => Mode::Hold,
        "flash" => Mode::Flash,
        other => return Err(format!("no mapping for mode {other}")),
    })
}

fn segments(inputs: &Value) -> Result<Vec<Segment>, String> {
    inputs["segments"]
        .as_array()
        .ok_or("segments")?
        .iter()
        .map(|s| {
            let c = colour(str_field(s, "color")?)?;
            if let Some(code) = s.get("color_code_hex") {
                same("colour code", vec![0x1C, c.code()], hex_field(code)?)?;
            }
            Ok(Segment {
                colour: Some(c),
                text: str_field(s, "text")?.to_owned(),
            })
        })
        .collect()
}

/// The message bytes our encoder writes for `text` (after label and display fields).
fn message_bytes(text: &WriteText) -> Result<Vec<u8>, String> {
    let bare = WriteText {
        display: None,
        ..text.clone()
    };
    let packet = Packet {
        checksum: false,
        ..Packet::new(Address::BROADCAST, Command::WriteText(bare))
    };
    let bytes = packet.to_bytes().map_err(|e| e.to_string())?;
    // 5 NULs, SOH, type, 2 address bytes, STX, 'A', label … EOT
    Ok(bytes[12..bytes.len() - 1].to_vec())
}

fn write_text(inputs: &Value) -> Result<WriteText, String> {
    let m = mode(str_field(inputs, "mode")?)?;
    if inputs.get("mode_byte").is_some() {
        same("mode byte", m.byte(), one_byte(inputs, "mode_byte")?)?;
    }
    let position = match inputs.get("display_position_byte") {
        Some(b) => Position(hex_field(b)?[0]),
        None => Position(0x26), // alphasignpy's default "fill"; see library_decode
    };
    let text = WriteText {
        label: one_byte(inputs, "file_label")?,
        display: Some(Display { position, mode: m }),
        segments: segments(inputs)?,
    };
    same(
        "message",
        message_bytes(&text)?,
        hex_field(&inputs["message_hex"])?,
    )?;
    Ok(text)
}

fn packet(inputs: &Value) -> Result<Packet, String> {
    let command = match inputs["command"].as_str() {
        Some("write_text") => Command::WriteText(write_text(inputs)?),
        Some("read_text") => Command::ReadText {
            label: one_byte(inputs, "file_label")?,
        },
        None if inputs["kind"] == "read_text_response" => Command::WriteText(write_text(inputs)?),
        other => return Err(format!("unknown command {other:?}")),
    };
    Ok(Packet {
        type_code: one_byte(inputs, "type_code")?,
        address: address(inputs)?,
        checksum: inputs["checksum"].as_bool().ok_or("checksum")?,
        commands: vec![command],
    })
}

fn check_packet(case: &Value, expected: &[u8]) -> Result<(), String> {
    let inputs = &case["inputs"];
    let packet = packet(inputs)?;
    same(
        "encoded hex",
        hex::encode(packet.to_bytes().map_err(|e| e.to_string())?),
        hex::encode(expected),
    )?;
    let decoded = Packet::from_bytes(expected).map_err(|e| format!("decode: {e}"))?;
    same("decoded packet", &decoded, &packet)?;
    same(
        "incoming",
        Incoming::from_bytes(expected).map_err(|e| e.to_string())?,
        Incoming::Packet(packet.clone()),
    )?;
    if let Some(marked) = case.get("library_packet_hex") {
        // The peer's timing markers (FF after STX) are never sent.
        let unmarked: Vec<u8> = hex_field(marked)?
            .into_iter()
            .filter(|&b| b != 0xFF)
            .collect();
        same(
            "library packet without markers",
            unmarked,
            expected.to_vec(),
        )?;
        let chunks: Vec<u8> = case["write_chunks_hex"]
            .as_array()
            .ok_or("write_chunks_hex")?
            .iter()
            .map(hex_field)
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        same("write chunks", chunks, expected.to_vec())?;
    }
    if let Some(lib) = case.get("library_decode") {
        let text = decoded
            .read_text_response()
            .ok_or("not a read text response")?;
        let display = text.display.ok_or("no display fields")?;
        same("label", text.label, one_byte(lib, "label")?)?;
        same(
            "position byte",
            vec![display.position.0],
            hex_field(&lib["position_byte"])?,
        )?;
        same(
            "mode byte",
            display.mode.byte(),
            one_byte(lib, "mode_byte")?,
        )?;
        same(
            "message",
            message_bytes(text)?,
            hex_field(&lib["message_hex"])?,
        )?;
    }
    same(
        "described",
        decoded.describe()["protocol"].as_str(),
        Some("alpha"),
    )
}

fn check_ack_nak(case: &Value, expected: &[u8]) -> Result<(), String> {
    let verdict = str_field(&case["library_decode"], "result")?;
    let item = Incoming::from_bytes(expected).map_err(|e| e.to_string())?;
    let status = SerialStatus::from_byte(expected[1]).map_err(|e| e.to_string())?;
    let want = match verdict {
        "ack" => Incoming::Ack(status),
        "nak" => Incoming::Nak(status),
        other => return Err(format!("verdict {other}")),
    };
    same("reply", &item, &want)?;
    same(
        "re-encoded",
        item.to_bytes().map_err(|e| e.to_string())?,
        expected.to_vec(),
    )
}

fn check(case: &Value) -> Result<(), String> {
    let expected = hex_field(&case["hex"])?;
    let result = if case["inputs"]["kind"] == "ack_nak_reply" {
        check_ack_nak(case, &expected)
    } else {
        check_packet(case, &expected)
    };
    result?;
    // Byte by byte: nothing until the last byte, then one item.
    let mut buf = BytesMut::new();
    for (i, &b) in expected.iter().enumerate() {
        buf.extend_from_slice(&[b]);
        let got = Incoming::decode(&mut buf).map_err(|e| format!("byte {i}: {e}"))?;
        if got.is_some() != (i + 1 == expected.len()) {
            return Err(format!("byte {i}: got {got:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_alpha_vector_encodes_and_decodes() {
    let n = run_cases("alpha.json", check);
    assert!(n >= 9, "only {n} cases");
}

#[test]
fn status_flags_round_trip() {
    for b in 0x40..=0x7F_u8 {
        assert_eq!(SerialStatus::from_byte(b).unwrap().to_byte(), b);
    }
    assert!(SerialStatus::from_byte(0x20).is_err());
    assert!(SerialStatus::from_byte(0xC0).is_err());
    let nak = Incoming::from_bytes(&[0x15, 0x50]).unwrap();
    assert_eq!(
        nak,
        Incoming::Nak(SerialStatus {
            checksum_error: true,
            ..SerialStatus::default()
        })
    );
}
