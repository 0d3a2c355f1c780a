//! TV screens in a real headless Chromium: closed windows read closed until a clerk signs
//! in, a call appears within a second, and the open page recovers by itself when the display-client or the broker restarts.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const NUMBER: &str = "return document.getElementById('cur-number').textContent";
const ONLINE: &str =
    "return window.hallqState && window.hallqState.socketUp && window.hallqState.brokerUp";

#[tokio::test]
async fn a_call_shows_on_the_screen_within_a_second() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/screens/lobby",
            hall.http_port
        ))
        .await;
    browser
        .wait_for(ONLINE, &json!(true), Duration::from_secs(10))
        .await
        .expect("screen connected");
    // Nobody works at a fresh hall's windows: their tiles read closed, until a clerk
    // signs in (open, nothing served yet).
    let tile4 = "return document.querySelector('[data-window=\"4\"] .num').textContent";
    browser
        .wait_for(tile4, &json!("未开放"), Duration::from_secs(5))
        .await
        .expect("window 4 shown closed");
    let body = json!({"username": "clerk", "password": "demo-clerk", "window": "4"});
    let (st, b) = hall.req("POST", "/auth/sign-in", None, Some(body)).await;
    assert_eq!(st, 200, "{b}");
    browser
        .wait_for(tile4, &json!("—"), Duration::from_secs(5))
        .await
        .expect("window 4 shown open after sign-in");
    hall.ticket("tax-housing").await;
    hall.ticket("property").await;
    let (st, b) = hall.act("3", "call-next", None).await; // window 3 serves tax-housing first
    assert_eq!(st, 200, "{b}");
    let took = browser
        .wait_for(NUMBER, &json!("B001"), Duration::from_secs(1))
        .await;
    assert!(took.is_some(), "B001 not on the screen within 1 s");
    let tile = browser
        .js("return document.querySelector('[data-window=\"3\"] .num').textContent")
        .await;
    assert_eq!(tile, json!("B001"));
    let to = browser
        .js("return document.getElementById('cur-window').textContent")
        .await;
    assert!(to.as_str().unwrap().contains("3号窗口"), "{to}");
    // The announcement queue ran for the call (chime + voice or its fallback timing).
    browser
        .wait_for(
            "return window.hallqAnnounced.length > 0",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("call announced");
    let spoken = browser.js("return window.hallqAnnounced[0]").await;
    assert_eq!(spoken, json!("请 B 零 零 一 号 到 3号窗口 办理"));
    // Headless Chromium has no Chinese voice: then the recorded clips are played.
    let zh = browser
        .js("return speechSynthesis.getVoices().some(v => v.lang.toLowerCase().startsWith('zh'))")
        .await;
    if zh == json!(false) {
        let played = browser.js("return window.hallqClipsPlayed").await;
        assert!(
            played.as_u64() >= Some(13),
            "clips played for 请B零零一号到三号窗口办理: {played}"
        );
    }
    let waiting = browser
        .js("return document.querySelector('[data-service=\"property\"] b').textContent")
        .await;
    assert_eq!(waiting, json!("1 人"));
    let path = browser.screenshot("screen-lobby").await;
    assert!(std::fs::metadata(path).unwrap().len() > 10_000);
}

fn spawn_display(config: &std::path::Path, port: u16, log: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["display", "--config"])
        .arg(config)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("port {port} never opened");
}

#[tokio::test]
async fn the_page_recovers_from_display_and_broker_restarts_without_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    if mosquitto_bin().is_none() {
        println!("skipped: no mosquitto binary (screen recovery test)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut broker = Mosquitto::new(tmp.path(), free_port());
    broker.start().await;
    let external = format!(
        "mode = \"external\"\nurl = \"mqtt://127.0.0.1:{}\"",
        broker.port
    );
    let hall = Hall::start(HallOpts {
        edits: vec![("mode = \"embedded\"", external)],
        ..Default::default()
    })
    .await;
    // A separate display-client process, as in a split deployment.
    let dport = free_port();
    let log = tmp.path().join("display.log");
    let mut display = spawn_display(&hall.config, dport, &log);
    wait_port(dport).await;
    browser
        .goto(&format!("http://127.0.0.1:{dport}/screens/lobby"))
        .await;
    browser
        .wait_for(ONLINE, &json!(true), Duration::from_secs(10))
        .await
        .expect("screen connected");
    browser.js("window.notReloaded = 42; return 1").await;

    // 1. The display-client restarts: the page reconnects and shows what happened meanwhile.
    let _ = display.kill();
    let _ = display.wait();
    browser
        .wait_for(
            "return window.hallqState.socketUp",
            &json!(false),
            Duration::from_secs(5),
        )
        .await
        .expect("page noticed");
    assert_eq!(
        browser
            .js("return document.getElementById('offline').hidden")
            .await,
        json!(false),
        "offline marker shown"
    );
    hall.ticket("property").await;
    assert_eq!(hall.act("1", "call-next", None).await.0, 200); // A001 while the display is down
    let mut display = spawn_display(&hall.config, dport, &log);
    wait_port(dport).await;
    browser
        .wait_for(ONLINE, &json!(true), Duration::from_secs(10))
        .await
        .expect("page reconnected");
    let tile = "return document.querySelector('[data-window=\"1\"] .num').textContent";
    browser
        .wait_for(tile, &json!("A001"), Duration::from_secs(5))
        .await
        .expect("window 1 converged to A001 (retained state)");
    hall.ticket("property").await;
    assert_eq!(hall.act("2", "call-next", None).await.0, 200);
    browser
        .wait_for(NUMBER, &json!("A002"), Duration::from_secs(2))
        .await
        .expect("new call after display restart");

    // 2. The broker restarts: the display-client re-subscribes, the page follows.
    broker.stop();
    browser
        .wait_for(
            "return window.hallqState.brokerUp",
            &json!(false),
            Duration::from_secs(15),
        )
        .await
        .expect("broker outage shown");
    broker.start().await;
    browser
        .wait_for(ONLINE, &json!(true), Duration::from_secs(15))
        .await
        .expect("broker back");
    hall.ticket("property").await;
    assert_eq!(hall.act("10", "call-next", None).await.0, 200);
    browser
        .wait_for(NUMBER, &json!("A003"), Duration::from_secs(5))
        .await
        .expect("call after broker restart");
    assert_eq!(
        browser.js("return window.notReloaded").await,
        json!(42),
        "the page was never reloaded"
    );
    let _ = display.kill();
    let _ = display.wait();
}
