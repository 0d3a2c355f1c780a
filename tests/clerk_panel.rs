//! The clerk panel in a real headless Chromium against the real binary: the clerk signs
//! in with username, password and window (a wrong password is refused on the form), the
//! panel follows the hall live, F1 calls the checked-in appointment and shows its slot,
//! booking code and masked name, F9 with a typed ID number and Enter says match or
//! mismatch without showing the stored number, Shift+F3 (false information) is undone
//! with Esc, F5/F4 start and finish, signing out with a ticket held asks first, and
//! signing out ends the session. The keyboard cycle, the
//! start-on-call hall, the outage, the takeover and the chime are in `clerk_panel/`.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::json;
use std::time::Duration;

#[path = "clerk_panel/panel.rs"]
mod panel;
use panel::{hidden, press, see, shows, ENTER, ESC, F1, F4, F5, F9, MSG, UNDO};

#[path = "clerk_panel/cycle.rs"]
mod cycle;
#[path = "clerk_panel/live.rs"]
mod live;

const ID: &str = "11010519491231002X";

#[tokio::test]
async fn clerk_calls_with_f1_and_verifies_the_holder() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    browser
        .goto(&format!("http://127.0.0.1:{}/clerk", hall.http_port))
        .await;
    browser.sign_in_form_shown().await;
    browser
        .submit_sign_in("clerk", "wrong-password", Some("4"))
        .await;
    browser
        .wait_for(
            "return document.getElementById('hq-err').textContent",
            &json!("用户名或密码错误 / wrong username or password"),
            Duration::from_secs(10),
        )
        .await
        .expect("wrong password refused on the form");
    browser.screenshot("clerk-sign-in").await;
    browser
        .submit_sign_in("clerk", "demo-clerk", Some("4"))
        .await;
    browser
        .wait_for(
            "return window.hallqClerkLive === true",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("clerk panel live");
    let waiting = "return (document.querySelector('[data-service=\"household\"] b') || {}).textContent || null";
    browser
        .wait_for(waiting, &json!("0 人"), Duration::from_secs(5))
        .await
        .expect("waiting count shown");

    // An appointment ticket for a known person, then a walk-in: the panel follows live.
    let (_, id) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": "李四", "id_number": ID, "phone": "13800138000"})),
        )
        .await;
    let assertion = id["assertion"].as_str().unwrap().to_string();
    let slot = next_slot(&hall.base, "household").await;
    // Check-in closes when the slot starts: late in the evening no slot is left today.
    if !slot.starts_with(&shanghai_day(0)) {
        println!(
            "skipped: no household slot left today in Shanghai (clerk panel appointment test)"
        );
        return;
    }
    let (st, b) = hall
        .req(
            "POST",
            "/appointments",
            Some(&assertion),
            Some(json!({"service": "household", "slot_start": slot, "agree_notice": true})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let code = b["appointment"]["code"].as_str().unwrap().to_string();
    let (st, b) = hall
        .req(
            "POST",
            "/checkins",
            Some("demo-kiosk"),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    browser
        .wait_for(waiting, &json!("1 人"), Duration::from_secs(5))
        .await
        .expect("live update of the waiting count");

    // F1 calls it.
    press(&browser, F1, "已叫 C001").await;
    shows(&browser, "cur-number", "C001").await;
    // The appointment's slot, booking code and masked name; never the whole name.
    see(
        &browser,
        "return !!document.getElementById('cur-appt')",
        json!(true),
    )
    .await;
    let appt = browser
        .js("return document.getElementById('cur-appt').textContent")
        .await;
    let appt = appt.as_str().unwrap_or_default().to_string();
    let (day, hm) = (&slot[..10], &slot[11..16]);
    assert!(appt.starts_with(&format!("预约 {day} {hm}-")), "{appt}");
    assert!(appt.contains(&format!("预约码 {code} · 李*")), "{appt}");
    assert!(!appt.contains("李四"), "{appt}");
    let (_, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    let w4 = snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "4")
        .unwrap()
        .clone();
    assert_eq!(w4["serving"]["number"], "C001");

    // Verify ID (F9, typed, Enter): a stranger's number is a mismatch, the holder's a match.
    browser.keys(F9).await;
    press(
        &browser,
        &format!("110101199003070310{ENTER}"),
        "证件与取号人不一致，可拒绝办理 / the ID does NOT match the ticket holder",
    )
    .await;
    browser.keys(F9).await;
    press(
        &browser,
        &format!("{ID}{ENTER}"),
        "证件与取号人一致 / the ID matches the ticket holder",
    )
    .await;
    let page = browser.js("return document.body.innerText").await;
    assert!(
        !page.as_str().unwrap().contains(ID),
        "the number stays off the page"
    );

    // Start with F5; signing out now asks first (Esc stays); F4 finishes.
    // Shift+F3 (false information) waits for its undo too; Esc undoes it, nothing sent.
    browser.type_keys("#number", "\u{E008}\u{E033}").await;
    see(
        &browser,
        UNDO,
        json!("C001 标记虚假信息，即将发送 / sending in"),
    )
    .await;
    browser.keys(ESC).await;
    see(&browser, MSG, json!("已撤销：C001 标记虚假信息 / undone")).await;
    press(&browser, F5, "C001 开始办理").await;
    shows(&browser, "cur-meta", "户政 · 预约 · 办理中").await;
    browser
        .js("document.getElementById('signout').click(); return 1")
        .await;
    shows(
        &browser,
        "confirm-text",
        "当前 C001 尚未办结，仍要退出吗？ / a ticket is still held: sign out anyway?",
    )
    .await;
    browser.keys(ESC).await;
    hidden(&browser, "confirm", true).await;
    press(&browser, F4, "C001 已办结").await;
    shows(&browser, "cur-number", "暂无叫号").await;
    browser.screenshot("clerk-panel").await;
    let (_, mine) = hall
        .req("GET", "/me/appointments", Some(&assertion), None)
        .await;
    assert_eq!(mine["appointments"][0]["status"], "done");

    // The panel shows who is signed in; signing out ends the session for the API too.
    let who = browser
        .js("return document.getElementById('who').textContent")
        .await;
    assert_eq!(who, json!("演示窗口人员"));
    let token = browser
        .js("return sessionStorage.getItem('hallq-clerk-token')")
        .await;
    let token = token.as_str().expect("session token kept").to_string();
    assert!(token.starts_with("hqs_"), "{token}");
    let (st, _) = hall.req("GET", "/me", Some(&token), None).await;
    assert_eq!(st, 200);
    browser
        .js("document.getElementById('signout').click(); return 1")
        .await;
    browser.sign_in_form_shown().await;
    let (st, b) = hall.req("GET", "/me", Some(&token), None).await;
    assert_eq!(st, 401, "{b}");
}
