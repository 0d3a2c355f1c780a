//! The installer's LED commands on the real binary, against `hallq led emulate` boards on
//! TCP and pseudo-terminals: `led probe` (ACK and round trip per board, what an Alpha sign
//! shows, a silent board, a busy or missing port, exit codes), `led emulate --device` on an
//! existing serial device, and `led decode` printing each frame as it arrives on a line
//! that stays open.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const PING_HEX: &str = "a5a5a5a5a5a5a5a501000080000000000000fe020500a20001000068f85a";

fn hallq() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
}

/// A running `hallq led emulate …` and its stdout lines (the first already read).
struct Emulator {
    child: Child,
    first: String,
    lines: mpsc::Receiver<String>,
}

impl Emulator {
    fn start(args: &[&str]) -> Self {
        let mut child = hallq()
            .args(["led", "emulate"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let first = lines.recv_timeout(Duration::from_secs(10)).unwrap();
        Self {
            child,
            first,
            lines,
        }
    }

    fn tcp(&self) -> String {
        self.first.rsplit("tcp://").next().unwrap().to_string()
    }

    /// The next printed line within 5 s.
    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(5))
            .expect("the emulator printed nothing in 5 s")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines_of(out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap()
}

/// The demo hall's LED section with three buses: the demo's TCP controller (boards 1 and
/// 2), an Alpha sign on a pty link (board 3) and a controller that never answers (board 4).
fn config(dir: &std::path::Path, tcp: &str, alpha_link: &str, silent: &str) -> std::path::PathBuf {
    let extra = format!(
        r#"
[[led.buses]]
id = "alpha-pty"
serial = "{alpha_link}"
data_bits = 7
parity = "even"

[[led.buses.boards]]
address = 3
protocol = "alpha"
window = "2"
templates = {{ calling = "{{number}} -> {{window}}", paused = "PAUSED", idle = "WELCOME", closed = "CLOSED", hall_call = "{{number}}", hall_idle = "WELCOME" }}

[[led.buses]]
id = "silent"
tcp = "{silent}"

[[led.buses.boards]]
address = 4
protocol = "bx"
window = "2"

# The LED gateway's account"#
    );
    let text = common::demo_config(&[
        ("tcp = \"127.0.0.1:15005\"", format!("tcp = \"{tcp}\"")),
        ("\n# The LED gateway's account", extra),
    ]);
    let path = dir.join("hall.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn probe_reports_each_board_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let bx = Emulator::start(&["--protocol", "bx", "--listen", "127.0.0.1:0"]);
    let silent = Emulator::start(&["--protocol", "bx", "--listen", "127.0.0.1:0", "--silent"]);
    let link = dir.path().join("ttyALPHA");
    let link_s = link.to_str().unwrap();
    let alpha = Emulator::start(&[
        "--protocol",
        "alpha",
        "--address",
        "3",
        "--pty",
        "--link",
        link_s,
    ]);
    // Put a text on the Alpha sign by hand, as an installer would.
    let frame = run(hallq().args([
        "led",
        "encode",
        "--protocol",
        "alpha",
        "--address",
        "3",
        "--raw",
        "A001 -> 3",
    ]));
    assert!(frame.status.success());
    std::fs::OpenOptions::new()
        .write(true)
        .open(&link)
        .unwrap()
        .write_all(&frame.stdout)
        .unwrap();
    assert!(alpha.next().contains("A001 -> 3"), "the sign took the text");
    let cfg = config(dir.path(), &bx.tcp(), link_s, &silent.tcp());
    let cfg_s = cfg.to_str().unwrap();

    let out = run(hallq().args(["led", "probe", "--config", cfg_s, "--tries", "2"]));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a silent board fails the probe:\n{text}"
    );
    let line = |address: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("#{address} ")))
            .unwrap_or_else(|| panic!("no line for board {address}:\n{text}"))
            .to_string()
    };
    for address in ["1", "2"] {
        let l = line(address);
        assert!(l.contains("应答 ACK / answered ACK"), "{l}");
        assert!(l.trim_end().ends_with("ms"), "a round trip: {l}");
    }
    let l = line("3");
    assert!(l.contains("shows: \"A001 -> 3\""), "{l}");
    let l = line("4");
    assert!(l.contains("无应答 / no answer (2 × 500 ms)"), "{l}");
    assert!(text.contains("总线 / bus silent  tcp://"), "{text}");

    // One bus at a time: all answer, exit 0.
    let out = run(hallq().args(["led", "probe", "--config", cfg_s, "--bus", "demo-tcp"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("#4"));
    // An unknown bus is a usage error naming the buses.
    let out = run(hallq().args(["led", "probe", "--config", cfg_s, "--bus", "nope"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("demo-tcp, alpha-pty, silent"));

    // A device that is gone: said in words, exit 1.
    drop(alpha);
    let out = run(hallq().args(["led", "probe", "--config", cfg_s, "--bus", "alpha-pty"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("无法打开 / cannot open"), "{text}");
    assert!(
        text.contains("设备不存在") && text.contains("no such device"),
        "{text}"
    );
}

#[tokio::test]
async fn emulate_sits_on_an_existing_serial_device() {
    let (mut host, board_end) = tokio_serial::SerialStream::pair().unwrap();
    let path = tokio_serial::SerialPort::name(&board_end).unwrap();
    let emu = Emulator::start(&["--protocol", "bx", "--device", &path]);
    assert!(
        emu.first.contains(&format!("on {path} (9600 8N1)")),
        "{}",
        emu.first
    );
    tokio::io::AsyncWriteExt::write_all(&mut host, &hex::decode(PING_HEX).unwrap())
        .await
        .unwrap();
    assert_eq!(emu.next(), "[bx #1] ping [ACK]");
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.last() != Some(&0x5a) {
        let n = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::io::AsyncReadExt::read(&mut host, &mut buf),
        )
        .await
        .expect("an answer on the line")
        .unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let described = led_protocol_decode(&got);
    assert_eq!(described["command"]["command"], "ack", "{described}");
    drop(board_end);
}

/// `hallq led decode --protocol bx` with every stream piped.
fn decoder() -> Child {
    hallq()
        .args(["led", "decode", "--protocol", "bx"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn led_protocol_decode(bytes: &[u8]) -> serde_json::Value {
    let mut child = decoder();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn decode_prints_each_frame_as_it_arrives() {
    let mut child = decoder();
    let mut stdin = child.stdin.take().unwrap();
    let lines = lines_of(child.stdout.take().unwrap());
    let next_value = || {
        let mut text = String::new();
        loop {
            let line = lines
                .recv_timeout(Duration::from_secs(5))
                .expect("a frame printed while the line stays open");
            text.push_str(&line);
            text.push('\n');
            if line == "}" {
                return serde_json::from_str::<serde_json::Value>(&text).unwrap();
            }
        }
    };
    let frame = hex::decode(PING_HEX).unwrap();
    // Half a frame prints nothing; the rest completes it.
    stdin.write_all(&frame[..10]).unwrap();
    stdin.flush().unwrap();
    assert!(lines.recv_timeout(Duration::from_millis(300)).is_err());
    stdin.write_all(&frame[10..]).unwrap();
    stdin.flush().unwrap();
    assert_eq!(next_value()["command"]["command"], "ping");
    // A frame spoilt on the line is reported and decoding goes on; the exit code says so.
    let mut spoilt = frame.clone();
    spoilt[frame.len() - 3] ^= 0xff;
    stdin.write_all(&spoilt).unwrap();
    stdin.write_all(&frame).unwrap();
    stdin.flush().unwrap();
    assert_eq!(next_value()["header"]["dst"], 1);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CRC"));
}
