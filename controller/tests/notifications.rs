//! Citizens' notifications in the store and through the deliverer, on SQLite and
//! PostgreSQL (each story runs on both; the PG variant says it was skipped without
//! `HALLQ_TEST_PG_URL`), with an injected clock:
//! - a booking writes `booking_confirmed` in its own transaction (a refused one nothing);
//! - reminders at their lead times (the day before, an hour before), written once even
//!   when two replicas sweep at the same instant, none for a cancelled booking or one
//!   made after the lead time;
//! - the no-show sweep writes `no_show` per appointment and `banned` (until, reason, the
//!   code that caused it) with the ban;
//! - the webhook receiver (a real HTTP server on 127.0.0.1) down, then failing, then up:
//!   the event arrives after the retries with a valid signature, exactly once delivered.

#[allow(dead_code, unused_imports)]
mod common;

use common::{Db, T0, TZ};
use hallq_controller::model::Citizen;
use hallq_controller::notify::event::Event;
use hallq_controller::notify::{self, Notifiers};
use hallq_controller::store::notices::{NoticeRow, NoticeType};
use hallq_controller::store::{Appointment, BanRule, BookRequest, Refusal, Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! story {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                crate::common::run_sqlite(super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                crate::common::run_postgres(stringify!($name), super::$name).await;
            }
        }
    )*};
}

story!(
    booking_confirmed_is_written_with_the_booking,
    reminders_once_at_their_lead_times,
    no_show_and_banned_from_the_sweep,
    webhook_down_failing_then_up_delivers_once,
);

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const SECRET: &str = "a-test-hmac-key-of-32-bytes-long";

/// Person `n` as a verified citizen of provider `city`, account `u{n}`.
fn person(n: u32) -> Citizen {
    Citizen {
        id_hash: format!("{n:064x}"),
        key_version: 1,
        id_hash_previous: None,
        id_masked: format!("1101**********{n:03}X"),
        name_masked: "张*".into(),
        phone_masked: "138****0000".into(),
        channel: "city-app".into(),
        method: "face".into(),
        provider: "city".into(),
        subject: Some(format!("u{n}")),
        contact_hash: None,
        single_use: None,
    }
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .with_timezone(&TZ)
        .format("%Y-%m-%d")
        .to_string()
}

/// Books a half-hour `property` slot at `slot` (capacity `cap`) at time `now`.
async fn try_book(
    store: &Store,
    who: &Citizen,
    slot: i64,
    cap: i64,
    now: i64,
) -> Result<Appointment, StoreError> {
    let d = day(slot);
    let today = day(now);
    store
        .book(&BookRequest {
            service: "property",
            slot: (slot, slot + 30 * MIN),
            day: &d,
            capacity: cap,
            daily_limit: 10,
            active_per_day: 10,
            today: &today,
            who,
            now,
        })
        .await
}

async fn book(store: &Store, who: &Citizen, slot: i64, now: i64) -> Appointment {
    try_book(store, who, slot, 50, now).await.expect("book")
}

/// Every notice not yet delivered, oldest first.
async fn pending(store: &Store) -> Vec<NoticeRow> {
    store.due_notices(i64::MAX, 10_000).await.expect("notices")
}

/// (code, lead minutes) of the reminders written so far.
async fn reminders(store: &Store) -> Vec<(String, u32)> {
    pending(store)
        .await
        .into_iter()
        .filter(|r| r.notice.kind == NoticeType::Reminder)
        .map(|r| (r.notice.code.unwrap(), r.notice.lead_minutes.unwrap()))
        .collect()
}

async fn booking_confirmed_is_written_with_the_booking(db: Db) {
    let store = db.store(&[]).await;
    let slot = T0 + 2 * DAY;
    let a = try_book(&store, &person(1), slot, 1, T0)
        .await
        .expect("book");
    let rows = pending(&store).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let n = &rows[0].notice;
    assert_eq!(n.kind, NoticeType::BookingConfirmed);
    assert_eq!(n.code.as_deref(), Some(a.code.as_str()));
    assert_eq!(n.service.as_deref(), Some("property"));
    assert_eq!(n.slot, Some((slot, slot + 30 * MIN)));
    assert_eq!(n.citizen.provider.as_deref(), Some("city"));
    assert_eq!(n.citizen.subject.as_deref(), Some("u1"));
    assert_eq!(n.citizen.id_masked, "1101**********001X");
    assert_eq!(rows[0].created_at, T0);
    // The slot is full now: the refused booking writes no notice.
    let refused = try_book(&store, &person(2), slot, 1, T0 + 1).await;
    assert!(
        matches!(refused, Err(StoreError::Refused(Refusal::SlotFull))),
        "{refused:?}"
    );
    assert_eq!(pending(&store).await.len(), 1);
}

async fn reminders_once_at_their_lead_times(db: Db) {
    let (s1, s2) = (db.store(&[]).await, db.store(&[]).await);
    let leads = [60, 1440];
    let slot = T0 + 3 * DAY;
    let a = book(&s1, &person(1), slot, T0).await;
    // Cancelled: never reminded.
    let c = book(&s1, &person(2), slot, T0).await;
    s1.cancel(&c.code, [c.person.as_str(); 2], T0 + 1)
        .await
        .expect("cancel");
    // Booked 30 minutes before its slot: neither the day-before nor the hour-before
    // reminder applies.
    let late_slot = slot + 2 * HOUR;
    let late = book(&s1, &person(3), late_slot, late_slot - 30 * MIN).await;

    let sweep = |now: i64| {
        let (s1, s2) = (s1.clone(), s2.clone());
        async move {
            // Two replicas at the same instant.
            let (x, y) = tokio::join!(
                s1.schedule_reminders(&leads, now),
                s2.schedule_reminders(&leads, now)
            );
            x.expect("replica 1") + y.expect("replica 2")
        }
    };
    assert_eq!(sweep(slot - DAY - 1).await, 0, "a day before, minus 1 ms");
    assert!(reminders(&s1).await.is_empty());
    assert_eq!(sweep(slot - DAY).await, 1, "exactly a day before");
    assert_eq!(reminders(&s1).await, [(a.code.clone(), 1440)]);
    assert_eq!(sweep(slot - DAY + MIN).await, 0, "the next sweep");
    assert_eq!(
        sweep(slot - HOUR - 1).await,
        0,
        "an hour before, minus 1 ms"
    );
    assert_eq!(sweep(slot - HOUR).await, 1, "exactly an hour before");
    assert_eq!(sweep(slot - HOUR + 30_000).await, 0, "the next sweep");
    assert_eq!(sweep(slot - 1).await, 0);
    assert_eq!(sweep(late_slot - 10 * MIN).await, 0, "booked too late");
    let got = reminders(&s2).await;
    assert_eq!(got, [(a.code.clone(), 1440), (a.code.clone(), 60)]);
    assert!(!got
        .iter()
        .any(|(code, _)| *code == c.code || *code == late.code));
    let r = pending(&s1)
        .await
        .into_iter()
        .find(|r| r.notice.kind == NoticeType::Reminder)
        .unwrap();
    assert_eq!(r.created_at, slot - DAY);
    assert_eq!(r.notice.slot, Some((slot, slot + 30 * MIN)));
    assert_eq!(r.notice.citizen.subject.as_deref(), Some("u1"));
    let ev = serde_json::to_value(Event::of(&config_with_webhook(9), &r)).unwrap();
    assert_eq!(
        (ev["type"].as_str(), ev["lead_minutes"].as_u64()),
        (Some("reminder"), Some(1440))
    );
    assert_eq!(ev["code"], a.code.as_str());
    assert!(ev["until"].is_null() && ev["reason"].is_null());
}

async fn no_show_and_banned_from_the_sweep(db: Db) {
    let store = db.store(&[]).await;
    let (one, many) = (person(1), person(2));
    let mut codes = Vec::new();
    for d in 0..3 {
        codes.push(book(&store, &many, T0 + d * DAY, T0 - DAY).await.code);
    }
    let once = book(&store, &one, T0, T0 - DAY).await.code;
    let rule = BanRule {
        limit: 3,
        until: ("2026-06-05".into(), T0 + 95 * DAY),
        reason: "因多次爽约".into(),
    };
    let grace = 15 * MIN;
    let at = T0 + 2 * DAY + grace + 1;
    assert_eq!(
        store
            .sweep_no_shows(grace, 0, &rule, at)
            .await
            .expect("sweep"),
        4
    );
    let rows = pending(&store).await;
    let of = |k: NoticeType| rows.iter().filter(move |r| r.notice.kind == k);
    let mut no_shows: Vec<String> = of(NoticeType::NoShow)
        .map(|r| r.notice.code.clone().unwrap())
        .collect();
    no_shows.sort();
    let mut expected = codes.clone();
    expected.push(once.clone());
    expected.sort();
    assert_eq!(no_shows, expected);
    let banned: Vec<&NoticeRow> = of(NoticeType::Banned).collect();
    assert_eq!(banned.len(), 1, "{rows:?}");
    let b = &banned[0].notice;
    assert_eq!(b.until_day.as_deref(), Some("2026-06-05"));
    assert_eq!(b.reason.as_deref(), Some("因多次爽约"));
    assert!(codes.contains(b.code.as_ref().unwrap()), "{b:?}");
    assert_eq!(b.citizen.subject.as_deref(), Some("u2"));
    assert_eq!(b.citizen.id_masked, "1101**********002X");
    assert_eq!(banned[0].created_at, at);
    let ev = serde_json::to_value(Event::of(&config_with_webhook(9), banned[0])).unwrap();
    assert_eq!(ev["type"], "banned");
    assert_eq!(ev["until"], "2026-06-05");
    assert_eq!(ev["reason"], "因多次爽约");
    assert_eq!(ev["code"], b.code.as_deref().unwrap());
    assert!(ev["lead_minutes"].is_null());
    // A second sweep finds nothing more and writes nothing more.
    assert_eq!(
        store
            .sweep_no_shows(grace, 0, &rule, at + MIN)
            .await
            .unwrap(),
        0
    );
    assert_eq!(pending(&store).await.len(), rows.len());
}

/// A webhook receiver on 127.0.0.1: answers the first `fail_first` requests 503, the
/// rest 200, and records every request's headers and body.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(axum::http::HeaderMap, String, u16)>>>,
    fail_first: usize,
}

impl Receiver {
    async fn serve(self, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(self);
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        })
    }

    fn requests(&self) -> Vec<(axum::http::HeaderMap, String, u16)> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(
    axum::extract::State(r): axum::extract::State<Receiver>,
    headers: axum::http::HeaderMap,
    body: String,
) -> axum::http::StatusCode {
    let mut got = r.got.lock().unwrap();
    let status = if got.len() < r.fail_first { 503 } else { 200 };
    got.push((headers, body, status));
    axum::http::StatusCode::from_u16(status).unwrap()
}

/// The demo hall with a webhook to `port` beside its log notifier.
fn config_with_webhook(port: u16) -> hallq_config::Settings {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../config/examples/demo-hall.toml"
    );
    let demo = std::fs::read_to_string(path).unwrap();
    let hook = format!(
        "[[notifiers]]\nkind = \"webhook\"\nname = \"city-msg\"\n\
         url = \"http://127.0.0.1:{port}/hook\"\nsecret_env = \"TEST_HOOK_KEY\"\ntimeout_secs = 2\n\n\
         [[notifiers]]\nkind = \"log\"\n"
    );
    let src = demo.replacen("[[notifiers]]\nkind = \"log\"\n", &hook, 1);
    assert_ne!(src, demo, "the demo config has a log notifier");
    hallq_config::load_str("demo-hall.toml", &src).expect("config")
}

fn verify(headers: &axum::http::HeaderMap, body: &str) {
    let h = |k: &str| headers.get(k).unwrap().to_str().unwrap().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{body}", h("x-hallq-timestamp")).as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(h("x-hallq-signature"), expected, "signature");
    assert_eq!(h("content-type"), "application/json");
}

async fn webhook_down_failing_then_up_delivers_once(db: Db) {
    let store = db.store(&[]).await;
    // A port that nothing listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = config_with_webhook(port);
    let notifiers =
        Notifiers::from_config(&cfg, |v| (v == "TEST_HOOK_KEY").then(|| SECRET.to_string()))
            .expect("notifiers");
    let metrics = hallq_controller::metrics::Metrics::default();
    let holder = "test-deliverer";
    let pass = || notify::pass(&store, &cfg, &notifiers, &metrics, holder);
    let a = book(&store, &person(1), T0 + 2 * DAY, T0).await;

    // Down: nothing delivered, nothing lost; the log notifier has it already.
    assert_eq!(pass().await.expect("pass"), 0);
    let rows = pending(&store).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].attempts, rows[0].done.clone()),
        (1, vec!["log".to_string()])
    );
    assert_eq!(store.pending_notices().await.unwrap(), 1);
    let failed_at = std::time::Instant::now();
    let text = metrics.render(&Default::default());
    assert!(
        text.contains("hallq_notification_failures_total{notifier=\"city-msg\"} 1\n"),
        "{text}"
    );

    // Up, but answering 503 once: not due before its 2 s backoff, then refused once.
    let receiver = Receiver {
        fail_first: 1,
        ..Receiver::default()
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let server = receiver.clone().serve(listener).await;
    assert_eq!(pass().await.unwrap(), 0);
    assert!(receiver.requests().is_empty(), "retried before its backoff");
    tokio::time::sleep(Duration::from_millis(2100).saturating_sub(failed_at.elapsed())).await;
    assert_eq!(pass().await.unwrap(), 0);
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(pending(&store).await[0].attempts, 2);

    // The next attempt, 4 s later, delivers.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while pass().await.unwrap() == 0 {
        assert!(std::time::Instant::now() < deadline, "never delivered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(pending(&store).await.is_empty());
    assert_eq!(store.pending_notices().await.unwrap(), 0);
    assert_eq!(pass().await.unwrap(), 0);
    let got = receiver.requests();
    assert_eq!(got.len(), 2, "one refused attempt, one delivery");
    let ids: Vec<&str> = got
        .iter()
        .map(|(h, _, _)| h.get("x-hallq-event-id").unwrap().to_str().unwrap())
        .collect();
    assert_eq!(ids[0], ids[1], "a retry carries the same event id");
    assert_eq!(got.iter().filter(|(_, _, s)| *s == 200).count(), 1);
    let (headers, body, _) = &got[1];
    verify(headers, body);
    let ev: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(ev["event_id"], ids[1]);
    assert_eq!(ev["type"], "booking_confirmed");
    assert_eq!(
        headers.get("x-hallq-event-type").unwrap(),
        "booking_confirmed"
    );
    assert_eq!(ev["code"], a.code.as_str());
    assert_eq!(ev["hall"], "haikou");
    assert_eq!(ev["service"]["id"], "property");
    assert_eq!(ev["service"]["name"], "不动产登记");
    assert_eq!(ev["slot_start"], "2026-03-04T09:00:00+08:00");
    assert_eq!(ev["slot_end"], "2026-03-04T09:30:00+08:00");
    assert_eq!(ev["citizen"]["provider"], "city");
    assert_eq!(ev["citizen"]["subject"], "u1");
    assert_eq!(ev["citizen"]["id_number"], "1101**********001X");
    assert_eq!(ev["occurred_at"], "2026-03-02T09:00:00+08:00");
    assert!(ev["until"].is_null() && ev["lead_minutes"].is_null());
    server.abort();
}

#[test]
fn a_webhook_without_its_key_is_a_startup_error_naming_the_variable() {
    let cfg = config_with_webhook(9);
    let err = Notifiers::from_config(&cfg, |_| None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("set the environment variable TEST_HOOK_KEY"),
        "{err}"
    );
    let err = Notifiers::from_config(&cfg, |_| Some("short".into()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least 16 bytes"), "{err}");
}
