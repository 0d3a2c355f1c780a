//! Appointments under contention, through the real binary: capacity, the per-person daily
//! limit and cancel-versus-check-in hold with many concurrent clients, on SQLite and on
//! PostgreSQL with two controller processes.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// A valid GB 11643 ID number for person `n` (1..=999).
fn id_number(n: u32) -> String {
    let body = format!("11010519900101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

async fn assertion(base: &str, n: u32) -> String {
    let (st, b) = req(
        base,
        "POST",
        "/dev/identity",
        None,
        Some(json!({"name": "测试人", "id_number": id_number(n), "phone": "13800138000"})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    b["assertion"].as_str().unwrap().to_string()
}

/// The next bookable slots of `service` today (or tomorrow near midnight).
async fn bookable_slots(base: &str, service: &str) -> Vec<String> {
    let mut out = Vec::new();
    for day in [shanghai_day(0), shanghai_day(1)] {
        let (_, b) = req(
            base,
            "GET",
            &format!("/appointments/slots?service={service}&date={day}"),
            None,
            None,
        )
        .await;
        out.extend(
            b["slots"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["bookable"] == true)
                .map(|s| s["slot_start"].as_str().unwrap().to_string()),
        );
    }
    out
}

async fn book(base: String, token: String, slot: String) -> (u16, Value) {
    req(
        &base,
        "POST",
        "/appointments",
        Some(&token),
        Some(json!({"service": "property", "slot_start": slot, "agree_notice": true})),
    )
    .await
}

/// 200 people race for one slot of capacity 10, spread over `bases`.
async fn flash_crowd(bases: &[String]) {
    let mut tokens = Vec::new();
    for n in 1..=200 {
        tokens.push(assertion(&bases[0], n).await);
    }
    let slot = bookable_slots(&bases[0], "property")
        .await
        .last()
        .cloned()
        .expect("a bookable slot");
    let mut tasks = Vec::new();
    for (i, t) in tokens.into_iter().enumerate() {
        tasks.push(tokio::spawn(book(
            bases[i % bases.len()].clone(),
            t,
            slot.clone(),
        )));
    }
    let mut codes: HashMap<u16, usize> = HashMap::new();
    let mut errors: HashMap<String, usize> = HashMap::new();
    for t in tasks {
        let (st, b) = t.await.unwrap();
        *codes.entry(st).or_default() += 1;
        if st != 201 {
            *errors
                .entry(b["error"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(
        codes.get(&201),
        Some(&10),
        "exactly the capacity is booked: {codes:?} {errors:?}"
    );
    assert_eq!(errors.get("slot_full"), Some(&190), "{errors:?}");
    let day = &slot[..10];
    let (_, s) = req(
        &bases[0],
        "GET",
        &format!("/appointments/slots?service=property&date={day}"),
        None,
        None,
    )
    .await;
    let it = s["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["slot_start"] == slot.as_str())
        .unwrap();
    assert_eq!(
        (it["remaining"].as_i64(), it["bookable"].as_bool()),
        (Some(0), Some(false))
    );
}

/// One person fires 10 bookings for one day at once: exactly the daily limit (2) succeed.
async fn one_person_ten_at_once(bases: &[String]) {
    let token = assertion(&bases[0], 777).await;
    let slots = bookable_slots(&bases[0], "property").await;
    let day = slots.first().unwrap()[..10].to_string();
    let same_day: Vec<String> = slots
        .into_iter()
        .filter(|s| s.starts_with(&day))
        .take(10)
        .collect();
    let mut tasks = Vec::new();
    for (i, s) in same_day.iter().enumerate() {
        tasks.push(tokio::spawn(book(
            bases[i % bases.len()].clone(),
            token.clone(),
            s.clone(),
        )));
    }
    let mut ok = 0;
    for t in tasks {
        let (st, b) = t.await.unwrap();
        match st {
            201 => ok += 1,
            409 => assert_eq!(b["error"], "daily_limit", "{b}"),
            _ => panic!("{st} {b}"),
        }
    }
    assert_eq!(ok, 2.min(same_day.len()), "exactly two bookings a day");
}

/// Cancel and check-in race for the same appointment: exactly one wins, every time.
async fn cancel_races_check_in(bases: &[String]) {
    let slots = bookable_slots(&bases[0], "household").await;
    let Some(first) = slots.first().cloned() else {
        println!("skipped: no household slot left today (cancel vs check-in)");
        return;
    };
    for n in 0..8u32 {
        let token = assertion(&bases[0], 500 + n).await;
        let (st, b) = req(
            &bases[0],
            "POST",
            "/appointments",
            Some(&token),
            Some(json!({"service": "household", "slot_start": first, "agree_notice": true})),
        )
        .await;
        assert_eq!(st, 201, "{b}");
        let code = b["appointment"]["code"].as_str().unwrap().to_string();
        let (a, c) = (
            bases[n as usize % bases.len()].clone(),
            bases[(n as usize + 1) % bases.len()].clone(),
        );
        let path = format!("/appointments/{code}");
        let cancel =
            tokio::spawn(async move { req(&a, "DELETE", &path, Some(&token), None).await });
        let body = json!({"code": code});
        let checkin = tokio::spawn(async move {
            req(&c, "POST", "/checkins", Some("demo-kiosk"), Some(body)).await
        });
        let (x, y) = (cancel.await.unwrap(), checkin.await.unwrap());
        let wins = [x.0 == 200, y.0 == 201].iter().filter(|w| **w).count();
        assert_eq!(wins, 1, "cancel {x:?} / check-in {y:?}");
        let loser = if x.0 == 200 { &y } else { &x };
        assert_eq!(loser.0, 409, "{loser:?}");
    }
}

/// A hall where one address may be a crowd: the test's hundreds of people all come from
/// loopback, so the per-address limits (`[limits]`) are lifted.
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
async fn contention_on_sqlite() {
    let hall = Hall::start(crowd(HallOpts::default())).await;
    let bases = vec![hall.base.clone()];
    flash_crowd(&bases).await;
    one_person_ten_at_once(&bases).await;
    cancel_races_check_in(&bases).await;
}

#[tokio::test]
async fn contention_on_postgres_with_two_controllers() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "appointments on PostgreSQL") else {
        return;
    };
    let Some(mq) = env_or_skip("HALLQ_TEST_MQTT_URL", "appointments with two controllers") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let opts = crowd(HallOpts::replica(&db.url, &mq, &unique_hall()));
    let a = Hall::start(opts.clone()).await;
    // Both replicas verify the same dev assertions: they share the dev key file.
    let b = Hall::start(HallOpts {
        dir: Some(a.dir.clone()),
        ..opts
    })
    .await;
    let bases = vec![a.base.clone(), b.base.clone()];
    flash_crowd(&bases).await;
    one_person_ten_at_once(&bases).await;
    cancel_races_check_in(&bases).await;
    drop((a, b));
    db.drop_db().await;
}

#[tokio::test]
async fn rules_in_plain_words() {
    let hall = Hall::start(HallOpts::default()).await;
    let token = assertion(&hall.base, 42).await;
    let slot = bookable_slots(&hall.base, "property")
        .await
        .last()
        .cloned()
        .unwrap();
    let body = |agree: bool| {
        Some(json!({"service": "property", "slot_start": slot, "agree_notice": agree}))
    };
    let (st, b) = hall
        .req("POST", "/appointments", Some(&token), body(false))
        .await;
    assert_eq!((st, b["error"].as_str()), (422, Some("notice_not_agreed")));
    let (st, b) = hall.req("POST", "/appointments", None, body(true)).await;
    assert_eq!(st, 401, "{b}");
    let (st, b) = hall
        .req("POST", "/appointments", Some("not-a-jwt"), body(true))
        .await;
    assert_eq!(st, 401, "{b}");
    let (st, b) = hall
        .req(
            "POST",
            "/appointments",
            Some(&token),
            Some(json!({"service": "exit-entry", "slot_start": slot, "agree_notice": true})),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (422, Some("not_bookable")));
    let (st, b) = hall
        .req("POST", "/appointments", Some(&token), body(true))
        .await;
    assert_eq!(st, 201, "{b}");
    let code = b["appointment"]["code"].as_str().unwrap().to_string();
    assert_eq!(
        b["appointment"]["id_masked"],
        "1101**********0042".replace("0042", &id_number(42)[14..])
    );
    // Someone else cannot cancel it, nor check it in with their ID card.
    let other = assertion(&hall.base, 43).await;
    let (st, _) = hall
        .req(
            "DELETE",
            &format!("/appointments/{code}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(st, 404);
    let (st, b) = hall
        .req(
            "POST",
            "/checkins",
            Some("demo-kiosk"),
            Some(json!({"code": code, "id_number": id_number(43)})),
        )
        .await;
    assert_eq!(st, 403, "{b}");
    // The ID number never comes back in clear.
    let (_, mine) = hall
        .req("GET", "/me/appointments", Some(&token), None)
        .await;
    assert!(!mine.to_string().contains(&id_number(42)), "{mine}");
    assert!(
        !hall.log().contains(&id_number(42)),
        "clear ID number in the log"
    );
}
