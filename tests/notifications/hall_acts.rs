//! The hall's own acts reach the citizen: an admin closing the booked slot sends
//! `cancelled_by_hall` with the booking's code and the closure's reason; a ban by hand
//! sends `banned` with its reason and the day booking works again.

use super::*;

/// Every event the receiver got, as JSON, once `want` types have all arrived.
async fn events_of(got: &Requests, want: &[&str], hall: &Hall) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let evs: Vec<Value> = got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_str(b).unwrap())
            .collect();
        if want.iter().all(|t| evs.iter().any(|e| e["type"] == *t)) {
            return evs;
        }
        assert!(
            Instant::now() < deadline,
            "missing one of {want:?} in {evs:?}: {}",
            hall.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(super) async fn closing_and_banning_reach_the_citizen(database: Option<&str>) {
    let port = free_port();
    let (got, server) = receiver(port).await;
    let hall = Hall::start(webhook_hall(port, database)).await;
    let (code, slot) = book_once(&hall).await;

    // The hall closes the booked slot: the booking is cancelled, the citizen told why.
    let body = json!({"date": &slot[..10], "service": "property", "slot_start": &slot[11..16],
                      "reason": "系统维护，暂停预约"});
    let (st, b) = hall
        .req("POST", "/admin/closures", Some("demo-admin"), Some(body))
        .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["cancelled"], 1, "{b}");

    // A ban by hand.
    let until = (chrono::Utc::now() + chrono::Duration::days(40))
        .format("%Y-%m-%d")
        .to_string();
    let body = json!({"id_number": id_number(), "reason": "冒用他人身份预约", "until": until});
    let (st, b) = hall
        .req("POST", "/admin/bans", Some("demo-admin"), Some(body))
        .await;
    assert_eq!(st, 201, "{b}");

    let evs = events_of(&got, &["cancelled_by_hall", "banned"], &hall).await;
    let one = |t: &str| -> Value {
        let of: Vec<&Value> = evs.iter().filter(|e| e["type"] == t).collect();
        assert_eq!(of.len(), 1, "{t}: {evs:?}");
        of[0].clone()
    };
    let cancelled = one("cancelled_by_hall");
    assert_eq!(cancelled["code"], code.as_str());
    assert_eq!(cancelled["reason"], "系统维护，暂停预约");
    assert_eq!(cancelled["slot_start"], slot.as_str());
    let banned = one("banned");
    assert_eq!(banned["reason"], "冒用他人身份预约");
    assert_eq!(banned["until"], until.as_str());
    assert_eq!(banned["citizen"]["provider"], "dev");
    for e in &evs {
        assert!(
            !e.to_string().contains(&id_number()),
            "clear ID number in {e}"
        );
    }
    server.abort();
}
