//! `hallq config new`: driven by its flags, it writes a config that `config check` passes
//! without a warning and an env file (mode 0600) with a key of the right form; `hallq run`
//! starts on them, the printed kiosk token issues a ticket and a clerk signs in with the
//! password given. It never overwrites a file, and refuses bad values naming the flag.
//! Typed at a real pseudo-terminal: the questions, a wrong answer asked again, passwords
//! without echo (`config_new/pty.rs`).

mod common;
#[cfg(unix)]
#[path = "config_new/pty.rs"]
mod pty;

use common::{free_port, req, unique_hall};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ZHANG_PW: &str = "zhang-pass-2027";
const LI_PW: &str = "li-pass-2027";
const ADMIN_PW: &str = "admin-pass-2027";

/// The flags of a small hall open around the clock (so the test does not depend on the hour).
fn flags(hall_id: &str, port: u16) -> Vec<String> {
    [
        "--name",
        "测试区政务服务中心",
        "--hall-id",
        hall_id,
        "--periods",
        "00:00-24:00",
        "--days",
        "mon,tue,wed,thu,fri,sat,sun",
        "--section",
        "general:综合服务",
        "--section",
        "police:公安服务",
        "--service",
        "general:consult:A:综合咨询",
        "--service",
        "police:household:c:户政",
        "--window",
        "1:consult,household",
        "--window",
        "2:household:户政窗口",
        "--clerk",
        "zhang:1:张敏",
        "--clerk",
        "li:*:李四",
        "--admin",
        "boss:值班主任",
        "--password-stdin",
        "--window-tokens",
        "--listen",
    ]
    .iter()
    .map(ToString::to_string)
    .chain([format!("127.0.0.1:{port}")])
    .collect()
}

/// Runs `hallq config new` in `dir` with `args`, `stdin` on its standard input.
fn config_new(dir: &Path, args: &[String], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .current_dir(dir)
        .args(["config", "new"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn passwords() -> String {
    format!("{ZHANG_PW}\n{LI_PW}\n{ADMIN_PW}\n")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `NAME=value` of the env file (comments skipped).
fn env_var(env_file: &Path) -> (String, String) {
    let body = std::fs::read_to_string(env_file).unwrap();
    let line = body
        .lines()
        .find(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .expect("a NAME=value line");
    let (k, v) = line.split_once('=').unwrap();
    (k.to_string(), v.to_string())
}

/// The token printed once on the line that starts (after spaces) with `label`, in a
/// link `…?token=TOKEN`.
fn printed_token(stdout: &str, label: &str) -> String {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?} in:\n{stdout}"));
    let at = line.find("?token=").expect("a link with the token") + 7;
    line[at..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn flags_make_a_config_that_checks_and_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let port = free_port();
    let hall_id = unique_hall();
    let out = config_new(dir, &flags(&hall_id, port), &passwords());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for pw in [ZHANG_PW, LI_PW, ADMIN_PW] {
        assert!(
            !stdout.contains(pw) && !stderr.contains(pw),
            "password echoed"
        );
    }
    let config = dir.join("hall.toml");
    let env_file = dir.join("hallq.env");
    let written = std::fs::read_to_string(&config).unwrap();
    for pw in [ZHANG_PW, LI_PW, ADMIN_PW] {
        assert!(!written.contains(pw), "a password in clear in the config");
    }
    assert!(
        !written.contains("booking"),
        "no booking section unless asked"
    );
    assert!(
        written.lines().count() < 160,
        "short: {}",
        written.lines().count()
    );
    let token = printed_token(&stdout, "取号机 kiosk");
    let window_2 = printed_token(&stdout, "窗口 window 2");
    for t in [&token, &window_2] {
        assert!(t.len() >= 32, "at least 128 bits: {t}");
        assert!(
            !written.contains(t.as_str()),
            "a token itself is not stored"
        );
    }
    assert_ne!(token, window_2);

    // The env file: mode 0600, the variable the config names, a key of the right form.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "env file mode {mode:o}");
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o007,
            0,
            "the config is not world-readable: {mode:o}"
        );
    }
    let (var, key) = env_var(&env_file);
    assert_eq!(var, "HALLQ_ID_HASH_KEY");
    assert!(written.contains("id_hash_key_env = \"HALLQ_ID_HASH_KEY\""));
    assert!(
        key.len() >= hallq_config::identity::MIN_ID_HASH_KEY_BYTES
            && key.len() == 64
            && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "32 random bytes in hex: {key:?}"
    );
    assert_ne!(key, hallq_config::identity::DEMO_ID_HASH_KEY);

    // `config check --strict` passes (run with the env file loaded, as documented).
    let check = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["config", "check", "--strict"])
        .arg(&config)
        .env(&var, &key)
        .output()
        .unwrap();
    let (c_out, c_err) = text(&check);
    assert!(check.status.success(), "{c_out}{c_err}");
    let all = format!("{c_out}{c_err}");
    assert!(
        !all.lines().any(|l| l.to_lowercase().contains("warning")),
        "{all}"
    );
    let cfg = hallq_config::load_file(&config).unwrap();
    assert!(cfg.demo_credentials().is_empty());
    assert_eq!(cfg.hall.hours.sat, None);

    // `hallq run` with the env file's variable starts, and the hall works.
    let log_path = dir.join("run.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .current_dir(dir)
        .args(["run", "--config", "hall.toml"])
        .args(["--mqtt-listen", &format!("127.0.0.1:{}", free_port())])
        .env_remove("HALLQ_ALLOW_DEV_IDENTITY")
        .env(&var, &key)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let base = format!("http://127.0.0.1:{port}/api/v1");
    if !wait_healthy(&mut child.0, &base).await {
        panic!(
            "hallq run did not start:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
    use_the_hall(&base, &token, &window_2).await;
    let run_log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(
        !run_log.contains("DEMO"),
        "no demo warning at start-up:\n{run_log}"
    );
}

/// A child process killed when the test ends, passed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_healthy(child: &mut std::process::Child, base: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if let Ok(r) = reqwest::get(format!("{base}/health")).await {
            if r.status() == 200 {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The kiosk's token issues a ticket; the clerk signs in with the typed password and
/// calls it; a wrong password and another clerk's window are refused; window 2's token
/// acts at window 2 only.
async fn use_the_hall(base: &str, kiosk: &str, window_2: &str) {
    let (st, b) = req(
        base,
        "POST",
        "/tickets",
        Some(kiosk),
        Some(json!({"service": "consult"})),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["ticket"]["number"], "A001");
    let (st, b) = req(
        base,
        "POST",
        "/tickets",
        Some("not-the-token"),
        Some(json!({"service": "consult"})),
    )
    .await;
    assert_eq!(st, 401, "{b}");
    let sign_in = |user: &str, pw: &str, w: &str| {
        req(
            base,
            "POST",
            "/auth/sign-in",
            None,
            Some(json!({"username": user, "password": pw, "window": w})),
        )
    };
    let (st, b) = sign_in("zhang", "wrong-password", "1").await;
    assert_eq!(st, 401, "{b}");
    let (st, b) = sign_in("zhang", ZHANG_PW, "2").await;
    assert_eq!(st, 403, "zhang sits at window 1 only: {b}");
    let (st, b) = sign_in("zhang", ZHANG_PW, "1").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["name"], "张敏");
    let session = b["token"].as_str().unwrap().to_string();
    let (st, b) = req(base, "POST", "/windows/1/call-next", Some(&session), None).await;
    assert_eq!(
        (st, b["ticket"]["number"].clone()),
        (200, json!("A001")),
        "{b}"
    );
    let (st, b) = req(base, "POST", "/windows/1/call-next", Some(window_2), None).await;
    assert_eq!(st, 403, "window 2's token at window 1: {b}");
    let (st, b) = req(
        base,
        "POST",
        "/tickets",
        Some(kiosk),
        Some(json!({"service": "household"})),
    )
    .await;
    assert_eq!(
        (st, b["ticket"]["number"].clone()),
        (201, json!("C001")),
        "{b}"
    );
    let (st, b) = req(base, "POST", "/windows/2/call-next", Some(window_2), None).await;
    assert_eq!(
        (st, b["ticket"]["number"].clone()),
        (200, json!("C001")),
        "{b}"
    );
    let (st, b) = sign_in("li", LI_PW, "2").await;
    assert_eq!(st, 200, "li may sit at any window: {b}");
    let (st, b) = req(
        base,
        "POST",
        "/auth/sign-in",
        None,
        Some(json!({"username": "boss", "password": ADMIN_PW})),
    )
    .await;
    assert_eq!((st, b["role"].clone()), (200, json!("admin")), "{b}");
}

#[test]
fn never_overwrites_a_file() {
    for existing in ["hall.toml", "hallq.env"] {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(existing);
        std::fs::write(&path, "keep me\n").unwrap();
        let out = config_new(tmp.path(), &flags("hall", free_port()), &passwords());
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{existing} 已存在，不覆盖 / already exists: not overwritten"
            )),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me\n");
        let files: Vec<PathBuf> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files, [path], "nothing else written");
    }
}

/// Replaces the value after `flag` (or appends `flag value` when absent).
fn with(mut args: Vec<String>, flag: &str, value: &str) -> Vec<String> {
    match args.iter().position(|a| a == flag) {
        Some(i) => args[i + 1] = value.to_string(),
        None => args.extend([flag.to_string(), value.to_string()]),
    }
    args
}

#[test]
fn bad_values_are_refused_naming_the_flag() {
    let base = flags("hall", 18080);
    let cases: Vec<(Vec<String>, String, &str)> = vec![
        (
            with(base.clone(), "--periods", "9:00-12:00"),
            passwords(),
            "--periods: \"9:00-12:00\": 时段应为 HH:MM-HH:MM",
        ),
        (
            with(base.clone(), "--periods", "09:00-12:00,11:00-13:00"),
            passwords(),
            "--periods: \"11:00-13:00\" starts before the previous period ends",
        ),
        (
            with(base.clone(), "--days", "monday"),
            passwords(),
            "--days: \"monday\": 星期应为",
        ),
        (
            with(base.clone(), "--time-zone", "Mars/Base"),
            passwords(),
            "--time-zone: unknown time zone \"Mars/Base\"",
        ),
        (
            with(base.clone(), "--hall-id", "Hall"),
            passwords(),
            "--hall-id: 大厅编号 \"Hall\" 只能用小写字母",
        ),
        (
            with(base.clone(), "--window", "1:综合咨询"),
            passwords(),
            "--window: \"1:综合咨询\": 没有业务编号 \"综合咨询\"（填编号，不是名称",
        ),
        (
            with(base.clone(), "--service", "general:consult:AB:综合咨询"),
            passwords(),
            "the prefix must be one letter A–Z",
        ),
        (
            with(base.clone(), "--service", "nowhere:consult:A:综合咨询"),
            passwords(),
            "没有板块 \"nowhere\"",
        ),
        (
            with(base.clone(), "--clerk", "zhang:9"),
            passwords(),
            "--clerk: \"zhang:9\": 没有窗口 \"9\"",
        ),
        (
            with(base.clone(), "--listen", "0.0.0.0:8080"),
            passwords(),
            "--listen / --public-base-url: 在 0.0.0.0:8080 上监听时需给出大厅网络中的地址",
        ),
        (
            with(base.clone(), "--public-base-url", "192.168.1.10:8080"),
            passwords(),
            "应为 http://主机:端口",
        ),
        (
            base.clone(),
            "short\nli-pass-2027\nadmin-pass-2027\n".into(),
            "--password-stdin: zhang 的密码至少 8 个字符",
        ),
        (
            base.clone(),
            format!("{ZHANG_PW}\n{LI_PW}\ndemo-boss\n"),
            "--password-stdin: boss 的密码太容易猜",
        ),
        (
            base.clone(),
            format!("{ZHANG_PW}\n"),
            "--password-stdin: 缺少 li 的密码",
        ),
        (
            base.iter()
                .filter(|a| *a != "--password-stdin")
                .cloned()
                .collect(),
            String::new(),
            "密码需在终端输入，或用 --password-stdin",
        ),
    ];
    let mut no_name = base.clone();
    let i = no_name.iter().position(|a| a == "--name").unwrap();
    no_name.drain(i..i + 2);
    let mut cases = cases;
    cases.push((
        no_name,
        passwords(),
        "缺少 --name（没有终端可以提问）/ --name is required",
    ));
    for (args, stdin, expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let out = config_new(tmp.path(), &args, &stdin);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert!(stderr.starts_with("hallq config new: "), "{stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}\nexpected {expected:?} in:\n{stderr}"
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "{args:?}: nothing written"
        );
    }
}
