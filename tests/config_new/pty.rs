//! `hallq config new` at a real pseudo-terminal: the answers are typed one by one after
//! their question appears, a wrong answer is explained and asked again, and the passwords
//! (typed twice, without echo) never show in what the terminal displays.
//!
//! The program runs under `setsid -c`, which makes the pseudo-terminal its controlling
//! terminal, as a login shell would: the password prompt reads `/dev/tty`.

use nix::pty::openpty;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The terminal's side of the conversation: what was displayed, and the keyboard.
struct Terminal {
    screen: Arc<Mutex<String>>,
    keyboard: std::fs::File,
    seen: usize,
}

impl Terminal {
    /// Waits until `text` appears after what was already matched.
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            {
                let screen = self.screen.lock().unwrap();
                if let Some(at) = screen[self.seen..].find(text) {
                    self.seen += at + text.len();
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "waited for {text:?}; the terminal shows:\n{}",
                    &screen[self.seen..]
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types a line.
    fn line(&mut self, s: &str) {
        self.keyboard
            .write_all(format!("{s}\r").as_bytes())
            .unwrap();
    }

    /// Types a password a moment after its prompt showed: the prompt is written just
    /// before echo is turned off, and a person does not type within microseconds.
    fn secret(&mut self, s: &str) {
        std::thread::sleep(Duration::from_millis(300));
        self.line(s);
    }
}

#[test]
fn answers_typed_at_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let pty = openpty(None, None).expect("a pseudo-terminal");
    let slave = std::fs::File::from(pty.slave);
    let mut child = Command::new("setsid")
        .args(["-w", "-c", env!("CARGO_BIN_EXE_hallq"), "config", "new"])
        .args(["--hall-id", "pty-hall", "--time-zone", "Asia/Shanghai"])
        .args(["--days", "mon,tue,wed,thu,fri", "--sat", "09:00-12:00"])
        .args(["--listen", "127.0.0.1:18080"])
        .current_dir(tmp.path())
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .spawn()
        .expect("setsid (util-linux) runs hallq");
    let master = std::fs::File::from(pty.master);
    let screen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let (mut master, screen) = (master.try_clone().unwrap(), screen.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once the program has closed the terminal.
            while let Ok(n @ 1..) = master.read(&mut buf) {
                screen
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let mut t = Terminal {
        screen,
        keyboard: master,
        seen: 0,
    };
    t.expect("大厅名称 / hall name");
    t.line("终端区政务服务中心");
    t.expect("取号时段 / opening periods");
    t.line("09:00-12:00,14:30-17:30");
    t.expect("业务板块 / business sections");
    t.line("general:综合服务");
    t.expect("> ");
    t.line("");
    t.expect("业务 / services");
    t.line("tax:tax:B:税务"); // no such section: explained, asked again
    t.expect("没有板块 \"tax\"");
    t.line("general:consult:A:综合咨询");
    t.expect("> ");
    t.line("");
    t.expect("窗口 / windows");
    t.line("1:consult");
    t.expect("> ");
    t.line("");
    t.expect("窗口人员账号 / clerks");
    t.line("zhang:1:张敏");
    t.expect("> ");
    t.line("");
    t.expect("管理员账号 / the admin");
    t.line(""); // the default admin
    t.expect("zhang 的密码 / password for zhang: ");
    t.secret("short");
    t.expect("至少 8 个字符");
    t.expect("zhang 的密码 / password for zhang: ");
    t.secret("typed-secret-1");
    t.expect("再输入一次 / again: ");
    t.secret("typed-secret-1");
    t.expect("admin 的密码 / password for admin: ");
    t.secret("typed-secret-2");
    t.expect("再输入一次 / again: ");
    t.secret("typed-secret-2");
    t.expect("kiosk?token=");
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let shown = t.screen.lock().unwrap().clone();
    assert!(status.success(), "{shown}");
    assert!(
        !shown.contains("typed-secret"),
        "a password was echoed:\n{shown}"
    );
    let cfg = hallq_config::load_file(&tmp.path().join("hall.toml")).unwrap();
    assert_eq!(cfg.hall.name, "终端区政务服务中心");
    assert_eq!(
        cfg.hall.hours.sat.as_deref(),
        Some(&["09:00-12:00".to_string()][..])
    );
    let zhang = cfg.staff.iter().find(|u| u.username == "zhang").unwrap();
    assert!(hallq_config::staff::verify_password(
        "typed-secret-1",
        &zhang.password_argon2
    ));
    let admin = cfg.staff.iter().find(|u| u.username == "admin").unwrap();
    assert!(hallq_config::staff::verify_password(
        "typed-secret-2",
        &admin.password_argon2
    ));
}
