//! The LED gateway inside the real `hallq run` (demo config, embedded broker): boards on a
//! pty and on fake TCP controllers, decoded by our own decoder (the board emulator), after
//! real calls made over HTTP and published over MQTT.

mod common;
mod led_support;
use common::*;
use led_support::{PtyBoard, Shown};

use led_protocol::emulator::Seen;
use led_protocol::gateway::emulate::{self, EmulatorOptions};
use led_protocol::show::Protocol;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Faster timing than the demo's, so retries and reopening fit a test.
fn fast_timing() -> (&'static str, String) {
    (
        "ack_timeout_ms = 500",
        "ack_timeout_ms = 400\nreconnect_min_ms = 100\nreconnect_max_ms = 1000".into(),
    )
}

async fn call_next(hall: &Hall, w: &str) -> String {
    let (st, b) = hall.act(w, "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    b["ticket"]["number"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn pty_boards_show_calls_and_come_back_after_unplug() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("ttyLED0");
    let mut shown = Shown::new();
    let board = PtyBoard::plug(&link, shown.sink());
    let hall = Hall::start(HallOpts {
        edits: vec![
            fast_timing(),
            (
                "tcp = \"127.0.0.1:15005\"",
                format!("serial = \"{}\"\nbaud = 57600", link.display()),
            ),
        ],
        ..HallOpts::default()
    })
    .await;

    // At start: nobody works at window 1, so its board shows it closed (the closed
    // template); the hall board its welcome.
    shown.wait(1, "暂停服务", 10).await;
    shown.wait(2, "欢迎光临", 10).await;

    hall.ticket("property").await;
    hall.ticket("property").await;
    shown.mark();
    assert_eq!(call_next(&hall, "1").await, "A001");
    shown.wait(1, "请A001号", 5).await;
    shown.wait(2, "请A001号到1号窗口", 5).await;

    // Unplug: the device file vanishes. A call made meanwhile is not lost.
    drop(board);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(call_next(&hall, "1").await, "A002");
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Plug a new adapter in at the same path: every board's current content comes back
    // (the hall board lists the tickets served now: window 1 moved on to A002).
    shown.mark();
    let _board = PtyBoard::plug(&link, shown.sink());
    shown.wait(1, "请A002号", 10).await;
    shown.wait(2, "请A002号到1号窗口", 5).await;

    // Pause shows on the window board.
    shown.mark();
    let (st, _) = hall.act("1", "pause", Some(serde_json::json!({}))).await;
    assert_eq!(st, 200);
    shown.wait(1, "暂停服务", 5).await;
    assert!(
        hall.log().contains("bus lost"),
        "the unplug was noticed: {}",
        hall.log()
    );
}

/// A fake TCP controller: an emulator on a port of its own, which can fall silent.
struct TcpController {
    port: u16,
    silent: Arc<std::sync::atomic::AtomicBool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TcpController {
    async fn start(port: u16, sink: Arc<dyn Fn(&Seen) + Send + Sync>) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let opts = EmulatorOptions::new(Protocol::Bx);
        let silent = opts.silent.clone();
        let task = tokio::spawn(emulate::serve_tcp(listener, opts, sink));
        Self { port, silent, task }
    }
}

impl Drop for TcpController {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn a_silent_tcp_controller_does_not_hold_up_the_other_bus() {
    let mut shown_a = Shown::new();
    let mut shown_b = Shown::new();
    let a = TcpController::start(0, shown_a.sink()).await;
    let b = TcpController::start(0, shown_b.sink()).await;
    // Bus A: the demo's two boards (window 1 and hall). Bus B: one board above window 2.
    let second_bus = format!(
        "[[led.buses]]\nid = \"b\"\ntcp = \"127.0.0.1:{}\"\n\n[[led.buses.boards]]\naddress = 7\nwindow = \"2\"\n# ---- end of LED boards ----",
        b.port
    );
    let hall = Hall::start(HallOpts {
        edits: vec![
            fast_timing(),
            (
                "tcp = \"127.0.0.1:15005\"",
                format!("tcp = \"127.0.0.1:{}\"", a.port),
            ),
            ("# ---- end of LED boards ----", second_bus),
        ],
        ..HallOpts::default()
    })
    .await;
    // Nobody works at a fresh hall's windows: their boards show them closed, until the
    // clerks of windows 1 and 2 are there.
    shown_a.wait(1, "暂停服务", 10).await;
    shown_b.wait(7, "暂停服务", 10).await;
    shown_a.mark();
    shown_b.mark();
    for w in ["1", "2"] {
        let (st, b) = hall.act(w, "resume", None).await;
        assert_eq!(st, 200, "{b}");
    }
    shown_a.wait(1, "1号窗口", 10).await;
    shown_b.wait(7, "2号窗口", 10).await;
    for _ in 0..4 {
        hall.ticket("property").await;
    }

    // Controller A stops answering: its frames are resent, then given up; B is served at
    // once all the while.
    a.silent.store(true, Ordering::Relaxed);
    shown_a.mark();
    assert_eq!(call_next(&hall, "1").await, "A001");
    let started = tokio::time::Instant::now();
    assert_eq!(call_next(&hall, "2").await, "A002");
    shown_b.wait(7, "请A002号", 5).await;
    assert!(
        // Serialised behind A's two silent boards it would take 2 × 3 × 400 ms.
        started.elapsed() < Duration::from_millis(1500),
        "bus B waited {:?} for silent bus A",
        started.elapsed()
    );
    let resent = shown_a.drain(1500).await;
    let tries = resent
        .iter()
        .filter(|(a, t)| a == "1" && t == "请A001号")
        .count();
    assert!(
        tries >= 3,
        "1 send + 2 resends to the silent board: {resent:?}"
    );

    // A answers again: its probe is answered within a second, and it gets the newest
    // content.
    a.silent.store(false, Ordering::Relaxed);
    shown_a.mark();
    assert_eq!(call_next(&hall, "1").await, "A003");
    shown_a.wait(1, "请A003号", 5).await;

    // A reboots (connection closed, port gone, then back): everything is resent. The hall
    // board lists the tickets served now (window 2 moved on from A002 to A004).
    let port = a.port;
    drop(a);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(call_next(&hall, "2").await, "A004");
    shown_b.wait(7, "请A004号", 5).await;
    shown_a.mark();
    let _a = TcpController::start(port, shown_a.sink()).await;
    shown_a.wait(1, "请A003号", 10).await;
    shown_a
        .wait(2, "请A004号到2号窗口  请A003号到1号窗口", 5)
        .await;
}

#[tokio::test]
async fn demo_without_an_emulator_starts_and_retries_quietly() {
    let hall = Hall::start(HallOpts {
        edits: vec![fast_timing()],
        ..HallOpts::default()
    })
    .await;
    // Nothing listens on the demo board's port (or something else does; either way the
    // hall is up and serving).
    hall.ticket("property").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = hall.log();
    let warnings = log.matches("cannot open bus").count();
    assert!(warnings <= 1, "one warning, then quiet retries:\n{log}");
    assert!(log.contains("LED gateway: 1 buses, 2 boards"), "{log}");
}

#[tokio::test]
async fn split_gateway_signs_in_with_the_demo_gateway_account() {
    let mut shown = Shown::new();
    let controller = TcpController::start(0, shown.sink()).await;
    let hall = Hall::start(HallOpts::default()).await;
    // The same hall's config, pointed at this run's broker and at the fake controller.
    let config = hall.dir.join("gateway.toml");
    let text = std::fs::read_to_string(&hall.config)
        .unwrap()
        .replace(
            "listen = \"127.0.0.1:11883\"",
            &format!("listen = \"127.0.0.1:{}\"", hall.mqtt_port),
        )
        .replace(
            "tcp = \"127.0.0.1:15005\"",
            &format!("tcp = \"127.0.0.1:{}\"", controller.port),
        );
    std::fs::write(&config, text).unwrap();
    let log = std::fs::File::create(hall.dir.join("gateway.log")).unwrap();
    let mut gateway = std::process::Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["led", "--config"])
        .arg(&config)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    // The gateway shows the hall's state as it is: nobody works at window 1 yet.
    shown.wait(1, "暂停服务", 10).await;
    hall.ticket("household").await;
    shown.mark();
    assert_eq!(call_next(&hall, "4").await, "C001");
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        shown.wait(2, "请C001号到4号窗口", 10),
    )
    .await;
    let _ = gateway.kill();
    let _ = gateway.wait();
    let gw_log = std::fs::read_to_string(hall.dir.join("gateway.log")).unwrap_or_default();
    assert!(waited.is_ok(), "gateway log:\n{gw_log}");
}
