//! `hallq led encode|decode` on the real binary: peer vectors reproduced from the command
//! line, hex with whitespace and raw bytes decoded, bad input refused with exit 2. The
//! device commands (`probe`, `emulate --device`, decode on a live line) are in
//! `led_devices.rs`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hallq(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// (args, hex of the peer vector in led-protocol/tests/vectors).
const VECTORS: &[(&[&str], &str)] = &[
    (
        &["--protocol", "bx", "--command", "ping"],
        "a5a5a5a5a5a5a5a501000080000000000000fe020500a20001000068f85a",
    ),
    (
        // dynamic_static_A001_window3
        &["--protocol", "bx", "--colour", "none", "请A001号到3号窗口"],
        "a5a5a5a5a5a5a5a501000080000000000000fe023500a30601000000012c00000000000008001000000000050000000001010100000a11000000c7eb41303031bac5b5bd33bac5b4b0bfdabc705a",
    ),
    (
        // dynamic_scroll_left_welcome
        &[
            "--protocol", "bx", "--address", "2", "--width", "128", "--height", "32", "--mode",
            "left", "--speed", "4", "--hold", "0", "--colour", "none", "欢迎光临",
        ],
        "a5a5a5a5a5a5a5a502000080000000000000fe022c00a30601000000012300000000000010002000000000050000000001010300040008000000bbb6d3adb9e2c1d9fc535a",
    ),
    (
        // priority_hold_red_broadcast
        &["--protocol", "alpha", "--address", "0", "--position", "26", "--mode", "hold", "A001 -> 3"],
        "0000000000015a30300241301b26621c3141303031202d3e2033033033313604",
    ),
    (
        // labelA_rotate_green_addr01
        &[
            "--protocol", "alpha", "--address", "1", "--label", "A", "--position", "26", "--mode",
            "rotate", "--colour", "green", "WINDOW 5 PAUSED",
        ],
        "0000000000015a30310241411b26611c3257494e444f57203520504155534544033035383604",
    ),
];

#[test]
fn encode_reproduces_peer_vectors() {
    for (args, hex) in VECTORS {
        let mut all = vec!["led", "encode"];
        all.extend_from_slice(args);
        assert_eq!(stdout(&hallq(&all, b"")).trim(), *hex, "{args:?}");
    }
}

#[test]
fn decode_reads_spaced_hex_and_raw_bytes() {
    let hex = VECTORS[1].1;
    let spaced: String = hex
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    let from_hex: serde_json::Value = serde_json::from_str(&stdout(&hallq(
        &["led", "decode", "--protocol", "bx"],
        format!("{spaced}\n").as_bytes(),
    )))
    .unwrap();
    assert_eq!(from_hex["protocol"], "bx");
    assert_eq!(from_hex["command"]["command"], "dynamic_area");
    assert_eq!(from_hex["command"]["areas"][0]["text"], "请A001号到3号窗口");
    let raw = hex::decode(hex).unwrap();
    let from_raw: serde_json::Value = serde_json::from_str(&stdout(&hallq(
        &["led", "decode", "--protocol", "bx"],
        &raw,
    )))
    .unwrap();
    assert_eq!(from_raw, from_hex);

    // Two frames give two JSON values, one per frame; Alpha decodes too.
    let two = format!("{}\n{}\n", VECTORS[0].1, VECTORS[0].1);
    let out = stdout(&hallq(
        &["led", "decode", "--protocol", "bx"],
        two.as_bytes(),
    ));
    let values: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&out)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(values.len(), 2);
    assert!(values.iter().all(|v| v["command"]["command"] == "ping"));
    let alpha: serde_json::Value = serde_json::from_str(&stdout(&hallq(
        &["led", "decode", "--protocol", "alpha"],
        VECTORS[3].1.as_bytes(),
    )))
    .unwrap();
    assert_eq!(
        alpha["packet"]["commands"][0]["segments"][0]["text"],
        "A001 -> 3"
    );
    // An Alpha ACK with status 40.
    let ack: serde_json::Value = serde_json::from_str(&stdout(&hallq(
        &["led", "decode", "--protocol", "alpha"],
        b"06 40",
    )))
    .unwrap();
    assert_eq!(ack["incoming"]["kind"], "ack");
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    let cases: &[(&[&str], &[u8], &str)] = &[
        (
            &["led", "decode", "--protocol", "bx"],
            b"a5 a5 zz",
            "bad hex",
        ),
        (&["led", "decode", "--protocol", "bx"], b"a5a", "bad hex"),
        (&["led", "decode", "--protocol", "bx"], b"", "empty"),
        (
            &["led", "decode", "--protocol", "bx"],
            // ping with the CRC's low byte changed
            b"a5a5a5a5a5a5a5a501000080000000000000fe020500a20001000069f85a",
            "CRC",
        ),
        (
            &["led", "decode", "--protocol", "bx"],
            b"a5a5a5a5a5a5a5a501000080000000",
            "incomplete",
        ),
        (
            &["led", "encode", "--protocol", "alpha", "请"],
            b"",
            "cannot encode",
        ),
        (
            &[
                "led",
                "encode",
                "--protocol",
                "bx",
                "--mode",
                "sideways",
                "x",
            ],
            b"",
            "--mode",
        ),
        (&["led", "encode", "--protocol", "bx"], b"", "TEXT"),
    ];
    for (args, input, reason) in cases {
        let o = hallq(args, input);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(reason), "{args:?}: {err:?} lacks {reason:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn emulator_answers_acks_and_prints_what_it_shows() {
    use std::io::{BufRead, BufReader, Read};
    let mut emu = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args([
            "led",
            "emulate",
            "--protocol",
            "bx",
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(emu.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.rsplit("tcp://").next().unwrap().to_string();
    let mut sock = std::net::TcpStream::connect(&addr).unwrap();
    sock.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let frame = hex::decode(VECTORS[1].1).unwrap();
    sock.write_all(&frame).unwrap();
    let mut reply = [0u8; 64];
    let n = sock.read(&mut reply).unwrap();
    let described: serde_json::Value = serde_json::from_str(&stdout(&hallq(
        &["led", "decode", "--protocol", "bx"],
        &reply[..n],
    )))
    .unwrap();
    assert_eq!(described["command"]["command"], "ack");
    assert_eq!(described["header"]["src"], 1);
    let shown = lines.next().unwrap().unwrap();
    let _ = emu.kill();
    let _ = emu.wait();
    assert_eq!(shown, "[bx #1] 显示 / shows: 请A001号到3号窗口 [ACK]");
}

#[test]
fn emulator_switched_off_loses_frames_until_switched_on() {
    use std::io::{BufRead, BufReader, Read};
    let mut emu = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args([
            "led",
            "emulate",
            "--protocol",
            "bx",
            "--listen",
            "127.0.0.1:0",
            "--off",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut power = emu.stdin.take().unwrap();
    let mut said = BufReader::new(emu.stderr.take().unwrap()).lines();
    let mut lines = BufReader::new(emu.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.rsplit("tcp://").next().unwrap().to_string();
    assert!(said.next().unwrap().unwrap().contains("power off"));
    let mut sock = std::net::TcpStream::connect(&addr).unwrap();
    sock.set_read_timeout(Some(std::time::Duration::from_millis(800)))
        .unwrap();
    let frame = hex::decode(VECTORS[1].1).unwrap();
    // Off: no answer.
    sock.write_all(&frame).unwrap();
    let mut reply = [0u8; 64];
    assert!(
        sock.read(&mut reply).is_err(),
        "a board that is off answers nothing"
    );
    // On (a line on stdin): the next frame is answered and shown.
    power.write_all(b"on\n").unwrap();
    assert!(said.next().unwrap().unwrap().contains("power on"));
    sock.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    sock.write_all(&frame).unwrap();
    let n = sock.read(&mut reply).unwrap();
    assert!(n > 0);
    let shown = lines.next().unwrap().unwrap();
    let _ = emu.kill();
    let _ = emu.wait();
    assert_eq!(
        shown, "[bx #1] 显示 / shows: 请A001号到3号窗口 [ACK]",
        "only the frame sent while on is shown"
    );
}

#[test]
fn config_check_warns_of_movable_serial_names_and_non_ascii_on_alpha() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/examples/demo-hall.toml"
    ))
    .unwrap();
    // The demo's bus on /dev/ttyUSB0, its window board an Alpha sign whose pause text
    // carries the clerk's reason.
    let edited = demo
        .replacen("tcp = \"127.0.0.1:15005\"", "serial = \"/dev/ttyUSB0\"", 1)
        .replacen(
            "address = 1\nprotocol = \"bx\"",
            "address = 1\nprotocol = \"alpha\"\ntemplates = { calling = \"{number}\", \
             paused = \"PAUSED {reason}\", idle = \"WELCOME\", closed = \"CLOSED\", \
             hall_call = \"{number}\", hall_idle = \"HI\" }",
            1,
        );
    assert_ne!(edited, demo);
    let path = dir.path().join("hall.toml");
    std::fs::write(&path, edited).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["config", "check"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "warnings only: {text}");
    let serial = text
        .lines()
        .find(|l| l.contains("led.buses[0].serial: warning: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(serial.contains("/dev/serial/by-id/"), "{serial}");
    let alpha = text
        .lines()
        .find(|l| l.contains("led.buses[0].boards[0].window: warning: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        alpha.contains("{reason}") && alpha.contains("??"),
        "{alpha}"
    );
}
