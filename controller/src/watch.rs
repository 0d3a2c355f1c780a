//! Live ticket status for phones. Every watched ticket has an entry holding its latest
//! status as a prepared WebSocket frame, the phones' sockets ([`crate::live`]) and, for
//! Server-Sent Events, a `watch` channel. The controller listens to the hall's own MQTT
//! topics, so it learns of changes made by any replica; for each service a change touches
//! it reads the queue order once (as one aggregated value) and updates every watcher of
//! that service whose status, position or estimate changed — first the tickets that left
//! the queue (the one just called), then everyone who moved up, writing the frames to the
//! sockets itself from every core.

use crate::hours::local_day;
use crate::live::{frame, Sock};
use crate::model::{Status, Ticket};
use crate::policy::{mean_service_s, wait_s};
use crate::state::AppState;
use bytes::Bytes;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
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

struct Entry {
    /// The ticket as last read (number, kind, times never change while it waits).
    ticket: Ticket,
    /// Its status JSON while waiting, without the closing brace and the two fields that
    /// change with every call (people ahead, estimate): rendered once, not per call.
    prefix: Option<String>,
    /// (people ahead, estimate) the status last sent shows, whoever rendered it: an
    /// unchanged pair is not rendered or sent again (several hall events of one action
    /// each ask for a refresh, and a phone that just opened its stream has it already).
    last: Option<(i64, i64)>,
    /// Version of `frame`: a socket never takes an older one after a newer.
    version: u64,
    /// The status as a whole WebSocket text frame (its payload is the JSON).
    frame: Bytes,
    /// Server-Sent Events streams, once one opened.
    sse: Option<watch::Sender<Bytes>>,
    /// Phones' sockets.
    socks: Vec<Arc<Sock>>,
}

impl Entry {
    fn new(ticket: &Ticket) -> Self {
        Self {
            ticket: ticket.clone(),
            prefix: None,
            last: None,
            version: 0,
            frame: Bytes::new(),
            sse: None,
            socks: Vec::new(),
        }
    }

    /// The status JSON now (the frame's payload).
    fn json(&self) -> Bytes {
        let n = frame::payload_of(&self.frame).len();
        self.frame.slice(self.frame.len() - n..)
    }

    /// Makes the concatenation of `parts` (JSON) the status and sends it to every socket
    /// and stream, dropping closed sockets. The frame is written into the last one's
    /// buffer when no socket holds that any more: a refresh of thousands allocates nothing.
    fn set(&mut self, parts: &[&[u8]]) {
        self.version += 1;
        let len = parts.iter().map(|p| p.len()).sum();
        let (head, n) = frame::header(frame::TEXT, len);
        let mut buf = std::mem::take(&mut self.frame)
            .try_into_mut()
            .unwrap_or_default();
        buf.clear();
        buf.reserve(n + len);
        buf.extend_from_slice(&head[..n]);
        parts.iter().for_each(|p| buf.extend_from_slice(p));
        self.frame = buf.freeze();
        if let Some(tx) = self.sse.as_ref().filter(|tx| tx.receiver_count() > 0) {
            tx.send_replace(self.json());
        }
        let (version, frame) = (self.version, &self.frame);
        self.socks.retain(|s| s.send_status(version, frame));
    }

    /// Sends a waiting ticket its new position (rendered from the cached prefix), unless
    /// the position and estimate it shows are unchanged.
    fn advance(&mut self, pos: &Positions, wait: &impl Fn(i64) -> i64) {
        let Some(&ahead) = pos.get(&self.ticket.id) else {
            return;
        };
        let Some(prefix) = self.prefix.take() else {
            return;
        };
        let est = wait(ahead);
        if self.last == Some((ahead, est)) {
            self.drop_closed();
        } else {
            // `last` is the position the current value shows, so this one differs from it.
            let mut tail = [0u8; 96];
            let mut w = std::io::Cursor::new(&mut tail[..]);
            let _ = write!(w, ",\"people_ahead\":{ahead},\"estimated_wait_s\":{est}}}");
            let n = w.position() as usize;
            self.set(&[prefix.as_bytes(), &tail[..n]]);
            self.last = Some((ahead, est));
        }
        self.prefix = Some(prefix);
    }

    /// Takes `status` (just read) as the ticket's, for `ticket` as read with it.
    fn reset(&mut self, cfg: &hallq_config::Settings, ticket: &Ticket, status: &serde_json::Value) {
        self.ticket = ticket.clone();
        self.prefix = waiting_prefix(cfg, ticket);
        // The position the phone was just given: the next refresh sends only a change.
        self.last = position(&self.prefix, status);
        if self.shows(status) {
            self.drop_closed();
        } else {
            self.set(&[status.to_string().as_bytes()]);
        }
    }

    /// Whether the status now is `status` (compared as JSON: the refresh renders the
    /// fields in another order than a full rendering).
    fn shows(&self, status: &serde_json::Value) -> bool {
        serde_json::from_slice::<serde_json::Value>(&self.json()).is_ok_and(|v| v == *status)
    }

    /// Whether anybody still watches; drops closed sockets.
    fn watched(&mut self) -> bool {
        self.drop_closed();
        self.has_watchers()
    }

    /// Drops closed sockets (those written to are dropped by [`Entry::set`]).
    fn drop_closed(&mut self) {
        self.socks.retain(|s| !s.is_closed());
    }

    /// Whether anybody may still watch: sockets not known to be closed, or streams.
    fn has_watchers(&self) -> bool {
        !self.socks.is_empty() || self.sse.as_ref().is_some_and(|t| t.receiver_count() > 0)
    }
}

/// The JSON of a waiting ticket up to (not including) its closing brace.
fn waiting_prefix(cfg: &hallq_config::Settings, t: &Ticket) -> Option<String> {
    if t.status != Status::Waiting {
        return None;
    }
    let mut s = crate::views::public_ticket(cfg, t).to_string();
    s.pop();
    Some(s)
}

/// The (people ahead, estimate) a waiting ticket's status JSON shows; None when the ticket
/// is not waiting (no `prefix`) or the status has no position.
fn position(prefix: &Option<String>, status: &serde_json::Value) -> Option<(i64, i64)> {
    prefix.as_ref()?;
    Some((
        status["people_ahead"].as_i64()?,
        status["estimated_wait_s"].as_i64()?,
    ))
}

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
            if e.prefix.is_some() {
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
            .filter(|e| e.prefix.is_none())
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
            .filter(|e| e.prefix.is_some() && !pos.contains_key(&e.ticket.id))
            .map(|e| e.ticket.id)
            .collect()
    }

    /// Gives every waiting watcher of `service` its new position and writes it to their
    /// sockets; many watchers are shared out among the cores, each thread rendering and
    /// writing its share (blocking: call it off the async workers).
    fn update_waiting(&self, service: &str, pos: &Positions, wait: impl Fn(i64) -> i64 + Sync) {
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
            let v = crate::views::status_value(cfg, ticket, today, 0, 0);
            self.publish(cfg, ticket, &v);
        }
    }

    /// Files a watched ticket now in another service under it, to be read and sent by that
    /// service's refresh.
    fn moved(&self, ticket: &Ticket) {
        if let Some(e) = self.map().get_mut(&ticket.token) {
            e.ticket = ticket.clone();
            e.prefix = None;
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

/// Recomputes the status of every watcher of `service`: one query for the queue order;
/// waiting tickets get their new position from a cached rendering, only tickets that are
/// not (or no longer) waiting — called, transferred, finished… — are read and rendered
/// again.
async fn refresh(state: &AppState, service: &str) -> Result<(), crate::store::StoreError> {
    state.watchers.refreshes.fetch_add(1, Ordering::SeqCst);
    let began = std::time::Instant::now();
    let Some(not_waiting) = state.watchers.not_waiting(service) else {
        return Ok(());
    };
    let today = local_day(state.cfg.tz(), state.now());
    let (order, durations, open, mut left) = tokio::try_join!(
        state.store.waiting_order(service, &today),
        state.store.recent_durations(service, &today),
        state.open_windows_for(service),
        state.store.tickets_by_ids(&not_waiting),
    )?;
    let pos: Positions = order
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as i64))
        .collect();
    let mean = mean_service_s(&durations);
    let wait = move |ahead| wait_s(ahead, mean, open);
    let read = began.elapsed();
    let gone = state.watchers.gone(service, &pos);
    if !gone.is_empty() {
        left.extend(state.store.tickets_by_ids(&gone).await?);
    }
    // The people whose ticket left the queue first (the one just called above all),
    // then everyone who moved up.
    for t in left {
        if t.service != service {
            // Transferred to another service: its place is in that queue.
            state.watchers.moved(&t);
            state.watchers.refresh_soon(&t.service);
            continue;
        }
        let ahead = pos.get(&t.id).copied().unwrap_or(0);
        let w = if t.status == Status::Waiting {
            wait(ahead)
        } else {
            0
        };
        let v = crate::views::status_value(&state.cfg, &t, &today, ahead, w);
        state.watchers.publish(&state.cfg, &t, &v);
    }
    let called = began.elapsed();
    let (watchers, of) = (state.watchers.clone(), service.to_string());
    // Up to tens of milliseconds of rendering and writing: not on an async worker.
    let _ = tokio::task::spawn_blocking(move || watchers.update_waiting(&of, &pos, wait)).await;
    tracing::debug!(service, ?read, ?called, all = ?began.elapsed(), "ticket watchers refreshed");
    Ok(())
}

/// Services an MQTT message on `suffix` (topic after the hall root) with payload `v` may
/// have changed.
fn touched(state: &AppState, topic: &str, v: &serde_json::Value) -> Vec<String> {
    match hallq_mqtt::Topic::parse(topic) {
        hallq_mqtt::Topic::Queue(s) => vec![s.to_string()],
        hallq_mqtt::Topic::Calls => v["service"]
            .as_str()
            .map(String::from)
            .into_iter()
            .collect(),
        // Start, finish and no-show change a ticket at this window: every service it serves.
        hallq_mqtt::Topic::Window(w) => state
            .cfg
            .window(w)
            .map(|c| c.services.clone())
            .unwrap_or_default(),
        hallq_mqtt::Topic::Button(_) | hallq_mqtt::Topic::Other(_) => Vec::new(),
    }
}

/// Listens to the hall's topics and refreshes watchers; runs until the process ends.
pub async fn run(state: AppState, mqtt: hallq_mqtt::Endpoint) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Touch>();
    let _ = state.watchers.kick.set(tx.clone());
    let in_order = state.store.backend() == crate::store::Backend::Sqlite;
    let _ = state.watchers.ids_in_commit_order.set(in_order);
    let sub = hallq_mqtt::Subscriber {
        options: mqtt.options("hallq-status"),
        root: hallq_mqtt::topic_root(&state.cfg.hall.id),
        filters: vec!["calls".into(), "queues/+".into(), "windows/+".into()],
        label: "status watchers",
    };
    let st = state.clone();
    tokio::spawn(sub.run(std::future::pending(), move |feed| {
        let hallq_mqtt::Feed::Message { topic, payload } = feed else {
            return;
        };
        let v: serde_json::Value = serde_json::from_slice(payload).unwrap_or_default();
        let own = v["event_id"].as_i64();
        if own.is_some_and(|id| st.watchers.own_event(id)) {
            return;
        }
        for service in touched(&st, topic, &v) {
            let _ = tx.send(Touch {
                service,
                heard: true,
            });
        }
    }));
    while let Some(first) = rx.recv().await {
        // Coalesce a burst: one action publishes its call, window and queue events back
        // to back; a millisecond gathers them so each touched service is read once.
        if first.heard {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let mut services = BTreeSet::from([first.service]);
        while let Ok(t) = rx.try_recv() {
            services.insert(t.service);
        }
        // Staff pages re-read the snapshot on every change of the hall.
        state.hall_changed.send_modify(|g| *g += 1);
        for s in services {
            if let Err(e) = refresh(&state, &s).await {
                tracing::warn!("refreshing ticket watchers of {s}: {e}");
            }
        }
    }
}
