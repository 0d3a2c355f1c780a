//! The in-place upgrade of a database made by the previous, single-hall version (schema
//! 12, commit 3b4ef66) to one database for a city's halls (migration 13), then
//! `adopt_unowned` giving the old rows to the first hall.
//!
//! The fixtures were made by that version's store (the program is
//! tests/fixtures/v12-hall.make.rs, run in a worktree of 3b4ef66): tickets A001 (finished
//! at window 1), A002 (called at window 1) and A003 (waiting) of service "a" on
//! 2026-03-02, a booking of person 7, a ban of person 9 by hand, an admin session. The
//! SQLite file as it was left; PostgreSQL as `pg_dump --no-owner --inserts` of it.

#[allow(dead_code)]
mod common;

use common::{try_issue, with_database, A, DAY, PG_ENV, T0};
use futures::FutureExt;
use hallq_controller::model::{AppointmentStatus, Citizen, Kind, Status};
use hallq_controller::store::{BookRequest, Refusal, Scopes, Store, StoreError};
use sqlx::{Connection, PgConnection};
use std::panic::AssertUnwindSafe;

const SQLITE_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v12-hall.db");
const PG_FIXTURE: &str = include_str!("fixtures/v12-hall-pg.sql");

fn hash(n: u32) -> String {
    format!("{n:064x}")
}

fn person(n: u32) -> Citizen {
    Citizen {
        id_hash: hash(n),
        key_version: 1,
        id_hash_previous: None,
        id_masked: format!("4601**********{n:03}X"),
        name_masked: "王*".into(),
        phone_masked: "138****0000".into(),
        channel: "city-app".into(),
        method: "face".into(),
        provider: "city".into(),
        subject: Some(format!("u{n}")),
        contact_hash: None,
        single_use: None,
    }
}

async fn book(store: &Store, n: u32) -> Result<String, StoreError> {
    let slot = T0 + 26 * 3_600_000;
    store
        .book(&BookRequest {
            service: "a",
            slot: (slot, slot + 1_800_000),
            day: "2026-03-03",
            capacity: 10,
            daily_limit: 2,
            active_per_day: 2,
            today: DAY,
            who: &person(n),
            now: T0 + 10_000,
        })
        .await
        .map(|a| a.code)
}

/// What a hall's people see after the upgrade.
async fn check_upgraded(store: Store) {
    let moved = store.adopt_unowned("haikou").await.expect("adopt");
    assert!(moved >= 10, "the old rows move to haikou ({moved})");
    assert_eq!(store.adopt_unowned("haikou").await.unwrap(), 0, "only once");
    assert!(store.tickets_of_day(DAY).await.unwrap().is_empty());

    let haikou = store.in_hall("haikou", Scopes::default());
    let longhua = store.in_hall("longhua", Scopes::default());
    let old: Vec<(String, Status)> = haikou
        .tickets_of_day(DAY)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.number, t.status))
        .collect();
    assert_eq!(
        old,
        [
            ("A001".to_string(), Status::Done),
            ("A002".to_string(), Status::Called),
            ("A003".to_string(), Status::Waiting)
        ]
    );
    let w1 = haikou.window("1").await.unwrap().expect("window 1");
    assert_eq!(w1.serving.map(|t| t.number).as_deref(), Some("A002"));
    assert_eq!(
        haikou.waiting("a", DAY).await.unwrap(),
        1,
        "counts moved too"
    );
    assert_eq!(store.waiting("a", DAY).await.unwrap(), 0);
    assert_eq!(
        haikou
            .hall_of_ticket("v12-token-0")
            .await
            .unwrap()
            .as_deref(),
        Some("haikou")
    );
    assert!(haikou
        .ticket_by_token("v12-token-0")
        .await
        .unwrap()
        .is_some());

    // Numbering goes on where it stopped; a new hall starts at 001.
    let next = try_issue(&haikou, A, Kind::WalkIn, None, DAY, T0 + 20_000)
        .await
        .unwrap();
    assert_eq!(
        (next.ticket.number.as_str(), next.people_ahead),
        ("A004", 1)
    );
    let first = try_issue(&longhua, A, Kind::WalkIn, None, DAY, T0 + 20_001)
        .await
        .unwrap();
    assert_eq!(
        (first.ticket.number.as_str(), first.people_ahead),
        ("A001", 0)
    );

    // The booking is haikou's; the daily limit still counts it (city-wide by default).
    let booked = haikou.appointments_of([&hash(7), &hash(7)]).await.unwrap();
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].status, AppointmentStatus::Booked);
    assert_eq!(
        store
            .hall_of_appointment(&booked[0].code)
            .await
            .unwrap()
            .as_deref(),
        Some("haikou")
    );
    book(&longhua, 7).await.expect("a second booking that day");
    match book(&longhua, 7).await {
        Err(StoreError::Refused(Refusal::DailyLimit(2))) => {}
        other => panic!("the old booking counts toward the limit: {other:?}"),
    }

    // The old ban still refuses the person in haikou.
    assert_eq!(haikou.bans(false, T0).await.unwrap().len(), 1);
    match book(&haikou, 9).await {
        Err(StoreError::Refused(Refusal::Banned { .. })) => {}
        other => panic!("the old ban must still refuse: {other:?}"),
    }

    // The old session is haikou's.
    assert!(haikou
        .session("v12-session", T0 + 60_000)
        .await
        .unwrap()
        .is_some());
    assert!(longhua
        .session("v12-session", T0 + 60_000)
        .await
        .unwrap()
        .is_none());
    // The old events not yet published are haikou's relay's.
    assert!(haikou.unsent_count().await.unwrap() > 0);
    assert_eq!(store.unsent_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_database_of_the_single_hall_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hallq.db");
    std::fs::copy(SQLITE_FIXTURE, &path).expect("copy the fixture");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open and migrate");
    check_upgraded(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_of_the_single_hall_version() {
    let Ok(admin) = std::env::var(PG_ENV) else {
        println!("skipped: {PG_ENV} not set (PostgreSQL upgrade of a v12 database)");
        return;
    };
    let name = format!("hallq_t_{:016x}", rand::random::<u64>());
    let mut conn = PgConnection::connect(&admin).await.expect("connect");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create");
    let url = with_database(&admin, &name);
    let result = {
        let url = url.clone();
        AssertUnwindSafe(async move {
            // The dump sets search_path to '' on its connection: a connection of its own.
            let mut restore = PgConnection::connect(&url).await.expect("connect");
            // psql's own lines (`\restrict` …) are not SQL.
            let sql: String = PG_FIXTURE
                .lines()
                .filter(|l| !l.starts_with('\\'))
                .map(|l| format!("{l}\n"))
                .collect();
            sqlx::raw_sql(&sql)
                .execute(&mut restore)
                .await
                .expect("restore the v12 dump");
            restore.close().await.unwrap();
            let store = Store::connect(&url).await.expect("open and migrate");
            check_upgraded(store.clone()).await;
            store.close().await;
        })
        .catch_unwind()
        .await
    };
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
