//! Printer status in the real `hallq run` demo hall, with its kiosk's printer pointed at
//! the emulated printer (`hallq print emulate`): paper out is told to the kiosk and shown
//! on the admin dashboard, a printer that hangs mid-ticket fails the kiosk's request within
//! 5 s, a printer without status is printed to unchecked, a reprint carries its mark.

mod common;
mod print_emulator;

use common::*;
use print_emulator::Emulator;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The demo hall with kiosk-lobby's printer `lobby` at the emulator.
async fn hall_printing_on(emu: &Emulator) -> Hall {
    Hall::start(HallOpts {
        edits: vec![
            (
                "name = \"kiosk-lobby\"\nrole = \"kiosk\"",
                "name = \"kiosk-lobby\"\nrole = \"kiosk\"\nprinter = \"lobby\"".into(),
            ),
            (
                "# ---- Credentials: bearer tokens",
                format!(
                    "[[printers]]\nid = \"lobby\"\nkind = \"tcp\"\naddress = \"{}\"\n\n\
                     # ---- Credentials: bearer tokens",
                    emu.at
                ),
            ),
        ],
        ..Default::default()
    })
    .await
}

async fn issue(hall: &Hall) -> Value {
    let body = Some(json!({"service": "property"}));
    let (st, b) = hall.req("POST", "/tickets", Some("demo-kiosk"), body).await;
    assert_eq!(st, 201, "{b}");
    b
}

async fn printers(hall: &Hall) -> Value {
    let (st, live) = hall
        .req("GET", "/admin/live", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{live}");
    live["printers"].clone()
}

/// The log without its colours (ANSI escape sequences).
fn plain(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn paper_out_reaches_the_kiosk_and_the_dashboard() {
    let emu = Emulator::tcp(&["--paper-out"]);
    let hall = hall_printing_on(&emu).await;
    let b = issue(&hall).await;
    assert_eq!(b["print"]["status"], "failed", "{b}");
    assert_eq!(b["print"]["reason"], "paper_out", "{b}");
    assert_eq!(
        b["print"]["message"],
        "缺纸，请联系工作人员 / Out of paper — please ask staff"
    );
    assert!(
        emu.ticket(Duration::from_millis(300)).is_none(),
        "nothing printed"
    );
    // The number is kept for a reprint, as for any failed print.
    let (_, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    assert_eq!(
        snap["print_failed"][0]["number"], b["ticket"]["number"],
        "{snap}"
    );
    let rows = printers(&hall).await;
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    let row = &rows[0];
    assert_eq!(row["id"], "lobby");
    assert_eq!(row["kiosks"], json!(["kiosk-lobby"]));
    assert_eq!(row["state"], "paper_out");
    assert_eq!(row["last_problem"], "paper_out");
    assert_eq!(row["answers_status"], "yes");
    assert!(row["since"].as_i64().unwrap() > 0, "{row}");
    // The dashboard page has the table the rows go into.
    let page = reqwest::get(format!("{}/admin", hall.base.trim_end_matches("/api/v1")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<table id=\"printers\">"), "admin page");
    // The log names the printer and its kiosks, once for a run of failures.
    issue(&hall).await;
    let log = plain(&hall.log());
    let failed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("打印失败 / print failed"))
        .collect();
    assert_eq!(failed.len(), 1, "summarised: {failed:?}");
    assert!(
        failed[0].contains("printer=lobby") && failed[0].contains("kiosks=kiosk-lobby"),
        "{}",
        failed[0]
    );
    assert!(failed[0].contains("reason=\"paper_out\""), "{}", failed[0]);
}

#[tokio::test]
async fn a_printer_that_hangs_mid_ticket_fails_the_kiosk_within_5_s() {
    let emu = Emulator::tcp(&["--stall-after", "200"]);
    let hall = hall_printing_on(&emu).await;
    let started = Instant::now();
    let b = issue(&hall).await;
    let took = started.elapsed();
    assert!(took <= Duration::from_secs(5), "{took:?}");
    assert_eq!(b["print"]["status"], "failed", "{b}");
    assert_eq!(b["print"]["reason"], "timed_out", "{b}");
    assert!(
        b["print"]["message"]
            .as_str()
            .unwrap()
            .contains("打印机无响应"),
        "{b}"
    );
    assert_eq!(printers(&hall).await[0]["state"], "timed_out");
    // Still hung: the next ticket fails as fast (the printer answered status before).
    let started = Instant::now();
    let b = issue(&hall).await;
    assert!(started.elapsed() <= Duration::from_secs(5));
    assert_eq!(b["print"]["reason"], "timed_out", "{b}");
}

#[tokio::test]
async fn a_printer_without_status_prints_and_is_logged_once() {
    let emu = Emulator::tcp(&["--no-status"]);
    let hall = hall_printing_on(&emu).await;
    for _ in 0..2 {
        let b = issue(&hall).await;
        assert_eq!(b["print"]["status"], "printed", "{b}");
        assert!(emu.ticket(Duration::from_secs(5)).is_some());
    }
    let row = &printers(&hall).await[0];
    assert_eq!(
        (row["state"].as_str(), row["answers_status"].as_str()),
        (Some("ok"), Some("no"))
    );
    let silent = hall.log().matches("does not answer status queries").count();
    assert_eq!(silent, 1, "{}", hall.log());
}

#[tokio::test]
async fn a_reprint_carries_its_mark_and_its_own_time() {
    let emu = Emulator::tcp(&[]);
    let hall = hall_printing_on(&emu).await;
    let b = issue(&hall).await;
    assert_eq!(b["print"]["status"], "printed", "{b}");
    let first = Emulator::lines_of(&emu.ticket(Duration::from_secs(5)).unwrap());
    assert!(!first.iter().any(|l| l.contains("补打")), "{first:?}");
    let token = b["ticket"]["token"].as_str().unwrap();
    let (st, r) = hall
        .req(
            "POST",
            &format!("/tickets/{token}/reprint"),
            Some("demo-kiosk"),
            None,
        )
        .await;
    assert_eq!(
        (st, r["print"]["status"].as_str()),
        (200, Some("printed")),
        "{r}"
    );
    let again = Emulator::lines_of(&emu.ticket(Duration::from_secs(5)).unwrap());
    let mark = again
        .iter()
        .find(|l| l.starts_with("补打 / reprint "))
        .unwrap_or_else(|| panic!("{again:?}"));
    // Its own time (YYYY-MM-DD HH:MM), under the ticket's issue time, which stays.
    let at = mark.trim_start_matches("补打 / reprint ");
    assert_eq!(at.len(), 16, "{mark}");
    let issued = first
        .iter()
        .position(|l| l.len() == 16 && l.starts_with("20"))
        .unwrap();
    assert_eq!(again[issued], first[issued], "the issue time is kept");
    assert_eq!(again[issued + 1], *mark);
    assert_eq!(again[1], b["ticket"]["number"].as_str().unwrap());
}

/// In a real browser (skipped where Chromium is not installed): the kiosk page tells the
/// citizen the paper is out, and the admin dashboard's Printers table shows it.
#[tokio::test]
async fn paper_out_on_the_kiosk_page_and_the_dashboard_page() {
    let Some(browser) = common::browser::Browser::start().await else {
        return;
    };
    let emu = Emulator::tcp(&["--paper-out"]);
    let hall = hall_printing_on(&emu).await;
    let base = format!("http://127.0.0.1:{}", hall.http_port);
    browser.resize(1080, 1920).await;
    browser
        .goto(&format!("{base}/kiosk?token=demo-kiosk"))
        .await;
    for css in [
        "[data-section=\"property-tax\"]",
        "[data-service=\"property\"]",
    ] {
        let there = format!("return !!document.querySelector('{css}')");
        browser
            .wait_for(&there, &json!(true), Duration::from_secs(10))
            .await
            .expect(css);
        browser
            .js(&format!(
                "document.querySelector('{css}').click(); return 1"
            ))
            .await;
    }
    let warn = "return (document.getElementById('print-failed') || {}).textContent || null";
    let shown = browser
        .wait_for(
            "return !!document.getElementById('print-failed')",
            &json!(true),
            Duration::from_secs(10),
        )
        .await;
    shown.expect("the print failure shown");
    let text = browser.js(warn).await;
    assert!(
        text.as_str()
            .unwrap()
            .starts_with("缺纸，请联系工作人员 / Out of paper — please ask staff"),
        "{text}"
    );
    browser.open_admin(&hall).await;
    let state = "return (document.querySelector('#printers tr[data-printer=\"lobby\"] td.state') || {}).textContent || null";
    browser
        .wait_for(state, &json!("缺纸 out of paper"), Duration::from_secs(15))
        .await
        .expect("the Printers table shows paper out");
}
