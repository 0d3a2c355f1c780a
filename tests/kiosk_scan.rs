//! The booking's QR code at the kiosk, in a real headless Chromium: the QR holds the booking
//! code, and the kiosk's keyboard-wedge scanner types it and Enter. On the start screen
//! and on the check-in screen that checks the appointment in at once (the ticket shows,
//! the API says `checked_in`); stray keys that are not a code do nothing. Also the
//! people-ahead answer of an appointment ticket checked in before its slot (the kiosk's
//! and the status page's): the walk-in who came earlier is called first, and the count
//! says so.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// A valid GB 11643 ID number for person `n`.
fn id_number(n: u32) -> String {
    let body = format!("11010519900101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

async fn assertion(hall: &Hall, n: u32) -> String {
    let body = json!({"name": "测试人", "id_number": id_number(n), "phone": "13800138000"});
    let (st, a) = hall.req("POST", "/dev/identity", None, Some(body)).await;
    assert_eq!(st, 200, "{a}");
    a["assertion"].as_str().unwrap().to_string()
}

/// Person `n` books `slot` of property: the booking code.
async fn book(hall: &Hall, n: u32, slot: &str) -> String {
    let a = assertion(hall, n).await;
    let body = json!({"service": "property", "slot_start": slot, "agree_notice": true});
    let (st, b) = hall
        .req("POST", "/appointments", Some(&a), Some(body))
        .await;
    assert_eq!(st, 201, "{b}");
    b["appointment"]["code"].as_str().unwrap().to_string()
}

/// The status of person `n`'s appointment `code`, through the API.
async fn status(hall: &Hall, n: u32, code: &str) -> Value {
    let a = assertion(hall, n).await;
    let (st, mine) = hall.req("GET", "/me/appointments", Some(&a), None).await;
    assert_eq!(st, 200, "{mine}");
    mine["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == code)
        .map(|x| x["status"].clone())
        .unwrap_or(Value::Null)
}

const TICKET: &str = "return (document.getElementById('ticket-number') || {}).textContent || null";

#[tokio::test]
async fn a_scanned_booking_code_checks_in_on_the_start_and_checkin_screens() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    let slot = next_slot(&hall.base, "property").await;
    if !slot.starts_with(&shanghai_day(0)) {
        println!("skipped: no property slot left today in Shanghai (kiosk scan test)");
        return;
    }
    let first = book(&hall, 1, &slot).await;
    let second = book(&hall, 2, &slot).await;
    b.resize(1080, 1920).await;
    b.goto(&format!(
        "http://127.0.0.1:{}/kiosk?token=demo-kiosk",
        hall.http_port
    ))
    .await;
    b.wait_for(
        "return !!document.querySelector('[data-section]')",
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .expect("start screen");

    // Stray keys: too short, letters, markup. Nothing happens.
    b.keys("12\n").await;
    b.keys("<b>x</b>\n").await;
    b.keys("1234567a\n").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        b.js("return !!document.querySelector('[data-section]') && !document.getElementById('message') && !document.getElementById('ticket')")
            .await,
        json!(true),
        "stray keys leave the start screen as it is"
    );
    assert_eq!(status(&hall, 1, &first).await, "booked");
    // Someone walked in before them.
    hall.ticket("property").await;

    // The scanner on the start screen: the appointment ticket comes out.
    b.keys(&format!("{first}\n")).await;
    b.wait_for(
        "return !!document.getElementById('ticket-number')",
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .expect("appointment ticket shown after the scan");
    assert_eq!(status(&hall, 1, &first).await, "checked_in");
    let shown = b.js(TICKET).await;
    assert!(
        shown.as_str().is_some_and(|n| n.starts_with('A')),
        "{shown}"
    );
    // Checked in before its slot, it is called after the earlier walk-in: the kiosk's
    // answer and the status page say one ahead, not zero.
    assert_eq!(
        b.js("return window.hallqTicket.people_ahead").await,
        json!(1)
    );
    let token = b.js("return window.hallqTicket.token").await;
    let (st, s) = hall
        .req(
            "GET",
            &format!("/tickets/{}", token.as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!((st, s["people_ahead"].clone()), (200, json!(1)), "{s}");

    // The check-in screen, its input focused (as after a touch): scan there too.
    b.js("document.getElementById('done').click(); return 1")
        .await;
    b.wait_for(
        "return !!document.getElementById('appt')",
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .expect("back on the start screen");
    b.js("document.getElementById('appt').click(); document.getElementById('code').focus(); return 1")
        .await;
    b.keys(&format!("{second}\n")).await;
    b.wait_for(
        "return !!document.getElementById('ticket-number')",
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .expect("appointment ticket shown after the scan on the check-in screen");
    assert_eq!(status(&hall, 2, &second).await, "checked_in");
    assert_eq!(
        b.js("return window.hallqTicket.people_ahead").await,
        json!(2)
    );
}
