//! The hall's snapshot for the wait estimator (`Store::snapshot`), on SQLite (a temp file)
//! and on PostgreSQL (a fresh database, when `HALLQ_TEST_PG_URL` is set): after a morning
//! of calls, finishes and no-shows, every figure the estimator reads — waiting tickets of
//! the day, windows open / paused / closed with the ticket each holds, the latest 20
//! durations per service, arrivals of the last hour, the no-show share and wait, booked
//! appointments still to come — is the one the day's actions make, for the store's hall
//! only; and the estimator gives every waiting ticket a range around its wait.

#[allow(dead_code)]
mod common;

use common::{ok, ok_ticket, try_issue, win, Db, Win, A, B, DAY, T0};
use hallq_controller::model::{Citizen, Kind, Status};
use hallq_controller::store::{Action, BookRequest, Scopes, Store};
use hallq_queue::estimate::{estimate_all, Snapshot};

const MIN: i64 = 60_000;

mod snapshot_of_a_morning {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        crate::common::run_sqlite(super::story).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        crate::common::run_postgres("snapshot_of_a_morning", super::story).await;
    }
}

/// The windows as the config describes them.
fn config_windows(ws: &[&Win]) -> Vec<hallq_config::Window> {
    ws.iter()
        .map(|w| hallq_config::Window {
            id: w.id.clone(),
            name: w.name.clone(),
            name_en: None,
            floor: 1,
            services: w.services.clone(),
        })
        .collect()
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

/// Books `service` at `slot` on `day` for person `n`; returns the booking code.
async fn book(store: &Store, service: &str, day: &str, slot: i64, n: u32) -> String {
    store
        .book(&BookRequest {
            service,
            slot: (slot, slot + 30 * MIN),
            day,
            capacity: 10,
            daily_limit: 10,
            active_per_day: 10,
            today: DAY,
            who: &person(n),
            now: T0,
        })
        .await
        .expect("book")
        .code
}

async fn story(db: Db) {
    let (w1, w2, w3, w4) = (
        win("w1", &["a", "b"]),
        win("w2", &["b", "a"]),
        win("w3", &["a"]),
        win("w4", &["b"]),
    );
    let store = db
        .store(&[w1.clone(), w2.clone(), w3.clone(), w4.clone()])
        .await;
    let windows = config_windows(&[&w1, &w2, &w3, &w4]);

    // 09:00: 22 walk-ins of a and 4 of b.
    for i in 0..22 {
        try_issue(&store, A, Kind::WalkIn, None, DAY, T0 + i)
            .await
            .unwrap();
    }
    for i in 0..4 {
        try_issue(&store, B, Kind::WalkIn, None, DAY, T0 + 100 + i)
            .await
            .unwrap();
    }
    // Window 2 (b first): two served (100 s, 200 s), two who did not come (the clerk
    // waited 40 s and 60 s).
    let serve = |w: &Win, at: i64, secs: i64| {
        let (store, w) = (store.clone(), w.clone());
        async move {
            let t = ok_ticket(&store, &w, Action::CallNext, at).await;
            ok(&store, &w, Action::Start, at).await;
            ok(&store, &w, Action::Finish, at + secs * 1000).await;
            t
        }
    };
    assert_eq!(serve(&w2, T0 + 5 * MIN, 100).await.service, "b");
    assert_eq!(serve(&w2, T0 + 8 * MIN, 200).await.service, "b");
    for (at, wait) in [(T0 + 12 * MIN, 40), (T0 + 14 * MIN, 60)] {
        let t = ok_ticket(&store, &w2, Action::CallNext, at).await;
        assert_eq!(t.service, "b");
        ok(&store, &w2, Action::NoShow, at + wait * 1000).await;
    }
    // Window 3 serves the 22 of a, the i-th taking 30 + i seconds.
    for i in 0..22 {
        serve(&w3, T0 + 20 * MIN + i * 2 * MIN, 30 + i).await;
    }
    // 10:30: a green ticket of a (more than an hour before noon: not in the rates).
    try_issue(&store, A, Kind::Green, None, DAY, T0 + 90 * MIN)
        .await
        .unwrap();
    // 11:30: three walk-ins and a green ticket of a, a green ticket of b; 11:40 an
    // appointment of a whose slot began at 11:30.
    for i in 0..3 {
        try_issue(&store, A, Kind::WalkIn, None, DAY, T0 + 150 * MIN + i)
            .await
            .unwrap();
    }
    try_issue(&store, A, Kind::Green, None, DAY, T0 + 150 * MIN + 5)
        .await
        .unwrap();
    try_issue(&store, B, Kind::Green, None, DAY, T0 + 150 * MIN + 6)
        .await
        .unwrap();
    let appt = try_issue(
        &store,
        A,
        Kind::Appointment,
        Some(T0 + 150 * MIN),
        DAY,
        T0 + 160 * MIN,
    )
    .await
    .unwrap()
    .ticket;
    // Window 1 opens at 11:45 and calls the appointment at 11:50; window 2 pauses;
    // window 3 is open and idle; window 4 was never opened.
    ok(&store, &w1, Action::Resume, T0 + 165 * MIN).await;
    let called = ok_ticket(&store, &w1, Action::CallNext, T0 + 170 * MIN).await;
    assert_eq!(called.id, appt.id, "the begun appointment first");
    ok(
        &store,
        &w2,
        Action::Pause(Some("午休".into())),
        T0 + 171 * MIN,
    )
    .await;
    ok(&store, &w3, Action::Resume, T0 + 172 * MIN).await;
    // Appointments: b at 13:00 and a at 14:00 still to come; a at 11:00 already begun,
    // a at 15:00 cancelled, a tomorrow: not today's to come.
    book(&store, "a", DAY, T0 + 120 * MIN, 1).await;
    book(&store, "b", DAY, T0 + 240 * MIN, 2).await;
    book(&store, "a", DAY, T0 + 300 * MIN, 3).await;
    let cancelled = book(&store, "a", DAY, T0 + 360 * MIN, 4).await;
    let p4 = person(4);
    store
        .cancel(&cancelled, p4.lookup_hashes(), T0)
        .await
        .unwrap();
    book(&store, "a", common::NEXT_DAY, T0 + 24 * 60 * MIN, 5).await;
    // Another hall on the same database: nothing of it shows.
    let other = store.in_hall("elsewhere", Scopes::default());
    try_issue(&other, A, Kind::Green, None, DAY, T0 + 170 * MIN)
        .await
        .unwrap();

    let now = T0 + 180 * MIN;
    let s: Snapshot = store.snapshot(&windows, DAY, now).await.expect("snapshot");
    let backend = common::backend_of(&store);
    assert_eq!(s.now, now);

    // Waiting: exactly the day's waiting tickets of this hall, as the call order sees them.
    let mut expected: Vec<_> = store
        .tickets_of_day(DAY)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.status == Status::Waiting)
        .map(|t| {
            (
                t.id,
                t.service,
                t.kind.as_str(),
                t.slot_start,
                t.arrived_at,
                t.target_window,
            )
        })
        .collect();
    expected.sort();
    let mut got: Vec<_> = s
        .waiting
        .iter()
        .map(|c| {
            let c = c.clone();
            (
                c.id,
                c.service,
                c.kind.as_str(),
                c.slot_start,
                c.arrived_at,
                c.target_window,
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, expected, "{backend}");
    assert_eq!(got.len(), 6, "{backend}: 5 of a and 1 of b wait");

    // Windows: in the config's order, open only when open, each with its ticket.
    let state: Vec<_> = s
        .windows
        .iter()
        .map(|w| {
            let serving = w.serving.as_ref().map(|t| (t.service.clone(), t.since));
            (w.id.as_str(), w.services.clone(), w.open, serving)
        })
        .collect();
    let svcs = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        state,
        vec![
            (
                "w1",
                svcs(&["a", "b"]),
                true,
                Some(("a".into(), T0 + 170 * MIN))
            ),
            ("w2", svcs(&["b", "a"]), false, None),
            ("w3", svcs(&["a"]), true, None),
            ("w4", svcs(&["b"]), false, None),
        ],
        "{backend}"
    );

    // Durations: all 22 of a (fewer than the estimator's RECENT), newest first; b's two.
    let a = &s.services["a"];
    let b = &s.services["b"];
    assert_eq!(
        a.recent_durations_s,
        (30..=51).rev().collect::<Vec<i64>>(),
        "{backend}"
    );
    assert_eq!(b.recent_durations_s, vec![200, 100], "{backend}");
    // Arrivals of the last hour: a 3 walk-ins + 1 green (the appointment is no walk-in),
    // b 1 green.
    assert_eq!(
        (a.walk_ins_per_hour, a.green_per_hour),
        (4.0, 1.0),
        "{backend}"
    );
    assert_eq!(
        (b.walk_ins_per_hour, b.green_per_hour),
        (1.0, 1.0),
        "{backend}"
    );
    // No-shows: none of a; half of b's ended ones, 50 s of waiting each.
    assert_eq!((a.no_show_share, a.no_show_wait_s), (0.0, 0.0), "{backend}");
    assert_eq!(
        (b.no_show_share, b.no_show_wait_s),
        (0.5, 50.0),
        "{backend}"
    );

    // Appointments still to come today, by slot.
    let upcoming: Vec<_> = s
        .upcoming
        .iter()
        .map(|u| (u.service.as_str(), u.slot_start))
        .collect();
    assert_eq!(
        upcoming,
        vec![("b", T0 + 240 * MIN), ("a", T0 + 300 * MIN)],
        "{backend}"
    );

    // The estimator gives every waiting ticket (all served by an open window) a range.
    let est = estimate_all(&s);
    for c in &s.waiting {
        let e = est
            .get(&c.id)
            .unwrap_or_else(|| panic!("{backend}: no estimate for {c:?}"));
        assert!(
            e.low_s <= e.wait_s && e.wait_s <= e.high_s,
            "{backend}: {e:?}"
        );
    }
    // With window 3 and window 1 closed as well, nobody calls: no estimate at all.
    ok(&store, &w3, Action::Pause(None), now).await;
    ok(&store, &w1, Action::Pause(None), now).await;
    let s = store.snapshot(&windows, DAY, now).await.unwrap();
    assert!(s.windows.iter().all(|w| !w.open), "{backend}");
    assert!(estimate_all(&s).is_empty(), "{backend}");
}
