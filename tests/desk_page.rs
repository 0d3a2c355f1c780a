//! The consult desk page (/desk) in a real headless Chromium: the desk signs in, a booking
//! code typed by a keyboard-wedge reader (the code, then Enter) finds the booking, "check
//! in" gives the person their ticket; an admin closes a slot on the day view (reason and a
//! confirm step) and its bookings show cancelled while the slot is no longer offered.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

/// Books `slot` as person `n`: the booking code and the person's assertion.
async fn book(hall: &Hall, n: u32, slot: &str) -> (String, String) {
    let body = format!("11010519800101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().unwrap();
    let id = format!("{body}{}", hallq_idcard::id_number::check_char(&digits));
    let (st, a) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": "<b>钱</b>九", "id_number": id, "phone": "13800000000"})),
        )
        .await;
    assert_eq!(st, 200, "{a}");
    let token = a["assertion"].as_str().unwrap().to_string();
    let (st, b) = hall
        .req(
            "POST",
            "/appointments",
            Some(&token),
            Some(json!({"service": "property", "slot_start": slot, "agree_notice": true})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    (
        b["appointment"]["code"].as_str().unwrap().to_string(),
        token,
    )
}

fn status_of(code: &str) -> String {
    format!(
        "var e = document.querySelector('#results [data-code=\"{code}\"] [data-status]'); \
         return e ? e.getAttribute('data-status') : null"
    )
}

#[tokio::test]
async fn desk_finds_checks_in_and_an_admin_closes_a_slot() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    let today_slot = next_slot(&hall.base, "property").await;
    let tomorrow = shanghai_day(1);
    let (_, slots) = hall
        .req(
            "GET",
            &format!("/appointments/slots?service=property&date={tomorrow}"),
            None,
            None,
        )
        .await;
    let later = slots["slots"][20]["slot_start"]
        .as_str()
        .unwrap()
        .to_string();
    let (now_code, _) = book(&hall, 1, &today_slot).await;
    let (later_code, later_token) = book(&hall, 2, &later).await;

    // The desk signs in with its account.
    browser
        .goto(&format!("http://127.0.0.1:{}/desk", hall.http_port))
        .await;
    browser.sign_in_form_shown().await;
    browser.submit_sign_in("desk", "demo-desk", None).await;
    browser
        .wait_for("return window.hallqDeskReady === true", &json!(true), T)
        .await
        .expect("desk page ready");

    // A reader types the code and Enter into the search field.
    browser
        .type_keys("#q", &format!("{now_code}\u{E007}"))
        .await;
    browser
        .wait_for(&status_of(&now_code), &json!("booked"), T)
        .await
        .expect("found by code, booked");
    // The name is shown masked and as text, never as markup.
    let shown = browser
        .js(&format!(
            "return document.querySelector('#results [data-code=\"{now_code}\"]').textContent"
        ))
        .await;
    assert!(shown.as_str().unwrap().contains("<*"), "{shown}");
    assert_eq!(
        browser
            .js("return document.querySelectorAll('#results b').length")
            .await,
        json!(0)
    );
    if today_slot.starts_with(&shanghai_day(0)) {
        browser
            .js(&format!(
                "document.querySelector('[data-checkin=\"{now_code}\"]').click(); return 1"
            ))
            .await;
        browser
            .wait_for(
                "var t = document.getElementById('ticket'); return t.hidden ? null : 'shown'",
                &json!("shown"),
                T,
            )
            .await
            .expect("ticket number shown");
        let number = browser
            .js("return document.getElementById('ticket').textContent")
            .await;
        assert!(number.as_str().unwrap().starts_with('A'), "{number}");
        browser
            .wait_for(&status_of(&now_code), &json!("checked_in"), T)
            .await
            .expect("status now checked in");
    } else {
        println!("skipped: no slot left today (check-in on the page)");
    }
    browser.screenshot("desk-found").await;

    // An admin closes tomorrow's slot from the day view.
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/desk?token=demo-admin",
            hall.http_port
        ))
        .await;
    browser
        .wait_for("return window.hallqDeskReady === true", &json!(true), T)
        .await
        .expect("desk page ready for the admin");
    let hhmm = &later[11..16];
    browser
        .js(&format!(
            "document.getElementById('day').value = '{tomorrow}'; \
             document.getElementById('svc').value = 'property'; \
             document.getElementById('loadday').click(); return 1"
        ))
        .await;
    let close_btn = format!("[data-service=\"property\"] [data-close=\"{hhmm}\"]");
    browser
        .wait_for(
            &format!("return !!document.querySelector('{close_btn}')"),
            &json!(true),
            T,
        )
        .await
        .expect("the slot with its close button");
    browser
        .js(&format!(
            "document.querySelector('{close_btn}').click(); return 1"
        ))
        .await;
    // The confirm step: nothing happens without a reason and a confirmation.
    browser
        .wait_for(
            "return !document.getElementById('confirm').hidden",
            &json!(true),
            T,
        )
        .await
        .expect("confirm step shown");
    browser
        .js("document.getElementById('close-yes').click(); return 1")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, still) = hall
        .req(
            "GET",
            &format!("/appointments/slots?service=property&date={tomorrow}"),
            None,
            None,
        )
        .await;
    let offered = still["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["slot_start"] == later.as_str());
    assert!(offered, "closed without a reason");
    browser.type_keys("#close-reason", "系统故障").await;
    browser
        .js("document.getElementById('close-yes').click(); return 1")
        .await;
    browser
        .wait_for(
            &format!(
                "var r = document.querySelector('[data-service=\"property\"] [data-slot=\"{hhmm}\"]'); \
                 return r ? !!r.querySelector('.pill') : null"
            ),
            &json!(true),
            T,
        )
        .await
        .expect("the slot shows closed");
    let cancelled = format!(
        "var e = document.querySelector('[data-slot=\"{hhmm}\"] [data-code=\"{later_code}\"] [data-status]'); \
         return e ? e.getAttribute('data-status') : null"
    );
    browser
        .wait_for(&cancelled, &json!("cancelled"), T)
        .await
        .expect("its booking shows cancelled");
    browser.screenshot("desk-closed").await;
    // No longer offered to citizens.
    let (_, after) = hall
        .req(
            "GET",
            &format!("/appointments/slots?service=property&date={tomorrow}"),
            None,
            None,
        )
        .await;
    let offered = after["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["slot_start"] == later.as_str());
    assert!(!offered, "{after}");
    // And a search shows it cancelled with the reason.
    browser
        .js("document.getElementById('q').value = ''; return 1")
        .await;
    browser
        .type_keys("#q", &format!("{later_code}\u{E007}"))
        .await;
    browser
        .wait_for(&status_of(&later_code), &json!("cancelled"), T)
        .await
        .expect("search shows cancelled");
    let text = browser
        .js("return document.getElementById('results').textContent")
        .await;
    assert!(text.as_str().unwrap().contains("系统故障"), "{text}");
    // The citizen's own page says the hall cancelled it, and why (as text).
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/book#assertion={later_token}",
            hall.http_port
        ))
        .await;
    browser
        .wait_for(
            "return document.getElementById('to-mine') ? 1 : null",
            &json!(1),
            T,
        )
        .await
        .expect("booking page");
    browser
        .js("document.getElementById('to-mine').click(); return 1")
        .await;
    let reason = format!(
        "var e = document.querySelector('[data-code=\"{later_code}\"] .cancel-reason'); \
         return e ? e.textContent : null"
    );
    browser
        .wait_for(&reason, &json!("服务中心已取消：系统故障"), T)
        .await
        .expect("the citizen sees the hall's reason");
}
