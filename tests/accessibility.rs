//! Accessibility in a real headless Chromium: axe-core (vendored in tests/vendor) runs on
//! every page — TV screen, kiosk, ticket status, booking (with an identity assertion),
//! dev identity, clerk sign-in and signed-in panel, admin sign-in and dashboard, the desk
//! (sign-in, as the desk and as an admin), and the
//! booking and status pages in elder mode (长辈模式) — and finds no violation of the WCAG
//! 2.0/2.1 A and AA rules. The clerk panel works from the keyboard with a visible focus,
//! and elder mode is one tap away, larger and remembered.

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

const AXE: &str = include_str!("vendor/axe.min.js");

/// Runs axe on the page as it is now: `[{id, impact, help, targets}]`.
async fn axe(b: &Browser) -> Value {
    if b.js("return typeof window.axe").await != json!("object") {
        b.js(&format!("{AXE}\nreturn 1")).await;
    }
    b.js("window.hallqAxe = null; axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then(function (r) { window.hallqAxe = r.violations.map(function (v) { return { id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(function (n) { return n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1).join(' '); }) }; }); }, function (e) { window.hallqAxe = [{ id: 'axe-error', targets: [String(e)] }]; }); return 1").await;
    b.wait_for(
        "return window.hallqAxe !== null",
        &json!(true),
        Duration::from_secs(30),
    )
    .await
    .expect("axe finished");
    b.js("return window.hallqAxe").await
}

/// Records the violations on `page` (printed at the end, each with id and targets).
async fn audit(b: &Browser, page: &str, found: &mut Vec<String>) {
    let v = axe(b).await;
    let list = v.as_array().cloned().unwrap_or_default();
    println!("{page}: {} violations", list.len());
    for x in list {
        found.push(format!(
            "{page}: {} ({}) {}\n      {}",
            x["id"].as_str().unwrap_or_default(),
            x["impact"].as_str().unwrap_or_default(),
            x["help"].as_str().unwrap_or_default(),
            x["targets"]
                .as_array()
                .map(|t| t
                    .iter()
                    .map(|s| s.as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join("\n      "))
                .unwrap_or_default()
        ));
    }
}

async fn until(b: &Browser, cond: &str, what: &str) {
    b.wait_for(
        &format!("return !!({cond})"),
        &json!(true),
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|| panic!("{what} not shown"));
}

#[tokio::test]
async fn every_page_passes_axe_wcag_a_and_aa() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    let base = format!("http://127.0.0.1:{}", hall.http_port);
    let t = hall.ticket("property").await;
    let mut found = Vec::new();

    // The TV screen, with a call on it.
    b.goto(&format!("{base}/screens/lobby")).await;
    until(
        &b,
        "window.hallqState && window.hallqState.socketUp",
        "screen",
    )
    .await;
    hall.act("1", "call-next", None).await;
    until(
        &b,
        "document.getElementById('cur-number').textContent !== '—'",
        "call",
    )
    .await;
    // The fresh call blinks for a few seconds (at low opacity half the time): judge the
    // contrast once it stands still.
    b.wait_for(
        "return document.getElementById('current').getAnimations({ subtree: true }).length",
        &json!(0),
        Duration::from_secs(15),
    )
    .await
    .expect("call blink over");
    audit(&b, "/screens/lobby", &mut found).await;

    // The kiosk (portrait): home and a section.
    b.resize(1080, 1920).await;
    b.goto(&format!("{base}/kiosk?token=demo-kiosk")).await;
    until(&b, "document.querySelector('[data-section]')", "kiosk home").await;
    audit(&b, "/kiosk", &mut found).await;
    b.js("document.querySelector('[data-section]').click(); return 1")
        .await;
    until(
        &b,
        "document.querySelector('[data-service]')",
        "kiosk section",
    )
    .await;
    audit(&b, "/kiosk (section)", &mut found).await;

    // The phone pages.
    b.resize(390, 844).await;
    let token = t["token"].as_str().unwrap();
    b.goto(&format!("{base}/t/{token}")).await;
    until(&b, "window.hallqStatus", "status").await;
    audit(&b, "/t/{token}", &mut found).await;
    // The status page follows the phone's font size: no font size in px.
    let px = b
        .js("var out = []; Array.prototype.forEach.call(document.styleSheets, function (sh) { Array.prototype.forEach.call(sh.cssRules, function (r) { if (r.style && /px/.test(r.style.fontSize)) out.push(r.selectorText); }); }); return out")
        .await;
    assert_eq!(px, json!([]), "status page font sizes in px");
    elder_mode(&b, "/t/{token}", "window.hallqStatus", &mut found).await;

    b.goto(&format!("{base}/dev/identity")).await;
    audit(&b, "/dev/identity", &mut found).await;
    b.open_booking(&hall).await;
    audit(&b, "/book", &mut found).await;
    b.js("document.querySelector('[data-section=\"property-tax\"]').click(); return 1")
        .await;
    until(
        &b,
        "document.querySelector('[data-service=\"property\"]')",
        "services",
    )
    .await;
    b.js("document.querySelector('[data-service=\"property\"]').click(); return 1")
        .await;
    until(
        &b,
        "document.querySelector('[data-slot]') || document.getElementById('closed')",
        "slots",
    )
    .await;
    audit(&b, "/book (slots)", &mut found).await;
    elder_mode(
        &b,
        "/book",
        "document.querySelector('[data-section]')",
        &mut found,
    )
    .await;

    // Staff pages: sign-in forms and the signed-in pages.
    b.resize(1920, 1080).await;
    b.goto(&format!("{base}/clerk")).await;
    b.sign_in_form_shown().await;
    audit(&b, "/clerk (sign-in)", &mut found).await;
    b.submit_sign_in("clerk", "demo-clerk", Some("1")).await;
    until(&b, "window.hallqClerkLive", "clerk panel").await;
    audit(&b, "/clerk", &mut found).await;
    clerk_keyboard(&b).await;

    b.goto(&format!("{base}/admin")).await;
    b.sign_in_form_shown().await;
    audit(&b, "/admin (sign-in)", &mut found).await;
    b.submit_sign_in("admin", "demo-admin", None).await;
    until(
        &b,
        "window.hallqAdminLive && window.hallqAdminStats",
        "admin dashboard",
    )
    .await;
    audit(&b, "/admin", &mut found).await;

    b.goto(&format!("{base}/desk")).await;
    b.sign_in_form_shown().await;
    audit(&b, "/desk (sign-in)", &mut found).await;
    b.submit_sign_in("desk", "demo-desk", None).await;
    until(&b, "window.hallqDeskReady", "desk page").await;
    audit(&b, "/desk", &mut found).await;
    b.goto(&format!("{base}/desk?token=demo-admin")).await;
    until(&b, "window.hallqDeskReady", "desk page (admin)").await;
    audit(&b, "/desk (admin)", &mut found).await;

    assert!(
        found.is_empty(),
        "{} WCAG 2.x A/AA violations:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Elder mode on a phone page: one labelled button near the top switches it on; text gets
/// larger; the choice survives a reload; axe passes in it too.
async fn elder_mode(b: &Browser, page: &str, ready: &str, found: &mut Vec<String>) {
    let button = "document.getElementById('elder')";
    until(b, button, "elder mode button").await;
    let label = b.js(&format!("return {button}.textContent")).await;
    assert!(
        label.as_str().unwrap_or_default().contains("长辈模式"),
        "{page}: {label}"
    );
    let top = b
        .js(&format!("return {button}.getBoundingClientRect().top"))
        .await;
    assert!(
        top.as_f64().unwrap_or(1e9) < 120.0,
        "{page}: elder button at {top}px"
    );
    let size =
        "return parseFloat(getComputedStyle(document.querySelector('main, .card, body')).fontSize)";
    let before = b.js(size).await.as_f64().unwrap();
    if b.js(&format!("return {button}.getAttribute('aria-pressed')"))
        .await
        == json!("true")
    {
        b.js(&format!("{button}.click(); return 1")).await;
    }
    b.js(&format!("{button}.click(); return 1")).await;
    assert_eq!(
        b.js(&format!("return {button}.getAttribute('aria-pressed')"))
            .await,
        json!("true")
    );
    let after = b.js(size).await.as_f64().unwrap();
    assert!(
        after >= before * 1.2,
        "{page}: text {before}px → {after}px in elder mode"
    );
    b.js("location.reload(); return 1").await;
    until(b, ready, "page after reload").await;
    assert_eq!(
        b.js("return document.documentElement.classList.contains('elder')")
            .await,
        json!(true),
        "{page}: elder mode remembered"
    );
    audit(b, &format!("{page} (长辈模式)"), found).await;
    let shot = if page.starts_with("/book") {
        "elder-book"
    } else {
        "elder-status"
    };
    println!("screenshot: {}", b.screenshot(shot).await.display());
    b.js(&format!("{button}.click(); return 1")).await;
}

/// Every action of the clerk panel is a focusable control with a visible focus ring.
async fn clerk_keyboard(b: &Browser) {
    let r = b
        .js("var bad = []; Array.prototype.forEach.call(document.querySelectorAll('main button, main input, main select, header button:not([hidden])'), function (el) { \
               el.focus(); var s = getComputedStyle(el); \
               var ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; \
               if (document.activeElement !== el || el.tabIndex < 0 || !ring) bad.push(el.id || el.getAttribute('data-act') || el.textContent); }); \
             return bad")
        .await;
    assert_eq!(
        r,
        json!([]),
        "clerk controls without keyboard focus or visible focus"
    );
    let acts = b
        .js("return document.querySelectorAll('[data-act]').length")
        .await;
    assert!(acts.as_i64() >= Some(6), "{acts}");
}
