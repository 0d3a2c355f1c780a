//! The hall's real timetable through the HTTP API, with the injected clock, on SQLite and
//! on PostgreSQL (when `HALLQ_TEST_PG_URL` is set): a lunch break (walk-ins refused with
//! "午休中，14:30 开始取号", `/services` closed with the next opening, no slot in the
//! break), Saturday's short hours, a public holiday (walk-ins refused, no slots, closed),
//! a make-up working Sunday (调休: tickets and slots), and closing time with a queue left
//! (the clerk still calls it); an appointment checked in at the kiosk during the lunch
//! break (check-in follows the slot's own window).

#[allow(dead_code, unused_imports)]
mod common;

use axum::body::Body;
use axum::http::{header, Request};
use hallq_controller::identity::Identity;
use hallq_controller::state::AppState;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const KIOSK: &str = "kiosk-secret";
const CLERK: &str = "clerk-secret";

fn config() -> String {
    format!(
        r#"[hall]
id = "h"
name = "测试大厅"
time_zone = "Asia/Shanghai"

[hall.hours]
periods = ["09:00-12:00", "14:30-17:30"]
days = ["mon", "tue", "wed", "thu", "fri"]
sat = ["09:00-12:00"]

[calendar]
holidays = ["2027-03-03"]
workdays = ["2027-03-07"]

[[sections]]
id = "s"
name = "不动产"

[[sections.services]]
id = "property"
name = "不动产登记"
prefix = "A"

[sections.services.booking]
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
open = "09:00"
close = "17:30"
slot_minutes = 30
horizon_days = 14

[[windows]]
id = "w1"
name = "1号窗口"
services = ["property"]

[[credentials]]
name = "kiosk"
role = "kiosk"
token_sha256 = "{}"

[[credentials]]
name = "clerk-1"
role = "clerk"
window = "w1"
token_sha256 = "{}"

[identity]
id_hash_key = "test-key"
dev_provider = true
"#,
        hallq_config::secret::sha256_hex(KIOSK),
        hallq_config::secret::sha256_hex(CLERK)
    )
}

/// `YYYY-MM-DDTHH:MM:SS` in the hall's zone, in ms.
fn at(local: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("{local}+08:00"))
        .unwrap()
        .timestamp_millis()
}

/// A valid GB 11643 ID number for person `n`.
fn id_number(n: u32) -> String {
    let body = format!("11010519900101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

struct Api {
    state: AppState,
    app: axum::Router,
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(a) = auth {
            r = r.header(header::AUTHORIZATION, format!("Bearer {a}"));
        }
        let r = match body {
            Some(b) => r
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => r.body(Body::empty()),
        }
        .unwrap();
        let resp = self.app.clone().oneshot(r).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A walk-in ticket at `local` time: status and body.
    async fn walk_in(&self, local: &str) -> (u16, Value) {
        self.state.set_now(at(local));
        self.call(
            "POST",
            "/tickets",
            Some(KIOSK),
            Some(json!({"service": "property"})),
        )
        .await
    }

    /// The refusal of a walk-in at `local`: its message (the code must be `hall_closed`).
    async fn refused(&self, local: &str) -> String {
        let (st, b) = self.walk_in(local).await;
        assert_eq!(
            (st, b["error"].as_str()),
            (409, Some("hall_closed")),
            "{local}: {b}"
        );
        b["message"].as_str().unwrap().to_string()
    }

    /// `/services`' hall at `local`.
    async fn hall(&self, local: &str) -> Value {
        self.state.set_now(at(local));
        let (st, b) = self.call("GET", "/services", None, None).await;
        assert_eq!(st, 200, "{b}");
        b["hall"].clone()
    }

    /// The slot starts (`HH:MM`) of `date` offered to the booking page.
    async fn slots(&self, date: &str) -> Vec<String> {
        let (st, b) = self
            .call(
                "GET",
                &format!("/appointments/slots?service=property&date={date}"),
                None,
                None,
            )
            .await;
        assert_eq!(st, 200, "{b}");
        b["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["slot_start"].as_str().unwrap()[11..16].to_string())
            .collect()
    }
}

async fn story(db: common::Db) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Arc::new(hallq_config::load_str("t.toml", &config()).expect("config"));
    let identity = Arc::new(Identity::from_config(&cfg, dir.path()).unwrap());
    let store = hallq_controller::store::Store::connect(&db.url)
        .await
        .unwrap();
    store
        .sync_windows(&["w1".to_string()], at("2027-03-01T08:00:00"))
        .await
        .unwrap();
    let state = AppState::new(cfg, store, identity);
    let api = Api {
        app: hallq_controller::api::router(state.clone()),
        state,
    };

    // Monday 1 March 2027: the morning issues tickets, the lunch break does not.
    let (st, b) = api.walk_in("2027-03-01T11:59:00").await;
    assert_eq!(st, 201, "{b}");
    let msg = api.refused("2027-03-01T12:35:00").await;
    assert_eq!(
        msg,
        "午休中，14:30 开始取号 / lunch break: tickets from 14:30"
    );
    let hall = api.hall("2027-03-01T12:35:00").await;
    assert_eq!(hall["open"], false);
    assert_eq!(hall["closed_reason"], "break");
    assert_eq!(hall["opens_at"], "2027-03-01T14:30:00+08:00");
    assert_eq!(hall["closes_at"], Value::Null);
    assert_eq!(hall["status_text"], "午休中，14:30 开始取号");
    assert_eq!(
        hall["hours_text"],
        "周一至周五 09:00–12:00，14:30–17:30；周六 09:00–12:00"
    );
    let (st, b) = api.walk_in("2027-03-01T14:30:00").await;
    assert_eq!(st, 201, "the afternoon period: {b}");
    let hall = api.hall("2027-03-01T14:30:00").await;
    assert_eq!(hall["open"], true);
    assert_eq!(hall["opens_at"], Value::Null);
    assert_eq!(hall["closes_at"], "2027-03-01T17:30:00+08:00");
    // Slots lie inside the periods: none in the break, the grid restarts at 14:30.
    api.state.set_now(at("2027-03-01T07:00:00"));
    let monday = api.slots("2027-03-01").await;
    assert_eq!(monday.len(), 12, "{monday:?}");
    assert_eq!(
        (monday[5].as_str(), monday[6].as_str()),
        ("11:30", "14:30"),
        "{monday:?}"
    );
    // A slot in the break cannot be booked either.
    let (_, a) = api
        .call(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": "测试人", "id_number": id_number(1), "phone": "13800138000"})),
        )
        .await;
    let (st, b) = api
        .call(
            "POST",
            "/appointments",
            a["assertion"].as_str(),
            Some(json!({"service": "property", "slot_start": "2027-03-01T12:30:00+08:00", "agree_notice": true})),
        )
        .await;
    assert_eq!(
        (st, b["error"].as_str()),
        (422, Some("invalid_slot")),
        "a slot in the lunch break: {b}"
    );
    // Booked for 14:30, checked in at the kiosk during the lunch break: check-in follows
    // the slot's own window (from the day's opening until the slot starts), not the
    // walk-in timetable.
    let (st, b) = api
        .call(
            "POST",
            "/appointments",
            a["assertion"].as_str(),
            Some(json!({"service": "property", "slot_start": "2027-03-01T14:30:00+08:00", "agree_notice": true})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    api.state.set_now(at("2027-03-01T12:40:00"));
    let (st, b) = api
        .call(
            "POST",
            "/checkins",
            Some(KIOSK),
            Some(json!({"code": b["appointment"]["code"]})),
        )
        .await;
    assert_eq!(st, 201, "check-in in the lunch break: {b}");
    let appointment_ticket = b["ticket"]["number"].as_str().unwrap().to_string();

    // Closing time with people waiting: no more tickets, but the clerk calls the queue.
    let (st, _) = api.walk_in("2027-03-01T17:29:00").await;
    assert_eq!(st, 201);
    let msg = api.refused("2027-03-01T17:30:00").await;
    assert_eq!(
        msg,
        "今日已停止取号，明天 3月2日（周二）09:00 开始取号 / closed for today: tickets from \
         09:00 tomorrow (Tue 2 Mar)"
    );
    api.state.set_now(at("2027-03-01T18:10:00"));
    let mut called = Vec::new();
    loop {
        let (st, b) = api
            .call("POST", "/windows/w1/call-next", Some(CLERK), None)
            .await;
        if st == 404 {
            assert_eq!(b["error"], "queue_empty", "{b}");
            break;
        }
        assert_eq!(st, 200, "calling after closing: {b}");
        called.push(b["ticket"]["number"].as_str().unwrap().to_string());
        for act in ["start", "finish"] {
            let (st, b) = api
                .call("POST", &format!("/windows/w1/{act}"), Some(CLERK), None)
                .await;
            assert_eq!(st, 200, "{act} after closing: {b}");
        }
    }
    // The appointment ticket checked in at 12:40 is A003, the walk-in of 17:29 A004.
    assert_eq!(appointment_ticket, "A003");
    called.sort();
    assert_eq!(
        called,
        ["A001", "A002", "A003", "A004"],
        "every ticket of the day"
    );

    // Wednesday 3 March is a public holiday.
    let msg = api.refused("2027-03-03T10:00:00").await;
    assert_eq!(
        msg,
        "节假日休息，明天 3月4日（周四）09:00 开始取号 / closed for the public holiday: \
         tickets from 09:00 tomorrow (Thu 4 Mar)"
    );
    let hall = api.hall("2027-03-03T10:00:00").await;
    assert_eq!(
        (&hall["open"], &hall["closed_reason"], &hall["opens_at"]),
        (
            &json!(false),
            &json!("holiday"),
            &json!("2027-03-04T09:00:00+08:00")
        )
    );
    assert!(
        api.slots("2027-03-03").await.is_empty(),
        "no slot on a holiday"
    );
    let (_, day) = api
        .call(
            "GET",
            "/appointments/slots?service=property&date=2027-03-03",
            None,
            None,
        )
        .await;
    assert_eq!(
        (&day["closed"], &day["holiday"]),
        (&json!(true), &json!(true)),
        "the booking page says why: {day}"
    );

    // Saturday 6 March: the morning only; the next opening is the make-up Sunday.
    let (st, b) = api.walk_in("2027-03-06T11:00:00").await;
    assert_eq!(st, 201, "Saturday morning: {b}");
    let msg = api.refused("2027-03-06T12:30:00").await;
    assert!(
        msg.starts_with("今日已停止取号，明天 3月7日（周日）09:00 开始取号"),
        "{msg}"
    );
    api.state.set_now(at("2027-03-06T07:00:00"));
    let saturday = api.slots("2027-03-06").await;
    assert_eq!(
        (saturday.len(), saturday.last().map(String::as_str)),
        (6, Some("11:30"))
    );

    // Sunday 7 March is a make-up working day (调休): a full day, tickets and slots.
    let (st, b) = api.walk_in("2027-03-07T15:00:00").await;
    assert_eq!(st, 201, "a make-up Sunday: {b}");
    api.state.set_now(at("2027-03-07T07:00:00"));
    assert_eq!(api.slots("2027-03-07").await.len(), 12);
    // An ordinary Sunday is closed, and says when the hall opens.
    let msg = api.refused("2027-03-14T10:00:00").await;
    assert!(
        msg.starts_with("今日休息，明天 3月15日（周一）09:00 开始取号"),
        "{msg}"
    );
    api.state.store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timetable_through_the_api_sqlite() {
    common::run_sqlite(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timetable_through_the_api_postgres() {
    common::run_postgres("timetable", story).await;
}
