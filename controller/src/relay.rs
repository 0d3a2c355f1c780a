//! The outbox relay: reads committed events in id order, publishes them to MQTT with
//! QoS 1, waits for the broker's acknowledgements, then marks them sent.
//!
//! - At least once: a crash between publish and mark re-publishes; subscribers dedupe
//!   by `event_id`.
//! - In order: one relay per database holds a lease (`leases` table), publishes a batch
//!   in id order on one connection, and starts each connection afresh from the oldest
//!   unsent event, so nothing from a dead session is replayed out of order.
//! - State topics (`windows/{w}`, `queues/{service}`) are retained and rendered from the
//!   tables when published, so the retained value is always the latest truth; several
//!   such events for one subject in a batch go out once, with the newest event id.
//! - Payloads are `hallq_mqtt::payload`'s types, serialised with serde: a call as the
//!   store recorded it plus its event id, the states from [`crate::views`].
//! - Broker down: events stay unsent in the table and leave in order once it is back.
//! - Retained state at every (re)connect: once a connection has published the events left
//!   unsent, it publishes every window's and every queue's state from the tables, so a
//!   subscriber that arrives with the hall (after a start, a restored database or a broker
//!   that lost its retained messages) sees every window at once, not only those that acted.

use crate::hours::{local_day, rfc3339};
use crate::store::{OutboxRow, Store, RELAY_LEASE};
use hallq_config::Settings;
use hallq_mqtt::payload::{Call, CallBody, Payload};
use hallq_mqtt::{topic_root, Endpoint};
use rumqttc::{AsyncClient, Event, Packet, QoS};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Where and how the relay connects.
#[derive(Clone, Debug)]
pub struct RelayOptions {
    /// The broker and the controller's login there.
    pub broker: Endpoint,
    /// Unique id of this controller process (lease holder, MQTT client id).
    pub holder: String,
}

const BATCH: i64 = 256;
const LEASE_TTL_MS: i64 = 5_000;

/// Runs until `shutdown` turns true; reconnects with backoff on any failure. Reports
/// its broker connection to `metrics` (`hallq_broker_connected`).
pub async fn run(
    store: Store,
    cfg: Arc<Settings>,
    opts: RelayOptions,
    metrics: Arc<crate::metrics::Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    while !*shutdown.borrow() {
        let held = store
            .acquire_lease(RELAY_LEASE, &opts.holder, now_ms(), LEASE_TTL_MS)
            .await
            .unwrap_or(false);
        let result = if held {
            session(&store, &cfg, &opts, &metrics, &mut shutdown).await
        } else {
            Ok(())
        };
        match result {
            Ok(()) if held => backoff = Duration::from_millis(100),
            Ok(()) => {}
            Err(e) => {
                tracing::warn!("outbox relay: {e}; retrying in {backoff:?}");
            }
        }
        if *shutdown.borrow() {
            break;
        }
        let pause = if held {
            backoff
        } else {
            Duration::from_millis(1000)
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
        if held {
            backoff = (backoff * 2).min(Duration::from_secs(1));
        }
    }
    let _ = store.release_lease(RELAY_LEASE, &opts.holder).await;
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

enum Link {
    Up,
    Acked,
    Down(String),
}

/// One connection: publish until shutdown, a broker failure, or a lost lease.
async fn session(
    store: &Store,
    cfg: &Settings,
    opts: &RelayOptions,
    metrics: &crate::metrics::Metrics,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    // One relay per hall per controller: the hall and the holder make the client id, the
    // same after a restart (the broker hands the session over at once).
    let mut mo = opts
        .broker
        .options_with_id(format!("hallq-relay-{}-{}", cfg.hall.id, opts.holder));
    mo.set_inflight(BATCH as u16)
        .set_max_packet_size(1024 * 1024, 1024 * 1024);
    let (client, mut eventloop) = AsyncClient::new(mo, BATCH as usize * 2);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let pump = tokio::spawn(async move {
        loop {
            let ev = match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => Link::Up,
                Ok(Event::Incoming(Packet::PubAck(_))) => Link::Acked,
                Ok(_) => continue,
                Err(e) => Link::Down(e.to_string()),
            };
            let down = matches!(ev, Link::Down(_));
            if tx.send(ev).is_err() || down {
                break;
            }
        }
    });
    let _guard = AbortOnDrop(pump);
    match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        Ok(Some(Link::Up)) => {}
        Ok(Some(Link::Down(e))) => return Err(format!("broker {}: {e}", opts.broker.url())),
        _ => return Err(format!("broker {} did not answer", opts.broker.url())),
    }
    tracing::info!("outbox relay connected to {}", opts.broker.url());
    metrics.set_broker_connected(true);
    let _down = Disconnected(metrics);
    let signal = store.outbox_signal();
    let root = topic_root(&cfg.hall.id);
    let mut renewed = Instant::now();
    let mut snapshot_sent = false;
    loop {
        if *shutdown.borrow() {
            let _ = client.disconnect().await;
            return Ok(());
        }
        if renewed.elapsed() > Duration::from_millis(1000) {
            let held = store
                .acquire_lease(RELAY_LEASE, &opts.holder, now_ms(), LEASE_TTL_MS)
                .await
                .map_err(|e| e.to_string())?;
            if !held {
                return Err("lost the relay lease to another controller".into());
            }
            renewed = Instant::now();
        }
        let rows = store.unsent(BATCH).await.map_err(|e| e.to_string())?;
        // Nothing leaves before it is on the disk (a power cut must not leave the screens
        // showing what the database lost).
        if !rows.is_empty() || !snapshot_sent {
            store.make_durable().await.map_err(|e| e.to_string())?;
        }
        if rows.is_empty() && !snapshot_sent {
            let published = publish_snapshot(store, cfg, &root, &client).await?;
            wait_acks(&mut rx, published).await?;
            snapshot_sent = true;
            continue;
        }
        if rows.is_empty() {
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                _ = shutdown.changed() => {}
                // A broker lost while idle ends the session now (and the metric says so).
                ev = rx.recv() => match ev {
                    Some(Link::Down(e)) => return Err(format!("broker connection lost: {e}")),
                    None => return Err("broker connection closed".into()),
                    Some(_) => {}
                },
            }
            continue;
        }
        // Publish each event as soon as it is rendered: a call needs no query, so it
        // leaves before the state events that follow it are read from the tables.
        let mut published = 0;
        for (i, row) in rows.iter().enumerate() {
            let superseded = row.kind != "call"
                && rows[i + 1..]
                    .iter()
                    .any(|r| r.kind == row.kind && r.subject == row.subject);
            if superseded {
                continue;
            }
            let msg = render(store, cfg, &root, row)
                .await
                .map_err(|e| e.to_string())?;
            let Some((topic, retain, payload)) = msg else {
                continue;
            };
            client
                .publish(topic, QoS::AtLeastOnce, retain, payload.into_bytes())
                .await
                .map_err(|e| e.to_string())?;
            published += 1;
        }
        wait_acks(&mut rx, published).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        store
            .mark_sent(&ids, now_ms())
            .await
            .map_err(|e| e.to_string())?;
    }
}

async fn wait_acks(rx: &mut mpsc::UnboundedReceiver<Link>, mut n: usize) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while n > 0 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Link::Acked)) => n -= 1,
            Ok(Some(Link::Up)) => {}
            Ok(Some(Link::Down(e))) => return Err(format!("broker connection lost: {e}")),
            Ok(None) => return Err("broker connection closed".into()),
            Err(_) => return Err("broker did not acknowledge within 10 s".into()),
        }
    }
    Ok(())
}

/// Reports the broker connection down however the session ends.
struct Disconnected<'a>(&'a crate::metrics::Metrics);

impl Drop for Disconnected<'_> {
    fn drop(&mut self) {
        self.0.set_broker_connected(false);
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Publishes every window's and every queue's retained state as the tables hold it now,
/// each carrying the newest event id; returns how many messages await an acknowledgement.
async fn publish_snapshot(
    store: &Store,
    cfg: &Settings,
    root: &str,
    client: &AsyncClient,
) -> Result<usize, String> {
    let id = store.last_event_id().await.map_err(|e| e.to_string())?;
    let tz = cfg.tz();
    let at = rfc3339(tz, now_ms());
    let mut messages: Vec<(String, String)> = Vec::new();
    for w in store.windows().await.map_err(|e| e.to_string())? {
        messages.push(window_message(cfg, root, &w, id, &at));
    }
    let day = local_day(tz, now_ms());
    for service in cfg.services() {
        let waiting = store
            .waiting(&service.id, &day)
            .await
            .map_err(|e| e.to_string())?;
        messages.push(queue_message(root, &service.id, waiting, id, &at));
    }
    let n = messages.len();
    for (topic, payload) in messages {
        client
            .publish(topic, QoS::AtLeastOnce, true, payload.into_bytes())
            .await
            .map_err(|e| e.to_string())?;
    }
    tracing::debug!("outbox relay: retained state of {n} windows and queues published");
    Ok(n)
}

fn window_message(
    cfg: &Settings,
    root: &str,
    w: &crate::store::WindowState,
    id: i64,
    at: &str,
) -> (String, String) {
    let v = crate::views::window_event(cfg, w, id, at);
    (format!("{root}windows/{}", w.id), checked(&v))
}

fn queue_message(root: &str, service: &str, waiting: i64, id: i64, at: &str) -> (String, String) {
    let v = crate::views::queue_event(service, waiting, id, at);
    (format!("{root}queues/{service}"), checked(&v))
}

/// The payload's JSON; a payload that subscribers would drop (a configured name over the
/// contract's bounds) is still published, and said in the log.
fn checked(v: &impl Payload) -> String {
    if let Err(e) = v.check() {
        tracing::warn!(
            "outbox relay: subscribers will drop this payload ({e}): {}",
            v.to_json()
        );
    }
    v.to_json()
}

/// Turns one event into (topic, retain, payload); `None` for an event with nothing to
/// say (unknown kind, or a window no longer in the tables).
async fn render(
    store: &Store,
    cfg: &Settings,
    root: &str,
    row: &OutboxRow,
) -> Result<Option<(String, bool, String)>, crate::store::StoreError> {
    let tz = cfg.tz();
    let at = rfc3339(tz, row.created_at);
    Ok(match row.kind.as_str() {
        "call" => match serde_json::from_str::<CallBody>(&row.payload) {
            Ok(call) => {
                let call = Call {
                    event_id: row.id,
                    call,
                };
                Some((format!("{root}calls"), false, checked(&call)))
            }
            Err(e) => {
                tracing::warn!("outbox row {} is not a call ({e}); skipped", row.id);
                None
            }
        },
        "window" => store.window(&row.subject).await?.map(|w| {
            let (topic, payload) = window_message(cfg, root, &w, row.id, &at);
            (topic, true, payload)
        }),
        "queue" => {
            let waiting = store
                .waiting(&row.subject, &local_day(tz, now_ms()))
                .await?;
            let (topic, payload) = queue_message(root, &row.subject, waiting, row.id, &at);
            Some((topic, true, payload))
        }
        other => {
            tracing::warn!("outbox row {} has unknown kind {other:?}; skipped", row.id);
            None
        }
    })
}
