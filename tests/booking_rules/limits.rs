//! "同一用户每天只能预约2次": booking acts per calendar day of the booking moment
//! (cancelled ones count), active appointments per appointment day.

use super::*;

fn refused_daily(st: u16, b: &Value, words: &str) {
    assert_eq!((st, b["error"].as_str()), (409, Some("daily_limit")), "{b}");
    assert!(b["message"].as_str().unwrap().contains(words), "{b}");
}

/// The 2nd booking of a day passes and the 3rd is refused; the next calendar day (the
/// hall's midnight) books again; book → cancel → book → cancel → book is stopped at the
/// 3rd act although nothing is active.
pub async fn two_bookings_a_day(h: &RulesHall) {
    h.at("2027-03-01T08:00:00+08:00");
    h.booked(1, "2027-03-02T09:00:00+08:00").await;
    h.booked(1, "2027-03-03T09:00:00+08:00").await;
    let (st, b) = h.book(1, "2027-03-04T09:00:00+08:00").await;
    refused_daily(st, &b, "每天只能预约2次");
    h.at("2027-03-01T23:59:59+08:00");
    let (st, b) = h.book(1, "2027-03-04T09:00:00+08:00").await;
    refused_daily(st, &b, "每天只能预约2次");
    h.at("2027-03-02T00:00:00+08:00");
    h.booked(1, "2027-03-04T09:00:00+08:00").await;

    h.at("2027-03-03T08:00:00+08:00");
    let slot = "2027-03-05T10:00:00+08:00";
    let first = h.booked(2, slot).await;
    h.cancel(2, &first).await;
    let second = h.booked(2, slot).await;
    h.cancel(2, &second).await;
    let (st, b) = h.book(2, slot).await;
    refused_daily(st, &b, "取消的预约也计算在内");
    // Someone else is not affected.
    h.booked(3, slot).await;
}

/// At most 2 active appointments on one appointment day (with 5 bookings a day
/// allowed): the 3rd on that day is refused, another day is fine, a cancel frees a place
/// on the day; the 6th booking act of the day is refused.
pub async fn active_per_day(h: &RulesHall) {
    h.at("2027-03-01T08:00:00+08:00");
    let first = h.booked(4, "2027-03-02T09:00:00+08:00").await;
    h.booked(4, "2027-03-02T09:30:00+08:00").await;
    let (st, b) = h.book(4, "2027-03-02T10:00:00+08:00").await;
    refused_daily(st, &b, "该日已有2个预约");
    h.booked(4, "2027-03-03T10:00:00+08:00").await;
    h.cancel(4, &first).await;
    h.booked(4, "2027-03-02T10:00:00+08:00").await;
    // Acts today: 4 made (the refused one undone); the 5th passes, the 6th is refused.
    h.booked(4, "2027-03-04T10:00:00+08:00").await;
    let (st, b) = h.book(4, "2027-03-05T10:00:00+08:00").await;
    refused_daily(st, &b, "每天只能预约5次");
}

/// Fires `slots` bookings of person `n` at once, spread over `halls`; returns how many
/// were booked (every other answer must be 409 `daily_limit`).
async fn at_once(halls: &[&RulesHall], n: u32, slots: &[String]) -> usize {
    let mut tokens = Vec::new();
    for _ in slots {
        tokens.push(halls[0].assertion(n).await);
    }
    let mut tasks = Vec::new();
    for (i, (slot, token)) in slots.iter().zip(tokens).enumerate() {
        let base = halls[i % halls.len()].base.clone();
        let slot = slot.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"service": "property", "slot_start": slot, "agree_notice": true});
            req(&base, "POST", "/appointments", Some(&token), Some(body)).await
        }));
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
    ok
}

/// One person's concurrent bookings never pass a limit (3 acts a day, 2 active on one
/// day), whichever controller takes them.
pub async fn concurrent(halls: &[&RulesHall]) {
    for h in halls {
        h.at("2027-03-01T08:00:00+08:00");
    }
    // Eight slots over six days (no day gets three): the acts limit decides.
    let spread: Vec<String> = (0..8)
        .map(|i| format!("2027-03-0{}T{:02}:00:00+08:00", 2 + i % 6, 9 + i))
        .collect();
    assert_eq!(at_once(halls, 7, &spread).await, 3, "3 bookings a day");
    // Eight slots of one day: the active limit decides.
    let one_day: Vec<String> = (0..8)
        .map(|i| format!("2027-03-02T{:02}:00:00+08:00", 9 + i))
        .collect();
    assert_eq!(at_once(halls, 8, &one_day).await, 2, "2 active on one day");
    let (st, b) = halls[0].book(8, "2027-03-03T09:00:00+08:00").await;
    assert_eq!(st, 201, "a third act on another day: {b}");
    let (st, b) = halls[halls.len() - 1]
        .book(8, "2027-03-04T09:00:00+08:00")
        .await;
    refused_daily(st, &b, "每天只能预约3次");
}
