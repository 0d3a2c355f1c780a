//! Citizens' notifications through the real binary: a booking made through the HTTP API
//! reaches the message service's webhook (a real HTTP server on 127.0.0.1 in this test)
//! as a signed `booking_confirmed` event, even though the receiver was down when the
//! booking was made: the event waits in the outbox, is retried, and arrives once. On
//! SQLite, and on PostgreSQL when `HALLQ_TEST_PG_URL` is set. The hall's own acts — closing
//! a booked slot, a ban by hand — reach the citizen too ([`hall_acts`]).

mod common;
use common::*;

#[path = "notifications/hall_acts.rs"]
mod hall_acts;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "webhook-key-for-the-notification-test";

type Requests = Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>;

async fn receive(
    axum::extract::State(got): axum::extract::State<Requests>,
    headers: axum::http::HeaderMap,
    body: String,
) -> &'static str {
    got.lock().unwrap().push((headers, body));
    "ok"
}

/// Starts the receiver on `port` (POST /hook answers 200 and records the request).
async fn receiver(port: u16) -> (Requests, tokio::task::JoinHandle<()>) {
    let got = Requests::default();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (got, task)
}

fn id_number() -> String {
    let body = "46010019900101123";
    let digits: [u8; 17] = body.as_bytes().try_into().unwrap();
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

/// `hallq_notification_failures_total{notifier="city-msg"}` from `/metrics`, or 0.
async fn failures(hall: &Hall) -> f64 {
    hall.metric("hallq_notification_failures_total{notifier=\"city-msg\"}")
        .await
        .unwrap_or(0.0)
}

/// The demo hall with a webhook notifier to `127.0.0.1:{port}/hook` (and the log), on
/// SQLite or the PostgreSQL `database`.
fn webhook_hall(port: u16, database: Option<&str>) -> HallOpts {
    let hook = format!(
        "[[notifiers]]\nkind = \"webhook\"\nname = \"city-msg\"\n\
         url = \"http://127.0.0.1:{port}/hook\"\nsecret_env = \"HALLQ_TEST_HOOK_KEY\"\n\n\
         [[notifiers]]\nkind = \"log\"\n"
    );
    let mut edits = vec![("[[notifiers]]\nkind = \"log\"\n", hook)];
    if let Some(url) = database {
        edits.push((
            "# database_url = \"postgres://postgres@127.0.0.1:5432/hallq\"",
            format!("database_url = \"{url}\""),
        ));
    }
    HallOpts {
        edits,
        env: vec![("HALLQ_TEST_HOOK_KEY", SECRET.to_string())],
        ..Default::default()
    }
}

/// Books the next `property` slot through the API as the test's citizen: its code and slot.
async fn book_once(hall: &Hall) -> (String, String) {
    let (st, b) = hall
        .req(
            "POST",
            "/dev/identity",
            None,
            Some(json!({"name": "王小明", "id_number": id_number(), "phone": "13800138000"})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let token = b["assertion"].as_str().unwrap().to_string();
    let slot = next_slot(&hall.base, "property").await;
    let (st, booked) = hall
        .req(
            "POST",
            "/appointments",
            Some(&token),
            Some(json!({"service": "property", "slot_start": slot, "agree_notice": true})),
        )
        .await;
    assert_eq!(st, 201, "{booked}");
    let code = booked["appointment"]["code"].as_str().unwrap().to_string();
    (code, slot)
}

async fn booking_reaches_the_webhook_after_it_was_down(database: Option<&str>) {
    // Book through the API while nothing listens on the webhook's port.
    let port = free_port();
    let hall = Hall::start(webhook_hall(port, database)).await;
    let (code, slot) = book_once(&hall).await;

    // The delivery fails (counted), and the event waits.
    let deadline = Instant::now() + Duration::from_secs(10);
    while failures(&hall).await < 1.0 {
        assert!(
            Instant::now() < deadline,
            "no failed attempt: {}",
            hall.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The receiver comes up: the retry delivers.
    let (got, server) = receiver(port).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "not delivered: {}", hall.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Nothing more arrives: delivered once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (headers, body) = &got[0];
    let h = |k: &str| headers.get(k).unwrap().to_str().unwrap().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{body}", h("x-hallq-timestamp")).as_bytes());
    assert_eq!(
        h("x-hallq-signature"),
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    );
    let ev: Value = serde_json::from_str(body).unwrap();
    assert_eq!(ev["type"], "booking_confirmed");
    assert_eq!(ev["event_id"].as_str().unwrap(), h("x-hallq-event-id"));
    assert_eq!(ev["hall"], hall.hall_id.as_str());
    assert_eq!(ev["code"], code.as_str());
    assert_eq!(ev["service"]["id"], "property");
    assert_eq!(ev["service"]["name"], "不动产登记");
    assert_eq!(ev["slot_start"], slot.as_str());
    assert_eq!(ev["citizen"]["provider"], "dev");
    assert!(
        ev["citizen"]["subject"]
            .as_str()
            .unwrap()
            .starts_with("dev-"),
        "{ev}"
    );
    assert_eq!(ev["citizen"]["name"], "王*明");
    assert_eq!(ev["citizen"]["phone"], "138****8000");
    assert!(!body.contains(&id_number()), "clear ID number in {body}");
    assert!(ev["citizen"]["id_number"].as_str().unwrap().contains('*'));
    // The log notifier wrote its line, masked only.
    let log = hall.log();
    assert!(log.contains("notification"), "{log}");
    assert!(!log.contains(&id_number()), "clear ID number in the log");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_reaches_the_webhook_after_it_was_down_sqlite() {
    booking_reaches_the_webhook_after_it_was_down(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_reaches_the_webhook_after_it_was_down_postgres() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "notifications on PostgreSQL") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    booking_reaches_the_webhook_after_it_was_down(Some(&db.url)).await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_and_banning_reach_the_citizen_sqlite() {
    hall_acts::closing_and_banning_reach_the_citizen(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_and_banning_reach_the_citizen_postgres() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "notifications on PostgreSQL") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    hall_acts::closing_and_banning_reach_the_citizen(Some(&db.url)).await;
    db.drop_db().await;
}

#[test]
fn a_webhook_without_its_key_refuses_to_start_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let hook = "[[notifiers]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\n\
                secret_env = \"HALLQ_TEST_UNSET_HOOK_KEY\"\n"
        .to_string();
    let config = dir.path().join("hall.toml");
    std::fs::write(
        &config,
        demo_config(&[("[[notifiers]]\nkind = \"log\"\n", hook)]),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["run", "--config"])
        .arg(&config)
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--mqtt-listen", &format!("127.0.0.1:{}", free_port())])
        .env_remove("HALLQ_TEST_UNSET_HOOK_KEY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started: {err}");
    assert!(
        err.contains("set the environment variable HALLQ_TEST_UNSET_HOOK_KEY"),
        "{err}"
    );
}
