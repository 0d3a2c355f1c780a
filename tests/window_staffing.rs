//! Window state follows people (issue 18): a window is closed until a clerk signs in there
//! or acts there with a window token, closed again at sign-out (unless another session is
//! live there), when the session expires, and at closing time; the snapshot, the retained
//! MQTT state and the wait estimate count only open windows.
//!
//! The closing time and session expiry run in a hall served in this process with the
//! clock the test sets, on SQLite and on PostgreSQL; sign-in, sign-out, screens' MQTT and
//! estimates run against the real binary with its embedded broker.

#[macro_use]
mod common;

use common::in_process::InProcessHall;
use common::*;
use hallq_controller::sweep::close_unstaffed_windows;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Window id → status, as GET /snapshot shows them.
async fn statuses(base: &str) -> BTreeMap<String, String> {
    let (st, b) = req(base, "GET", "/snapshot", Some("demo-display"), None).await;
    assert_eq!(st, 200, "{b}");
    b["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["id"].as_str().unwrap().to_string(),
                w["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn status_of(base: &str, w: &str) -> String {
    statuses(base).await[w].clone()
}

/// Signs the demo clerk in at window `w`, taking over a session live there (one per
/// window); returns (token, session id).
async fn sign_in(base: &str, w: &str) -> (String, i64) {
    let body =
        json!({"username": "clerk", "password": "demo-clerk", "window": w, "takeover": true});
    let (st, b) = req(base, "POST", "/auth/sign-in", None, Some(body)).await;
    assert_eq!(st, 200, "{b}");
    (
        b["token"].as_str().unwrap().to_string(),
        b["session"].as_i64().unwrap(),
    )
}

async fn sign_out(base: &str, token: &str) {
    let (st, b) = req(base, "POST", "/auth/sign-out", Some(token), None).await;
    assert_eq!(st, 200, "{b}");
}

/// (people ahead, estimated wait) of a ticket, as its holder's phone reads them.
async fn wait_of(base: &str, ticket: &Value) -> (i64, Value) {
    let path = format!("/tickets/{}", ticket["token"].as_str().unwrap());
    let (st, b) = req(base, "GET", &path, None, None).await;
    assert_eq!((st, b["status"].as_str()), (200, Some("waiting")), "{b}");
    (
        b["people_ahead"].as_i64().unwrap(),
        b["estimated_wait_s"].clone(),
    )
}

/// The next `windows/{w}` state on the hall's topics.
async fn window_message(sub: &mut Sub, hall: &Hall, w: &str, status: &str) -> bool {
    let topic = format!("{}windows/{w}", hall.root());
    sub.wait(10, |t, v| t == topic && v["status"] == status)
        .await
        .is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_opens_and_sign_out_closes_on_snapshot_mqtt_and_estimates() {
    let hall = Hall::start(HallOpts::default()).await;
    let base = hall.base.clone();

    // A fresh hall: nobody works anywhere, every window is closed.
    let all = statuses(&base).await;
    assert!(!all.is_empty());
    assert!(all.values().all(|s| s == "closed"), "{all:?}");

    // Three people wait for property (windows 1, 2, 3 and 10 serve it); with no window
    // open, the third is told where they stand but no made-up wait.
    let t = hall.tickets("property", 3).await;
    assert_eq!(wait_of(&base, &t[2]).await, (2, Value::Null));

    // A clerk signs in at window 1: it opens on the snapshot and on MQTT (retained), and
    // the estimate divides by one open window.
    let mut sub = Sub::display(hall.mqtt_port, &hall.root()).await;
    let (a, _) = sign_in(&base, "1").await;
    assert!(window_message(&mut sub, &hall, "1", "open").await);
    assert_eq!(status_of(&base, "1").await, "open");
    assert_eq!(status_of(&base, "2").await, "closed");
    let mut late = Sub::connect(
        "127.0.0.1",
        hall.mqtt_port,
        Some(("display", "demo-display")),
        &format!("{}windows/1", hall.root()),
    )
    .await;
    let (_, retained, v) = late
        .wait(10, |_, _| true)
        .await
        .expect("retained windows/1");
    assert!(retained);
    assert_eq!(v["status"], "open", "{v}");
    assert_eq!(wait_of(&base, &t[2]).await, (2, json!(2 * 180)));

    // A second window opens: the same queue drains twice as fast.
    let (b, b_session) = sign_in(&base, "2").await;
    assert!(window_message(&mut sub, &hall, "2", "open").await);
    assert_eq!(wait_of(&base, &t[2]).await, (2, json!(180)));

    // A second sign-in at window 1 takes the first session over: the window stays open,
    // the first token is ended; the remaining session's sign-out closes it.
    let (a2, _) = sign_in(&base, "1").await;
    assert_eq!(status_of(&base, "1").await, "open");
    let (st, _) = req(&base, "GET", "/me", Some(&a), None).await;
    assert_eq!(st, 401, "taken over");
    sign_out(&base, &a2).await;
    assert!(window_message(&mut sub, &hall, "1", "closed").await);
    assert_eq!(status_of(&base, "1").await, "closed");
    assert_eq!(wait_of(&base, &t[2]).await, (2, json!(2 * 180)));

    // An admin ends the session at window 2: it closes, and no estimate is left.
    let path = format!("/admin/sessions/{b_session}/end");
    let (st, body) = req(&base, "POST", &path, Some("demo-admin"), None).await;
    assert_eq!(st, 200, "{body}");
    assert!(window_message(&mut sub, &hall, "2", "closed").await);
    let (st, _) = req(&base, "GET", "/me", Some(&b), None).await;
    assert_eq!(st, 401, "the ended session no longer acts");
    assert_eq!(wait_of(&base, &t[2]).await, (2, Value::Null));

    // A window token's call-next at closed window 3 opens it and calls the first ticket.
    let (st, body) = hall.act("3", "call-next", None).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["ticket"]["number"], t[0]["number"]);
    assert_eq!(body["window"]["status"], "open");
    assert!(window_message(&mut sub, &hall, "3", "open").await);
    // Window 3 is busy with the first for about one service time, then calls the second,
    // then the third (the estimate counts the ticket in progress: about 2 × 180 s, a few
    // tenths of a second less for the time the call has already taken).
    let (ahead, wait) = wait_of(&base, &t[2]).await;
    assert_eq!(ahead, 1);
    assert!((350..=360).contains(&wait.as_i64().unwrap()), "{wait}");

    // Call-next with nobody waiting still opens the window: the clerk is there.
    let (st, body) = hall.act("4", "call-next", None).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (404, Some("queue_empty")),
        "{body}"
    );
    assert_eq!(status_of(&base, "4").await, "open");
    // Any other refused action changes nothing: the window stays closed.
    let (st, body) = hall.act("5", "recall", None).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (409, Some("no_current_ticket")),
        "{body}"
    );
    assert_eq!(status_of(&base, "5").await, "closed");
}

/// Tuesday 1 December 2026 in the hall's zone.
fn at(hm: &str) -> String {
    format!("2026-12-01T{hm}:00+08:00")
}

/// The demo hall closing at 17:30 every day (instead of open around the clock), its
/// bookings too (`config check` refuses slots after the hall closes): every
/// `close = "24:00"` of the demo, one edit each.
fn office_hours() -> Vec<(&'static str, String)> {
    let n = include_str!("../config/examples/demo-hall.toml")
        .matches("close = \"24:00\"")
        .count();
    vec![("close = \"24:00\"", "close = \"17:30\"".into()); n]
}

/// The sweep's window closing at `when`; the windows it closed, in order.
async fn sweep(h: &InProcessHall, when: &str) -> Vec<String> {
    h.at(when);
    let mut closed = close_unstaffed_windows(&h.state).await.unwrap();
    closed.sort();
    closed
}

async fn closing_time_story(h: &InProcessHall) {
    h.at(&at("10:00"));
    let (st, b) = h
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let t = b["ticket"].clone();
    let (st, b) = h
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let t2 = b["ticket"].clone();
    let (st, b) = h
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "household"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let held = b["ticket"].clone();
    // Window 1 by its window token, window 2 by a signed-in clerk, window 3 pausing.
    let (st, b) = h
        .req("POST", "/windows/1/resume", Some("demo-clerk-1"), None)
        .await;
    assert_eq!(
        (st, b["window"]["status"].as_str()),
        (200, Some("open")),
        "{b}"
    );
    sign_in(&h.base, "2").await;
    let (st, b) = h
        .req("POST", "/windows/3/pause", Some("demo-clerk-3"), None)
        .await;
    assert_eq!(
        (st, b["window"]["status"].as_str()),
        (200, Some("paused")),
        "{b}"
    );
    // Two windows open and free: both tickets are called at once.
    assert_eq!(wait_of(&h.base, &t2).await, (1, json!(0)));

    // Before closing time nothing closes; at closing time every open or paused window does,
    // once (a second sweep, or a second controller, finds nothing more to close).
    // A window holding a call stays open: the citizen called at 17:29 still sees where.
    assert_eq!(sweep(h, &at("17:29")).await, Vec::<String>::new());
    let (st, b) = h
        .req("POST", "/windows/4/call-next", Some("demo-clerk-4"), None)
        .await;
    assert_eq!((st, &b["ticket"]["number"]), (200, &held["number"]), "{b}");
    assert_eq!(sweep(h, &at("17:30")).await, ["1", "2", "3"]);
    assert_eq!(sweep(h, &at("17:31")).await, Vec::<String>::new());
    let all = statuses(&h.base).await;
    assert!(
        all.iter()
            .all(|(w, s)| s == if w == "4" { "open" } else { "closed" }),
        "{all:?}"
    );
    assert_eq!(wait_of(&h.base, &t2).await, (1, Value::Null));
    let (_, audit) = h.req("GET", "/admin/audit", Some("demo-admin"), None).await;
    let closings = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "window_closed" && a["actor"] == "system")
        .count();
    assert_eq!(closings, 3, "{audit}");

    // Clerks still call the rest of the queue after closing: acting reopens the window.
    h.at(&at("17:40"));
    let (st, b) = h
        .req("POST", "/windows/1/call-next", Some("demo-clerk-1"), None)
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["ticket"]["number"], t["number"]);
    assert_eq!(b["window"]["status"], "open");
    // Next, once window 1 (the only one open for property) has served the first.
    assert_eq!(wait_of(&h.base, &t2).await, (0, json!(180)));
    assert_eq!(sweep(h, &at("17:45")).await, Vec::<String>::new());
    assert_eq!(status_of(&h.base, "1").await, "open");
    h.at(&at("17:50"));
    let (st, b) = h
        .req("POST", "/windows/1/no-show", Some("demo-clerk-1"), None)
        .await;
    assert_eq!(st, 200, "{b}");
    // Nobody signs it out (a window token has no session): it is closed by the next day.
    // Window 4, still holding yesterday's call, is left to its clerk.
    assert_eq!(sweep(h, "2026-12-02T00:00:30+08:00").await, ["1"]);
}

on_both!(
    closing_time_closes_windows_and_a_call_after_closing_reopens_sqlite,
    closing_time_closes_windows_and_a_call_after_closing_reopens_pg,
    closing_time_story,
    office_hours()
);

/// Sessions of an hour.
fn hour_sessions() -> Vec<(&'static str, String)> {
    vec![("session_minutes = 720", "session_minutes = 60".into())]
}

async fn session_expiry_story(h: &InProcessHall) {
    h.at(&at("09:00"));
    sign_in(&h.base, "1").await;
    h.at(&at("09:30"));
    sign_in(&h.base, "1").await; // a second clerk takes window 1 over, until 10:30
    sign_in(&h.base, "2").await; // until 10:30
    h.at(&at("09:45"));
    let (c, _) = sign_in(&h.base, "5").await; // until 10:45
    assert_eq!(status_of(&h.base, "5").await, "open");
    // Window 5's clerk pauses: a paused window is still staffed, and a sign-in there
    // does not resume it.
    let pause = json!({"reason": "午休"});
    let (st, b) = h
        .req("POST", "/windows/5/pause", Some(&c), Some(pause))
        .await;
    assert_eq!(st, 200, "{b}");
    sign_in(&h.base, "5").await;
    assert_eq!(status_of(&h.base, "5").await, "paused");

    // 10:05: the first session at window 1 would have expired anyway, the second is live.
    assert_eq!(sweep(h, &at("10:05")).await, Vec::<String>::new());
    assert_eq!(status_of(&h.base, "1").await, "open");
    // 10:31: both sessions at windows 1 and 2 have expired; window 5's are live.
    assert_eq!(sweep(h, &at("10:31")).await, ["1", "2"]);
    assert_eq!(status_of(&h.base, "5").await, "paused");
    assert_eq!(sweep(h, &at("10:46")).await, ["5"]);
}

on_both!(
    session_expiry_closes_its_window_unless_another_session_is_live_sqlite,
    session_expiry_closes_its_window_unless_another_session_is_live_pg,
    session_expiry_story,
    hour_sessions()
);

/// Two controllers on one PostgreSQL database sweep at the same moment: each window is
/// closed once, by one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_controllers_close_each_window_once() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "two controllers sweeping") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let a = InProcessHall::start(Some(&db.url), &office_hours()).await;
    let b = a.replica().await;
    a.at(&at("10:00"));
    for w in ["1", "2", "3", "4", "5", "6"] {
        let path = format!("/windows/{w}/resume");
        let (st, body) = a
            .req("POST", &path, Some(&format!("demo-clerk-{w}")), None)
            .await;
        assert_eq!(st, 200, "{body}");
    }
    a.at(&at("17:31"));
    b.at(&at("17:31"));
    let (x, y) = tokio::join!(
        close_unstaffed_windows(&a.state),
        close_unstaffed_windows(&b.state)
    );
    let mut closed: Vec<String> = x.unwrap().into_iter().chain(y.unwrap()).collect();
    closed.sort();
    assert_eq!(closed, ["1", "2", "3", "4", "5", "6"]);
    drop((a, b));
    db.drop_db().await;
}
