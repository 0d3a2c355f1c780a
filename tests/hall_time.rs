//! Hall time on every page: with the browser in UTC and the hall in a zone whose date
//! differs from UTC's right now, the TV clock, the kiosk clock, the admin page's "today"
//! and "last 7 days" and the booking page's first day all show the hall's date and time.

mod common;
use chrono::Timelike;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// A zone without summer time whose calendar date differs from UTC's now, and its offset
/// in hours: UTC+14 from 10:00 UTC on, UTC−11 before.
fn zone_off_by_a_day() -> (&'static str, i32) {
    if chrono::Utc::now().hour() >= 10 {
        ("Pacific/Kiritimati", 14)
    } else {
        ("Pacific/Pago_Pago", -11)
    }
}

/// The hall's `YYYY-MM-DD`, `days` from today, at an offset of `hours`.
fn hall_day(hours: i32, days: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(hours * 3600).unwrap();
    (chrono::Utc::now().with_timezone(&tz) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Whether `shown` holds the hall's `HH:MM` now (or a minute ago: the minute may have
/// turned between the page and the check).
fn same_minute(shown: &str, hours: i32) -> bool {
    let tz = chrono::FixedOffset::east_opt(hours * 3600).unwrap();
    let now = chrono::Utc::now().with_timezone(&tz);
    [now, now - chrono::Duration::minutes(1)]
        .iter()
        .any(|t| shown.contains(&t.format("%H:%M").to_string()))
}

/// The text of `#clock` on the page at `url`, once it shows something.
async fn clock_text(b: &Browser, url: &str) -> String {
    b.goto(url).await;
    let read = "return document.getElementById('clock').textContent";
    b.wait_for(
        &format!("{read}.length > 0"),
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|| panic!("no clock on {url}"));
    b.js(read).await.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn every_clock_shows_hall_time_in_a_utc_browser() {
    let (zone, hours) = zone_off_by_a_day();
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "time_zone = \"Asia/Shanghai\"",
            format!("time_zone = \"{zone}\""),
        )],
        ..Default::default()
    })
    .await;
    let Some(b) = Browser::start_in_zone("UTC").await else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", hall.http_port);
    let today = hall_day(hours, 0);

    // The TV screen, then the kiosk.
    b.goto(&format!("{base}/screens/lobby")).await;
    assert_eq!(
        b.js("return new Date().getTimezoneOffset()").await,
        json!(0),
        "the browser runs in UTC"
    );
    let clock = clock_text(&b, &format!("{base}/screens/lobby")).await;
    println!("hall zone {zone}: TV clock {clock:?}, hall today {today}");
    assert!(
        clock.starts_with(&today),
        "TV clock {clock:?}, hall today {today}"
    );
    assert!(
        same_minute(&clock, hours),
        "TV clock {clock:?} not hall time"
    );

    let clock = clock_text(&b, &format!("{base}/kiosk?token=demo-kiosk")).await;
    assert!(
        same_minute(&clock, hours),
        "kiosk clock {clock:?} not hall time"
    );

    // The admin page: "today" and "last 7 days" are the hall's.
    b.open_admin(&hall).await;
    let range =
        "return [document.getElementById('from').value, document.getElementById('to').value]";
    b.js("document.getElementById('from').value = ''; document.getElementById('to').value = ''; document.getElementById('week').click(); return 1")
        .await;
    let week_ago = hall_day(hours, -6);
    assert_eq!(b.js(range).await, json!([week_ago, today]), "last 7 days");
    b.js("document.getElementById('today').click(); return 1")
        .await;
    assert_eq!(b.js(range).await, json!([today, today]), "today");
    // The statistics the button asked for are the hall's today's.
    b.wait_for(
        "return document.getElementById('stats-msg').textContent",
        &Value::from(format!("统计范围 {today} 至 {today}")),
        Duration::from_secs(5),
    )
    .await
    .expect("stats for the hall's today");

    // The booking page's first day is the hall's today.
    b.open_booking(&hall).await;
    for (sel, what) in [
        ("[data-section=\"property-tax\"]", "sections"),
        ("[data-service=\"property\"]", "services"),
    ] {
        let click =
            format!("var x = document.querySelector('{sel}'); if (x) x.click(); return !!x");
        b.wait_for(&click, &json!(true), Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("booking page: {what}"));
    }
    b.wait_for(
        "return !!document.querySelector('[data-date]')",
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .expect("booking dates");
    let first = b
        .js("return document.querySelector('[data-date]').getAttribute('data-date')")
        .await;
    assert_eq!(first, json!(today), "booking's first day");
}
