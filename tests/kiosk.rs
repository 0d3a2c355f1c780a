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
    // Window 1 opened by calling: now there is an estimate, a range (nobody knows yet how
    // long A001 takes), stated as the page states minutes (whole, at least 1).
    let v: serde_json::Value = reqwest::get(format!("{base}/api/v1/tickets/{token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("{k}: {v}"));
    let (low, wait, high) = (
        at("estimated_wait_low_s"),
        at("estimated_wait_s"),
        at("estimated_wait_high_s"),
    );
    assert!(low < wait && wait < high, "{v}");
    let minutes = |s: i64| {
        let m = s as f64 / 60.0;
        let m = if m > 10.0 {
            (m / 5.0).round() * 5.0
        } else {
            m.round()
        };
        m.max(1.0) as i64
    };
    let (a, b) = (minutes(low), minutes(high));
    let span = if a == b {
        a.to_string()
    } else {
        format!("{a}–{b}")
    };
    browser
        .wait_for(
            sub,
            &json!(format!("预计等候约 {span} 分钟 / about {span} min")),
            Duration::from_secs(3),
        )
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
async fn kiosk_says_closed_on_a_holiday() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // Today and tomorrow are holidays (tomorrow too, in case midnight passes meanwhile).
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "holidays = []",
            format!(
                "holidays = [\"{}\", \"{}\"]",
                shanghai_day(0),
                shanghai_day(1)
            ),
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
    let status = "(document.getElementById('closed-status') || {}).textContent || ''";
    browser
        .wait_for(
            &format!("return ({status}).length > 0"),
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("closed notice");
    let text = browser
        .js(&format!("return {status}"))
        .await
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.starts_with("节假日休息，"), "{text}");
    assert!(text.ends_with("开始取号"), "{text}");
    // Appointments can still be checked in from the closed screen.
    assert_eq!(
        browser.js("return !!document.getElementById('appt')").await,
        json!(true)
    );
}

/// `HH:MM` of a minute of the day.
fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[tokio::test]
async fn kiosk_shows_the_lunch_break_and_opens_by_itself_when_it_ends() {
    use chrono::Timelike;
    let Some(browser) = Browser::start().await else {
        return;
    };
    // A zone where it is about noon now, so that the day's periods stay clear of
    // midnight: a break from this minute until two or three minutes from now.
    let now = chrono::Utc::now();
    let east = (36 - now.hour() as i64) % 24;
    let east = if east > 14 { east - 24 } else { east };
    let zone = match east {
        0 => "Etc/GMT".to_string(),
        e if e > 0 => format!("Etc/GMT-{e}"),
        e => format!("Etc/GMT+{}", -e),
    };
    let local = now + chrono::Duration::hours(east);
    let minute = local.hour() * 60 + local.minute();
    let resume = minute + if local.second() < 40 { 2 } else { 3 };
    let mut edits = vec![
        (
            "time_zone = \"Asia/Shanghai\"",
            format!("time_zone = \"{zone}\""),
        ),
        (
            "open = \"00:00\"\nclose = \"24:00\"\ndays",
            format!(
                "periods = [\"00:00-{}\", \"{}-24:00\"]\ndays",
                hhmm(minute),
                hhmm(resume)
            ),
        ),
    ];
    // The demo's five bookable services book 00:00–00:30 only (inside the morning).
    for _ in 0..5 {
        edits.push((
            "open = \"00:00\"\nclose = \"24:00\"\nslot_minutes = 30",
            "open = \"00:00\"\nclose = \"00:30\"\nslot_minutes = 30".into(),
        ));
    }
    let hall = Hall::start(HallOpts {
        edits,
        ..Default::default()
    })
    .await;
    let want = format!("午休中，{} 开始取号", hhmm(resume));
    let (st, b) = hall
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (409, Some("hall_closed")), "{b}");
    assert!(
        b["message"].as_str().unwrap().starts_with(&want),
        "{b}, want {want}"
    );

    browser.resize(1080, 1920).await;
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/kiosk?token=demo-kiosk",
            hall.http_port
        ))
        .await;
    let status = "return (document.getElementById('closed-status') || {}).textContent || ''";
    browser
        .wait_for(status, &json!(want), Duration::from_secs(10))
        .await
        .expect("the lunch-break notice");
    browser.screenshot("kiosk-lunch-break").await;
    browser.js("window.notReloaded = 7; return 1").await;
    // The break ends: the sections come back by themselves.
    let tile = "return !!document.querySelector('[data-section=\"property-tax\"]')";
    browser
        .wait_for(tile, &json!(true), Duration::from_secs(200))
        .await
        .expect("sections back once the break ended");
    assert_eq!(
        browser.js("return window.notReloaded").await,
        json!(7),
        "the kiosk was never reloaded"
    );
    assert_eq!(hall.ticket("property").await["number"], "A001");
}
