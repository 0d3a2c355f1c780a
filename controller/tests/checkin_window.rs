//! "预约成功后，请在预约时间段前领取预约号" at its boundaries, through the HTTP API with the
//! injected clock, on SQLite and on PostgreSQL (when `HALLQ_TEST_PG_URL` is set): check-in
//! opens at the hall's opening on the slot's day (early morning for an afternoon slot is
//! fine), one second before the slot starts is fine, at its start it is refused
//! `checkin_closed`; the appointment shows that window; and the no-show is recorded at the
//! slot's start, not a moment before.

#[allow(dead_code, unused_imports)]
mod common;

use axum::body::Body;
use axum::http::{header, Request};
use hallq_controller::identity::Identity;
use hallq_controller::model::AppointmentStatus;
use hallq_controller::state::AppState;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const KIOSK: &str = "kiosk-secret";
/// A Monday.
const DAY: &str = "2027-03-01";

fn config() -> String {
    format!(
        r#"[hall]
id = "h"
name = "测试大厅"
time_zone = "Asia/Shanghai"

[hall.hours]
open = "08:30"
close = "17:30"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[[sections]]
id = "s"
name = "不动产"

[[sections.services]]
id = "property"
name = "不动产登记"
prefix = "A"

[sections.services.booking]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
open = "09:00"
close = "17:00"
slot_minutes = 30
horizon_days = 7

[[windows]]
id = "w1"
name = "1号窗口"
services = ["property"]

[[credentials]]
name = "kiosk"
role = "kiosk"
token_sha256 = "{}"

[identity]
id_hash_key = "test-key"
dev_provider = true
"#,
        hallq_config::secret::sha256_hex(KIOSK)
    )
}

/// `HH:MM:SS` on [`DAY`] in the hall's zone, in ms.
fn at(hms: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("{DAY}T{hms}+08:00"))
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

    /// Person `n` books the slot starting at `hms`: the appointment's JSON.
    async fn book(&self, n: u32, hms: &str) -> Value {
        let (st, a) = self
            .call(
                "POST",
                "/dev/identity",
                None,
                Some(json!({"name": "测试人", "id_number": id_number(n), "phone": "13800138000"})),
            )
            .await;
        assert_eq!(st, 200, "{a}");
        let slot = format!("{DAY}T{hms}+08:00");
        let body = json!({"service": "property", "slot_start": slot, "agree_notice": true});
        let (st, b) = self
            .call("POST", "/appointments", a["assertion"].as_str(), Some(body))
            .await;
        assert_eq!(st, 201, "booking {hms}: {b}");
        b["appointment"].clone()
    }

    /// The kiosk checks in `code`.
    async fn check_in(&self, code: &Value) -> (u16, Value) {
        self.call(
            "POST",
            "/checkins",
            Some(KIOSK),
            Some(json!({"code": code})),
        )
        .await
    }

    async fn status(&self, code: &Value) -> AppointmentStatus {
        let code = code.as_str().unwrap();
        self.state
            .store
            .appointment(code)
            .await
            .unwrap()
            .unwrap()
            .status
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
        .sync_windows(&["w1".to_string()], at("08:00:00"))
        .await
        .unwrap();
    let state = AppState::new(cfg, store, identity);
    let api = Api {
        app: hallq_controller::api::router(state.clone()),
        state,
    };

    // Booked early in the morning of the day.
    api.state.set_now(at("07:00:00"));
    let afternoon = api.book(1, "15:00:00").await;
    let before = api.book(2, "10:00:00").await;
    let at_start = api.book(3, "10:00:00").await;
    let no_show = api.book(4, "11:00:00").await;
    // The appointment shows its window: from the hall's opening until the slot starts.
    assert_eq!(afternoon["checkin_from"], format!("{DAY}T08:30:00+08:00"));
    assert_eq!(afternoon["checkin_until"], format!("{DAY}T15:00:00+08:00"));

    // Before the hall opens: too early, with the time it opens.
    api.state.set_now(at("08:29:00"));
    let (st, b) = api.check_in(&before["code"]).await;
    assert_eq!((st, b["error"].as_str()), (409, Some("too_early")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("08:30"), "{b}");

    // Early in the morning for an afternoon slot: fine.
    api.state.set_now(at("08:31:00"));
    let (st, b) = api.check_in(&afternoon["code"]).await;
    assert_eq!(st, 201, "early morning for 15:00: {b}");
    assert_eq!(b["appointment"]["status"], "checked_in");

    // One second before the slot starts: fine.
    api.state.set_now(at("09:59:59"));
    let (st, b) = api.check_in(&before["code"]).await;
    assert_eq!(st, 201, "one second before: {b}");
    assert_eq!(
        api.status(&before["code"]).await,
        AppointmentStatus::CheckedIn
    );

    // At the slot's start: refused, and nothing changes.
    api.state.set_now(at("10:00:00"));
    let (st, b) = api.check_in(&at_start["code"]).await;
    assert_eq!(
        (st, b["error"].as_str()),
        (409, Some("checkin_closed")),
        "{b}"
    );
    assert_eq!(
        api.status(&at_start["code"]).await,
        AppointmentStatus::Booked
    );

    // The no-show follows at once: recorded by the sweep at the slot's start, not before.
    api.state.set_now(at("10:59:59"));
    hallq_controller::sweep::sweep_no_shows(&api.state)
        .await
        .unwrap();
    assert_eq!(
        api.status(&at_start["code"]).await,
        AppointmentStatus::NoShow
    );
    assert_eq!(
        api.status(&no_show["code"]).await,
        AppointmentStatus::Booked
    );
    api.state.set_now(at("11:00:00"));
    let marked = hallq_controller::sweep::sweep_no_shows(&api.state)
        .await
        .unwrap();
    assert_eq!(marked, 1);
    assert_eq!(
        api.status(&no_show["code"]).await,
        AppointmentStatus::NoShow
    );
    // Checked-in ones are never no-shows.
    assert_eq!(
        api.status(&afternoon["code"]).await,
        AppointmentStatus::CheckedIn
    );
    api.state.store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkin_window_boundaries_sqlite() {
    common::run_sqlite(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkin_window_boundaries_postgres() {
    common::run_postgres("checkin_window", story).await;
}
