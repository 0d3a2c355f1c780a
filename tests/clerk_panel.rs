//! The clerk panel in a real headless Chromium: the clerk signs in with username, password
//! and window (a wrong password is refused on the form), the panel follows the hall live,
//! F1 calls the next ticket, Start/Finish work, the ID check says match or mismatch without
//! showing the stored number, and signing out ends the session.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::json;
use std::time::Duration;

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
    browser
        .js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'F1'})); return 1")
        .await;
    let current = "return (document.getElementById('cur-number') || {}).textContent || null";
    browser
        .wait_for(current, &json!("C001"), Duration::from_secs(5))
        .await
        .expect("F1 called C001");
    let (_, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    let w4 = snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "4")
        .unwrap()
        .clone();
    assert_eq!(w4["serving"]["number"], "C001");

    // Verify ID: a stranger's number is a mismatch, the holder's a match.
    let verify = |n: &str| {
        format!("document.getElementById('idnum').value = '{n}'; document.getElementById('verify').click(); return 1")
    };
    let msg = "return document.getElementById('msg').textContent";
    browser.js(&verify("110101199003070310")).await;
    let m = browser
        .wait_for(
            msg,
            &json!("证件与取号人不一致，可拒绝办理 / the ID does NOT match the ticket holder"),
            Duration::from_secs(5),
        )
        .await;
    assert!(m.is_some(), "{}", browser.js(msg).await);
    browser.js(&verify(ID)).await;
    browser
        .wait_for(
            msg,
            &json!("证件与取号人一致 / the ID matches the ticket holder"),
            Duration::from_secs(5),
        )
        .await
        .expect("match");
    let page = browser.js("return document.body.innerText").await;
    assert!(
        !page.as_str().unwrap().contains(ID),
        "the number stays off the page"
    );

    // Start and finish with the buttons.
    browser
        .js("document.querySelector('[data-act=\"start\"]').click(); return 1")
        .await;
    browser
        .wait_for(
            "return document.getElementById('cur').textContent.indexOf('办理中') >= 0",
            &json!(true),
            Duration::from_secs(5),
        )
        .await
        .expect("serving");
    browser
        .js("document.querySelector('[data-act=\"finish\"]').click(); return 1")
        .await;
    browser
        .wait_for(current, &json!("暂无叫号"), Duration::from_secs(5))
        .await
        .expect("finished");
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
