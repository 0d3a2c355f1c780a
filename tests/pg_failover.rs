//! A primary and a synchronous streaming standby of the test's own, two controllers on the
//! multi-host URL (`target_session_attrs=read-write`), kiosks taking tickets on both: the
//! primary is killed with -9 and the standby promoted. The controllers reach the new primary
//! by themselves, answer 503 rather than hang meanwhile, and afterwards every acknowledged
//! ticket is there, no number was issued twice, and calls made after the failover leave
//! through the outbox in order. Prints the unavailability window.

mod common;
use common::pg_cluster::Pair;
use common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the kiosks saw: acknowledged tickets (asked at, answered at, number); refusals by
/// status; the slowest answer.
#[derive(Default)]
struct Seen {
    acked: Vec<(Instant, Instant, String)>,
    refused: Vec<u16>,
    slowest: Duration,
}

async fn kiosk(base: String, seen: Arc<Mutex<Seen>>, until: Instant) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    while Instant::now() < until {
        let started = Instant::now();
        let r = client
            .post(format!("{base}/tickets"))
            .bearer_auth("demo-kiosk")
            .json(&json!({"service": "property"}))
            .send()
            .await;
        let took = started.elapsed();
        {
            let mut s = seen.lock().unwrap();
            s.slowest = s.slowest.max(took);
        }
        match r {
            Ok(r) if r.status() == 201 => {
                let b: Value = r.json().await.unwrap();
                let n = b["ticket"]["number"].as_str().unwrap().to_string();
                seen.lock()
                    .unwrap()
                    .acked
                    .push((started, Instant::now(), n));
            }
            Ok(r) => {
                seen.lock().unwrap().refused.push(r.status().as_u16());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(_) => seen.lock().unwrap().refused.push(0),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn controllers_follow_a_promoted_standby_and_lose_nothing() {
    let root = tempfile::tempdir().unwrap();
    let ports = (free_port(), free_port());
    let Some(pair) = Pair::start(root.path(), ports, true) else {
        return;
    };
    let admin = pair.primary.url("postgres");
    let db = PgDb::create(&admin).await;
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{}?target_session_attrs=read-write",
        ports.0,
        ports.1,
        db.url.rsplit('/').next().unwrap()
    );
    // Six-digit numbers and no cap: the load must not reach the demo's daily cap.
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
        ],
        hall_id: Some(unique_hall()),
        ..Default::default()
    };
    let a = Hall::start(opts.clone()).await;
    let b = Hall::start(opts).await;
    // Each controller has its own embedded broker; whichever holds the relay lease publishes.
    let mut calls_a = Sub::display(a.mqtt_port, &a.root()).await;
    let mut calls_b = Sub::display(b.mqtt_port, &b.root()).await;

    let seen: Arc<Mutex<Seen>> = Arc::default();
    let until = Instant::now() + Duration::from_secs(9);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        tasks.push(tokio::spawn(kiosk(base.clone(), seen.clone(), until)));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = seen.lock().unwrap().acked.len();
    assert!(before > 10, "load ran on the primary ({before} tickets)");
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
    let first_after = s
        .acked
        .iter()
        .filter(|(asked, _, _)| *asked > killed)
        .map(|(_, answered, _)| *answered)
        .min()
        .expect("tickets were issued again after the promotion");
    let window = first_after - killed;
    println!(
        "unavailability window: {} ms (kill -9 of the primary, promotion 500 ms later); \
         {} tickets acknowledged, {} refused meanwhile ({:?}), slowest answer {} ms",
        window.as_millis(),
        s.acked.len(),
        s.refused.len(),
        s.refused.iter().collect::<HashSet<_>>(),
        s.slowest.as_millis()
    );
    assert!(
        window < Duration::from_secs(5),
        "back within 5 s: {window:?}"
    );
    assert!(
        s.slowest < Duration::from_secs(5),
        "no request hung: slowest {:?}",
        s.slowest
    );
    assert!(
        s.refused.iter().all(|c| *c == 503),
        "refusals are 503 storage_unavailable: {:?}",
        s.refused
    );

    // Every acknowledged number is in the new primary, once.
    let new_primary = db
        .url
        .replace(&format!(":{}/", ports.0), &format!(":{}/", ports.1));
    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&new_primary)
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT number FROM tickets")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "a number was issued twice");
    let missing: Vec<&String> = s
        .acked
        .iter()
        .map(|(_, _, n)| n)
        .filter(|n| !unique.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but lost in the failover: {missing:?}"
    );

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
    drop((a, b));
}
