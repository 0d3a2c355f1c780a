//! A morning at window 4 without the mouse: sign in with Enter, F1 / F5 / F4, a no-show
//! with its 5 s undo, a transfer with F6 and Enter, a pause with a reason behind the
//! held-ticket warning, resume, an ID check typed and sent with Enter, a no-show called
//! back from the list, a number called with F8; and with `start_on_call`, F1 alone per citizen. After each step
//! the panel's text and the server's state.

use crate::common::browser::Browser;
use crate::common::{Hall, HallOpts};
use crate::panel::*;
use serde_json::json;

#[tokio::test]
async fn a_citizen_cycle_from_the_keyboard() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    open(&b, &hall, "4").await;
    shows(
        &b,
        "soc",
        "叫号即开始办理：每位群众只按 F1 / start on call: F1 alone",
    )
    .await;
    hidden(&b, "soc", true).await;
    hall.tickets("household", 3).await;
    see(&b, UPCOMING, json!(["C001户政", "C002户政", "C003户政"])).await;
    shows(&b, "waiting", "3").await;

    // F1 calls, F5 starts, F4 finishes: served today 1.
    press(&b, F1, "已叫 C001").await;
    shows(&b, "cur-number", "C001").await;
    assert_eq!(window(&hall, "4").await["serving"]["status"], "called");
    press(&b, F2, "已重呼 C001").await;
    shows(&b, "cur-meta", "户政 · 现场 · 已叫号，等待到窗 · 已呼 2 次").await;
    press(&b, F5, "C001 开始办理").await;
    assert_eq!(window(&hall, "4").await["serving"]["status"], "serving");
    press(&b, F4, "C001 已办结").await;
    shows(&b, "cur-number", "暂无叫号").await;
    shows(&b, "t-served", "1").await;
    assert!(window(&hall, "4").await["serving"].is_null());

    // F3 waits 5 s with an undo: Esc undoes, nothing sent.
    press(&b, F1, "已叫 C002").await;
    b.keys(F3).await;
    see(&b, UNDO, json!("C002 过号，即将发送 / sending in")).await;
    b.keys(ESC).await;
    see(&b, MSG, json!("已撤销：C002 过号 / undone")).await;
    see(&b, UNDO, json!(null)).await;
    assert_eq!(window(&hall, "4").await["serving"]["number"], "C002");
    // Left alone, it is sent after the countdown.
    b.keys(F3).await;
    see(&b, UNDO, json!("C002 过号，即将发送 / sending in")).await;
    shows(&b, "undo-left", "3 s").await;
    see(&b, MSG, json!("C002 已过号")).await;
    shows(&b, "t-noshow", "1").await;
    shows(&b, "cur-number", "暂无叫号").await;
    assert!(window(&hall, "4").await["serving"].is_null());
    assert_eq!(desk(&hall, "4").await["no_shows"][0]["number"], "C002");

    // F6 focuses the transfer list; arrows choose 出入境; Enter sends.
    press(&b, F1, "已叫 C003").await;
    b.keys(F6).await;
    focused(&b, "transfer").await;
    for _ in 0..12 {
        if b.js("return document.getElementById('transfer').value")
            .await
            == "s:exit-entry"
        {
            break;
        }
        b.keys(DOWN).await;
    }
    b.keys(ENTER).await;
    see(&b, MSG, json!("C003 已转至 出入境")).await;
    see(&b, UPCOMING, json!(["C003出入境转入"])).await;
    value(&b, "transfer", "").await;
    let d = desk(&hall, "4").await;
    assert_eq!(d["upcoming"][0]["transferred"], true, "{d}");
    assert_eq!(d["upcoming"][0]["service"], "exit-entry", "{d}");

    // F7 with a ticket held: the warning, Esc keeps the window open; Enter pauses.
    press(&b, F1, "已叫 C003").await;
    b.keys(F7).await;
    focused(&b, "reason").await;
    b.keys("午休").await;
    b.keys(ENTER).await;
    hidden(&b, "confirm", false).await;
    shows(
        &b,
        "confirm-text",
        "当前 C003 尚未办结，仍要暂停吗？ / a ticket is still held: pause anyway?",
    )
    .await;
    b.keys(ESC).await;
    hidden(&b, "confirm", true).await;
    assert_eq!(window(&hall, "4").await["status"], "open");
    b.keys(ENTER).await;
    hidden(&b, "confirm", false).await;
    press(&b, ENTER, "已暂停：午休").await;
    let w = window(&hall, "4").await;
    assert_eq!(
        (w["status"].clone(), w["pause_reason"].clone()),
        (json!("paused"), json!("午休"))
    );
    value(&b, "reason", "").await;
    shows(&b, "state", "暂停中：午休").await;
    press(&b, F7, "已恢复叫号").await;
    assert_eq!(window(&hall, "4").await["status"], "open");

    // F9, an ID number typed as a scanner does, Enter: a walk-in has no holder on record.
    b.keys(F9).await;
    focused(&b, "idnum").await;
    press(
        &b,
        "11010519491231002X\u{E007}",
        "该号为现场取号，无实名记录 / walk-in ticket: no holder on record",
    )
    .await;
    value(&b, "idnum", "").await;

    // F10 reaches today's no-shows; Enter calls C002 back (C003 served first).
    press(&b, F5, "C003 开始办理").await;
    press(&b, F4, "C003 已办结").await;
    b.keys(F10).await;
    see(
        &b,
        "return document.activeElement.getAttribute('data-callback')",
        json!("C002"),
    )
    .await;
    press(&b, ENTER, "已叫 C002").await;
    shows(&b, "cur-number", "C002").await;
    assert_eq!(window(&hall, "4").await["serving"]["number"], "C002");
    b.screenshot("clerk-panel-cycle").await;

    // F8, a number typed in any case, Enter: called, and the field is empty again.
    press(&b, F5, "C002 开始办理").await;
    press(&b, F4, "C002 已办结").await;
    hall.ticket("household").await;
    b.keys(F8).await;
    focused(&b, "number").await;
    press(&b, &format!("c004{ENTER}"), "已叫 C004").await;
    value(&b, "number", "").await;
    assert_eq!(window(&hall, "4").await["serving"]["number"], "C004");
}

#[tokio::test]
async fn start_on_call_serves_each_citizen_with_f1() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts {
        edits: vec![("start_on_call = false", "start_on_call = true".into())],
        ..Default::default()
    })
    .await;
    open(&b, &hall, "4").await;
    hidden(&b, "soc", false).await;
    hall.tickets("household", 3).await;
    shows(&b, "waiting", "3").await;
    press(&b, F1, "已叫 C001").await;
    assert_eq!(window(&hall, "4").await["serving"]["status"], "serving");
    shows(&b, "cur-meta", "户政 · 现场 · 办理中").await;
    press(&b, F1, "C001 已办结，已叫 C002").await;
    shows(&b, "t-served", "1").await;
    shows(&b, "t-notstarted", "0").await;
    assert_eq!(window(&hall, "4").await["serving"]["number"], "C002");
    // A no-show is still taken for a ticket started by its call; F1 during its undo
    // time sends it first, then calls the next.
    b.keys(F3).await;
    see(&b, UNDO, json!("C002 过号，即将发送 / sending in")).await;
    press(&b, F1, "已叫 C003").await;
    see(&b, UNDO, json!(null)).await;
    shows(&b, "t-noshow", "1").await;
    assert_eq!(window(&hall, "4").await["serving"]["number"], "C003");
    assert_eq!(desk(&hall, "4").await["no_shows"][0]["number"], "C002");
    let d = desk(&hall, "4").await;
    assert_eq!(
        d["today"],
        json!({"served": 1, "no_show": 1, "not_started": 0})
    );
}
