//! The refresh of one service's watchers (one read of the queue order and one snapshot of
//! the hall for the estimates, then every watcher's new status) and the feed that asks
//! for it: the hall's MQTT topics (each message parsed into `hallq_mqtt`'s types; what
//! does not parse is dropped and counted), and this process's own actions. A change
//! refreshes the services sharing a window with the one it touched too: their estimates
//! move with it.

use super::{Positions, Touch};
use crate::hours::local_day;
use crate::model::Status;
use crate::state::AppState;
use hallq_mqtt::{Dropped, Inbound};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;

/// Messages on the hall's topics that were not the contract's payloads.
static DROPPED: Dropped = Dropped::new("status watchers");

/// Recomputes the status of every watcher of `service`: one query for the queue order;
/// waiting tickets get their new position from a cached rendering, only tickets that are
/// not (or no longer) waiting — called, transferred, finished… — are read and rendered
/// again.
async fn refresh(
    state: &AppState,
    service: &str,
    play: &tokio::sync::OnceCell<std::sync::Arc<crate::waits::Play>>,
) -> Result<(), crate::store::StoreError> {
    state.watchers.refreshes.fetch_add(1, Ordering::SeqCst);
    let began = std::time::Instant::now();
    let Some(not_waiting) = state.watchers.not_waiting(service) else {
        return Ok(());
    };
    let now = state.now();
    let today = local_day(state.cfg.tz(), now);
    let (order, mut left) = tokio::try_join!(
        state.store.waiting_order(service, &today, now),
        state.store.tickets_by_ids(&not_waiting),
    )?;
    let pos: Positions = order
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as i64))
        .collect();
    // One play of the hall for every watcher, shared with the other services this change
    // touched (made by the first that has watchers).
    let play = play
        .get_or_try_init(|| state.hall_waits(&today))
        .await?
        .clone();
    let wait = move |id: i64| play.estimates.get(&id).copied();
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
            wait(t.id)
        } else {
            None
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

/// Services a message heard on the hall's topics may have changed.
fn touched(state: &AppState, msg: &Inbound) -> Vec<String> {
    match msg {
        Inbound::Queue(q) => vec![q.service.clone()],
        Inbound::Call(c) => vec![c.call.service.clone()],
        // Start, finish and no-show change a ticket at this window: every service it serves.
        Inbound::Window(w) => state
            .cfg
            .window(&w.window)
            .map(|c| c.services.clone())
            .unwrap_or_default(),
        Inbound::Button { .. } => Vec::new(),
    }
}

/// `services` and every service a window serving one of them also serves: a change in one
/// queue moves the estimates of the others the same windows call.
fn sharing_a_window(cfg: &hallq_config::Settings, services: BTreeSet<String>) -> BTreeSet<String> {
    let mut out = services.clone();
    for w in &cfg.windows {
        if w.services.iter().any(|s| services.contains(s)) {
            out.extend(w.services.iter().cloned());
        }
    }
    out
}

/// The hall event a message carries.
fn event_id(msg: &Inbound) -> Option<i64> {
    match msg {
        Inbound::Call(c) => Some(c.event_id),
        Inbound::Window(w) => Some(w.event_id),
        Inbound::Queue(q) => Some(q.event_id),
        Inbound::Button { .. } => None,
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
        // What does not parse asks for nothing (a forged message costs no refresh).
        let msg = match Inbound::parse(topic, payload) {
            Ok(m) => m,
            Err(e) => return DROPPED.note(topic, &e),
        };
        if event_id(&msg).is_some_and(|id| st.watchers.own_event(id)) {
            return;
        }
        for service in touched(&st, &msg) {
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
        let services = sharing_a_window(&state.cfg, services);
        // Staff pages re-read the snapshot on every change of the hall.
        state.hall_changed.send_modify(|g| *g += 1);
        // One play of the hall for the whole change, begun after it, when a phone watches.
        let play = tokio::sync::OnceCell::new();
        for s in services {
            if let Err(e) = refresh(&state, &s, &play).await {
                tracing::warn!("refreshing ticket watchers of {s}: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_refreshes_the_services_sharing_its_windows() {
        let src = include_str!("../../../config/examples/demo-hall.toml");
        let cfg = hallq_config::load_str("demo-hall.toml", src).expect("demo config");
        // Windows 1–3 serve property and tax-housing; window 10 property among others.
        let got = sharing_a_window(&cfg, BTreeSet::from(["tax-housing".to_string()]));
        assert_eq!(
            got,
            BTreeSet::from(["property".to_string(), "tax-housing".to_string()])
        );
        let got = sharing_a_window(&cfg, BTreeSet::from(["property".to_string()]));
        for s in [
            "property",
            "tax-housing",
            "consult",
            "household",
            "social-security",
        ] {
            assert!(got.contains(s), "{s}: {got:?}");
        }
        assert!(!got.contains("housing-fund"), "{got:?}");
        // A service no window serves stays alone.
        let got = sharing_a_window(&cfg, BTreeSet::from(["nowhere".to_string()]));
        assert_eq!(got, BTreeSet::from(["nowhere".to_string()]));
    }
}
