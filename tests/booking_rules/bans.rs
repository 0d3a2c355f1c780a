//! The ban rules: no-shows over the rolling period, the false-information streak, bans
//! by hand and lifting.

use super::*;
use hallq_controller::sweep::sweep_no_shows;

/// The ban in force on person `n`, if any.
async fn ban_of(h: &RulesHall, n: u32) -> Option<Value> {
    let masked = hallq_idcard::mask_id_number(&id_number(n));
    h.bans()
        .await
        .into_iter()
        .find(|b| b["id_masked"] == masked.as_str())
}

fn assert_banned(st: u16, b: &Value, until: &str) {
    assert_eq!((st, b["error"].as_str()), (403, Some("banned")), "{b}");
    assert_eq!(b["until"], until, "{b}");
}

/// Person `n` books 09:00 of `day` and does not come: the sweep an hour after the slot
/// records the no-show.
async fn miss(h: &RulesHall, n: u32, day: &str) {
    h.at(&format!("{day}T08:00:00+08:00"));
    h.booked(n, &format!("{day}T09:00:00+08:00")).await;
    h.at(&format!("{day}T10:00:00+08:00"));
    assert_eq!(sweep_no_shows(&h.state).await.unwrap(), 1, "{day}");
}

/// The 3rd no-show bans for 3 months from that day; the ban is in force one second before
/// its end day and over at its start; the no-shows it was given for never count again.
pub async fn no_shows_ban_and_the_ban_ends(h: &RulesHall) {
    let n = 10;
    miss(h, n, "2027-03-01").await;
    miss(h, n, "2027-03-08").await;
    assert!(ban_of(h, n).await.is_none(), "two no-shows: no ban");
    // Still free to book (and to cancel in time, which is no no-show).
    let code = h.booked(n, "2027-03-09T09:00:00+08:00").await;
    h.at("2027-03-09T08:59:59+08:00");
    h.cancel(n, &code).await;
    miss(h, n, "2027-03-15").await;
    let ban = ban_of(h, n).await.expect("banned at the 3rd no-show");
    assert_eq!(ban["until"], "2027-06-15", "{ban}");
    assert!(ban["reason"].as_str().unwrap().contains("爽约"), "{ban}");
    let (st, b) = h.book(n, "2027-03-16T09:00:00+08:00").await;
    assert_banned(st, &b, "2027-06-15");

    h.at("2027-06-14T23:59:59+08:00");
    let (st, b) = h.book(n, "2027-06-15T09:00:00+08:00").await;
    assert_banned(st, &b, "2027-06-15");
    h.at("2027-06-15T00:00:00+08:00");
    h.booked(n, "2027-06-15T09:00:00+08:00").await;
    // One more no-show after the ban is the first of a new count.
    h.at("2027-06-15T10:00:00+08:00");
    assert_eq!(sweep_no_shows(&h.state).await.unwrap(), 1);
    assert!(
        ban_of(h, n).await.is_none(),
        "no-shows before the ban counted again"
    );
}

/// No-shows count over the last 6 months: three spread over 8 months do not ban; a
/// fourth within 6 months of the 2nd and 3rd does.
pub async fn no_shows_count_over_the_period(h: &RulesHall) {
    let n = 11;
    miss(h, n, "2027-03-01").await;
    miss(h, n, "2027-07-01").await;
    miss(h, n, "2027-11-01").await;
    assert!(
        ban_of(h, n).await.is_none(),
        "the no-show of March is older than 6 months in November"
    );
    miss(h, n, "2027-12-01").await;
    let ban = ban_of(h, n).await.expect("3 no-shows within 6 months");
    assert_eq!(ban["until"], "2028-03-01", "{ban}");
}

async fn clerk(h: &RulesHall, action: &str) -> (u16, Value) {
    h.req(
        "POST",
        &format!("/windows/1/{action}"),
        Some("demo-clerk-1"),
        None,
    )
    .await
}

/// Person `n` books one slot per letter of `seq` on 2027-03-02 (09:00, 09:30 …); at each
/// slot they check in and window 1 calls them. F: the clerk marks false information;
/// T: the clerk starts and finishes (served); N: left called, closed by the next call
/// without being started. Returns the `banned` answers of the marks in order.
async fn at_the_window(h: &RulesHall, n: u32, seq: &str) -> Vec<bool> {
    h.at("2027-03-02T07:00:00+08:00");
    let mut booked = Vec::new();
    for i in 0..seq.len() {
        let m = 9 * 60 + 30 * i;
        let slot = format!("2027-03-02T{:02}:{:02}:00+08:00", m / 60, m % 60);
        let before = format!(
            "2027-03-02T{:02}:{:02}:00+08:00",
            (m - 10) / 60,
            (m - 10) % 60
        );
        booked.push((before, h.booked(n, &slot).await));
    }
    let mut marks = Vec::new();
    for ((before, code), what) in booked.iter().zip(seq.chars()) {
        h.at(before);
        let (st, b) = h
            .req(
                "POST",
                "/checkins",
                Some("demo-kiosk"),
                Some(json!({"code": code})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        let number = b["ticket"]["number"].clone();
        let (st, b) = clerk(h, "call-next").await;
        assert_eq!((st, &b["ticket"]["number"]), (200, &number), "{b}");
        match what {
            'F' => {
                let (st, b) = clerk(h, "false-info").await;
                assert_eq!(st, 200, "{b}");
                marks.push(b["banned"].as_bool().unwrap());
            }
            'T' => {
                for action in ["start", "finish"] {
                    let (st, b) = clerk(h, action).await;
                    assert_eq!(st, 200, "{action}: {b}");
                }
            }
            _ => {}
        }
    }
    marks
}

/// F-F-T-F-F-F: the served (truthful) ticket breaks the streak, the 3rd consecutive mark
/// after it bans for a month; a ticket is marked once.
pub async fn false_info_streak(h: &RulesHall) {
    let n = 20;
    let marks = at_the_window(h, n, "FFTFFF").await;
    assert_eq!(marks, [false, false, false, false, true], "F-F-T-F-F-F");
    let (st, b) = clerk(h, "false-info").await;
    assert_eq!(
        (st, b["error"].as_str()),
        (409, Some("already_marked")),
        "{b}"
    );
    assert!(
        b["message"].as_str().unwrap().contains("已标记为信息不实"),
        "{b}"
    );
    let ban = ban_of(h, n).await.expect("banned");
    assert_eq!(ban["until"], "2027-04-02", "{ban}");
    let (st, b) = h.book(n, "2027-03-03T09:00:00+08:00").await;
    assert_banned(st, &b, "2027-04-02");
}

/// F-F-N-F: a ticket called and closed without being started says nothing about the
/// person's information: the streak goes on and the 3rd mark bans.
pub async fn never_started_ticket_keeps_the_streak(h: &RulesHall) {
    let n = 21;
    let marks = at_the_window(h, n, "FFNF").await;
    assert_eq!(marks, [false, false, true], "F-F-N-F");
    assert!(ban_of(h, n).await.is_some());
}

/// An admin bans by hand (201, the ban as the list shows it, audited without the ID
/// number); the person cannot book; lifted, they book at once. Bad input is refused
/// with the contract's errors.
pub async fn ban_by_hand_and_lift(h: &RulesHall) {
    let n = 30;
    h.at("2027-03-01T08:00:00+08:00");
    let id = id_number(n);
    let body = json!({"id_number": id, "reason": "冒用他人身份预约", "until": "2027-04-01"});
    let (st, b) = h
        .req(
            "POST",
            "/admin/bans",
            Some("demo-clerk-1"),
            Some(body.clone()),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (403, Some("forbidden")), "{b}");
    let (st, b) = h
        .req("POST", "/admin/bans", Some("demo-admin"), Some(body))
        .await;
    assert_eq!(st, 201, "{b}");
    let ban = b["ban"].clone();
    assert_eq!(ban["id_masked"], hallq_idcard::mask_id_number(&id), "{ban}");
    assert_eq!(ban["until"], "2027-04-01", "{ban}");
    assert_eq!(ban["reason"], "冒用他人身份预约", "{ban}");
    assert_eq!(
        ban_of(h, n).await.as_ref(),
        Some(&ban),
        "listed as answered"
    );
    assert!(!b.to_string().contains(&id), "{b}");
    let (st, b) = h.book(n, "2027-03-02T09:00:00+08:00").await;
    assert_banned(st, &b, "2027-04-01");
    assert!(
        b["message"].as_str().unwrap().contains("冒用他人身份预约"),
        "{b}"
    );
    let (_, audit) = h.req("GET", "/admin/audit", Some("demo-admin"), None).await;
    let row = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "ban")
        .cloned()
        .expect("audited");
    assert_eq!(
        (&row["actor"], &row["subject"]),
        (&json!("admin"), &json!(ban["id"].to_string()))
    );
    assert!(!audit.to_string().contains(&id), "{audit}");

    let (st, b) = h
        .req(
            "POST",
            &format!("/admin/bans/{}/lift", ban["id"]),
            Some("demo-admin"),
            Some(json!({"reason": "核实无误"})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    h.booked(n, "2027-03-02T09:00:00+08:00").await;

    let bad = |id: &str, reason: &str, until: &str| json!({"id_number": id, "reason": reason, "until": until});
    let wrong_check = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    for (body, code) in [
        (bad(&wrong_check, "x", "2027-04-01"), "invalid_id_number"),
        (bad(&id, "", "2027-04-01"), "invalid_reason"),
        (bad(&id, "   ", "2027-04-01"), "invalid_reason"),
        (bad(&id, &"长".repeat(201), "2027-04-01"), "invalid_reason"),
        (bad(&id, "x", "2027-03-01"), "invalid_until"),
        (bad(&id, "x", "2027-3-05"), "invalid_until"),
        (bad(&id, "x", "2027-02-30"), "invalid_until"),
        (bad(&id, "x", "2037-03-02"), "invalid_until"),
        (json!({"id_number": id, "reason": "x"}), "invalid_body"),
        (
            json!({"id_number": id, "reason": "x", "until": "2027-04-01", "by": "me"}),
            "invalid_body",
        ),
        (json!([id, "x", "2027-04-01"]), "invalid_body"),
    ] {
        let (st, b) = h
            .req(
                "POST",
                "/admin/bans",
                Some("demo-admin"),
                Some(body.clone()),
            )
            .await;
        assert_eq!((st, b["error"].as_str()), (422, Some(code)), "{body}: {b}");
        assert!(
            !b["message"]
                .as_str()
                .unwrap_or("")
                .contains(&wrong_check[..17]),
            "{b}"
        );
    }
    let r = reqwest::Client::new()
        .post(format!("{}/admin/bans", h.base))
        .bearer_auth("demo-admin")
        .header("content-type", "application/json")
        .body("{\"id_number\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"], "bad_json", "{b}");
    assert!(
        ban_of(h, n).await.is_none(),
        "nothing banned by the refusals"
    );
    // The ends allowed: tomorrow, and ten years on.
    for (who, until) in [(31, "2027-03-02"), (32, "2037-03-01")] {
        let body = bad(&id_number(who), "x", until);
        let (st, b) = h
            .req("POST", "/admin/bans", Some("demo-admin"), Some(body))
            .await;
        assert_eq!((st, &b["ban"]["until"]), (201, &json!(until)), "{b}");
    }
}
