//! LED boards always show the truth (issue 20): after a restart of `hallq run`, a config
//! reload, a restart of a separate `hallq led gateway` and a board's power-off/on, every
//! board shows the hall's current state within 2 s, never idle in between, and a board
//! that was off gets only its newest content, once. `hallq led show` says what each board
//! shows. Real `hallq` processes, real MQTT, emulated boards on a pty.

mod common;
mod led_support;
use common::*;
use led_support::{PtyBoard, Shown};

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What the demo's two boards show after A001 was called at window 1 and A002 at window 2.
const WINDOW_1: &str = "请A001号";
const HALL: &str = "请A002号到2号窗口  请A001号到1号窗口";
const WITHIN: Duration = Duration::from_secs(2);

/// The demo's bus moved onto the pty at `link`.
fn on_pty(link: &Path) -> (&'static str, String) {
    (
        "tcp = \"127.0.0.1:15005\"",
        format!("serial = \"{}\"", link.display()),
    )
}

async fn call_next(hall: &Hall, w: &str) -> String {
    let (st, b) = hall.act(w, "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    b["ticket"]["number"].as_str().unwrap().to_string()
}

/// Two property tickets, A001 called at window 1 and A002 at window 2.
async fn call_two(hall: &Hall) {
    hall.tickets("property", 2).await;
    assert_eq!(call_next(hall, "1").await, "A001");
    assert_eq!(call_next(hall, "2").await, "A002");
}

/// Waits until both boards show the called tickets within [`WITHIN`] and asserts that
/// nothing else was shown since the mark (no idle, no welcome in between).
async fn shows_the_calls_at_once(shown: &mut Shown, what: &str) {
    shown.wait_for(1, WINDOW_1, WITHIN).await;
    shown.wait_for(2, HALL, WITHIN).await;
    let all = shown.drain(300).await;
    let wrong: Vec<_> = all
        .iter()
        .filter(|(a, t)| !((a == "1" && t == WINDOW_1) || (a == "2" && t == HALL)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{what}: boards showed {wrong:?} in between"
    );
}

/// `hallq led show` for `config` and `dir`: (exit code, stdout, stderr).
fn led_show(config: &Path, dir: &Path, json: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hallq"));
    cmd.args(["led", "show", "--config"])
        .arg(config)
        .arg("--data-dir")
        .arg(dir);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn restart_and_reload_show_the_calls_at_once_never_idle() {
    let link_dir = tempfile::tempdir().unwrap();
    let link = link_dir.path().join("hallq-led-1");
    let mut shown = Shown::new();
    let _board = PtyBoard::plug(&link, shown.sink());
    let mut hall = Hall::start(HallOpts {
        edits: vec![on_pty(&link)],
        ..HallOpts::default()
    })
    .await;
    call_two(&hall).await;
    shown.wait(1, WINDOW_1, 5).await;
    shown.wait(2, HALL, 5).await;

    // `hallq led show` reads the state the gateway inside `hallq run` keeps.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (code, out, err) = led_show(&hall.config, &hall.dir, false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("\"{WINDOW_1}\"")), "{out}");
    assert!(out.contains(&format!("\"{HALL}\"")), "{out}");
    assert!(
        out.contains("窗口 / window 1") && out.contains("大厅屏 / hall"),
        "{out}"
    );
    assert!(out.contains("应答 / answers"), "{out}");

    // (a) kill -9 and start again: the boards get the called tickets, nothing else.
    let keep = hall.take_dir();
    let opts = HallOpts {
        edits: vec![on_pty(&link)],
        dir: Some(hall.dir.clone()),
        ports: Some((hall.http_port, hall.mqtt_port)),
        hall_id: Some(hall.hall_id.clone()),
        ..HallOpts::default()
    };
    hall.kill9();
    shown.mark();
    let hall = Hall::start(opts).await;
    shows_the_calls_at_once(&mut shown, "after a restart").await;

    // (b) a reload (SIGHUP: the process restarts itself with the file): the same.
    shown.mark();
    let hup = Command::new("kill")
        .args(["-HUP", &hall.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !hall.log().contains("restarting with the reloaded config") {
        assert!(tokio::time::Instant::now() < deadline, "{}", hall.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shows_the_calls_at_once(&mut shown, "after a reload").await;

    // Stopped (SIGTERM): `led show` says so and exits 1.
    let mut hall = hall;
    let term = Command::new("kill")
        .args(["-TERM", &hall.child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let _ = hall.child.wait();
    let (code, out, err) = led_show(&hall.config, &hall.dir, false);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("the LED gateway stopped"), "{out}{err}");
    assert!(out.contains(&format!("\"{HALL}\"")), "{out}");
    drop(keep);
}

#[tokio::test]
async fn a_board_switched_off_gets_only_its_newest_content_once() {
    let link_dir = tempfile::tempdir().unwrap();
    let link = link_dir.path().join("hallq-led-1");
    let mut shown = Shown::new();
    let board = PtyBoard::plug(&link, shown.sink());
    let hall = Hall::start(HallOpts {
        edits: vec![on_pty(&link)],
        ..HallOpts::default()
    })
    .await;
    call_two(&hall).await;
    shown.wait(2, HALL, 5).await;

    // (d) Off: two calls the boards never see; the gateway tries, gives up, probes.
    board.power(false);
    hall.tickets("property", 2).await;
    assert_eq!(call_next(&hall, "1").await, "A003");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(call_next(&hall, "2").await, "A004");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (code, out, _) = led_show(&hall.config, &hall.dir, false);
    assert_eq!(code, 0);
    assert!(out.contains("无应答 / SILENT"), "{out}");
    assert!(out.contains("待发送 / pending: \"请A003号\""), "{out}");

    // On: within 2 s each board shows its newest content, once; nothing is replayed.
    shown.mark();
    board.power(true);
    shown.wait_for(1, "请A003号", WITHIN).await;
    shown
        .wait_for(2, "请A004号到2号窗口  请A003号到1号窗口", WITHIN)
        .await;
    let all = shown.drain(1500).await;
    assert_eq!(
        all.len(),
        2,
        "one frame per board after power-on, not a replay: {all:?}"
    );

    // The log names bus, address and window, once for the silence and once for the return.
    let log = hall.log();
    let silent = log
        .lines()
        .filter(|l| l.contains("board #1 窗口 / window 1 does not answer"))
        .count();
    assert_eq!(silent, 1, "one warning, not one per probe:\n{log}");
    assert!(
        log.contains("bus demo-tcp board #1 窗口 / window 1 answers again"),
        "{log}"
    );
    assert!(
        log.contains("bus demo-tcp board #2 大厅 / hall answers again"),
        "{log}"
    );
    assert!(!log.contains("that no frame waits for"), "{log}");
    // The bus is logged by its configured (stable) name and the device it points at.
    assert!(
        log.contains(&format!(
            "bus open: demo-tcp ({} → /dev/pts/",
            link.display()
        )),
        "{log}"
    );

    // Off and on again with no call in between (its shown text lost with the power): the
    // idle board's keepalive ping goes unanswered, and once back it is shown its content.
    shown.mark();
    board.power(false);
    // A ping within 5 s of the last answer, 3 sends of 0.5 s, then probes each second.
    tokio::time::sleep(Duration::from_secs(9)).await;
    board.power(true);
    shown.wait_for(1, "请A003号", WITHIN).await;
    shown
        .wait_for(2, "请A004号到2号窗口  请A003号到1号窗口", WITHIN)
        .await;
    assert_eq!(shown.drain(500).await.len(), 2);
}

/// A separate `hallq led gateway` on `config`, its state in `dir`, its output in `log`.
fn start_gateway(config: &Path, dir: &Path, log: &Path) -> std::process::Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["led", "gateway", "--config"])
        .arg(config)
        .arg("--data-dir")
        .arg(dir)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn a_restarted_gateway_shows_the_calls_at_once_and_led_show_tells() {
    let link_dir = tempfile::tempdir().unwrap();
    let link = link_dir.path().join("hallq-led-1");
    let mut shown = Shown::new();
    let _board = PtyBoard::plug(&link, shown.sink());
    // The hall's own gateway drives a port nobody listens on; the split one drives the pty.
    let unused = format!("tcp = \"127.0.0.1:{}\"", free_port());
    let mut hall = Hall::start(HallOpts {
        edits: vec![("tcp = \"127.0.0.1:15005\"", unused.clone())],
        ..HallOpts::default()
    })
    .await;
    let config = hall.dir.join("gateway.toml");
    let text = std::fs::read_to_string(&hall.config)
        .unwrap()
        .replace(
            "listen = \"127.0.0.1:11883\"",
            &format!("listen = \"127.0.0.1:{}\"", hall.mqtt_port),
        )
        .replace(&unused, &format!("serial = \"{}\"", link.display()));
    std::fs::write(&config, text).unwrap();
    let gw_dir = hall.dir.join("gateway-data");
    let gw_log = hall.dir.join("gateway.log");

    // (e) Before any gateway: no state, exit 1; usage errors exit 2.
    let (code, _, err) = led_show(&config, &gw_dir, false);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no LED gateway state"), "{err}");
    let usage = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["led", "show"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));

    call_two(&hall).await;
    let mut gateway = start_gateway(&config, &gw_dir, &gw_log);
    shown.wait(1, WINDOW_1, 10).await;
    shown.wait(2, HALL, 5).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (code, out, err) = led_show(&config, &gw_dir, true);
    assert_eq!(code, 0, "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["stopped"], false);
    assert_eq!(doc["ready"], true);
    assert_eq!(doc["boards"][0]["text"], WINDOW_1, "{doc}");
    assert_eq!(doc["boards"][0]["window"], "1");
    assert_eq!(doc["boards"][0]["answering"], true);
    assert!(doc["boards"][0]["last_ack_ms"].as_u64().is_some(), "{doc}");
    assert_eq!(doc["boards"][1]["text"], HALL, "{doc}");
    assert_eq!(doc["boards"][1]["bus"], "demo-tcp");
    assert_eq!(doc["boards"][1]["address"], 2);

    // (c) The gateway dies and comes back: the called tickets at once, nothing else.
    let _ = gateway.kill();
    let _ = gateway.wait();
    shown.mark();
    let mut gateway = start_gateway(&config, &gw_dir, &gw_log);
    shows_the_calls_at_once(&mut shown, "after a gateway restart").await;

    // The broker goes away with `hallq run` and comes back: the gateway reconnects, the
    // boards keep their texts (nothing resent wrong), and the next call reaches them.
    let keep = hall.take_dir();
    let opts = HallOpts {
        edits: vec![("tcp = \"127.0.0.1:15005\"", unused.clone())],
        dir: Some(hall.dir.clone()),
        ports: Some((hall.http_port, hall.mqtt_port)),
        hall_id: Some(hall.hall_id.clone()),
        ..HallOpts::default()
    };
    hall.kill9();
    shown.mark();
    let hall = Hall::start(opts).await;
    hall.ticket("property").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(call_next(&hall, "1").await, "A003");
    shown.wait(1, "请A003号", 5).await;
    shown
        .wait(2, "请A003号到1号窗口  请A002号到2号窗口", 5)
        .await;
    let all = shown.drain(300).await;
    assert!(
        all.iter()
            .all(|(_, t)| t.starts_with("请A003号") || t == WINDOW_1 || t == HALL),
        "after a broker restart: {all:?}"
    );

    // A clean stop is in the state: exit 1.
    let term = Command::new("kill")
        .args(["-TERM", &gateway.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let _ = gateway.wait();
    let (code, out, err) = led_show(&config, &gw_dir, false);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("the LED gateway stopped"), "{err}");
    assert!(out.contains("\"请A003号\""), "{out}");

    // A gateway that died without a word: its heartbeat stops; 15 s later the state is
    // stale (the file's time set back rather than waiting).
    let path = gw_dir.join("led-state.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["stopped"] = false.into();
    let ms = doc["updated_ms"].as_u64().unwrap();
    doc["updated_ms"] = (ms - 16_000).into();
    std::fs::write(&path, doc.to_string()).unwrap();
    let (code, _, err) = led_show(&config, &gw_dir, false);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("stale"), "{err}");
    doc["updated_ms"] = (ms - 14_000).into();
    std::fs::write(&path, doc.to_string()).unwrap();
    assert_eq!(led_show(&config, &gw_dir, false).0, 0);
    drop(keep);
}
