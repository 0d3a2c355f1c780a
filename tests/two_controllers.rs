//! Two controller processes on one PostgreSQL and one Mosquitto, hammered by concurrent
//! kiosks and clerks: no duplicate number, no ticket called twice, no lost event.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

const KIOSKS: usize = 8;
const TICKETS_PER_KIOSK: usize = 30;
const WINDOWS: [&str; 4] = ["1", "2", "3", "10"];

#[tokio::test]
async fn two_replicas_hammered() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "two controllers on PostgreSQL") else {
        return;
    };
    let Some(mq) = env_or_skip("HALLQ_TEST_MQTT_URL", "two controllers on Mosquitto") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let (mq_host, mq_port) = mqtt_addr(&mq);
    let hall_id = unique_hall();
    let opts = HallOpts::replica(&db.url, &mq, &hall_id);
    let a = Hall::start(opts.clone()).await;
    let b = Hall::start(opts).await;
    let mut sub = Sub::connect(
        &mq_host,
        mq_port,
        None,
        &format!("hallq/v1/{hall_id}/calls"),
    )
    .await;
    let bases = [a.base.clone(), b.base.clone()];

    let issued: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut kiosks = Vec::new();
    for k in 0..KIOSKS {
        let (base, issued) = (bases[k % 2].clone(), issued.clone());
        kiosks.push(tokio::spawn(async move {
            for _ in 0..TICKETS_PER_KIOSK {
                let (st, t) = req(
                    &base,
                    "POST",
                    "/tickets",
                    Some("demo-kiosk"),
                    Some(json!({"service": "property"})),
                )
                .await;
                assert_eq!(st, 201, "{t}");
                issued
                    .lock()
                    .unwrap()
                    .push(t["ticket"]["number"].as_str().unwrap().to_string());
            }
        }));
    }
    let done_issuing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let called: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let mut clerks = Vec::new();
    for (n, w) in WINDOWS.iter().enumerate() {
        let (called, done) = (called.clone(), done_issuing.clone());
        let bases = bases.clone();
        let w = w.to_string();
        clerks.push(tokio::spawn(async move {
            let mut i = n;
            loop {
                // Each press goes to one replica or the other.
                let base = &bases[i % 2];
                i += 1;
                let (st, r) = req(
                    base,
                    "POST",
                    &format!("/windows/{w}/call-next"),
                    Some(&format!("demo-clerk-{w}")),
                    None,
                )
                .await;
                match st {
                    200 => called.lock().unwrap().push((
                        r["ticket"]["number"].as_str().unwrap().to_string(),
                        w.clone(),
                    )),
                    404 if done.load(std::sync::atomic::Ordering::SeqCst) => return,
                    404 => tokio::task::yield_now().await,
                    _ => panic!("call-next at {w}: {st} {r}"),
                }
            }
        }));
    }
    for k in kiosks {
        k.await.unwrap();
    }
    done_issuing.store(true, std::sync::atomic::Ordering::SeqCst);
    for c in clerks {
        c.await.unwrap();
    }

    let issued = issued.lock().unwrap().clone();
    let total = KIOSKS * TICKETS_PER_KIOSK;
    assert_eq!(issued.len(), total);
    let unique: HashSet<&String> = issued.iter().collect();
    assert_eq!(unique.len(), total, "duplicate ticket numbers");
    let called = called.lock().unwrap().clone();
    let called_numbers: HashSet<&String> = called.iter().map(|(n, _)| n).collect();
    assert_eq!(
        called_numbers.len(),
        called.len(),
        "a ticket was called twice"
    );
    assert_eq!(called.len(), total, "every ticket called exactly once");

    // Every call reached the broker, once per event id.
    let mut events: Vec<Value> = Vec::new();
    while events.len() < total {
        match sub.wait(20, |_, _| true).await {
            Some((_, _, v)) => events.push(v),
            None => break,
        }
    }
    let ids: HashSet<i64> = events
        .iter()
        .map(|v| v["event_id"].as_i64().unwrap())
        .collect();
    let seen: HashSet<String> = events
        .iter()
        .map(|v| v["number"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&&String> = called_numbers
        .iter()
        .filter(|n| !seen.contains(n.as_str()))
        .collect();
    assert!(missing.is_empty(), "calls never published: {missing:?}");
    assert_eq!(ids.len(), total, "one event per call");
    drop((a, b));
    db.drop_db().await;
}
