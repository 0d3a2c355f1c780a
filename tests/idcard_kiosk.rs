//! An ID card laid on the kiosk's reader (a fake reader on a real pseudo-terminal, speaking
//! the reader protocol) checks its holder's appointment in: the kiosk screen in Chromium
//! shows the appointment ticket, and a card without an appointment gets a plain message.
//! The same card again (issue 20) gets "您已取号：C001" with its ticket and a Reprint
//! button, on the kiosk's live channel and from `POST /checkins` (200,
//! `already_checked_in`); the consult desk keeps the refusal. The reader's log lines name
//! its port and kiosk, and a silent reader is reported once, then "answers again".

mod common;
use common::browser::Browser;
use common::*;
use hallq_idcard::{CardType, Emulator, IdCard, Sex};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_serial::{SerialPort, SerialStream};

const ID: &str = "46010619900103123X";

fn card(id: &str) -> IdCard {
    IdCard {
        name: "张小三".into(),
        sex: Sex::Male,
        nation: "01".into(),
        birth: "19900103".into(),
        address: "海南省海口市龙华区滨海大道1号".into(),
        id_number: id.into(),
        authority: "海口市公安局龙华分局".into(),
        valid_from: "20150101".into(),
        valid_to: "20350101".into(),
        card_type: CardType::Resident,
    }
}

#[tokio::test]
async fn a_card_on_the_reader_checks_in_at_the_kiosk() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (master, slave) = SerialStream::pair().expect("pty pair");
    let path = slave.name().expect("pty path");
    let emu = Arc::new(Mutex::new(Emulator::new()));
    let fake = tokio::spawn(hallq_idcard::serve_emulator(master, emu.clone()));
    let reader = format!("[[id_readers]]\nport = \"{path}\"\nbaud = 115200\nkiosk = \"kiosk-lobby\"\n\n# ---- Credentials: bearer tokens");
    let hall = Hall::start(HallOpts {
        edits: vec![("# ---- Credentials: bearer tokens", reader)],
        ..Default::default()
    })
    .await;

    // Book the next household slot (its check-in window is open) for the card's holder.
    let (_, id) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": "张小三", "id_number": ID, "phone": "13800138000"})),
        )
        .await;
    let assertion = id["assertion"].as_str().unwrap().to_string();
    let slot = next_slot(&hall.base, "household").await;
    // Check-in closes when the slot starts: late in the evening no slot is left today.
    if !slot.starts_with(&shanghai_day(0)) {
        println!("skipped: no household slot left today in Shanghai (ID card check-in test)");
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

    browser.resize(1080, 1920).await;
    browser
        .goto(&format!(
            "http://127.0.0.1:{}/kiosk?token=demo-kiosk",
            hall.http_port
        ))
        .await;
    browser
        .wait_for(
            "return window.hallqKioskLive === true",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("kiosk channel open");

    // A stranger's card first: no appointment today, said in plain words.
    emu.lock()
        .unwrap()
        .set_card(Some((card("11010519491231002X"), vec![0; 1024])));
    let msg = "return (document.getElementById('message') || {}).textContent || null";
    let got = browser
        .wait_for(
            "return !!document.getElementById('message')",
            &json!(true),
            Duration::from_secs(10),
        )
        .await;
    assert!(
        got.is_some(),
        "no message for a card without an appointment"
    );
    let text = browser.js(msg).await;
    assert!(
        text.as_str().unwrap().contains("没有找到今日的预约"),
        "{text}"
    );
    emu.lock().unwrap().set_card(None);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The holder's card: the appointment ticket appears on the kiosk.
    emu.lock()
        .unwrap()
        .set_card(Some((card(ID), vec![0; 1024])));
    let number = "return (document.getElementById('ticket-number') || {}).textContent || null";
    browser
        .wait_for(number, &json!("C001"), Duration::from_secs(10))
        .await
        .expect("appointment ticket on the kiosk");
    browser.screenshot("kiosk-idcard-checkin").await;

    // The same card again: its ticket, "already checked in", and a Reprint button.
    emu.lock().unwrap().set_card(None);
    browser
        .js("document.getElementById('done').click(); return true")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    emu.lock()
        .unwrap()
        .set_card(Some((card(ID), vec![0; 1024])));
    let already = "return (document.getElementById('already') || {}).textContent || null";
    browser
        .wait_for(
            already,
            &json!("您已取号：C001Already checked in: C001"),
            Duration::from_secs(10),
        )
        .await
        .expect("already checked in, on the kiosk");
    assert_eq!(browser.js(number).await, json!("C001"));
    assert_eq!(
        browser
            .js("return !!document.getElementById('reprint')")
            .await,
        json!(true)
    );
    browser.screenshot("kiosk-idcard-already").await;
    let (_, mine) = hall
        .req("GET", "/me/appointments", Some(&assertion), None)
        .await;
    assert_eq!(mine["appointments"][0]["status"], "checked_in");
    assert!(
        !hall.log().contains(ID),
        "the clear ID number reached the log"
    );
    fake.abort();
    drop(slave);
}

/// The next JSON message on the kiosk's live channel (within 10 s).
async fn next_event(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> serde_json::Value {
    use futures::StreamExt;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a kiosk event within 10 s")
            .expect("the channel is open")
            .expect("a good frame");
        if let Ok(text) = msg.into_text() {
            if let Ok(v) = serde_json::from_str(&text) {
                return v;
            }
        }
    }
}

/// Log lines containing every one of `parts`.
fn log_lines(hall: &Hall, parts: &[&str]) -> Vec<String> {
    hall.log()
        .lines()
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_swipe_gets_the_ticket_and_the_log_names_the_reader() {
    let (master, slave) = SerialStream::pair().expect("pty pair");
    let path = slave.name().expect("pty path");
    let reader = format!("[[id_readers]]\nport = \"{path}\"\nbaud = 115200\nkiosk = \"kiosk-lobby\"\n\n# ---- Credentials: bearer tokens");
    let hall = Hall::start(HallOpts {
        edits: vec![("# ---- Credentials: bearer tokens", reader)],
        ..Default::default()
    })
    .await;

    // Nobody answers on the port yet (a reader without power): one line, naming the port
    // and the kiosk, however many polls go unanswered (one every 2.3 s).
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let silent = log_lines(&hall, &["no reply to find card (20 01)"]);
    assert_eq!(silent.len(), 1, "{silent:#?}\n{}", hall.log());
    assert!(
        silent[0].contains(&path)
            && silent[0].contains("kiosk-lobby")
            && silent[0].contains("WARN"),
        "{silent:?}"
    );
    // Powered on: it answers, and the log says so once.
    let emu = Arc::new(Mutex::new(Emulator::new()));
    let fake = tokio::spawn(hallq_idcard::serve_emulator(master, emu.clone()));
    let again = [
        "身份证阅读器恢复应答 / ID card reader answers again",
        &path,
        "kiosk-lobby",
    ];
    for _ in 0..100 {
        if !log_lines(&hall, &again).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(log_lines(&hall, &again).len(), 1, "{}", hall.log());

    // Book the next household slot for the card's holder.
    let (_, id) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": "张小三", "id_number": ID, "phone": "13800138000"})),
        )
        .await;
    let assertion = id["assertion"].as_str().unwrap().to_string();
    let slot = next_slot(&hall.base, "household").await;
    if !slot.starts_with(&shanghai_day(0)) {
        println!("skipped: no household slot left today in Shanghai (second swipe test)");
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

    let url = format!(
        "ws://127.0.0.1:{}/api/v1/kiosk/events?token=demo-kiosk",
        hall.http_port
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("kiosk channel");
    tokio::time::sleep(Duration::from_millis(300)).await;

    // First swipe: checked in.
    emu.lock()
        .unwrap()
        .set_card(Some((card(ID), vec![0; 1024])));
    let first = next_event(&mut ws).await;
    assert_eq!(first["type"], "checkin", "{first}");
    assert_eq!(first["ticket"]["number"], "C001", "{first}");
    assert_eq!(first["already_checked_in"], false, "{first}");
    let read = log_lines(
        &hall,
        &["身份证已读取 / ID card read", &path, "kiosk-lobby"],
    );
    assert_eq!(read.len(), 1, "{}", hall.log());

    // Taken off and laid again: the ticket it got, said so, nothing printed again.
    emu.lock().unwrap().set_card(None);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    emu.lock()
        .unwrap()
        .set_card(Some((card(ID), vec![0; 1024])));
    let second = next_event(&mut ws).await;
    assert_eq!(second["type"], "checkin", "{second}");
    assert_eq!(second["already_checked_in"], true, "{second}");
    assert_eq!(second["ticket"]["number"], "C001", "{second}");
    assert_eq!(second["ticket"]["token"], first["ticket"]["token"]);
    assert_eq!(
        second["message"],
        "您已取号：C001 / Already checked in: C001"
    );
    assert_eq!(second["print"]["status"], "none", "{second}");

    // The kiosk's screen asks the same over HTTP: 200, by ID number or by code.
    for body in [json!({"id_number": ID}), json!({"code": code})] {
        let (st, b) = hall
            .req("POST", "/checkins", Some("demo-kiosk"), Some(body))
            .await;
        assert_eq!(st, 200, "{b}");
        assert_eq!(b["already_checked_in"], true, "{b}");
        assert_eq!(b["ticket"]["number"], "C001", "{b}");
        assert_eq!(b["message"], "您已取号：C001 / Already checked in: C001");
        assert_eq!(b["appointment"]["status"], "checked_in", "{b}");
    }
    // Someone else's card with the code learns nothing.
    let (st, b) = hall
        .req(
            "POST",
            "/checkins",
            Some("demo-kiosk"),
            Some(json!({"code": code, "id_number": "11010519491231002X"})),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (403, Some("forbidden")), "{b}");
    // The consult desk keeps the refusal.
    let (st, b) = hall
        .req(
            "POST",
            "/desk/checkins",
            Some("demo-desk"),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (409, Some("not_booked")), "{b}");
    // Only one ticket was issued.
    let (_, mine) = hall
        .req("GET", "/me/appointments", Some(&assertion), None)
        .await;
    assert_eq!(mine["appointments"][0]["status"], "checked_in");
    assert!(
        !hall.log().contains(ID),
        "the clear ID number reached the log"
    );
    fake.abort();
    drop(slave);
}
