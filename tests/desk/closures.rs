//! The hall's closures through the desk's and the admin's routes: a slot, then a whole
//! day; bookings racing a closure.

use super::*;

/// An admin closes a slot, then a whole day.
pub(super) async fn closure_story(base: &str) {
    let day = shanghai_day(3);
    let p = listed(base, "property", &day).await;
    let h = listed(base, "household", &day).await;
    let (x, y) = (p[30].clone(), p[31].clone());
    let mut toks = Vec::new();
    for n in 10..14 {
        toks.push(assertion(base, n, "赵六", &format!("136000000{n}")).await);
    }
    let c = booked(base, &toks[0], "property", &x).await;
    let d = booked(base, &toks[1], "property", &x).await;
    let e = booked(base, &toks[2], "property", &y).await;
    let f = booked(base, &toks[3], "household", &h[30]).await;
    let hhmm = &x[11..16];
    let close = |body: Value, token: &'static str| {
        let base = base.to_string();
        async move { req(&base, "POST", "/admin/closures", Some(token), Some(body)).await }
    };
    let body =
        json!({"date": day, "service": "property", "slot_start": hhmm, "reason": "系统故障"});
    for t in ["demo-desk", "demo-clerk-1", "demo-kiosk"] {
        let (st, b) = close(body.clone(), t).await;
        assert_eq!(st, 403, "{t}: {b}");
    }
    for (bad, code) in [
        (
            json!({"date": day, "service": "property", "slot_start": hhmm, "reason": " "}),
            "invalid_reason",
        ),
        (
            json!({"date": day, "service": "property", "slot_start": hhmm}),
            "invalid_body",
        ),
        (json!({"date": "tomorrow", "reason": "x"}), "invalid_date"),
        (
            json!({"date": shanghai_day(-1), "reason": "x"}),
            "past_date",
        ),
        (
            json!({"date": day, "service": "nope", "reason": "x"}),
            "unknown_service",
        ),
        (
            json!({"date": day, "service": "property", "slot_start": "25:00", "reason": "x"}),
            "invalid_slot",
        ),
        (
            json!({"date": day, "service": "property", "slot_start": "09:17", "reason": "x"}),
            "invalid_slot",
        ),
    ] {
        let (st, b) = close(bad.clone(), "demo-admin").await;
        assert_eq!((st, b["error"].as_str()), (422, Some(code)), "{bad}: {b}");
    }
    // Nothing was closed by the refusals.
    assert!(listed(base, "property", &day).await.contains(&x));

    let (st, b) = close(body, "demo-admin").await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["cancelled"], 2, "{b}");
    let mut got: Vec<String> = b["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    got.sort();
    let mut want = vec![c.clone(), d.clone()];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(b["closure"]["slot_start"], hhmm);
    // Their bookings show cancelled with the reason; the others stay booked.
    for (code, status) in [
        (&c, "cancelled"),
        (&d, "cancelled"),
        (&e, "booked"),
        (&f, "booked"),
    ] {
        let (_, b) = desk(base, &format!("code={code}")).await;
        assert_eq!(b["appointments"][0]["status"], status, "{code}: {b}");
    }
    let (_, b) = desk(base, &format!("code={c}")).await;
    assert_eq!(b["appointments"][0]["cancel_reason"], "系统故障");
    // The slot is no longer offered, nor bookable; the next one still is.
    let now = listed(base, "property", &day).await;
    assert!(!now.contains(&x) && now.contains(&y), "{now:?}");
    assert!(listed(base, "household", &day).await.contains(&h[30]));
    let g = assertion(base, 20, "孙七", "13500000020").await;
    let (st, b) = book(base, &g, "property", &x).await;
    assert_eq!((st, b["error"].as_str()), (409, Some("slot_closed")), "{b}");
    // The day view marks it closed; the list and the audit log record it.
    let (_, b) = req(
        base,
        "GET",
        &format!("/desk/day?date={day}&service=property"),
        Some("demo-desk"),
        None,
    )
    .await;
    let s = b["services"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot_start"] == x.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            s["closed"].as_bool(),
            s["cancelled"].as_i64(),
            s["booked"].as_i64()
        ),
        (Some(true), Some(2), Some(0))
    );
    let (st, b) = req(base, "GET", "/admin/closures", Some("demo-admin"), None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["closures"][0]["reason"], "系统故障");
    assert_eq!(b["closures"][0]["cancelled"], 2);
    let (st, _) = req(base, "GET", "/admin/closures", Some("demo-desk"), None).await;
    assert_eq!(st, 403);
    let (_, audit) = req(base, "GET", "/admin/audit", Some("demo-admin"), None).await;
    assert!(audit.to_string().contains("\"close\""), "{audit}");

    // The whole day, every service: the rest is cancelled and nothing is offered.
    let (st, b) = close(
        json!({"date": day, "service": null, "slot_start": null, "reason": "停电"}),
        "demo-admin",
    )
    .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["cancelled"], 2, "{b}");
    for s in ["property", "household"] {
        assert!(listed(base, s, &day).await.is_empty(), "{s} still offered");
    }
    let (_, b) = desk(base, &format!("code={f}")).await;
    assert_eq!(b["appointments"][0]["cancel_reason"], "停电");
}

/// Bookings race a closure of their slot: whatever the interleaving, none ends booked in
/// the closed slot, and every booking that got in before it was cancelled by it.
pub(super) async fn race_story(base: &str) {
    let day = shanghai_day(4);
    let slots = listed(base, "property", &day).await;
    let mut toks = Vec::new();
    for n in 100..124 {
        toks.push(assertion(base, n, "周八", "13300000000").await);
    }
    for round in 0..3usize {
        let slot = slots[10 + round].clone();
        let mut tasks = Vec::new();
        for (i, t) in toks[round * 8..round * 8 + 8].iter().enumerate() {
            let (b, t, s) = (base.to_string(), t.clone(), slot.clone());
            tasks.push(tokio::spawn(async move {
                if i % 2 == 1 {
                    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
                }
                book(&b, &t, "property", &s).await
            }));
        }
        let body = json!({"date": day, "service": "property", "slot_start": &slot[11..16], "reason": "race"});
        let closing = req(
            base,
            "POST",
            "/admin/closures",
            Some("demo-admin"),
            Some(body),
        )
        .await;
        assert_eq!(closing.0, 201, "{}", closing.1);
        let mut ok = 0;
        for t in tasks {
            let (st, b) = t.await.unwrap();
            match st {
                201 => ok += 1,
                409 => assert_eq!(b["error"], "slot_closed", "{b}"),
                _ => panic!("unexpected {st} {b}"),
            }
        }
        let (_, b) = req(
            base,
            "GET",
            &format!("/desk/day?date={day}&service=property"),
            Some("demo-desk"),
            None,
        )
        .await;
        let s = b["services"][0]["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slot_start"] == slot.as_str())
            .unwrap()
            .clone();
        assert_eq!(s["booked"], 0, "nobody booked in a closed slot: {s}");
        assert_eq!(s["active"], 0, "{s}");
        assert_eq!(s["cancelled"].as_i64(), Some(ok), "{s}");
        assert_eq!(closing.1["cancelled"].as_i64(), Some(ok), "{}", closing.1);
    }
}
