//! Personal data in the store, on SQLite and PostgreSQL (each story runs on both; the PG
//! variant says it was skipped without `HALLQ_TEST_PG_URL`):
//! - the retention purge deletes appointments, tickets' person hashes and ended bans
//!   older than the period, and nothing else: recent rows and bans in force stay, and the
//!   no-show count the ban rule uses holds exactly the no-shows within the period;
//! - a single-use assertion's record is one atomic insert: of concurrent uses on two
//!   replicas exactly one passes; expired records are purged.

#[allow(dead_code)]
mod common;

use common::{issue, Db, A, T0, TZ};
use hallq_controller::model::{Citizen, Kind};
use hallq_controller::store::{BanRule, BookRequest, Refusal, Store, StoreError};

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
    retention_purges_old_data_only,
    single_use_assertion_once_under_concurrency
);

const DAY_MS: i64 = 24 * 3600 * 1000;
const HOUR_MS: i64 = 3600 * 1000;
/// "Now" of the purge: 400 days after the stories' T0.
const NOW: i64 = T0 + 400 * DAY_MS;
/// 180 days of retention.
const CUTOFF: i64 = NOW - 180 * DAY_MS;
const OLD: i64 = NOW - 200 * DAY_MS;
const RECENT: i64 = NOW - 10 * DAY_MS;
const GRACE: i64 = 15 * 60 * 1000;

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .with_timezone(&TZ)
        .format("%Y-%m-%d")
        .to_string()
}

fn person(n: u32) -> Citizen {
    Citizen {
        id_hash: format!("{n:064x}"),
        key_version: 1,
        id_hash_previous: None,
        contact_hash: None,
        id_masked: format!("1101**********{n:03}X"),
        name_masked: "张*".into(),
        phone_masked: "138****0000".into(),
        channel: "city-app".into(),
        method: "face".into(),
        provider: "city".into(),
        subject: Some(format!("u{n}")),
        single_use: None,
    }
}

async fn book(store: &Store, who: &Citizen, slot: i64) -> Result<(), StoreError> {
    let today = day(slot - HOUR_MS);
    let day = day(slot);
    store
        .book(&BookRequest {
            service: "a",
            slot: (slot, slot + HOUR_MS / 2),
            day: &day,
            capacity: 50,
            daily_limit: 50,
            active_per_day: 50,
            today: &today,
            who,
            now: slot - HOUR_MS,
        })
        .await
        .map(|_| ())
}

fn rule(limit: i64, until: i64) -> BanRule {
    BanRule {
        limit,
        until: (day(until), until),
        reason: "因多次爽约".into(),
    }
}

/// Masked IDs of the bans (all, or those in force at `now`).
async fn banned(store: &Store, all: bool, now: i64) -> Vec<String> {
    let mut v: Vec<String> = store
        .bans(all, now)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id_masked)
        .collect();
    v.sort();
    v
}

async fn count_of(store: &Store, who: &Citizen) -> usize {
    store
        .appointments_of(who.lookup_hashes())
        .await
        .unwrap()
        .len()
}

async fn retention_purges_old_data_only(db: Db) {
    let store = db.store(&[]).await;
    let (a, b, c, d) = (person(1), person(2), person(3), person(4));
    // Old: A and D miss three appointments each (banned, bans long over; D's lifted),
    // B misses two, C one.
    for i in 0..3 {
        let slot = OLD + i * DAY_MS;
        book(&store, &a, slot).await.unwrap();
        book(&store, &d, slot).await.unwrap();
        if i < 2 {
            book(&store, &b, slot).await.unwrap();
        }
        if i < 1 {
            book(&store, &c, slot).await.unwrap();
        }
    }
    let marked = store
        .sweep_no_shows(GRACE, 0, &rule(3, OLD + 15 * DAY_MS), OLD + 5 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(marked, 9);
    let d_ban = store
        .bans(false, OLD + 6 * DAY_MS)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id_masked == d.id_masked)
        .unwrap();
    assert!(store
        .lift_ban(d_ban.id, "admin", "误判", "test", OLD + 6 * DAY_MS)
        .await
        .unwrap());
    // Recent: B misses one more (3 in all, under a limit of 4); C misses three and is
    // banned until after NOW.
    book(&store, &b, RECENT).await.unwrap();
    store
        .sweep_no_shows(GRACE, 0, &rule(4, NOW + 80 * DAY_MS), RECENT + DAY_MS)
        .await
        .unwrap();
    for i in 0..3 {
        book(&store, &c, RECENT + (2 + i) * DAY_MS).await.unwrap();
    }
    store
        .sweep_no_shows(GRACE, 0, &rule(3, NOW + 80 * DAY_MS), RECENT + 6 * DAY_MS)
        .await
        .unwrap();
    let all_bans = banned(&store, true, NOW).await;
    assert_eq!(all_bans.len(), 3, "{all_bans:?}");
    // Booking acts and no-shows of old and recent days are on record.
    let old_acts = "SELECT COUNT(*) FROM booking_acts WHERE day < $1";
    let old_no_shows = "SELECT COUNT(*) FROM no_shows WHERE at < $1";
    assert!(count_rows(&db.url, old_acts, &day(CUTOFF)).await > 0);
    assert!(count_rows(&db.url, old_no_shows, &CUTOFF.to_string()).await > 0);
    // Tickets: one issued long ago, one recently, both of an appointment's holder.
    let old_ticket = issue(&store, A, Kind::Appointment, &day(OLD), OLD).await;
    let new_ticket = issue(&store, A, Kind::Appointment, &day(RECENT), RECENT).await;
    set_ticket_person(&db.url, old_ticket.id, &a.id_hash).await;
    set_ticket_person(&db.url, new_ticket.id, &b.id_hash).await;

    let purged = store
        .purge_personal_data(CUTOFF, &day(CUTOFF), NOW)
        .await
        .unwrap();
    assert_eq!(purged.appointments, 9, "{purged:?}");
    assert_eq!(purged.bans, 2, "{purged:?}");
    assert_eq!(purged.ticket_persons, 1, "{purged:?}");

    // Booking acts and no-shows before the cut-off are gone, recent ones kept.
    assert_eq!(count_rows(&db.url, old_acts, &day(CUTOFF)).await, 0);
    assert_eq!(
        count_rows(&db.url, old_no_shows, &CUTOFF.to_string()).await,
        0
    );
    let all_acts = "SELECT COUNT(*) FROM booking_acts WHERE day <> $1";
    assert!(
        count_rows(&db.url, all_acts, "").await > 0,
        "recent acts kept"
    );
    let all_no_shows = "SELECT COUNT(*) FROM no_shows WHERE person <> $1";
    assert_eq!(
        count_rows(&db.url, all_no_shows, "").await,
        4,
        "B's one, C's three"
    );
    // Old appointments gone, recent ones kept.
    assert_eq!(count_of(&store, &a).await, 0);
    assert_eq!(count_of(&store, &d).await, 0);
    assert_eq!(count_of(&store, &b).await, 1);
    assert_eq!(count_of(&store, &c).await, 3);
    // The ended bans are gone; C's ban in force stays and still refuses C.
    assert_eq!(banned(&store, true, NOW).await, vec![c.id_masked.clone()]);
    match book(&store, &c, NOW + DAY_MS).await {
        Err(StoreError::Refused(Refusal::Banned { .. })) => {}
        other => panic!("C must still be banned: {other:?}"),
    }
    // The person hash of the old ticket is cleared; the recent one's kept.
    assert_eq!(store.ticket_person(old_ticket.id).await.unwrap(), None);
    assert_eq!(
        store.ticket_person(new_ticket.id).await.unwrap(),
        Some(b.id_hash.clone())
    );
    // B's no-shows within the period: one. Under a limit of 3, B's next no-show is the
    // second (no ban); the one after is the third (ban). Counting the purged ones, the
    // first would already have banned B.
    book(&store, &b, NOW + DAY_MS).await.unwrap();
    store
        .sweep_no_shows(GRACE, 0, &rule(3, NOW + 90 * DAY_MS), NOW + 2 * DAY_MS)
        .await
        .unwrap();
    assert!(!banned(&store, false, NOW + 2 * DAY_MS)
        .await
        .contains(&b.id_masked));
    book(&store, &b, NOW + 3 * DAY_MS).await.unwrap();
    store
        .sweep_no_shows(GRACE, 0, &rule(3, NOW + 90 * DAY_MS), NOW + 4 * DAY_MS)
        .await
        .unwrap();
    assert!(banned(&store, false, NOW + 4 * DAY_MS)
        .await
        .contains(&b.id_masked));
    // A second purge at the same time finds nothing more to delete.
    let again = store
        .purge_personal_data(CUTOFF, &day(CUTOFF), NOW)
        .await
        .unwrap();
    assert_eq!(
        (again.appointments, again.bans, again.ticket_persons),
        (0, 0, 0)
    );
}

/// `sql` (one `COUNT(*)` with one parameter, bound as text, or as a number when it
/// parses as one) on the database itself.
async fn count_rows(url: &str, sql: &str, param: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let q = sqlx::query_scalar(sql);
    let q = match param.parse::<i64>() {
        Ok(n) => q.bind(n),
        Err(_) => q.bind(param.to_string()),
    };
    let n: i64 = q.fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

/// Sets a ticket's holder as check-in does (the store's check-in path needs a kiosk).
async fn set_ticket_person(url: &str, id: i64, hash: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query("UPDATE tickets SET person = $1, person_key_version = 1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

async fn single_use_assertion_once_under_concurrency(db: Db) {
    let replicas = [db.store(&[]).await, db.store(&[]).await];
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = replicas[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            s.use_assertion("book", "city:jti-1", NOW + HOUR_MS, NOW)
                .await
                .unwrap()
        }));
    }
    let mut passed = 0;
    for t in tasks {
        passed += usize::from(t.await.unwrap());
    }
    assert_eq!(passed, 1, "exactly one of 16 concurrent uses passes");
    // Once per purpose: the same jti may still cancel once.
    let s = &replicas[0];
    assert!(s
        .use_assertion("cancel", "city:jti-1", NOW + HOUR_MS, NOW)
        .await
        .unwrap());
    assert!(!s
        .use_assertion("cancel", "city:jti-1", NOW + HOUR_MS, NOW)
        .await
        .unwrap());
    // Records are kept until the assertion expires, then purged.
    assert!(s
        .use_assertion("book", "city:old", NOW - 1, NOW - HOUR_MS)
        .await
        .unwrap());
    let purged = s
        .purge_personal_data(CUTOFF, &day(CUTOFF), NOW)
        .await
        .unwrap();
    assert_eq!(purged.assertion_uses, 1, "{purged:?}");
    assert!(!s
        .use_assertion("book", "city:jti-1", NOW + HOUR_MS, NOW)
        .await
        .unwrap());
}
