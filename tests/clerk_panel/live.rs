//! The panel and the world around it: a controller outage (banner, every action button
//! disabled, keys flash the banner, back on reconnect), one session per window (a second
//! browser takes over with Enter, the first panel says so), and the chime with the title
//! flash when the first ticket reaches an empty window.

use crate::common::browser::Browser;
use crate::common::{Hall, HallOpts};
use crate::panel::*;
use serde_json::json;

const BUTTONS_DISABLED: &str = "var all = document.querySelectorAll('main button'); \
    return all.length > 0 && Array.prototype.every.call(all, function (b) { return b.disabled; })";
const BUTTONS_ENABLED: &str = "return Array.prototype.every.call(document.querySelectorAll('main button'), function (b) { return !b.disabled; })";
const BANNER: &str =
    "var o = document.getElementById('offline'); return o.hidden ? null : o.textContent";

#[tokio::test]
async fn offline_disables_every_action_and_says_so() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let mut hall = Hall::start(HallOpts::default()).await;
    open(&b, &hall, "4").await;
    hall.ticket("household").await;
    shows(&b, "waiting", "1").await;
    see(&b, BANNER, json!(null)).await;
    see(&b, BUTTONS_ENABLED, json!(true)).await;

    // The controller stops: the banner, the buttons disabled, F1 only flashes the banner.
    let (ports, dir, id) = (
        (hall.http_port, hall.mqtt_port),
        hall.dir.clone(),
        hall.hall_id.clone(),
    );
    let _keep = hall.take_dir();
    hall.kill9();
    see(
        &b,
        BANNER,
        json!("与服务器失去连接，操作暂不可用 / offline"),
    )
    .await;
    see(&b, BUTTONS_DISABLED, json!(true)).await;
    let flashes = b.js("return window.hallqOfflineFlashes").await;
    b.keys(F1).await;
    see(
        &b,
        "return window.hallqOfflineFlashes",
        json!(flashes.as_i64().unwrap() + 1),
    )
    .await;
    b.screenshot("clerk-panel-offline").await;

    // Back: the banner goes, the buttons work, F1 calls.
    let hall = Hall::start(HallOpts {
        dir: Some(dir),
        ports: Some(ports),
        hall_id: Some(id),
        ..Default::default()
    })
    .await;
    see(&b, BANNER, json!(null)).await;
    see(&b, BUTTONS_ENABLED, json!(true)).await;
    press(&b, F1, "已叫 C001").await;
    assert_eq!(window(&hall, "4").await["serving"]["number"], "C001");
}

#[tokio::test]
async fn a_second_sign_in_takes_the_window_over() {
    let Some(first) = Browser::start().await else {
        return;
    };
    let Some(second) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    open(&first, &hall, "3").await;
    let old = first
        .js("return sessionStorage.getItem('hallq-clerk-token')")
        .await;
    let old = old.as_str().expect("session token").to_string();

    // The second terminal is told who holds the window; Esc keeps that session.
    second
        .goto(&format!("http://127.0.0.1:{}/clerk", hall.http_port))
        .await;
    second.sign_in_form_shown().await;
    sign_in_keys(&second, "3").await;
    focused(&second, "hq-takeover").await;
    let said = second
        .js("return document.getElementById('hq-err').textContent")
        .await;
    assert!(
        said.as_str()
            .unwrap()
            .starts_with("3号窗口已由 演示窗口人员 于 "),
        "{said}"
    );
    second.screenshot("clerk-takeover-offer").await;
    second.keys(ESC).await;
    see(
        &second,
        "return !!document.getElementById('hq-takeover')",
        json!(false),
    )
    .await;
    let (st, _) = hall.req("GET", "/me", Some(&old), None).await;
    assert_eq!(st, 200, "Esc keeps the first session");

    // Enter again, then Enter on the takeover: the second panel runs, the first says why not.
    second
        .js("document.getElementById('hq-window').focus(); return 1")
        .await;
    second.keys(ENTER).await;
    focused(&second, "hq-takeover").await;
    second.keys(ENTER).await;
    see(
        &second,
        "return window.hallqClerkLive === true",
        json!(true),
    )
    .await;
    first.sign_in_form_shown().await;
    shows(
        &first,
        "hq-err",
        "本窗口已在其他终端登录 / taken over elsewhere",
    )
    .await;
    let (st, _) = hall.req("GET", "/me", Some(&old), None).await;
    assert_eq!(st, 401, "the first session ended");
    first.screenshot("clerk-taken-over").await;
}

#[tokio::test]
async fn the_first_ticket_at_an_empty_window_chimes_and_flashes_the_title() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    open(&b, &hall, "4").await;
    let title = b.js("return document.title").await;
    assert_eq!(title, json!("4号窗口 · 窗口叫号 · 海口市政务服务中心"));
    assert_eq!(b.js("return window.hallqChimes").await, json!(0));

    hall.ticket("household").await;
    see(&b, "return window.hallqChimes", json!(1)).await;
    see(
        &b,
        "return document.title.indexOf('【新】C001') === 0",
        json!(true),
    )
    .await;
    // A second ticket is no news: the queue was not empty.
    hall.ticket("household").await;
    shows(&b, "waiting", "2").await;
    // The next action stops the flash.
    press(&b, F1, "已叫 C001").await;
    see(&b, "return document.title", title.clone()).await;
    // Nothing chimes while a ticket is held, however empty the queue was.
    press(&b, F1, "C001 未开始办理即结束，已叫 C002").await;
    shows(&b, "waiting", "0").await;
    hall.ticket("household").await;
    shows(&b, "waiting", "1").await;
    assert_eq!(b.js("return window.hallqChimes").await, json!(1));
    assert_eq!(b.js("return document.title").await, title);
}
