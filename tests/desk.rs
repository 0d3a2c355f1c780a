//! The consult desk (咨询台) and the hall's closures through the real binary, on SQLite
//! and on PostgreSQL: a booking found by code (with the person's other bookings), by ID
//! number and by phone's last 4 + name, masked; wrong roles 403, bad parameters 400;
//! check-in on the person's behalf under the kiosk's rules, audited; the day's bookings per
//! slot; an admin's closure cancels the slot's bookings with the reason, the slot is no
//! longer offered nor bookable; and bookings racing a closure never end booked in it.

mod common;
use common::*;
use serde_json::{json, Value};

#[path = "desk/closures.rs"]
mod closures;
use closures::{closure_story, race_story};

/// A valid GB 11643 ID number for person `n` (1..=999).
fn id_number(n: u32) -> String {
    let body = format!("11010519900101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

/// A dev assertion for person `n` with this name and phone.
async fn assertion(base: &str, n: u32, name: &str, phone: &str) -> String {
    let (st, b) = req(
        base,
        "POST",
        "/dev/identity",
        None,
        Some(json!({"name": name, "id_number": id_number(n), "phone": phone})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    b["assertion"].as_str().unwrap().to_string()
}

/// The day's listed slots of `service` (start times as listed).
async fn listed(base: &str, service: &str, day: &str) -> Vec<String> {
    let (st, b) = req(
        base,
        "GET",
        &format!("/appointments/slots?service={service}&date={day}"),
        None,
        None,
    )
    .await;
    assert_eq!(st, 200, "{b}");
    b["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slot_start"].as_str().unwrap().to_string())
        .collect()
}

/// Books `slot` of `service` with `token`; the answer.
async fn book(base: &str, token: &str, service: &str, slot: &str) -> (u16, Value) {
    req(
        base,
        "POST",
        "/appointments",
        Some(token),
        Some(json!({"service": service, "slot_start": slot, "agree_notice": true})),
    )
    .await
}

async fn booked(base: &str, token: &str, service: &str, slot: &str) -> String {
    let (st, b) = book(base, token, service, slot).await;
    assert_eq!(st, 201, "{b}");
    b["appointment"]["code"].as_str().unwrap().to_string()
}

fn codes(b: &Value) -> Vec<String> {
    b["appointments"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect()
}

/// The desk's answer for a search (as the demo desk token).
async fn desk(base: &str, query: &str) -> (u16, Value) {
    req(
        base,
        "GET",
        &format!("/desk/appointments?{query}"),
        Some("demo-desk"),
        None,
    )
    .await
}

/// Finding, roles, parameters, check-in on behalf, the day's view.
async fn desk_story(base: &str) {
    let tomorrow = shanghai_day(1);
    let after = shanghai_day(2);
    let p = listed(base, "property", &tomorrow).await;
    let h = listed(base, "household", &after).await;
    let a_tok = assertion(base, 1, "张三丰", "13800001234").await;
    let b_tok = assertion(base, 2, "李四", "13900005678").await;
    let a1 = booked(base, &a_tok, "property", &p[20]).await;
    let a2 = booked(base, &a_tok, "household", &h[20]).await;
    let b1 = booked(base, &b_tok, "property", &p[20]).await;

    // By code: that booking first, then the person's others; never anyone else's.
    let (st, b) = desk(base, &format!("code={a1}")).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(codes(&b), vec![a1.clone(), a2.clone()], "{b}");
    assert_eq!(b["found_by"], "code");
    let first = &b["appointments"][0];
    assert_eq!(first["status"], "booked");
    assert_eq!(first["service"], "property");
    assert_eq!(first["name_masked"], "张*丰");
    assert!(first["checkin_from"].is_string() && first["checkin_until"].is_string());
    let text = b.to_string();
    for clear in [id_number(1).as_str(), "张三丰", "13800001234"] {
        assert!(!text.contains(clear), "clear personal data in {text}");
    }
    // By ID number (the card reader types it), and the lower-case x of a typed one.
    let (st, b) = desk(base, &format!("id_number={}", id_number(1))).await;
    assert_eq!(st, 200, "{b}");
    let mut got = codes(&b);
    got.sort();
    let mut want = vec![a1.clone(), a2.clone()];
    want.sort();
    assert_eq!(got, want, "{b}");
    // The search is audited: who looked up by ID number, never the number itself.
    let (_, audit) = req(base, "GET", "/admin/audit", Some("demo-admin"), None).await;
    let lookups: Vec<&Value> = audit["audit"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "desk_lookup" && e["subject"] == "id_number")
        .collect();
    assert!(!lookups.is_empty(), "desk lookup audited: {audit}");
    assert!(
        !audit.to_string().contains(&id_number(1)),
        "the ID number searched for is in the audit: {audit}"
    );
    // By phone's last 4 + name, the name typed with a space.
    for name in ["张三丰", "张%20三丰"] {
        let (st, b) = desk(base, &format!("phone_last4=1234&name={name}")).await;
        assert_eq!(st, 200, "{b}");
        let mut got = codes(&b);
        got.sort();
        assert_eq!(got, want, "{name}: {b}");
    }
    for q in [
        "phone_last4=1235&name=张三丰".to_string(),
        "phone_last4=5678&name=张三丰".to_string(),
        "code=99999999".to_string(),
        format!("id_number={}", id_number(3)),
    ] {
        let (st, b) = desk(base, &q).await;
        assert_eq!((st, codes(&b).len()), (200, 0), "{q}: {b}");
    }
    let (_, b) = desk(base, "phone_last4=5678&name=李四").await;
    assert_eq!(codes(&b), vec![b1.clone()]);

    // Roles: desk, clerk and admin may; kiosk and display may not; nobody is 401.
    let path = format!("/desk/appointments?code={a1}");
    for (t, want) in [
        (Some("demo-desk"), 200),
        (Some("demo-clerk-1"), 200),
        (Some("demo-admin"), 200),
        (Some("demo-kiosk"), 403),
        (Some("demo-display"), 403),
        (None, 401),
    ] {
        let (st, b) = req(base, "GET", &path, t, None).await;
        assert_eq!(st, want, "{t:?}: {b}");
    }

    // Bad parameters: 400 with the contract's body.
    for (q, code) in [
        ("", "invalid_query"),
        ("code=", "invalid_query"),
        ("code=1&id_number=2", "invalid_query"),
        ("phone_last4=1234", "invalid_query"),
        ("name=张三丰", "invalid_query"),
        ("colour=red", "invalid_query"),
        ("code=%3Cscript%3E", "invalid_code"),
        ("id_number=110105199001010", "invalid_id_number"),
        ("phone_last4=12a4&name=张三丰", "invalid_contact"),
        ("phone_last4=12345&name=张三丰", "invalid_contact"),
    ] {
        let (st, b) = desk(base, q).await;
        assert_eq!((st, b["error"].as_str()), (400, Some(code)), "{q}: {b}");
        assert!(b["message"].is_string(), "{b}");
    }

    // Check-in on behalf: the kiosk's rules — tomorrow's slot is not today's.
    let (st, b) = req(
        base,
        "POST",
        "/desk/checkins",
        Some("demo-desk"),
        Some(json!({"code": a1})),
    )
    .await;
    assert_eq!((st, b["error"].as_str()), (409, Some("not_today")), "{b}");
    for (t, want) in [("demo-kiosk", 403), ("demo-display", 403)] {
        let (st, b) = req(
            base,
            "POST",
            "/desk/checkins",
            Some(t),
            Some(json!({"code": a1})),
        )
        .await;
        assert_eq!(st, want, "{t}: {b}");
    }
    let (st, b) = req(
        base,
        "POST",
        "/desk/checkins",
        Some("demo-desk"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (st, b["error"].as_str()),
        (422, Some("invalid_body")),
        "{b}"
    );
    // The next slot today, within its check-in window: checked in, once.
    let next = next_slot(base, "property").await;
    if next.starts_with(&shanghai_day(0)) {
        let c_tok = assertion(base, 4, "王五", "13700000004").await;
        let c = booked(base, &c_tok, "property", &next).await;
        let (st, b) = req(
            base,
            "POST",
            "/desk/checkins",
            Some("demo-desk"),
            Some(json!({"code": c})),
        )
        .await;
        assert_eq!(st, 201, "{b}");
        assert!(b["ticket"]["number"].as_str().unwrap().starts_with('A'));
        assert_eq!(b["appointment"]["status"], "checked_in");
        let (_, b) = desk(base, &format!("code={c}")).await;
        assert_eq!(b["appointments"][0]["status"], "checked_in");
        let (st, b) = req(
            base,
            "POST",
            "/desk/checkins",
            Some("demo-desk"),
            Some(json!({"code": c})),
        )
        .await;
        assert_eq!((st, b["error"].as_str()), (409, Some("not_booked")), "{b}");
        let (_, audit) = req(base, "GET", "/admin/audit", Some("demo-admin"), None).await;
        let rows = audit.to_string();
        assert!(
            rows.contains("desk_checkin") && rows.contains(&c),
            "desk check-in audited: {rows}"
        );
    } else {
        println!("skipped: no slot left today (desk check-in that succeeds)");
    }

    // The day: counts per slot and the list.
    let (st, b) = req(
        base,
        "GET",
        &format!("/desk/day?date={tomorrow}&service=property"),
        Some("demo-desk"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let slot = b["services"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot_start"] == p[20].as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            slot["active"].as_i64(),
            slot["booked"].as_i64(),
            slot["capacity"].as_i64()
        ),
        (Some(2), Some(2), Some(10)),
        "{slot}"
    );
    let mut got = codes(&slot);
    got.sort();
    let mut want = vec![a1.clone(), b1.clone()];
    want.sort();
    assert_eq!(got, want);
    for (q, code) in [
        ("", "invalid_date"),
        ("date=tomorrow", "invalid_date"),
        ("date=2026-02-30", "invalid_date"),
        (&*format!("date={tomorrow}&service=nope"), "unknown_service"),
        (&*format!("date={tomorrow}&x=1"), "invalid_query"),
    ] {
        let (st, b) = req(
            base,
            "GET",
            &format!("/desk/day?{q}"),
            Some("demo-clerk-2"),
            None,
        )
        .await;
        assert_eq!((st, b["error"].as_str()), (400, Some(code)), "{q}: {b}");
    }
    let (st, _) = req(
        base,
        "GET",
        &format!("/desk/day?date={tomorrow}"),
        Some("demo-kiosk"),
        None,
    )
    .await;
    assert_eq!(st, 403);
}

/// The per-address limits lifted: every person of the test comes from loopback.
fn crowd(mut opts: HallOpts) -> HallOpts {
    for (key, demo) in [
        (
            "dev_identities",
            "dev_identities = { max = 30, per_secs = 60 }",
        ),
        ("bookings", "bookings = { max = 20, per_secs = 3600 }"),
        ("code_lookups", "code_lookups = { max = 30, per_secs = 60 }"),
    ] {
        opts.edits
            .push((demo, format!("{key} = {{ max = 1000000, per_secs = 1 }}")));
    }
    opts
}

#[tokio::test]
async fn desk_and_closures_on_sqlite() {
    let hall = Hall::start(crowd(HallOpts::default())).await;
    desk_story(&hall.base).await;
    closure_story(&hall.base).await;
    race_story(&hall.base).await;
}

#[tokio::test]
async fn desk_and_closures_on_postgres() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "the desk on PostgreSQL") else {
        return;
    };
    let Some(mq) = env_or_skip("HALLQ_TEST_MQTT_URL", "the desk on PostgreSQL") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let hall = Hall::start(crowd(HallOpts::replica(&db.url, &mq, &unique_hall()))).await;
    desk_story(&hall.base).await;
    closure_story(&hall.base).await;
    race_story(&hall.base).await;
    drop(hall);
    db.drop_db().await;
}
