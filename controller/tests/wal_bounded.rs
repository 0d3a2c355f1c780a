//! The SQLite WAL stays bounded while readers never stop (phones and screens reading all
//! day): a passive checkpoint alone never gets the WAL to start over then, and it grew to
//! 60 MB beside a 5 MB database in a day-long run. Kiosks issue tickets through the
//! group-commit writer while readers query without pause; the WAL file, sampled all along,
//! must be emptied again and again (without the truncation it only ever grows: 46 MB here)
//! and stay within reach of the checkpointer's threshold (16 MB, checked every second).

use hallq_controller::model::Kind;
use hallq_controller::store::{IssueRequest, Store};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Largest WAL size acceptable: the 16 MB threshold plus what this test's writes (as fast as
/// the machine goes) add in the second or two before the writer truncates.
const BOUND: u64 = 40 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wal_stays_bounded_under_endless_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hallq.db");
    let url = format!("sqlite://{}", db.display());
    let store = Arc::new(
        Store::connect_with(&url, hallq_config::SqliteSynchronous::Full)
            .await
            .unwrap(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (store, stop) = (store.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let _ = store.ticket_by_token("nobody").await;
            }
        }));
    }
    let wal = dir.path().join("hallq.db-wal");
    let largest = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (wal, largest, stop) = (wal.clone(), largest.clone(), stop.clone());
        tokio::spawn(async move {
            // Times the WAL went from over 8 MB to under 1 MB.
            let (mut emptied, mut high) = (0, false);
            while !stop.load(Ordering::Relaxed) {
                let len = std::fs::metadata(&wal).map_or(0, |m| m.len());
                largest.fetch_max(len, Ordering::Relaxed);
                if len > 8 << 20 {
                    high = true;
                } else if high && len < 1 << 20 {
                    (emptied, high) = (emptied + 1, false);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            emptied
        })
    };
    // Enough writes for about 60 MB of WAL frames if it never started over.
    let mut kiosks = Vec::new();
    for k in 0..32 {
        let store = store.clone();
        kiosks.push(tokio::spawn(async move {
            for i in 0..1500 {
                let token = format!("t-{k}-{i}-{}", "x".repeat(200));
                let service = ["a", "b", "c", "d"][i % 4];
                store
                    .issue_ticket(&IssueRequest {
                        service,
                        prefix: "A",
                        width: 6,
                        cap: 1_000_000,
                        kind: Kind::WalkIn,
                        slot_start: None,
                        day: "2026-03-02",
                        token: &token,
                        now: 1_772_413_200_000 + i as i64,
                    })
                    .await
                    .unwrap();
            }
        }));
    }
    for k in kiosks {
        k.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let emptied = sampler.await.unwrap();
    for r in readers {
        r.await.unwrap();
    }
    let largest = largest.load(Ordering::Relaxed);
    let db_len = std::fs::metadata(&db).map_or(0, |m| m.len());
    println!(
        "48,000 tickets: database {:.1} MB, largest WAL {:.1} MB, emptied {emptied} times",
        db_len as f64 / 1e6,
        largest as f64 / 1e6
    );
    assert!(emptied >= 2, "the WAL was emptied {emptied} times");
    assert!(
        largest <= BOUND,
        "the WAL grew to {:.1} MB (bound {} MB)",
        largest as f64 / 1e6,
        BOUND >> 20
    );
}
