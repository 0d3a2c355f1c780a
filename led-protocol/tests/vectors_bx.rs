//! Every case of `tests/vectors/bx.json` (output of the vendor's Java SDK): our encoder must
//! produce its bytes from its `inputs`, and our decoder must turn the bytes back into them.

mod common;

use bytes::BytesMut;
use common::{hex_field, int, run_cases, same};
use led_protocol::bx::{
    crc16, encode_gb2312, wire, Area, Command, DeleteAreas, DisplayMode, DynamicArea, Frame,
    Geometry, Header, HorizontalUnit, Plain, RawCommand, Reply, Sound, TurnOnOff,
};
use serde_json::Value;

fn header(h: &Value) -> Result<Header, String> {
    same(
        "reserved header bytes",
        &h["reserved"],
        &serde_json::json!([0, 0, 0]),
    )?;
    Ok(Header {
        dst: int(h, "dst_addr")?,
        src: int(h, "src_addr")?,
        option: int(h, "option")?,
        crc_mode: int(h, "crc_mode")?,
        display_mode: int(h, "display_mode")?,
        device_type: int(h, "device_type")?,
        version: int(h, "protocol_version")?,
    })
}

fn flag(c: &Value) -> Result<bool, String> {
    match int::<u8>(c, "req_resp")? {
        0 => Ok(false),
        1 => Ok(true),
        n => Err(format!("req_resp {n}")),
    }
}

fn area(a: &Value) -> Result<Area, String> {
    same("area type", int::<u8>(a, "area_type")?, 0)?;
    same("extension length", int::<u8>(a, "extend_para_len")?, 0)?;
    same("sound mode", int::<u8>(a, "sound_mode")?, 0)?;
    let unit = if a["peer_is5K"].as_bool() == Some(true) {
        HorizontalUnit::Columns8
    } else {
        HorizontalUnit::Pixels
    };
    let geometry = Geometry::from_pixels(
        int(a, "x_px")?,
        int(a, "y_px")?,
        int(a, "width_px")?,
        int(a, "height_px")?,
        unit,
    );
    same("wire x", geometry.x, int(a, "wire_x")?)?;
    same("wire width", geometry.width, int(a, "wire_width")?)?;
    same("x pixels", geometry.x_pixels(unit), int(a, "x_px")?)?;
    same(
        "width pixels",
        geometry.width_pixels(unit),
        int(a, "width_px")?,
    )?;
    let display_mode =
        DisplayMode::try_from(int::<u8>(a, "display_mode")?).map_err(|e| e.to_string())?;
    let named = match display_mode {
        DisplayMode::Static => "static",
        DisplayMode::MoveLeft => "scroll_left",
        other => return Err(format!("no vector names {other:?}")),
    };
    same(
        "display mode name",
        named,
        a["display_mode_name"].as_str().unwrap_or(""),
    )?;
    let text = a["text"].as_str().ok_or("text")?.to_owned();
    same("text encoding", a["text_encoding"].as_str(), Some("GB2312"))?;
    same(
        "GB2312 text",
        encode_gb2312(&text, "text").map_err(|e| e.to_string())?,
        hex_field(&a["text_hex"])?,
    )?;
    Ok(Area {
        id: int(a, "id")?,
        geometry,
        line_space: int(a, "line_space")?,
        run_mode: int(a, "run_mode")?,
        timeout: int(a, "timeout")?,
        sound: Sound::Off,
        align: int(a, "alignment")?,
        single_line: int(a, "single_line")?,
        auto_newline: int(a, "auto_new_line")?,
        display_mode,
        exit_mode: int(a, "exit_mode")?,
        speed: int(a, "speed")?,
        hold_time: int(a, "hold_time")?,
        text,
    })
}

fn command(inputs: &Value) -> Result<Command, String> {
    let c = &inputs["command"];
    let name = c["name"].as_str().ok_or("command name")?;
    let cmd = match name {
        "ping" => Command::Ping(Plain {
            response_wanted: true,
        }),
        "ack" => Command::Ack(Reply { error: 0 }),
        "clear_screen" => Command::ClearScreen(Plain {
            response_wanted: flag(c)?,
        }),
        "turn_on_off" => Command::TurnOnOff(TurnOnOff {
            response_wanted: flag(c)?,
            on: c["on"].as_bool().ok_or("on")?,
        }),
        "send_dynamic_area" => {
            same("reserved", int::<u8>(c, "reserved")?, 0)?;
            let ids: Vec<u8> =
                serde_json::from_value(c["delete_area_ids"].clone()).map_err(|e| e.to_string())?;
            let areas = inputs["areas"]
                .as_array()
                .ok_or("areas")?
                .iter()
                .map(area)
                .collect::<Result<Vec<_>, _>>()?;
            same("area count", int::<usize>(c, "area_count")?, areas.len())?;
            Command::DynamicArea(DynamicArea {
                response_wanted: flag(c)?,
                process_mode: int(c, "process_mode")?,
                delete: DeleteAreas::Ids(ids),
                areas,
            })
        }
        other => return Err(format!("unknown command {other}")),
    };
    same("group", cmd.group_code().0, int(c, "group")?)?;
    same("code", cmd.group_code().1, int(c, "code")?)?;
    if !c["payload_hex"].is_null() {
        // Raw payloads handed to the peer: ours must be the same bytes.
        let mut data = Vec::new();
        cmd.encode_data(&mut data).map_err(|e| e.to_string())?;
        same("payload", data, hex_field(&c["payload_hex"])?)?;
    }
    Ok(cmd)
}

/// The frame's data field and CRC, read by hand (independently of the decoder).
fn check_peer_parse(bytes: &[u8], parse: &Value) -> Result<(), String> {
    let body = wire::unescape(&bytes[8..bytes.len() - 1]).map_err(|e| format!("{e:?}"))?;
    let (content, crc) = body.split_at(body.len() - 2);
    same(
        "crc16",
        u16::from_le_bytes([crc[0], crc[1]]),
        int(parse, "crc16")?,
    )?;
    same("computed crc16", crc16(content), int(parse, "crc16")?)?;
    same(
        "data",
        content[14..].to_vec(),
        hex_field(&parse["data_hex"])?,
    )?;
    same("data_len", content.len() - 14, int(parse, "data_len")?)
}

fn check(case: &Value) -> Result<(), String> {
    let inputs = &case["inputs"];
    let expected = hex_field(&case["hex"])?;
    let frame = Frame::new(header(&inputs["header"])?, command(inputs)?);

    let mut encoded = BytesMut::new();
    frame.encode(&mut encoded).map_err(|e| e.to_string())?;
    same("encoded hex", hex::encode(&encoded), hex::encode(&expected))?;
    check_peer_parse(&expected, &case["peer_parse"])?;

    let decoded = Frame::from_bytes(&expected).map_err(|e| format!("decode: {e}"))?;
    same("decoded frame", &decoded, &frame)?;
    if let Some(resp) = case["peer_parse"].get("response") {
        same(
            "is_ack",
            matches!(decoded.command, Command::Ack(_)),
            resp["is_ack"] == true,
        )?;
    }
    let description = decoded.describe();
    same(
        "described command",
        &description["command"]["command"],
        &Value::from(decoded.command.name()),
    )?;

    // Byte by byte: nothing until the end byte, then the frame.
    let mut buf = BytesMut::new();
    for (i, &b) in expected.iter().enumerate() {
        buf.extend_from_slice(&[b]);
        let got = Frame::decode(&mut buf).map_err(|e| format!("byte {i}: {e}"))?;
        match got {
            Some(f) if i + 1 == expected.len() => same("incremental frame", &f, &frame)?,
            Some(_) => return Err(format!("frame returned early at byte {i}")),
            None if i + 1 == expected.len() => return Err("no frame at the end".into()),
            None => {}
        }
    }
    Ok(())
}

#[test]
fn every_bx_vector_encodes_and_decodes() {
    let n = run_cases("bx.json", check);
    assert!(n >= 13, "only {n} cases");
}

#[test]
fn raw_payload_frames_match_generic_encoding() {
    // The ping vector framed from a raw payload: an unmodelled command with the same bytes
    // must produce the same frame.
    let raw = Command::Other(RawCommand {
        group: 0xA2,
        code: 0x00,
        payload: vec![0x01, 0x00, 0x00],
    });
    let frame = Frame::new(Header::to_screen(1), raw);
    assert_eq!(
        hex::encode(frame.to_bytes().unwrap()),
        "a5a5a5a5a5a5a5a501000080000000000000fe020500a20001000068f85a"
    );
}
