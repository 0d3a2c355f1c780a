//! `hallq print test|decode|emulate` as an installer uses them: the real binary, the
//! emulated printer on a TCP port and on a pty, outputs and exit codes.

mod common;
mod print_emulator;

use common::demo_config;
use print_emulator::Emulator;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SEC: Duration = Duration::from_secs(5);

/// A config file: the demo hall with printer `lobby` made of `printer` (TOML lines).
fn config_with(dir: &std::path::Path, printer: &str) -> std::path::PathBuf {
    let toml = demo_config(&[(
        "# ---- Credentials: bearer tokens",
        format!("[[printers]]\nid = \"lobby\"\n{printer}\n\n# ---- Credentials: bearer tokens"),
    )]);
    let path = dir.join("hall.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn print_test(config: &std::path::Path, printer: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["print", "test", "--config"])
        .arg(config)
        .args(["--printer", printer])
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tcp_printer(e: &Emulator) -> String {
    format!("kind = \"tcp\"\naddress = \"{}\"", e.at)
}

#[test]
fn test_page_prints_on_the_emulated_network_printer() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::tcp(&[]);
    let config = config_with(dir.path(), &tcp_printer(&emu));
    let out = print_test(&config, "lobby");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("已打印测试页 / test page printed: printer lobby"),
        "{stdout}"
    );
    assert!(stdout.contains("状态 / status: 正常 / ok"), "{stdout}");
    let t = emu.ticket(SEC).expect("the emulator printed the test page");
    let lines = Emulator::lines_of(&t);
    assert_eq!(
        lines[..2],
        ["海口市政务服务中心", "打印测试 / printer test"],
        "{t}"
    );
    assert_eq!(t["qr"], serde_json::json!(["http://127.0.0.1:8080"]), "{t}");
    assert_eq!(t["cut"], "partial");
}

#[test]
fn a_printer_problem_exits_1_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, reason) in [
        ("--paper-out", "缺纸 / out of paper"),
        ("--cover-open", "打印机盖未关 / cover open"),
    ] {
        let emu = Emulator::tcp(&[flag]);
        let config = config_with(dir.path(), &tcp_printer(&emu));
        let out = print_test(&config, "lobby");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{flag}: {stderr}");
        assert!(
            stderr.contains(&format!("打印机 lobby 未打印：{reason}")),
            "{stderr}"
        );
        assert!(
            emu.ticket(Duration::from_millis(300)).is_none(),
            "{flag}: nothing sent"
        );
    }
    // Nothing listens: offline.
    let port = common::free_port();
    let config = config_with(
        dir.path(),
        &format!("kind = \"tcp\"\naddress = \"127.0.0.1:{port}\""),
    );
    let out = print_test(&config, "lobby");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("打印机未连接 / printer offline"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_printer_that_hangs_mid_page_fails_within_5_s() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::tcp(&["--stall-after", "100"]);
    let config = config_with(dir.path(), &tcp_printer(&emu));
    let started = Instant::now();
    let out = print_test(&config, "lobby");
    let took = started.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("打印机无响应 / printer not responding"),
        "{stderr}"
    );
    assert!(took <= Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_printer_without_status_is_printed_to_unchecked() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::tcp(&["--no-status"]);
    let config = config_with(dir.path(), &tcp_printer(&emu));
    let out = print_test(&config, "lobby");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("不回答状态查询"),
        "{}",
        text(&out.stdout)
    );
    assert!(emu.ticket(SEC).is_some());
}

#[test]
fn test_page_and_paper_out_on_a_serial_printer_emulated_on_a_pty() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("printer");
    let serial = format!(
        "kind = \"serial\"\npath = \"{}\"\nbaud = 9600",
        link.display()
    );
    {
        let emu = Emulator::pty(&link, &[]);
        assert!(
            emu.banner.contains(&format!("(link {})", link.display())),
            "{}",
            emu.banner
        );
        let config = config_with(dir.path(), &serial);
        let out = print_test(&config, "lobby");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("正常 / ok"),
            "{}",
            text(&out.stdout)
        );
        let t = emu.ticket(SEC).expect("printed on the pty");
        assert_eq!(Emulator::lines_of(&t)[0], "海口市政务服务中心");
    }
    let emu = Emulator::pty(&link, &["--paper-out"]);
    let config = config_with(dir.path(), &serial);
    let out = print_test(&config, "lobby");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("缺纸 / out of paper"),
        "{}",
        text(&out.stderr)
    );
    drop(emu);
    assert!(!link.exists(), "the link goes with the emulator");
    // A serial printer that hangs mid-page: its pty fills, the page fails within 5 s.
    let _emu = Emulator::pty(&link, &["--stall-after", "100"]);
    let started = Instant::now();
    let out = print_test(&config, "lobby");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("打印机无响应"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        started.elapsed() <= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(dir.path(), "kind = \"tcp\"\naddress = \"127.0.0.1:9\"");
    let out = print_test(&config, "nope");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("printers: lobby"),
        "{}",
        text(&out.stderr)
    );
    let out = print_test(&dir.path().join("missing.toml"), "lobby");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["print", "emulate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--listen HOST:PORT"),
        "{}",
        text(&out.stderr)
    );
}

fn ticket_bytes(number: &str) -> Vec<u8> {
    let view = hallq_ticket::TicketView {
        hall_name: "市民服务中心".into(),
        number: number.into(),
        service_name: "不动产登记".into(),
        people_ahead: 1,
        wait_hint: None,
        issued_at: "2026-03-04 09:15".into(),
        status_url: format!("https://hall.example/t/{number}"),
        notice: None,
        reprinted_at: None,
    };
    hallq_ticket::escpos(&view, &hallq_ticket::EscPosOptions::default()).unwrap()
}

#[test]
fn decode_prints_each_ticket_as_its_cut_arrives() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["print", "decode"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = ticket_bytes("A001");
    // All but the cut's last byte: nothing is printed yet.
    stdin.write_all(&first[..first.len() - 1]).unwrap();
    stdin.flush().unwrap();
    assert!(
        rx.recv_timeout(Duration::from_millis(500)).is_err(),
        "printed before the cut"
    );
    // The cut completes it; stdin stays open.
    stdin.write_all(&first[first.len() - 1..]).unwrap();
    stdin.flush().unwrap();
    let heading = rx.recv_timeout(SEC).expect("the ticket as its cut arrives");
    assert_eq!(heading, "=== 票 / ticket 1 — 全切 / full cut ===");
    let body: Vec<String> = (0..6).map(|_| rx.recv_timeout(SEC).unwrap()).collect();
    assert_eq!(
        body[..3],
        ["  市民服务中心", "  A001", "  不动产登记"],
        "{body:?}"
    );
    assert!(
        body.contains(&"  [QR] https://hall.example/t/A001".to_string()),
        "{body:?}"
    );
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn decode_json_one_object_per_ticket_and_a_tail_without_cut() {
    let mut input = ticket_bytes("A001");
    input.extend(ticket_bytes("B002"));
    input.extend(b"\x1b@tail\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["print", "decode", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let tickets: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(tickets.len(), 3, "{tickets:?}");
    assert_eq!(tickets[1]["lines"][1], "B002");
    assert_eq!(tickets[1]["qr"][0], "https://hall.example/t/B002");
    assert_eq!(
        (tickets[2]["cut"].as_str(), &tickets[2]["lines"]),
        (Some("none"), &serde_json::json!(["tail"]))
    );
}

#[test]
fn test_page_on_a_usb_device_file_decodes_back() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("lp0");
    std::fs::write(&lp, b"").unwrap();
    let config = config_with(
        dir.path(),
        &format!("kind = \"file\"\npath = \"{}\"", lp.display()),
    );
    let out = print_test(&config, "lobby");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("设备文件，不查询 / device file: not asked"),
        "{}",
        text(&out.stdout)
    );
    let decoded = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["print", "decode"])
        .stdin(std::fs::File::open(&lp).unwrap())
        .output()
        .unwrap();
    let shown = text(&decoded.stdout);
    assert!(
        shown.starts_with("=== 票 / ticket 1 — 半切 / partial cut ===\n  海口市政务服务中心\n"),
        "{shown}"
    );
    assert!(shown.contains("  [QR] http://127.0.0.1:8080\n"), "{shown}");
}
