//! `hallq idcard test` and `hallq idcard emulate` as an installer uses them (issue 20): the
//! real binary both times, the fake reader on a real pseudo-terminal behind a symlink, the
//! test command reading through the real driver. What is checked is what they print and
//! their exit codes; the ID number never appears in clear.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const DEMO_ID: &str = "11010519491231002X";

fn hallq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run hallq")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A running `hallq idcard emulate`: its stdin, and its stdout lines as they come.
struct Emulator {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Emulator {
    fn start(link: &Path, card: Option<&Path>) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hallq"));
        cmd.args(["idcard", "emulate", "--pty", "--link"]).arg(link);
        if let Some(card) = card {
            cmd.arg("--card").arg(card);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the emulator");
        let stdin = child.stdin.take().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut emu = Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        };
        emu.wait_for("输入 swipe");
        emu
    }

    /// Waits up to 10 s for a line containing `what`; returns it.
    fn wait_for(&mut self, what: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(10)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(_) => panic!("no line with {what:?}; printed: {:#?}", self.seen),
            }
        }
    }

    fn say(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_fake_reader_answers_the_test_command() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("reader");
    let mut emu = Emulator::start(&link, None);
    let port = link.to_str().unwrap();
    assert!(
        emu.seen
            .iter()
            .any(|l| l.contains(&format!("(link {port})"))),
        "{:#?}",
        emu.seen
    );
    assert!(
        emu.seen
            .contains(&"卡片 / card: 张* 1101**********002X".to_string()),
        "{:#?}",
        emu.seen
    );

    // No card on it: the reader answers, nothing is read, exit 1 with the reason.
    let out = hallq(&["idcard", "test", "--port", port, "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stdout).contains("读卡器已应答 / the reader answers"),
        "{out:?}"
    );
    assert_eq!(
        text(&out.stderr).trim(),
        "2 秒内读卡器上没有身份证 / no card on the reader within 2 s"
    );
    emu.wait_for("应答 / answered find card (20 01): 80 no card");

    // The card laid on it: read through the real driver, shown masked, exit 0.
    emu.say("swipe");
    emu.wait_for("已放卡 / card on the reader: 张* 1101**********002X");
    let out = hallq(&["idcard", "test", "--port", port, "--timeout", "5"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let shown = text(&out.stdout);
    let fields: Vec<&str> = shown
        .lines()
        .skip_while(|l| !l.starts_with("姓名"))
        .collect();
    assert_eq!(
        fields,
        [
            "姓名 / name: 张*",
            "性别 / sex: 女 / female",
            "民族 / ethnic group: 汉 (01)",
            "出生 / birth: ****-**-**",
            "住址 / address: 北京…",
            "公民身份号码 / ID number: 1101**********002X",
            "签发机关 / issuer: 北京…",
            "有效期限 / valid: 2015-01-01 - 2035-01-01",
            "证件类型 / card type: 居民身份证 / resident identity card",
        ]
    );
    emu.wait_for("应答 / answered find card (20 01): 9F card found");
    emu.wait_for("应答 / answered select card (20 02): 90 ok");
    emu.wait_for("应答 / answered read card (30 01): 90 ok — 张* 1101**********002X");

    // Taken off again; an unknown command is refused; quit ends it and removes the link.
    emu.say("remove");
    emu.wait_for("已取卡 / card taken off");
    emu.say("flip");
    emu.say("quit");
    let status = emu.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!link.exists(), "the link is removed at exit");
    let printed = emu.seen.join("\n") + &text(&out.stdout) + &text(&out.stderr);
    assert!(
        !printed.contains(DEMO_ID),
        "the ID number in clear: {printed}"
    );
}

#[test]
fn a_card_from_a_toml_or_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("card.toml");
    std::fs::write(
        &toml,
        "name = \"欧阳小明\"\nsex = \"男\"\nnation = \"08\"\nbirth = \"19900103\"\n\
         address = \"海南省海口市龙华区滨海大道1号\"\nid_number = \"46010619900103123X\"\n\
         authority = \"海口市公安局龙华分局\"\nvalid_from = \"20150101\"\nvalid_to = \"长期\"\n",
    )
    .unwrap();
    let json = dir.path().join("card.json");
    std::fs::write(
        &json,
        r#"{"name": "李四", "sex": "female", "nation": "01", "birth": "20000229",
            "address": "北京市", "id_number": "110101200002290018", "authority": "北京市公安局",
            "valid_from": "20200101", "valid_to": "20300101", "card_type": "hk_macao_taiwan"}"#,
    )
    .unwrap();
    for (file, want) in [
        (
            &toml,
            &[
                "姓名 / name: 欧**明",
                "性别 / sex: 男 / male",
                "民族 / ethnic group: 壮 (08)",
                "公民身份号码 / ID number: 4601**********123X",
                "有效期限 / valid: 2015-01-01 - 长期",
            ][..],
        ),
        (
            &json,
            &[
                "姓名 / name: 李*",
                "公民身份号码 / ID number: 1101**********0018",
                "证件类型 / card type: 港澳台居民居住证 / HK, Macao, Taiwan residence permit",
            ][..],
        ),
    ] {
        let link = dir.path().join("reader");
        let mut emu = Emulator::start(&link, Some(file));
        emu.say("swipe");
        emu.wait_for("已放卡");
        let out = hallq(&[
            "idcard",
            "test",
            "--port",
            link.to_str().unwrap(),
            "--timeout",
            "5",
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let shown = text(&out.stdout);
        for line in want {
            assert!(
                shown.lines().any(|l| l == *line),
                "{line:?} not in:\n{shown}"
            );
        }
        assert!(!shown.contains("46010619900103123X") && !shown.contains("110101200002290018"));
    }

    // A field the card cannot hold: refused, naming it, exit 1.
    let bad = dir.path().join("bad.toml");
    let long = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("欧阳小明", &"欧".repeat(20));
    std::fs::write(&bad, long).unwrap();
    let out = hallq(&[
        "idcard",
        "emulate",
        "--pty",
        "--card",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(
        err.contains("卡片文件内容错误")
            && err.contains("name: 过长 / too long: 20 characters, at most 15"),
        "{err}"
    );
}

#[tokio::test]
async fn no_reader_no_port_and_usage() {
    // A port where nothing answers (a pty nobody serves).
    let (_master, slave) = tokio_serial::SerialStream::pair().expect("pty pair");
    let path = tokio_serial::SerialPort::name(&slave).unwrap();
    let out = hallq(&["idcard", "test", "--port", &path, "--timeout", "3"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "读卡器无应答 / no answer from a reader at {path} within 3 s (检查接线、电源和波特率 / \
             check the cable, the power and the baud rate: 115200)"
        )),
        "{err}"
    );
    assert!(!text(&out.stdout).contains("读卡器已应答"), "{out:?}");

    let out = hallq(&["idcard", "test", "--port", "/dev/hallq-no-such-reader"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stderr)
            .starts_with("无法打开读卡器 / cannot open the reader at /dev/hallq-no-such-reader:"),
        "{out:?}"
    );

    for args in [
        &["idcard", "test"][..],
        &["idcard", "test", "--port", "x", "--baud", "fast"],
        &["idcard", "test", "--port", "x", "--timeout", "0"],
        &["idcard", "emulate"],
        &["idcard", "swipe"],
    ] {
        let out = hallq(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}
