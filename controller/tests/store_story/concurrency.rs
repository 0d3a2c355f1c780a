//! Chapter 5 of the store story: correctness under concurrency (kiosks and windows
//! racing, on one store and on two replicas of one database).

use super::*;

pub(crate) async fn concurrent_issue_one_replica(db: Db) {
    let store = db.store(&[]).await;
    concurrent_issue(&[store]).await;
}

pub(crate) async fn concurrent_issue_two_replicas(db: Db) {
    let stores = [db.store(&[]).await, db.store(&[]).await];
    concurrent_issue(&stores).await;
}

/// 64 kiosks at once, spread over `stores`: 64 distinct numbers A001..A064.
async fn concurrent_issue(stores: &[Store]) {
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = stores[i % stores.len()].clone();
            tokio::spawn(async move {
                let issued = try_issue(&store, A, Kind::WalkIn, None, DAY, T0 + i as i64).await;
                issued.expect("concurrent issue").ticket.number
            })
        })
        .collect();
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.expect("issue task"));
    }
    let distinct: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(distinct.len(), 64, "duplicate numbers: {got:?}");
    assert_eq!(distinct.into_iter().collect::<Vec<_>>(), numbers("A", 64));
    assert_eq!(stores[0].tickets_of_day(DAY).await.unwrap().len(), 64);
    let next = issue(&stores[0], A, Kind::WalkIn, DAY, T0 + 100).await;
    assert_eq!(next.number, "A065");
}

const CALLERS: usize = 10;
const TICKETS: usize = 100;

pub(crate) async fn concurrent_call_next_one_replica(db: Db) {
    concurrent_call_next(&db, 1).await;
}

pub(crate) async fn concurrent_call_next_two_replicas(db: Db) {
    concurrent_call_next(&db, 2).await;
}

/// 10 windows pressing "next" in a loop over 100 waiting tickets, on `replicas` stores.
async fn concurrent_call_next(db: &Db, replicas: usize) {
    let wins: Vec<Win> = (0..CALLERS)
        .map(|i| win(&format!("w{i}"), &["a"]))
        .collect();
    let mut stores = Vec::new();
    for _ in 0..replicas {
        stores.push(db.store(&wins).await);
    }
    for i in 0..TICKETS {
        issue(&stores[i % replicas], A, Kind::WalkIn, DAY, T0 + i as i64).await;
    }
    let tasks: Vec<_> = wins
        .iter()
        .enumerate()
        .map(|(i, w)| tokio::spawn(drain(stores[i % replicas].clone(), w.clone())))
        .collect();
    let mut by_window = BTreeMap::new();
    let mut busy = 0;
    for (w, t) in wins.iter().zip(tasks) {
        let (called, retries) = t.await.expect("caller task");
        busy += retries;
        by_window.insert(w.id.clone(), called);
    }
    let backend = backend_of(&stores[0]);
    let spread: Vec<usize> = by_window.values().map(Vec::len).collect();
    println!(
        "{backend}, {replicas} replica(s): calls per window {spread:?}, {busy} contention retries"
    );
    check_drained(&stores[0], &by_window).await;
}

/// One window calling next until the queue is empty; the numbers it called, in order,
/// and how many times it was told to retry.
async fn drain(store: Store, w: Win) -> (Vec<String>, usize) {
    let (mut called, mut busy) = (Vec::new(), 0);
    loop {
        match act(&store, &w, Action::CallNext, T0 + 1_000_000).await {
            Ok(out) => {
                let t = out.ticket.expect("called ticket");
                assert_eq!(
                    (t.status, t.window.as_deref()),
                    (Status::Called, Some(&*w.id))
                );
                called.push(t.number);
            }
            Err(StoreError::Refused(Refusal::QueueEmpty)) => return (called, busy),
            Err(StoreError::Refused(Refusal::Contention)) => busy += 1,
            Err(e) => panic!("call next at {}: {e}", w.id),
        }
        tokio::task::yield_now().await;
    }
}

/// Every ticket called exactly once; each window holds only the last one it called.
async fn check_drained(store: &Store, by_window: &BTreeMap<String, Vec<String>>) {
    let all: Vec<&String> = by_window.values().flatten().collect();
    assert_eq!(all.len(), TICKETS, "total calls");
    let distinct: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(distinct.len(), TICKETS, "a ticket was called twice");

    let tickets = store.tickets_of_day(DAY).await.unwrap();
    assert_eq!(tickets.iter().map(|t| t.calls).sum::<i64>(), TICKETS as i64);
    assert!(
        tickets.iter().all(|t| t.calls == 1),
        "every ticket called once"
    );
    let status: BTreeMap<&str, &_> = tickets.iter().map(|t| (t.number.as_str(), t)).collect();
    for (w, called) in by_window {
        let Some((last, earlier)) = called.split_last() else {
            continue;
        };
        // The final "next" (answered queue_empty) finished the last one too.
        let held = status[last.as_str()];
        assert_eq!(
            (held.status, held.window.as_deref()),
            (Status::Done, Some(w.as_str()))
        );
        for n in earlier {
            assert_eq!(
                status[n.as_str()].status,
                Status::Done,
                "{w} still holds {n}"
            );
        }
    }
    for w in store.windows().await.unwrap() {
        assert_eq!(
            w.serving.map(|t| t.number),
            None,
            "window {} still holds a ticket",
            w.id
        );
    }
}

/// One window pressed from two replicas at once (a button and the clerk panel): the
/// presses apply one after the other, and the window never holds two tickets.
pub(crate) async fn double_press_one_window(db: Db) {
    let w1 = win("w1", &["a"]);
    let stores = [
        db.store(std::slice::from_ref(&w1)).await,
        db.store(&[]).await,
    ];
    for i in 0..20 {
        issue(&stores[0], A, Kind::WalkIn, DAY, T0 + i).await;
    }
    let presses: Vec<_> = (0..20)
        .map(|i| {
            let (store, w) = (stores[i % 2].clone(), w1.clone());
            tokio::spawn(async move { act(&store, &w, Action::CallNext, T0 + 1_000).await })
        })
        .collect();
    let mut called = BTreeSet::new();
    for p in presses {
        let out = p.await.expect("press task").expect("call next");
        called.insert(out.ticket.expect("called ticket").number);
    }
    assert_eq!(called.into_iter().collect::<Vec<_>>(), numbers("A", 20));
    let tickets = stores[1].tickets_of_day(DAY).await.unwrap();
    let held: Vec<_> = tickets
        .iter()
        .filter(|t| t.status == Status::Called)
        .collect();
    assert_eq!(held.len(), 1, "w1 holds exactly one ticket");
    assert_eq!(held[0].window.as_deref(), Some("w1"));
    assert!(tickets
        .iter()
        .all(|t| t.calls == 1 && t.status != Status::Waiting));
}
