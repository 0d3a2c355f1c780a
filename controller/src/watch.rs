//! Live ticket status for phones: every watched ticket has a `watch` channel holding its
//! latest status JSON; Server-Sent Events streams read it. The controller listens to the
//! hall's own MQTT topics, so it learns of changes made by any replica; for each service a
//! change touches it reads the queue order once (as one aggregated value) and updates
//! every watcher of that service whose status, position or estimate changed — first the
//! tickets that left the queue (the one just called), then everyone who moved up.

use crate::api::AppState;
use crate::hours::local_day;
use crate::model::{Status, Ticket};
use crate::policy::estimate_wait_s;
use axum::extract::ws::Utf8Bytes;
use rumqttc::{AsyncClient, Event, Packet, QoS};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Latest status JSON of one ticket, as the text a socket sends (shared, not copied).
pub type StatusRx = watch::Receiver<Utf8Bytes>;

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
    tx: watch::Sender<Utf8Bytes>,
}

/// The JSON of a waiting ticket up to (not including) its closing brace.
fn waiting_prefix(cfg: &hallq_config::Settings, t: &Ticket) -> Option<String> {
    if t.status != Status::Waiting {
        return None;
    }
    let mut s = crate::api::render::public_ticket(cfg, t).to_string();
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

/// The watched tickets. Cheap to clone.
#[derive(Clone, Default)]
pub struct Watchers {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Watchers {
    /// Watches `ticket` (by its token), starting from `status` (its status JSON).
    pub fn watch(
        &self,
        cfg: &hallq_config::Settings,
        ticket: &Ticket,
        status: &serde_json::Value,
    ) -> StatusRx {
        let prefix = waiting_prefix(cfg, ticket);
        // The position the phone was just given: the next refresh sends only a change.
        let last = position(&prefix, status);
        let status = status.to_string();
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(ticket.token.clone()).or_insert_with(|| Entry {
            ticket: ticket.clone(),
            prefix: None,
            last: None,
            tx: watch::channel(Utf8Bytes::default()).0,
        });
        entry.ticket = ticket.clone();
        entry.prefix = prefix;
        entry.last = last;
        entry.tx.send_replace(Utf8Bytes::from(status));
        entry.tx.subscribe()
    }

    /// Tickets being watched.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether nobody watches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether anybody watches a ticket of `service`.
    fn watches(&self, service: &str) -> bool {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.values().any(|e| e.ticket.service == service)
    }

    /// Forgets tickets nobody watches any more and returns the watched tickets of
    /// `service` that need a full render: no longer waiting (called, transferred,
    /// finished…), or not cached.
    fn left_queue(&self, service: &str, pos: &HashMap<i64, i64>) -> Vec<i64> {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, e| e.tx.receiver_count() > 0);
        map.values()
            .filter(|e| e.ticket.service == service)
            .filter(|e| e.prefix.is_none() || !pos.contains_key(&e.ticket.id))
            .map(|e| e.ticket.id)
            .collect()
    }

    /// Gives every waiting watcher of `service` its new position from the cached prefix
    /// (an unchanged position and estimate is not rendered again).
    fn update_waiting(&self, service: &str, pos: &HashMap<i64, i64>, wait: impl Fn(i64) -> i64) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for e in map.values_mut().filter(|e| e.ticket.service == service) {
            let (Some(&ahead), Some(prefix)) = (pos.get(&e.ticket.id), &e.prefix) else {
                continue;
            };
            let est = wait(ahead);
            if e.last == Some((ahead, est)) {
                continue;
            }
            // `last` is the position the current value shows, so this one differs from it.
            let json = format!("{prefix},\"people_ahead\":{ahead},\"estimated_wait_s\":{est}}}");
            e.tx.send_replace(Utf8Bytes::from(json));
            e.last = Some((ahead, est));
        }
    }

    /// Stores the new status of a ticket that left the queue (or was not cached).
    fn publish(&self, cfg: &hallq_config::Settings, ticket: &Ticket, status: &serde_json::Value) {
        let json = status.to_string();
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = map.get_mut(&ticket.token) {
            e.ticket = ticket.clone();
            e.prefix = waiting_prefix(cfg, ticket);
            e.last = position(&e.prefix, status);
            if e.tx.borrow().as_str() != json {
                e.tx.send_replace(Utf8Bytes::from(json));
            }
        }
    }
}

/// Recomputes the status of every watcher of `service`: one query for the queue order;
/// waiting tickets get their new position from a cached rendering, only tickets that left
/// the queue (called, transferred, finished…) are read and rendered again.
async fn refresh(state: &AppState, service: &str) -> Result<(), crate::store::StoreError> {
    if !state.watchers.watches(service) {
        return Ok(());
    }
    let today = local_day(state.cfg.tz(), state.now());
    let order = state.store.waiting_order(service, &today).await?;
    let pos: HashMap<i64, i64> = order
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as i64))
        .collect();
    let durations = state.store.recent_durations(service, &today).await?;
    let open = state.open_windows_for(service).await?;
    let wait = |ahead| estimate_wait_s(ahead, &durations, open);
    // The people whose ticket left the queue first (the one just called above all),
    // then everyone who moved up.
    let moved = state.watchers.left_queue(service, &pos);
    for t in state.store.tickets_by_ids(&moved).await? {
        let ahead = pos.get(&t.id).copied().unwrap_or(0);
        let w = if t.status == Status::Waiting {
            wait(ahead)
        } else {
            0
        };
        let v = crate::api::tickets::status_value(&state.cfg, &t, &today, ahead, w);
        state.watchers.publish(&state.cfg, &t, &v);
    }
    state.watchers.update_waiting(service, &pos, wait);
    Ok(())
}

/// Services an MQTT message on `suffix` (topic after the hall root) may have changed.
fn touched(state: &AppState, suffix: &str, payload: &[u8]) -> Vec<String> {
    if let Some(s) = suffix.strip_prefix("queues/") {
        return vec![s.to_string()];
    }
    let v: serde_json::Value = serde_json::from_slice(payload).unwrap_or_default();
    if suffix == "calls" {
        return v["service"]
            .as_str()
            .map(String::from)
            .into_iter()
            .collect();
    }
    if let Some(w) = suffix.strip_prefix("windows/") {
        // Start, finish and no-show change a ticket at this window: every service it serves.
        return state
            .cfg
            .window(w)
            .map(|c| c.services.clone())
            .unwrap_or_default();
    }
    Vec::new()
}

/// Listens to the hall's topics and refreshes watchers; runs until the process ends.
pub async fn run(state: AppState, mqtt: crate::app::MqttEndpoint) {
    let root = format!("hallq/v1/{}/", state.cfg.hall.id);
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let (client, mut ev) = AsyncClient::new(mqtt.options("hallq-status"), 64);
    let st = state.clone();
    tokio::spawn(async move {
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    for t in ["calls", "queues/+", "windows/+"] {
                        let _ = client.try_subscribe(format!("{root}{t}"), QoS::AtLeastOnce);
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if let Some(suffix) = p.topic.strip_prefix(&root) {
                        for s in touched(&st, suffix, &p.payload) {
                            let _ = tx.send(s);
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    });
    while let Some(first) = rx.recv().await {
        // Coalesce a burst: one action publishes its call, window and queue events back
        // to back; a millisecond gathers them so each touched service is read once.
        tokio::time::sleep(Duration::from_millis(1)).await;
        let mut services = BTreeSet::from([first]);
        while let Ok(s) = rx.try_recv() {
            services.insert(s);
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
