//! The citizen's booking pages (`/book`) in a real headless Chromium at phone size: enter
//! with a dev identity assertion in the URL fragment, book 不动产登记 for today, see the
//! booking code, find it under 我的预约 and cancel it; rule refusals in plain words; the
//! page without an identity tells the citizen to come in from the app.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

#[path = "booking_pages/steps.rs"]
mod steps;
use steps::*;

/// The served page is one self-contained file: no template markers left, nothing loaded
/// from elsewhere, the hall's clock and rules filled in.
#[tokio::test]
async fn book_page_is_self_contained() {
    let hall = Hall::start(HallOpts::default()).await;
    let resp = reqwest::get(page(&hall, "/book")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ctype.starts_with("text/html"), "{ctype}");
    let html = resp.text().await.unwrap();
    assert!(html.contains("海口市政务服务中心"));
    assert!(!html.contains("{{"), "template marker left");
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    let boot = html
        .split("<script type=\"application/json\" id=\"boot\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("boot data");
    let boot: Value = serde_json::from_str(boot).expect("boot JSON");
    assert_eq!(boot["rules"]["daily_limit"], 2, "{boot}");
    assert_eq!(boot["rules"]["no_show_limit"], 3, "{boot}");
    assert_eq!(boot["notice"].as_array().map(Vec::len), Some(8), "{boot}");
    assert!(
        boot["now"].as_str().unwrap().ends_with("+08:00"),
        "hall clock with its offset: {boot}"
    );
}

/// Without an assertion the page only says where to come in from (and offers the demo
/// identity when the hall has the development provider).
#[tokio::test]
async fn without_assertion_the_page_says_to_enter_from_the_app() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    b.resize(390, 844).await;
    b.goto(&page(&hall, "/book")).await;
    view_is(&b, "entry").await;
    assert_eq!(
        text(&b, "#entry-msg").await,
        "请从城市App或12345公众号进入办理预约"
    );
    let dev = reqwest::get(page(&hall, "/dev/identity"))
        .await
        .unwrap()
        .status();
    if dev == 200 {
        until(
            &b,
            "document.getElementById('dev-link')",
            "demo identity link",
        )
        .await;
        assert_eq!(
            b.js("return document.getElementById('dev-link').getAttribute('href')")
                .await,
            json!("/dev/identity")
        );
    } else {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            b.js("return !!document.getElementById('dev-link')").await,
            json!(false),
            "no demo link when /dev/identity is {dev}"
        );
    }
    assert_eq!(
        b.js("return !!document.querySelector('[data-section]')")
            .await,
        json!(false),
        "no booking without an identity"
    );
    b.screenshot("booking-entry").await;
}

/// The whole flow at phone size, then 我的预约 and Cancel.
#[tokio::test]
async fn book_then_cancel_on_a_phone() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    let token = assertion(&hall, "张三", ID_NUMBER, "13800000000").await;
    b.resize(390, 844).await;
    b.goto(&page(&hall, &format!("/book#assertion={token}")))
        .await;

    // The assertion moves from the URL into the phone's storage.
    until(
        &b,
        "document.querySelector('[data-section=\"property-tax\"]')",
        "sections",
    )
    .await;
    assert_eq!(b.js("return location.hash").await, json!(""));
    assert_eq!(
        b.js("return sessionStorage.getItem('hallq-assertion')")
            .await,
        json!(token)
    );

    click(&b, "[data-section=\"property-tax\"]").await;
    until(
        &b,
        "document.querySelector('[data-service=\"property\"]')",
        "services",
    )
    .await;
    click(&b, "[data-service=\"property\"]").await;
    until(&b, "document.querySelector('[data-date]')", "dates").await;
    let dates = b
        .js("return Array.prototype.map.call(document.querySelectorAll('[data-date]'), function (e) { return e.getAttribute('aria-label'); })")
        .await;
    let dates = dates.as_array().unwrap();
    assert_eq!(
        dates.len(),
        7,
        "horizon_days = 7, today included: {dates:?}"
    );
    for d in dates {
        let d = d.as_str().unwrap();
        assert!(
            d.contains('月') && d.contains("日 周"),
            "date shown as 11月29日 周日: {d}"
        );
    }

    // Today's first bookable slot, unless it starts within two minutes (it could close
    // while the test books it); late in the evening none is left (the last ones shown
    // disabled, or none at all), so tomorrow's.
    click(&b, "[data-date]").await;
    until(
        &b,
        "document.querySelector('[data-slot]') || document.getElementById('closed')",
        "slots of today",
    )
    .await;
    if b.js(PICK).await != json!(true) {
        click(&b, "[data-date]:nth-child(2)").await;
        until(
            &b,
            "document.querySelector('[data-slot]:not([disabled])')",
            "slots of tomorrow",
        )
        .await;
        assert_eq!(b.js(PICK).await, json!(true), "a bookable slot tomorrow");
    }
    let slot = "#pick";
    let slot_start = b
        .js("return document.getElementById('pick').getAttribute('data-start')")
        .await;
    let slot_text = text(&b, slot).await;
    assert!(
        slot_text.contains('–') && slot_text.contains("余 "),
        "{slot_text}"
    );
    click(&b, slot).await;

    // The notice must be agreed to.
    view_is(&b, "notice").await;
    assert!(text(&b, "#notice").await.contains("不动产权证书"));
    // The hall-wide notice: the eight points of the hall's rules, as text, numbers from
    // the rule values; the service's own notice below them.
    let rules = text(&b, "#rules").await;
    assert!(rules.contains("同一用户每天只能预约2次"), "{rules}");
    assert!(
        rules.contains("未取消预约3次以上的，本系统自动将其列入黑名单，3个月内"),
        "{rules}"
    );
    assert!(rules.contains("连续3次填写信息不实，1个月内"), "{rules}");
    assert_eq!(
        b.js("return document.querySelectorAll('#rules > li').length")
            .await,
        json!(8)
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#rules *:not(li)').length")
            .await,
        json!(0),
        "the points are text, not markup"
    );
    assert_eq!(
        b.js(
            "var r = document.getElementById('rules'), n = document.getElementById('svc-notice'); \
              return !!(r.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING)"
        )
        .await,
        json!(true),
        "the service's notice comes below the hall's points"
    );
    // The personal-data notice (PIPL): what, why, how long (the config's retention),
    // accepted with the same checkbox.
    let privacy = text(&b, "#privacy").await;
    for part in ["姓名、身份证号和手机号", "用途", "180天后自动删除"] {
        assert!(privacy.contains(part), "{part:?} not in {privacy:?}");
    }
    assert!(text(&b, ".agree").await.contains("个人信息说明"));
    assert_eq!(
        b.js("return document.getElementById('next').disabled")
            .await,
        json!(true)
    );
    click(&b, "#agree").await;
    click(&b, "#next").await;

    // Confirm: the person, masked.
    view_is(&b, "confirm").await;
    until(&b, "document.getElementById('submit')", "confirm page").await;
    let id_shown = text(&b, "#p-id").await;
    assert!(
        id_shown.contains('*') && id_shown.ends_with("002X"),
        "{id_shown}"
    );
    assert!(text(&b, "#p-name").await.contains('*'));
    assert_eq!(text(&b, "#c-service").await, "不动产登记");
    click(&b, "#submit").await;

    // Done: the code, its QR, the slot.
    view_is(&b, "done").await;
    let code = text(&b, "#code").await;
    assert_eq!(code.chars().count(), 8, "booking code {code:?}");
    until(
        &b,
        "document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0",
        "QR image",
    )
    .await;
    assert_eq!(text(&b, "#d-status").await, "已预约");
    assert!(slot_text.starts_with(&text(&b, "#d-slot").await));
    assert_eq!(
        b.js("return document.body.innerHTML.indexOf('11010519491231002X') < 0 && JSON.stringify(sessionStorage).indexOf('11010519491231002X') < 0")
            .await,
        json!(true),
        "the full ID number is neither shown nor stored in clear"
    );
    b.screenshot("booking-done").await;
    let (st, mine) = hall
        .req("GET", "/me/appointments", Some(&token), None)
        .await;
    assert_eq!(st, 200, "{mine}");
    let booked = mine["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == code.as_str())
        .unwrap_or_else(|| panic!("{code} not in {mine}"));
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["slot_start"], slot_start);

    // 我的预约 lists it; Cancel (after the in-page "are you sure").
    click(&b, "#go-mine").await;
    view_is(&b, "mine").await;
    let status = format!("document.querySelector('[data-code=\"{code}\"] .status')");
    until(
        &b,
        &format!("{status} && {status}.textContent === '已预约'"),
        "listed as 已预约",
    )
    .await;
    b.screenshot("booking-mine").await;
    click(&b, &format!("[data-code=\"{code}\"] [data-cancel]")).await;
    click(&b, &format!("[data-code=\"{code}\"] [data-yes]")).await;
    until(
        &b,
        &format!("{status} && {status}.textContent === '已取消'"),
        "listed as 已取消",
    )
    .await;
    b.screenshot("booking-mine-cancelled").await;
    let (_, mine) = hall
        .req("GET", "/me/appointments", Some(&token), None)
        .await;
    let a = mine["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == code.as_str())
        .cloned()
        .unwrap();
    assert_eq!(a["status"], "cancelled", "{a}");
}

/// A refusal by the rules reaches the citizen in the API's own words; a rejected
/// assertion sends them back to the app.
#[tokio::test]
async fn refusals_in_plain_words() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    let token = assertion(&hall, "李四", "110105194912310046", "13900000000").await;
    b.resize(390, 844).await;
    b.goto(&page(&hall, &format!("/book#assertion={token}")))
        .await;
    until(
        &b,
        "document.querySelector('[data-section=\"property-tax\"]')",
        "sections",
    )
    .await;
    click(&b, "[data-section=\"property-tax\"]").await;
    until(
        &b,
        "document.querySelector('[data-service=\"property\"]')",
        "services",
    )
    .await;
    click(&b, "[data-service=\"property\"]").await;
    until(
        &b,
        "document.querySelectorAll('[data-date]').length > 1",
        "dates",
    )
    .await;
    let tomorrow = b
        .js("return document.querySelectorAll('[data-date]')[1].getAttribute('data-date')")
        .await;
    let tomorrow = tomorrow.as_str().unwrap().to_string();

    // Two bookings for tomorrow through the API: the day's limit.
    let (st, slots) = hall
        .req(
            "GET",
            &format!("/appointments/slots?service=property&date={tomorrow}"),
            None,
            None,
        )
        .await;
    assert_eq!(st, 200, "{slots}");
    let starts: Vec<String> = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["bookable"] != false && s["remaining"].as_i64().unwrap_or(0) > 0)
        .map(|s| s["slot_start"].as_str().unwrap().to_string())
        .collect();
    assert!(starts.len() >= 3, "{slots}");
    for s in &starts[..2] {
        let (st, body) = hall
            .req(
                "POST",
                "/appointments",
                Some(&token),
                Some(json!({"service": "property", "slot_start": s, "agree_notice": true})),
            )
            .await;
        assert_eq!(st, 201, "{body}");
    }

    // A third one in the page.
    click(&b, &format!("[data-date=\"{tomorrow}\"]")).await;
    let third = format!("[data-start=\"{}\"]", starts[2]);
    until(
        &b,
        &format!("document.querySelector({})", lit(&third)),
        "slots of tomorrow",
    )
    .await;
    click(&b, &third).await;
    view_is(&b, "notice").await;
    click(&b, "#agree").await;
    click(&b, "#next").await;
    until(&b, "document.getElementById('submit')", "confirm page").await;
    click(&b, "#submit").await;
    until(&b, "document.getElementById('error')", "refusal shown").await;
    let (st, body) = hall
        .req(
            "POST",
            "/appointments",
            Some(&token),
            Some(json!({"service": "property", "slot_start": starts[2], "agree_notice": true})),
        )
        .await;
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"], "daily_limit", "{body}");
    let said = text(&b, "#error").await;
    let words = body["message"].as_str().unwrap();
    let chinese = words.split(" / ").next().unwrap();
    assert!(
        said.contains(chinese),
        "page says {said:?}, API says {words:?}"
    );
    assert_eq!(
        b.js("return document.body.getAttribute('data-view')").await,
        json!("confirm"),
        "stays on the confirm page with a way back to the slots"
    );
    assert_eq!(
        b.js("return !!document.getElementById('reslot')").await,
        json!(true)
    );

    // An assertion the hall does not accept: back to the app.
    b.js("sessionStorage.setItem('hallq-assertion', 'not.a.jwt'); return 1")
        .await;
    b.goto(&page(&hall, "/book?view=mine")).await;
    view_is(&b, "entry").await;
    assert!(text(&b, "#entry-msg").await.contains("重新进入"));
    assert_eq!(
        b.js("return sessionStorage.getItem('hallq-assertion')")
            .await,
        Value::Null,
        "a rejected assertion is forgotten"
    );
}
