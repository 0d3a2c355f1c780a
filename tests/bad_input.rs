//! Bad input gets a 4xx with the contract's error body and changes nothing.

mod common;
use common::*;
use serde_json::{json, Value};

#[path = "bad_input/cases.rs"]
mod cases;

/// Raw request, for bodies that are not JSON.
async fn raw(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    ctype: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut r = client
        .request(method.parse().unwrap(), format!("{base}{path}"))
        .body(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(c) = ctype {
        r = r.header("content-type", c);
    }
    let resp = r.send().await.unwrap();
    let st = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        st,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// What a user can see of the hall's state: the snapshot, without its clock.
async fn state(hall: &Hall) -> Value {
    let (_, mut s) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    s.as_object_mut().unwrap().remove("at");
    s
}

#[tokio::test]
async fn every_bad_request_is_a_clean_4xx_that_changes_nothing() {
    let hall = Hall::start(HallOpts::default()).await;
    hall.ticket("property").await;
    hall.ticket("consult").await;
    let (st, _) = hall.act("1", "call-next", None).await; // window 1 holds A001 (called)
    assert_eq!(st, 200);
    let before = state(&hall).await;
    let cases = cases::all();
    let mut failures = Vec::new();
    for (name, method, path, token, ctype, body, want_status, want_code) in cases {
        let (st, b) = raw(&hall.base, method, path, token, ctype, body).await;
        let ok = st == want_status
            && b["error"] == want_code
            && b["message"].as_str().is_some_and(|m| !m.is_empty());
        if !ok {
            failures.push(format!(
                "{name}: got {st} {b}, want {want_status} {want_code}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        state(&hall).await,
        before,
        "a refused request changed the hall"
    );
    // Paused window cannot call, and the refusal changes nothing either.
    assert_eq!(hall.act("2", "pause", None).await.0, 200);
    let paused = state(&hall).await;
    let (st, b) = hall.act("2", "call-next", None).await;
    assert_eq!((st, b["error"].as_str()), (409, Some("window_paused")));
    assert_eq!(state(&hall).await, paused);
    assert!(!hall.log().contains("panicked"), "{}", hall.log());
    let _ = json!({});
}

#[tokio::test]
async fn daily_cap_and_opening_hours() {
    // A cap of 2 and a hall that is never open on the test's weekday are both refused
    // with their own codes.
    let hall = Hall::start(HallOpts {
        edits: vec![("daily_cap = 400", "daily_cap = 2".into())],
        ..Default::default()
    })
    .await;
    hall.ticket("property").await;
    hall.ticket("property").await;
    let (st, b) = hall
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!(
        (st, b["error"].as_str()),
        (409, Some("daily_cap_reached")),
        "{b}"
    );
    drop(hall);

    // Today and tomorrow are holidays (tomorrow too, in case midnight passes meanwhile).
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "holidays = []",
            format!(
                "holidays = [\"{}\", \"{}\"]",
                shanghai_day(0),
                shanghai_day(1)
            ),
        )],
        ..Default::default()
    })
    .await;
    let (st, b) = hall
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (409, Some("hall_closed")), "{b}");
    assert!(
        b["message"].as_str().unwrap().starts_with("节假日休息，"),
        "{b}"
    );
}
