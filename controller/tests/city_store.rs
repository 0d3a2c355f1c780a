//! A city's halls on one database: numbers, queues, calls, statistics and outbox rows stay
//! per hall, while the booking rules (the daily limit, no-show bans) count over the city
//! or per hall as `[appointments] *_scope` say. Each story runs on SQLite (a temp file)
//! and on PostgreSQL (a fresh database, when `HALLQ_TEST_PG_URL` is set).

#[allow(dead_code)]
mod common;

use common::{try_issue, win, Db, A, DAY, T0};
use hallq_config::Scope;
use hallq_controller::model::{Citizen, Kind};
use hallq_controller::store::{
    Action, Actor, BanRule, BookRequest, NewSession, Refusal, Scopes, Store, StoreError,
};

/// Generates `NAME::sqlite` and `NAME::postgres` tests running the story `NAME`.
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
    numbers_queues_and_calls_per_hall,
    daily_limit_city_wide_across_two_controllers,
    daily_limit_per_hall,
    no_show_ban_city_or_hall,
    sessions_city_wide_or_hall,
    concurrent_numbers_in_two_halls_two_controllers,
    a_commit_wakes_every_halls_relay,
    false_info_ban_city_or_hall,
    two_controllers_batches_never_deadlock,
);

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const HAIKOU: &str = "haikou";
const LONGHUA: &str = "longhua";

fn scopes(s: Scope) -> Scopes {
    Scopes {
        daily_limit: s,
        no_shows: s,
        false_info: s,
    }
}

/// Two halls on one database through one controller's store, windows "1" and "2" each.
async fn two_halls(db: &Db, s: Scope) -> (Store, Store) {
    let store = db.store(&[]).await;
    let ids = ["1".to_string(), "2".to_string()];
    let a = store.in_hall(HAIKOU, scopes(s));
    let b = store.in_hall(LONGHUA, scopes(s));
    a.sync_windows(&ids, T0).await.expect("sync haikou");
    b.sync_windows(&ids, T0).await.expect("sync longhua");
    (a, b)
}

fn person(n: u32) -> Citizen {
    Citizen {
        id_hash: format!("{n:064x}"),
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

/// Books `who` at `slot` (tomorrow's day) with a daily limit of `limit`.
async fn book(store: &Store, who: &Citizen, slot: i64, limit: i64) -> Result<String, StoreError> {
    store
        .book(&BookRequest {
            service: "a",
            slot: (slot, slot + 30 * MIN),
            day: "2026-03-03",
            capacity: 100,
            daily_limit: limit,
            active_per_day: 100,
            today: DAY,
            who,
            now: T0,
        })
        .await
        .map(|a| a.code)
}

async fn call_next(store: &Store, window: &str, now: i64) -> Result<String, StoreError> {
    let w = win(window, &["a"]);
    let tz = chrono_tz::Asia::Shanghai;
    let out = store
        .window_action(w.info(), &Action::CallNext, Actor::system(), DAY, now, tz)
        .await?;
    Ok(out.ticket.expect("a called ticket").token)
}

async fn numbers_queues_and_calls_per_hall(db: Db) {
    let (a, b) = two_halls(&db, Scope::City).await;
    let issue = |s: &Store, i: i64| {
        let s = s.clone();
        async move { try_issue(&s, A, Kind::WalkIn, None, DAY, T0 + i).await }
    };
    let a1 = issue(&a, 1).await.expect("haikou A001");
    let b1 = issue(&b, 2).await.expect("longhua A001");
    let a2 = issue(&a, 3).await.expect("haikou A002");
    assert_eq!(a1.ticket.number, "A001");
    assert_eq!(b1.ticket.number, "A001", "each hall numbers on its own");
    assert_eq!(a2.ticket.number, "A002");
    assert_eq!(b1.people_ahead, 0, "haikou's queue is not ahead in longhua");
    assert_eq!(a2.people_ahead, 1);
    assert_eq!(a.waiting("a", DAY).await.unwrap(), 2);
    assert_eq!(b.waiting("a", DAY).await.unwrap(), 1);
    assert_eq!(a.queue_counts(DAY).await.unwrap()[0].waiting, 2);
    assert_eq!(b.queue_counts(DAY).await.unwrap()[0].waiting, 1);
    assert_eq!(a.people_ahead(&a2.ticket, T0 + 10).await.unwrap(), 1);
    assert_eq!(a.issued_counts(DAY).await.unwrap(), [("a".to_string(), 2)]);
    assert_eq!(b.issued_counts(DAY).await.unwrap(), [("a".to_string(), 1)]);

    // Window "1" of longhua calls longhua's ticket, then finds its queue empty although
    // haikou still has two waiting.
    assert_eq!(call_next(&b, "1", T0 + 20).await.unwrap(), b1.ticket.token);
    match call_next(&b, "1", T0 + 21).await {
        Err(StoreError::Refused(Refusal::QueueEmpty)) => {}
        other => panic!("longhua's window 1 must not call haikou's tickets: {other:?}"),
    }
    // Haikou's window "1" is still free and calls haikou's first ticket.
    assert!(a.window("1").await.unwrap().unwrap().serving.is_none());
    assert_eq!(call_next(&a, "1", T0 + 22).await.unwrap(), a1.ticket.token);
    assert_eq!(a.waiting("a", DAY).await.unwrap(), 1);
    assert_eq!(b.waiting("a", DAY).await.unwrap(), 0);

    // Tokens are city-wide; a hall sees only its own tickets.
    assert!(a.ticket_by_token(&b1.ticket.token).await.unwrap().is_none());
    assert_eq!(
        a.hall_of_ticket(&b1.ticket.token).await.unwrap().as_deref(),
        Some(LONGHUA)
    );
    let numbers = |ts: Vec<hallq_controller::model::Ticket>| {
        ts.into_iter().map(|t| t.number).collect::<Vec<_>>()
    };
    assert_eq!(
        numbers(a.tickets_of_day(DAY).await.unwrap()),
        ["A001", "A002"]
    );
    assert_eq!(numbers(b.tickets_of_day(DAY).await.unwrap()), ["A001"]);
    assert_eq!(a.stat_rows(DAY, DAY).await.unwrap().len(), 2);
    assert_eq!(b.stat_rows(DAY, DAY).await.unwrap().len(), 1);

    // Each hall's relay reads its own events; the call events name the hall's ticket.
    let calls = |s: Store| async move {
        s.unsent(1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == "call")
            .map(|r| r.payload)
            .collect::<Vec<_>>()
    };
    let (ca, cb) = (calls(a.clone()).await, calls(b.clone()).await);
    assert_eq!((ca.len(), cb.len()), (1, 1));
    let ids_a: Vec<i64> = a.unsent(1000).await.unwrap().iter().map(|r| r.id).collect();
    let ids_b: Vec<i64> = b.unsent(1000).await.unwrap().iter().map(|r| r.id).collect();
    assert!(ids_a.iter().all(|i| !ids_b.contains(i)));
    b.mark_sent(&ids_a, T0 + 30).await.unwrap();
    assert_eq!(
        a.unsent_count().await.unwrap(),
        ids_a.len() as i64,
        "longhua cannot mark haikou's"
    );
    a.mark_sent(&ids_a, T0 + 30).await.unwrap();
    assert_eq!(a.unsent_count().await.unwrap(), 0);
    assert_eq!(b.unsent_count().await.unwrap(), ids_b.len() as i64);

    // Each hall has its own relay lease.
    assert!(a
        .acquire_lease("outbox-relay", "c1", T0, 10_000)
        .await
        .unwrap());
    assert!(b
        .acquire_lease("outbox-relay", "c2", T0, 10_000)
        .await
        .unwrap());
    assert!(!b
        .acquire_lease("outbox-relay", "c3", T0, 10_000)
        .await
        .unwrap());
}

/// Bookings of one person at once in both halls, through two controllers (two pools):
/// exactly `limit` succeed over the city.
async fn daily_limit_city_wide_across_two_controllers(db: Db) {
    let (a, _) = two_halls(&db, Scope::City).await;
    let other = db.store(&[]).await.in_hall(LONGHUA, scopes(Scope::City));
    let who = person(7);
    let slot = T0 + 24 * HOUR;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = if i % 2 == 0 { a.clone() } else { other.clone() };
        let who = who.clone();
        tasks.push(tokio::spawn(async move { book(&s, &who, slot, 2).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Refused(Refusal::DailyLimit(2))) => {}
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!(ok, 2, "the daily limit counts the bookings of every hall");
}

async fn daily_limit_per_hall(db: Db) {
    let (a, b) = two_halls(&db, Scope::Hall).await;
    let who = person(8);
    let slot = T0 + 24 * HOUR;
    for s in [&a, &b] {
        book(s, &who, slot, 2).await.expect("first");
        book(s, &who, slot, 2).await.expect("second");
        match book(s, &who, slot, 2).await {
            Err(StoreError::Refused(Refusal::DailyLimit(2))) => {}
            other => panic!("the third booking in one hall must be refused: {other:?}"),
        }
    }
}

async fn no_show_ban_city_or_hall(db: Db) {
    for (scope, refused_in_b) in [(Scope::City, true), (Scope::Hall, false)] {
        let (a, b) = two_halls(&db, scope).await;
        let who = person(if refused_in_b { 20 } else { 21 });
        let slot = T0 + HOUR;
        book(&a, &who, slot, 10).await.expect("book in haikou");
        let rule = BanRule {
            limit: 1,
            until: ("2026-06-02".into(), T0 + 90 * 24 * HOUR),
            reason: "爽约".into(),
        };
        // Longhua's sweep does not mark haikou's booking.
        assert_eq!(b.sweep_no_shows(0, 0, &rule, slot + 1).await.unwrap(), 0);
        assert_eq!(a.sweep_no_shows(0, 0, &rule, slot + 1).await.unwrap(), 1);
        let later = T0 + 2 * 24 * HOUR;
        match book(&a, &who, later, 10).await {
            Err(StoreError::Refused(Refusal::Banned { .. })) => {}
            other => panic!("the ban refuses in the hall it was earned in: {other:?}"),
        }
        let in_b = book(&b, &who, later, 10).await;
        if refused_in_b {
            assert!(
                matches!(in_b, Err(StoreError::Refused(Refusal::Banned { .. }))),
                "a city-wide no-show ban refuses in every hall: {in_b:?}"
            );
        } else {
            in_b.expect("a per-hall ban does not refuse in another hall");
        }
        let listed = |s: Store| {
            let masked = who.id_masked.clone();
            async move {
                let bans = s.bans(false, T0).await.unwrap();
                bans.iter().filter(|x| x.id_masked == masked).count()
            }
        };
        assert_eq!(listed(a.clone()).await, 1);
        assert_eq!(listed(b.clone()).await, usize::from(refused_in_b));
    }
}

async fn sessions_city_wide_or_hall(db: Db) {
    let (a, b) = two_halls(&db, Scope::City).await;
    let new = |hash: &'static str, city_wide: bool| NewSession {
        token_sha256: hash,
        username: "li",
        role: "admin",
        window: None,
        credential: "c",
        origin: "10.0.0.1",
        ttl_ms: HOUR,
        city_wide,
    };
    a.open_session(new("h-hall", false), T0).await.unwrap();
    a.open_session(new("h-city", true), T0).await.unwrap();
    assert!(a.session("h-hall", T0 + 1).await.unwrap().is_some());
    assert!(
        b.session("h-hall", T0 + 1).await.unwrap().is_none(),
        "a hall's session stays there"
    );
    assert!(
        b.session("h-city", T0 + 1).await.unwrap().is_some(),
        "a city-wide one is valid everywhere"
    );
    // A clerk signed in at longhua's window 1 does not open haikou's window 1.
    let mut clerk = new("h-clerk", false);
    clerk.role = "clerk";
    clerk.window = Some("1");
    b.open_session(clerk, T0).await.unwrap();
    assert_eq!(
        b.window("1").await.unwrap().unwrap().status,
        hallq_controller::model::WindowStatus::Open
    );
    assert_eq!(
        a.window("1").await.unwrap().unwrap().status,
        hallq_controller::model::WindowStatus::Closed
    );
}

/// Tickets taken at once in both halls through two controllers: each hall's numbers are
/// 1..=n with no gap and no repeat.
async fn concurrent_numbers_in_two_halls_two_controllers(db: Db) {
    let (a, _) = two_halls(&db, Scope::City).await;
    let b = db.store(&[]).await.in_hall(LONGHUA, scopes(Scope::City));
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let t = try_issue(&s, A, Kind::WalkIn, None, DAY, T0 + i).await;
            (s.hall().to_string(), t.expect("issue").ticket.number)
        }));
    }
    let mut by_hall: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for t in tasks {
        let (hall, number) = t.await.unwrap();
        by_hall.entry(hall).or_default().push(number);
    }
    let want: Vec<String> = (1..=20).map(|n| format!("A{n:03}")).collect();
    for (hall, mut numbers) in by_hall {
        numbers.sort();
        assert_eq!(numbers, want, "hall {hall}");
    }
    assert_eq!(a.waiting("a", DAY).await.unwrap(), 20);
    assert_eq!(b.waiting("a", DAY).await.unwrap(), 20);
}

/// Each hall's relay waits on its own signal; a commit in one hall wakes them all (a
/// relay busy at that moment finds the wake-up at its next wait).
async fn a_commit_wakes_every_halls_relay(db: Db) {
    let (a, b) = two_halls(&db, Scope::City).await;
    let (wake_a, wake_b) = (a.outbox_signal(), b.outbox_signal());
    assert!(!std::sync::Arc::ptr_eq(&wake_a, &wake_b));
    try_issue(&a, A, Kind::WalkIn, None, DAY, T0).await.unwrap();
    let within = std::time::Duration::from_secs(2);
    tokio::time::timeout(within, wake_a.notified())
        .await
        .expect("haikou's relay is woken");
    tokio::time::timeout(within, wake_b.notified())
        .await
        .expect("longhua's relay is woken too");
}

/// A false-information mark in haikou bans in every hall (scope city) or in haikou only
/// (scope hall); longhua cannot mark haikou's ticket.
async fn false_info_ban_city_or_hall(db: Db) {
    for (scope, n) in [(Scope::City, 30), (Scope::Hall, 31)] {
        let (a, b) = two_halls(&db, scope).await;
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("pool");
        let who = person(n);
        let code = book(&a, &who, T0 + 3 * HOUR, 10).await.expect("book");
        // The appointment's ticket (check-in's link, made here directly).
        let t = try_issue(&a, A, Kind::Appointment, Some(T0), DAY, T0 + 1)
            .await
            .unwrap()
            .ticket;
        sqlx::query("UPDATE appointments SET ticket_id = $1 WHERE code = $2")
            .bind(t.id)
            .bind(&code)
            .execute(&pool)
            .await
            .unwrap();
        let rule = BanRule {
            limit: 1,
            until: ("2026-04-02".into(), T0 + 31 * 24 * HOUR),
            reason: "信息不实".into(),
        };
        match b
            .mark_false_info(t.id, "1", Actor::system(), &rule, T0 + 2)
            .await
        {
            Err(StoreError::Refused(Refusal::NotAppointment)) => {}
            other => panic!("longhua must not mark haikou's ticket: {other:?}"),
        }
        assert!(a
            .mark_false_info(t.id, "1", Actor::system(), &rule, T0 + 2)
            .await
            .unwrap());
        let later = T0 + 2 * 24 * HOUR;
        assert!(matches!(
            book(&a, &who, later, 10).await,
            Err(StoreError::Refused(Refusal::Banned { .. }))
        ));
        let in_b = book(&b, &who, later, 10).await;
        match scope {
            Scope::City => assert!(
                matches!(in_b, Err(StoreError::Refused(Refusal::Banned { .. }))),
                "a city-wide false-information ban refuses in every hall: {in_b:?}"
            ),
            Scope::Hall => {
                in_b.expect("a per-hall ban does not refuse in another hall");
            }
        }
        pool.close().await;
    }
}

/// Two controllers' group commits, each batch holding both halls' tickets in whatever order
/// they came: every ticket is issued (PostgreSQL would otherwise pick deadlock victims
/// among batches taking the two counters in opposite orders and fail them whole).
async fn two_controllers_batches_never_deadlock(db: Db) {
    let (a1, b1) = two_halls(&db, Scope::City).await;
    let other = db.store(&[]).await;
    let (a2, b2) = (
        other.in_hall(HAIKOU, scopes(Scope::City)),
        other.in_hall(LONGHUA, scopes(Scope::City)),
    );
    let handles = [a1, b1, b2, a2];
    let mut tasks = Vec::new();
    for i in 0..400usize {
        let s = handles[(i * 7 + i / 5) % 4].clone();
        tasks.push(tokio::spawn(async move {
            let t = try_issue(&s, A, Kind::WalkIn, None, DAY, T0 + i as i64).await;
            (s.hall().to_string(), t.map(|t| t.ticket.number))
        }));
    }
    let mut by_hall: std::collections::BTreeMap<String, usize> = Default::default();
    for t in tasks {
        let (hall, number) = t.await.unwrap();
        number.unwrap_or_else(|e| panic!("a ticket of {hall} refused: {e}"));
        *by_hall.entry(hall).or_default() += 1;
    }
    let issued: usize = by_hall.values().sum();
    assert_eq!(issued, 400);
    for (hall, n) in by_hall {
        let h = if hall == HAIKOU {
            &handles[0]
        } else {
            &handles[1]
        };
        assert_eq!(h.waiting("a", DAY).await.unwrap(), n as i64, "hall {hall}");
    }
}
