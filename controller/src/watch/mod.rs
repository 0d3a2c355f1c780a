//! Live ticket status for phones. Every watched ticket has an entry holding its latest
//! status as a prepared WebSocket frame, the phones' sockets ([`crate::live`]) and, for
//! Server-Sent Events, a `watch` channel. The controller listens to the hall's own MQTT
//! topics, so it learns of changes made by any replica; for each service a change touches
//! it reads the queue order once (as one aggregated value) and updates every watcher of
//! that service whose status, position or estimate changed — first the tickets that left
//! the queue (the one just called), then everyone who moved up, writing the frames to the
//! sockets itself from every core.
//!
//! - [`Watchers`] (here): the registry of watched tickets — attach, detach, which need
//!   reading again, sharing a refresh's writes out among the cores;
//! - `entry`: one watched ticket's status frame, sockets and stream;
//! - `feed`: the refresh of a service's watchers, and the MQTT feed and own actions that
//!   ask for it ([`run`]).

mod entry;
mod feed;

use entry::Entry;
pub use feed::run;

use crate::live::Sock;
use crate::model::{Status, Ticket};
use bytes::Bytes;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tokio::sync::{mpsc, watch};

/// Latest status JSON of one ticket (for Server-Sent Events).
pub type StatusRx = watch::Receiver<Bytes>;

/// Watchers of one service up to this many are updated on one thread; more are spread
/// over every core (each thread renders its share and writes it to the sockets).
const ONE_THREAD: usize = 512;
/// Watchers a thread updates at a time.
const SHARE: usize = 64;
/// Own events remembered at most while waiting for the broker to bring them back.
const OWN_KEPT: usize = 4096;

/// Ticket id → people ahead.
type Positions = HashMap<i64, i64, BuildHasherDefault<IdHash>>;

/// Hashes a ticket id with one multiplication (ids come from the database, not from
/// clients; a refresh looks up every watcher's).
#[derive(Default)]
struct IdHash(u64);

impl Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(GOLDEN);
        }
    }

    fn write_i64(&mut self, id: i64) {
        self.0 = (id as u64).wrapping_mul(GOLDEN);
    }
}

/// 2^64 / φ, odd: multiplying by it spreads consecutive ids over the whole table.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// A service whose watchers may need a refresh.
struct Touch {
    service: String,
    /// Heard from the broker (one action's events arrive back to back: gather them), not
    /// asked for by this process right after its own change.
    heard: bool,
}

/// The watched tickets. Cheap to clone.
#[derive(Clone, Default)]
pub struct Watchers {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    /// Refreshes begun: a status read before a change and attached after it is re-checked.
    refreshes: Arc<AtomicU64>,
    /// Asks the refresh loop to refresh a service.
    kick: Arc<OnceLock<mpsc::UnboundedSender<Touch>>>,
    /// Hall events of this process's own actions, already refreshed for: when the broker
    /// brings them back they ask for nothing more.
    own: Arc<Mutex<HashSet<i64>>>,
    /// Whether event ids follow commit order, so that an own event's id stands for every
    /// event the relay merged into its message (set by [`run`]; see
    /// [`Watchers::refresh_after`]).
    ids_in_commit_order: Arc<OnceLock<bool>>,
}

impl Watchers {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Watches `ticket` (by its token) over Server-Sent Events, starting from `status`
    /// (its status JSON).
    pub fn watch(
        &self,
        cfg: &hallq_config::Settings,
        ticket: &Ticket,
        status: &serde_json::Value,
    ) -> StatusRx {
        let mut map = self.map();
        let e = map
            .entry(ticket.token.clone())
            .or_insert_with(|| Entry::new(ticket));
        e.reset(cfg, ticket, status);
        let json = e.json();
        let tx = e.sse.get_or_insert_with(|| watch::channel(Bytes::new()).0);
        // Other streams of this ticket hear only of a change.
        tx.send_if_modified(|v| {
            let changed = *v != json;
            *v = json;
            changed
        });
        tx.subscribe()
    }

    /// Refreshes begun so far; pass it to [`Watchers::attach`] with a status read after.
    pub fn generation(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// Adds a phone's socket to `ticket` and sends it `status` (read when the generation
    /// was `generation`; a refresh begun since then is done again, so nothing is missed).
    pub fn attach(
        &self,
        cfg: &hallq_config::Settings,
        ticket: &Ticket,
        status: &serde_json::Value,
        sock: Arc<Sock>,
        generation: u64,
    ) {
        {
            let mut map = self.map();
            let e = map
                .entry(ticket.token.clone())
                .or_insert_with(|| Entry::new(ticket));
            e.socks.push(sock.clone());
            e.reset(cfg, ticket, status);
            // Sent once: by the reset if the status changed, else here.
            sock.send_status(e.version, &e.frame);
        }
        if self.generation() != generation {
            self.refresh_soon(&ticket.service);
        }
    }

    /// Drops the closed sockets of the ticket `token` (and the ticket, if nobody watches
    /// it any more). While a refresh holds the map (tens of milliseconds for thousands of
    /// phones) it does not wait: a closed socket gets nothing more and the next refresh
    /// drops it.
    pub fn detach(&self, token: &str) {
        let mut map = match self.entries.try_lock() {
            Ok(m) => m,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return,
        };
        if map.get_mut(token).is_some_and(|e| !e.watched()) {
            map.remove(token);
        }
    }

    /// Asks for the watchers of `service` to be refreshed (no-op before [`run`] starts).
    pub fn refresh_soon(&self, service: &str) {
        if let Some(tx) = self.kick.get() {
            let _ = tx.send(Touch {
                service: service.to_string(),
                heard: false,
            });
        }
    }

    /// Asks for the watchers of `services` to be refreshed after this process's own action,
    /// which wrote the hall events `events` (committed): the refresh reads the database
    /// after the commit, so those events, when the broker brings them back, are not
    /// refreshed for again. Only where event ids follow commit order (SQLite, one
    /// writer): the relay publishes one message per window or queue for a batch of
    /// events, under the newest id, and an older id merged into it was then committed
    /// before this action, so the refresh saw it too. On PostgreSQL ids come from a
    /// sequence taken before commit, so another controller's change may hide behind an
    /// own id: there every event is refreshed for.
    fn refresh_after(&self, services: &[String], events: &[i64]) {
        if self.ids_in_commit_order.get() == Some(&true) {
            let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
            // Echoes that never came (broker down) are forgotten, not kept forever: an
            // event missing here only costs a refresh more.
            if own.len() > OWN_KEPT {
                own.clear();
            }
            own.extend(events);
        }
        for s in services {
            self.refresh_soon(s);
        }
    }

    /// Whether `event` is one of this process's own, already refreshed for (then it is
    /// forgotten: it comes back once).
    fn own_event(&self, event: i64) -> bool {
        self.own
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&event)
    }

    /// Tickets being watched.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    /// Whether nobody watches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets tickets nobody watches any more; `None` when nobody watches a ticket of
    /// `service`, else its watched tickets that were not waiting when last read (called,
    /// transferred, finished…, or not cached): they are read again in full.
    fn not_waiting(&self, service: &str) -> Option<Vec<i64>> {
        let mut map = self.map();
        // A waiting ticket's closed sockets are dropped as its positions are written to
        // them: not looked at one by one here, before the writes.
        map.retain(|_, e| {
            if e.waiting.is_some() {
                e.has_watchers()
            } else {
                e.watched()
            }
        });
        let mut watched = false;
        let ids = map
            .values()
            .filter(|e| e.ticket.service == service)
            .inspect(|_| watched = true)
            .filter(|e| e.waiting.is_none())
            .map(|e| e.ticket.id)
            .collect();
        watched.then_some(ids)
    }

    /// Watched tickets of `service` that were waiting when last read and are no longer in
    /// the queue `pos` (an action elsewhere took them out).
    fn gone(&self, service: &str, pos: &Positions) -> Vec<i64> {
        self.map()
            .values()
            .filter(|e| e.ticket.service == service)
            .filter(|e| e.waiting.is_some() && !pos.contains_key(&e.ticket.id))
            .map(|e| e.ticket.id)
            .collect()
    }

    /// Gives every waiting watcher of `service` its new position and estimate (`wait`, by
    /// ticket id) and writes it to their sockets; many watchers are shared out among the
    /// cores, each thread rendering and writing its share (blocking: call it off the async
    /// workers).
    fn update_waiting(
        &self,
        service: &str,
        pos: &Positions,
        wait: impl Fn(i64) -> Option<crate::views::Estimate> + Sync,
    ) {
        let mut map = self.map();
        let mut mine: Vec<&mut Entry> = Vec::with_capacity(map.len());
        mine.extend(map.values_mut().filter(|e| e.ticket.service == service));
        let threads = if mine.len() > ONE_THREAD {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            1
        };
        // Small shares taken in turn, so a thread the scheduler holds back leaves its
        // work to the others instead of finishing last with half of it.
        let shares = Mutex::new(mine.chunks_mut(SHARE));
        let work = || loop {
            let share = shares.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some(share) = share else { break };
            share.iter_mut().for_each(|e| e.advance(pos, &wait));
        };
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(work);
            }
            work();
        });
    }

    /// After this process's own window action `out` (committed) at a window serving
    /// `services`: phones watching the queues it changed hear of it now, not after the
    /// events' trip through the broker (which still tells the other controllers' phones),
    /// the ticket acted on first.
    pub fn after_action(
        &self,
        cfg: &hallq_config::Settings,
        services: &[String],
        out: &crate::store::ActionOutcome,
        today: &str,
    ) {
        if let Some(t) = &out.ticket {
            self.tell(cfg, t, today);
        }
        let mut touched = services.to_vec();
        touched.extend(out.queues.iter().cloned());
        self.refresh_after(&touched, &out.events);
    }

    /// Sends the status of a ticket this process's own action just took out of the queue
    /// (called, serving, finished…) at once, before the refresh reads the queue: the
    /// person called learns it first. A waiting ticket is left to the refresh.
    fn tell(&self, cfg: &hallq_config::Settings, ticket: &Ticket, today: &str) {
        if ticket.status != Status::Waiting {
            let v = crate::views::status_value(cfg, ticket, today, 0, None);
            self.publish(cfg, ticket, &v);
        }
    }

    /// Files a watched ticket now in another service under it, to be read and sent by that
    /// service's refresh.
    fn moved(&self, ticket: &Ticket) {
        if let Some(e) = self.map().get_mut(&ticket.token) {
            e.ticket = ticket.clone();
            e.waiting = None;
            e.last = None;
        }
    }

    /// Stores and sends the new status of a ticket that left the queue (or was not cached).
    fn publish(&self, cfg: &hallq_config::Settings, ticket: &Ticket, status: &serde_json::Value) {
        let mut map = self.map();
        if let Some(e) = map.get_mut(&ticket.token) {
            e.reset(cfg, ticket, status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Status};
    use crate::views::Estimate;

    fn cfg() -> hallq_config::Settings {
        let src = include_str!("../../../config/examples/demo-hall.toml");
        hallq_config::load_str("demo-hall.toml", src).expect("demo config")
    }

    fn ticket(id: i64, status: Status) -> Ticket {
        Ticket {
            id,
            token: format!("tok{id}"),
            number: format!("A{id:03}"),
            service: "property".into(),
            day: "2026-12-02".into(),
            kind: Kind::WalkIn,
            status,
            window: None,
            target_window: None,
            slot_start: None,
            arrived_at: id,
            issued_at: id,
            called_at: None,
            calls: 0,
        }
    }

    fn status(
        cfg: &hallq_config::Settings,
        t: &Ticket,
        ahead: i64,
        wait: Option<Estimate>,
    ) -> serde_json::Value {
        crate::views::status_value(cfg, t, &t.day, ahead, wait)
    }

    /// An estimate of `wait_s` with a range of a minute either side.
    fn est(wait_s: i64) -> Estimate {
        Estimate {
            wait_s,
            low_s: wait_s - 60,
            high_s: wait_s + 60,
        }
    }

    fn json(rx: &StatusRx) -> serde_json::Value {
        serde_json::from_slice(&rx.borrow()).unwrap()
    }

    #[test]
    fn a_waiting_watcher_hears_each_new_position_once() {
        let cfg = cfg();
        let w = Watchers::default();
        let t = ticket(7, Status::Waiting);
        let mut rx = w.watch(&cfg, &t, &status(&cfg, &t, 3, Some(est(540))));
        assert_eq!(json(&rx)["people_ahead"], 3);
        rx.mark_unchanged();

        let pos: Positions = [(7, 2)].into_iter().collect();
        w.update_waiting("property", &pos, |id| (id == 7).then(|| est(360)));
        assert!(rx.has_changed().unwrap(), "a new position is sent");
        let v = json(&rx);
        let f = |k: &str| v[k].as_i64();
        let range = (f("estimated_wait_low_s"), f("estimated_wait_high_s"));
        assert_eq!(
            (f("people_ahead"), f("estimated_wait_s")),
            (Some(2), Some(360))
        );
        assert_eq!(range, (Some(300), Some(420)), "the range goes with it");
        assert_eq!(
            v,
            status(&cfg, &t, 2, Some(est(360))),
            "the same JSON a full rendering gives"
        );
        rx.mark_unchanged();

        w.update_waiting("property", &pos, |id| (id == 7).then(|| est(360)));
        assert!(
            !rx.has_changed().unwrap(),
            "an unchanged position is not sent again"
        );
        // Another service's refresh does not touch it.
        let other: Positions = [(7, 0)].into_iter().collect();
        w.update_waiting("household", &other, |_| Some(est(0)));
        assert!(!rx.has_changed().unwrap());
    }

    #[test]
    fn a_waiting_watcher_hears_when_a_window_opens() {
        let cfg = cfg();
        let w = Watchers::default();
        let t = ticket(7, Status::Waiting);
        // No window open: a position, no estimate.
        let mut rx = w.watch(&cfg, &t, &status(&cfg, &t, 2, None));
        assert_eq!(json(&rx)["estimated_wait_s"], serde_json::Value::Null);
        rx.mark_unchanged();
        let pos: Positions = [(7, 2)].into_iter().collect();
        w.update_waiting("property", &pos, |_| None);
        assert!(!rx.has_changed().unwrap(), "still no window: nothing new");
        // A window opens: the same position now comes with an estimate.
        w.update_waiting("property", &pos, |id| (id == 7).then(|| est(360)));
        assert!(rx.has_changed().unwrap(), "the estimate is sent");
        assert_eq!(json(&rx), status(&cfg, &t, 2, Some(est(360))));
        rx.mark_unchanged();
        // And it closes again: the estimate goes.
        w.update_waiting("property", &pos, |_| None);
        assert!(rx.has_changed().unwrap());
        assert_eq!(json(&rx), status(&cfg, &t, 2, None));
    }

    #[test]
    fn tickets_that_left_the_queue_are_read_again() {
        let cfg = cfg();
        let w = Watchers::default();
        let waiting = ticket(1, Status::Waiting);
        let called = ticket(2, Status::Called);
        let _a = w.watch(&cfg, &waiting, &status(&cfg, &waiting, 0, Some(est(0))));
        let _b = w.watch(&cfg, &called, &status(&cfg, &called, 0, Some(est(0))));
        assert_eq!(w.not_waiting("property"), Some(vec![2]));
        assert_eq!(
            w.not_waiting("household"),
            None,
            "nobody watches that service"
        );
        let empty = Positions::default();
        assert_eq!(
            w.gone("property", &empty),
            vec![1],
            "no longer in the queue"
        );
        drop(_a);
        drop(_b);
        assert_eq!(
            w.not_waiting("property"),
            None,
            "unwatched tickets are forgotten"
        );
        assert!(w.is_empty());
    }

    #[test]
    fn own_events_are_remembered_only_where_ids_follow_commit_order() {
        let w = Watchers::default();
        w.refresh_after(&[], &[10, 11]);
        assert!(
            !w.own_event(10),
            "not known to follow commit order: every echo counts"
        );
        let w = Watchers::default();
        w.ids_in_commit_order.set(true).unwrap();
        w.refresh_after(&[], &[10, 11]);
        assert!(w.own_event(10));
        assert!(!w.own_event(10), "an echo comes back once");
        w.refresh_after(&[], &(0..=OWN_KEPT as i64 + 1).collect::<Vec<_>>());
        w.refresh_after(&[], &[99_999]);
        assert!(w.own.lock().unwrap().len() <= OWN_KEPT + 1, "bounded");
    }
}
