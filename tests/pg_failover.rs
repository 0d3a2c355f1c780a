//! A primary and a streaming standby of the test's own, controllers on the multi-host URL
//! (`target_session_attrs=read-write`): the primary is killed with -9 and the standby
//! promoted. The controllers reach the new primary by themselves and answer 503 rather
//! than hang meanwhile.
//!
//! Synchronous standby, two controllers, kiosks taking tickets and people booking small
//! slots on both: afterwards every acknowledged ticket and booking is there, no number was
//! issued twice, no slot is over capacity, nobody over the daily limit, calls made after
//! the failover leave through the outbox in order, and no controller reports a loss.
//! Prints the unavailability window.
//!
//! Asynchronous standby cut off before the last tickets and bookings: the controller
//! finds them missing on the new primary, logs it and counts it, and keeps serving.

mod common;
use common::pg_cluster::Pair;
use common::pg_load::{self, Crowd, Seen};
use common::*;
use std::collections::HashSet;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Seats per booking slot: the crowd of a round contends for them.
const CAPACITY: i64 = 2;
/// Bookings per person per day (the demo's `daily_limit`).
const DAILY_LIMIT: i64 = 2;
/// The loss line's start (Chinese, then English).
const LOSS_ZH: &str = "切换后新主库缺少已确认的写入";
const LOSS_EN: &str = "failover lost acknowledged writes";

/// A primary and a (synchronous when `sync`) standby in a temporary directory, a new
/// database on the primary, and the hall options of a controller on both hosts: six-digit
/// numbers and no cap (the load must not reach the demo's daily cap), small booking
/// slots, rate limits out of the way. None (skipped) without PostgreSQL's programs.
async fn pair_and_hall(sync: bool) -> Option<(tempfile::TempDir, Pair, PgDb, HallOpts)> {
    let root = tempfile::tempdir().unwrap();
    let pair = Pair::start(root.path(), (free_port(), free_port()), sync)?;
    let db = PgDb::create(&pair.primary.url("postgres")).await;
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{}?target_session_attrs=read-write",
        pair.primary.port,
        pair.standby.port,
        db.url.rsplit('/').next().unwrap()
    );
    let opts = HallOpts {
        edits: vec![
            (
                "# database_url = \"postgres://postgres@127.0.0.1:5432/hallq\"",
                format!("database_url = \"{url}\""),
            ),
            (
                "prefix = \"A\"\nwidth = 3\ndaily_cap = 400",
                "prefix = \"A\"\nwidth = 6".into(),
            ),
            // The first booking section is `property`'s.
            ("capacity = 10", format!("capacity = {CAPACITY}")),
            (
                "bookings = { max = 20, per_secs = 3600 }",
                "bookings = { max = 100000, per_secs = 1 }".into(),
            ),
            (
                "dev_identities = { max = 30, per_secs = 60 }",
                "dev_identities = { max = 100000, per_secs = 1 }".into(),
            ),
        ],
        hall_id: Some(unique_hall()),
        ..Default::default()
    };
    Some((root, pair, db, opts))
}

/// The new primary's database (the standby's port), connected.
async fn on_standby(pair: &Pair, db: &PgDb) -> sqlx::PgConnection {
    let url = db.url.replace(
        &format!(":{}/", pair.primary.port),
        &format!(":{}/", pair.standby.port),
    );
    <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap()
}

/// `hallq_failover_lost_events_total` of `table` on `hall`'s `/metrics`.
async fn lost_events(hall: &Hall, table: &str) -> f64 {
    let series = format!("hallq_failover_lost_events_total{{table=\"{table}\"}}");
    hall.metric(&series)
        .await
        .unwrap_or_else(|| panic!("{series} not exposed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn controllers_follow_a_promoted_standby_and_lose_nothing() {
    let Some((_root, pair, db, opts)) = pair_and_hall(true).await else {
        return;
    };
    let a = Hall::start(opts.clone()).await;
    let b = Hall::start(opts).await;
    // Each controller has its own embedded broker; whichever holds the relay lease publishes.
    let mut calls_a = Sub::display(a.mqtt_port, &a.root()).await;
    let mut calls_b = Sub::display(b.mqtt_port, &b.root()).await;
    let mut spare = pg_load::slots(&a.base, 40).await;
    let crowd = Arc::new(Crowd {
        bases: vec![a.base.clone(), b.base.clone()],
        people: pg_load::people(&[&a.base, &b.base], 120).await,
        next: AtomicUsize::new(0),
        rounds: spare.drain(..16).collect(),
        spare,
        began: Instant::now(),
    });

    let seen: Arc<Mutex<Seen>> = Arc::default();
    let until = Instant::now() + Duration::from_secs(10);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let base = crowd.bases[i % 2].clone();
        tasks.push(tokio::spawn(pg_load::kiosk(base, seen.clone(), until)));
    }
    for _ in 0..4 {
        let (crowd, seen) = (crowd.clone(), seen.clone());
        tasks.push(tokio::spawn(pg_load::booker(crowd, seen, until)));
    }
    // At least 2 s of load on the primary (longer, up to 4 s, on a busy machine).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let enough = || {
        let s = seen.lock().unwrap();
        (s.tickets.len(), s.bookings.len())
    };
    for _ in 0..20 {
        if matches!(enough(), (t, b) if t > 10 && b > 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (tickets, bookings) = enough();
    assert!(tickets > 10, "load ran on the primary ({tickets} tickets)");
    assert!(bookings > 2, "bookings ran on the primary ({bookings})");
    let killed = Instant::now();
    pair.primary.kill9();
    tokio::time::sleep(Duration::from_millis(500)).await;
    pair.standby.promote();
    for t in tasks {
        t.await.unwrap();
    }

    let s = std::mem::take(&mut *seen.lock().unwrap());
    // Answers to requests made before the kill may arrive after it; the hall is back when
    // a request made after the kill is answered.
    let back = |acked: &[pg_load::Acked]| {
        acked
            .iter()
            .filter(|(asked, _, _)| *asked > killed)
            .map(|(_, answered, _)| *answered - killed)
            .min()
    };
    let window = back(&s.tickets).expect("tickets were issued again after the promotion");
    let booked_again = back(&s.bookings).expect("bookings were made again after the promotion");
    let refusals = pg_load::refusals(&s);
    println!(
        "unavailability window: {} ms for tickets, {} ms for bookings (kill -9 of the \
         primary, promotion 500 ms later); {} tickets and {} bookings acknowledged, \
         refusals {refusals:?}, slowest answer {} ms",
        window.as_millis(),
        booked_again.as_millis(),
        s.tickets.len(),
        s.bookings.len(),
        s.slowest.as_millis()
    );
    assert!(
        window < Duration::from_secs(5) && booked_again < Duration::from_secs(5),
        "back within 5 s: tickets {window:?}, bookings {booked_again:?}"
    );
    assert!(
        s.slowest < Duration::from_secs(5),
        "no request hung: slowest {:?}",
        s.slowest
    );
    // During the failover 503 storage_unavailable; otherwise only the booking rules'
    // refusals: the slot is full, or the person reached the daily limit.
    for ((status, code), n) in &refusals {
        assert!(
            matches!(
                (*status, code.as_str()),
                (503, "storage_unavailable") | (409, "slot_full") | (409, "daily_limit")
            ),
            "unexpected refusal {status} {code} ({n} times)"
        );
    }

    // Every acknowledged number and booking is in the new primary, once.
    let mut c = on_standby(&pair, &db).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "a number was issued twice");
    let missing: Vec<&String> = s
        .tickets
        .iter()
        .map(|(_, _, n)| n)
        .filter(|n| !unique.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but lost in the failover: {missing:?}"
    );
    let stored = pg_load::check_bookings(&mut c, &s.bookings, CAPACITY, DAILY_LIMIT).await;
    assert_eq!(stored, s.bookings.len(), "bookings stored = acknowledged");
    // The load did contend: for seats, and past the daily limit.
    for rule in ["slot_full", "daily_limit"] {
        assert!(
            refusals.contains_key(&(409, rule.to_string())),
            "the crowd met {rule}: {refusals:?}"
        );
    }

    // The outbox resumes, in order: three calls made after the failover (windows 1–3, each
    // through the other controller) reach MQTT in the order they were made.
    let mut called = Vec::new();
    for (i, w) in ["1", "2", "3"].into_iter().enumerate() {
        let hall = if i % 2 == 0 { &a } else { &b };
        let (st, body) = hall.act(w, "call-next", None).await;
        assert_eq!(st, 200, "call-next at {w} after the failover: {body}");
        called.push(body["ticket"]["number"].as_str().unwrap().to_string());
    }
    let mut published = Vec::new();
    for sub in [&mut calls_a, &mut calls_b] {
        for (topic, _, v) in sub.drain(1500).await {
            if topic.ends_with("/calls") {
                if let Some(n) = v["number"]
                    .as_str()
                    .filter(|n| called.iter().any(|c| c == n))
                {
                    published.push(n.to_string());
                }
            }
        }
    }
    assert_eq!(published, called, "calls published once each, in order");

    // A synchronous standby had everything: no controller reports a loss.
    for hall in [&a, &b] {
        assert!(!hall.log().contains(LOSS_EN), "{}", hall.log());
        for table in ["outbox", "appointments"] {
            assert_eq!(lost_events(hall, table).await, 0.0, "{table}");
        }
    }
    drop((a, b));
}

/// Books `slot` of `property` with the identity `token`.
async fn book(hall: &Hall, token: &str, slot: &str) -> (u16, serde_json::Value) {
    let body = serde_json::json!({"service": "property", "slot_start": slot, "agree_notice": true});
    hall.req("POST", "/appointments", Some(token), Some(body))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_controller_detects_writes_an_asynchronous_standby_lost() {
    let Some((_root, pair, db, opts)) = pair_and_hall(false).await else {
        return;
    };
    let hall = Hall::start(opts).await;
    let people = pg_load::people(&[&hall.base], 2).await;
    let slot = pg_load::slots(&hall.base, 1).await.remove(0);
    // Replicated: a ticket and a booking the standby receives.
    hall.ticket("property").await;
    let (st, first) = book(&hall, &people[0][0], &slot).await;
    assert_eq!(st, 201, "{first}");
    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    // Wait until the standby has replayed what the primary wrote so far.
    for _ in 0..200 {
        let lag: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS BIGINT) \
             FROM pg_stat_replication",
        )
        .fetch_optional(&mut c)
        .await
        .unwrap();
        if lag == Some(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(c);

    // Cut: what the primary acknowledges from now on never reaches the standby.
    pair.cut_replication().await;
    let lost: Vec<String> = hall
        .tickets("property", 5)
        .await
        .iter()
        .map(|t| t["number"].as_str().unwrap().to_string())
        .collect();
    let (st, b) = book(&hall, &people[1][0], &slot).await;
    assert_eq!(st, 201, "{b}");
    pair.primary.kill9();
    pair.standby.promote();

    // The hall keeps serving on the new primary (the lost numbers are issued again).
    let deadline = Instant::now() + Duration::from_secs(15);
    let again = loop {
        let (st, b) = hall
            .req(
                "POST",
                "/tickets",
                Some("demo-kiosk"),
                Some(serde_json::json!({"service": "property"})),
            )
            .await;
        if st == 201 {
            break b["ticket"]["number"].as_str().unwrap().to_string();
        }
        assert_eq!(st, 503, "{b}");
        assert!(
            Instant::now() < deadline,
            "no ticket 15 s after the promotion"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(again, lost[0], "the first lost number is issued again");
    let log = hall.log();
    let line = log
        .lines()
        .find(|l| l.contains(LOSS_ZH))
        .unwrap_or_else(|| panic!("no loss logged: {log}"));
    assert!(line.contains("ERROR") && line.contains(LOSS_EN), "{line}");
    assert_eq!(log.matches(LOSS_ZH).count(), 1, "logged once: {log}");
    let (events, appointments) = (
        lost_events(&hall, "outbox").await,
        lost_events(&hall, "appointments").await,
    );
    println!(
        "asynchronous standby: acknowledged {lost:?} and a booking after the cut; first \
         ticket after the promotion {again}; hallq_failover_lost_events_total outbox \
         {events}, appointments {appointments}\n{line}"
    );
    assert!(
        events >= 5.0,
        "five tickets' queue events at least: {events}"
    );
    assert!(appointments >= 1.0, "the booking: {appointments}");
}
