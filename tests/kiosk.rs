//! The kiosk page and the phone's status page in a real headless Chromium: take a ticket
//! on the kiosk, open its status page, call it through the clerk API, and the status page
//! shows the window without a reload.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn kiosk_ticket_then_live_status_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    hall.ticket("property").await; // someone is already waiting: A001
    let base = format!("http://127.0.0.1:{}", hall.http_port);
    browser.resize(1080, 1920).await; // the portrait kiosk
    browser
        .goto(&format!("{base}/kiosk?token=demo-kiosk"))
        .await;
    let tile = "return !!document.querySelector('[data-section=\"property-tax\"]')";
    browser
        .wait_for(tile, &json!(true), Duration::from_secs(10))
        .await
        .expect("sections on the kiosk");
    browser
        .js("document.querySelector('[data-section=\"property-tax\"]').click(); return 1")
        .await;
    let svc = "return !!document.querySelector('[data-service=\"property\"]')";
    browser
        .wait_for(svc, &json!(true), Duration::from_secs(5))
        .await
        .expect("services of the section");
    let meta = browser
        .js("return document.querySelector('[data-service=\"property\"] .meta').textContent")
        .await;
    assert_eq!(meta, json!("等候 1 人"));
    browser
        .js("document.querySelector('[data-service=\"property\"]').click(); return 1")
        .await;
    let number = "return (document.getElementById('ticket-number') || {}).textContent || null";
    browser
        .wait_for(number, &json!("A002"), Duration::from_secs(5))
        .await
        .expect("ticket A002 shown");
    browser.screenshot("kiosk-ticket").await;
    // Where to wait: the windows serving property, as text on the ticket.
    let hint = "请到 1、2、3、10号窗口附近等候";
    assert_eq!(
        browser
            .js("return document.getElementById('ticket-where').textContent")
            .await,
        json!(hint)
    );
    let token = browser.js("return window.hallqTicket.token").await;
    let token = token.as_str().unwrap().to_string();

    browser.resize(390, 844).await; // a phone
    browser.goto(&format!("{base}/t/{token}")).await;
    let state = "return document.getElementById('state').textContent";
    browser
        .wait_for(state, &json!("前面还有 1 人"), Duration::from_secs(5))
        .await
        .expect("waiting, one ahead");
    // No window is open yet (nobody signed in): no made-up wait.
    let sub = "return document.getElementById('sub').textContent";
    assert_eq!(
        browser.js(sub).await,
        json!("暂无窗口办理，窗口开放后开始叫号 / No window open yet")
    );
    assert_eq!(
        browser
            .js("return document.getElementById('where').textContent")
            .await,
        json!(hint)
    );
    assert_eq!(
        browser
            .js("return document.getElementById('soon').hidden")
            .await,
        json!(false),
        "3-away notice"
    );
    browser.js("window.notReloaded = 7; return 1").await;
    assert_eq!(
        hall.act("1", "call-next", None).await.1["ticket"]["number"],
        "A001"
    );
    browser
        .wait_for(state, &json!("下一位就是您"), Duration::from_secs(3))
        .await
        .expect("moved up without reload");
    // Window 1 opened by calling: now there is an estimate.
    browser
        .wait_for(sub, &json!("预计等候约 1 分钟"), Duration::from_secs(3))
        .await
        .expect("an estimate once a window is open");
    assert_eq!(
        hall.act("2", "call-next", None).await.1["ticket"]["number"],
        "A002"
    );
    browser
        .wait_for(state, &json!("请到 2号窗口 办理"), Duration::from_secs(3))
        .await
        .expect("called to window 2");
    assert_eq!(
        browser.js("return window.notReloaded").await,
        json!(7),
        "the status page was never reloaded"
    );
    let page = browser.js("return document.body.innerText").await;
    assert!(
        !page.as_str().unwrap().contains(&token),
        "no token or personal data on the page"
    );
    browser.screenshot("status-called").await;
}

#[tokio::test]
async fn kiosk_says_closed_outside_opening_hours() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // Open only on a weekday that is not today.
    let today = chrono_weekday_not_today();
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]",
            format!("days = [\"{today}\"]"),
        )],
        ..Default::default()
    })
    .await;
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/kiosk?token=demo-kiosk",
            hall.http_port
        ))
        .await;
    let closed = "return !!document.getElementById('closed')";
    browser
        .wait_for(closed, &json!(true), Duration::from_secs(10))
        .await
        .expect("closed message");
    let text = browser
        .js("return document.getElementById('closed').textContent")
        .await;
    assert!(
        text.as_str().unwrap().contains("当前不在取号时间"),
        "{text}"
    );
}

/// A weekday name (mon…sun) that is not today in Shanghai (today ± a margin at midnight).
fn chrono_weekday_not_today() -> &'static str {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 8 * 3600;
    let today = ((secs / 86400 + 3) % 7) as usize; // 1970-01-01 was a Thursday
    days[(today + 3) % 7]
}
