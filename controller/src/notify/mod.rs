//! Citizens' notifications: delivers the notification outbox ([`crate::store::notices`])
//! to every configured notifier (`[[notifiers]]`), with retries, so that a failing
//! provider loses nothing.
//!
//! - One deliverer per database: the controller holding the lease
//!   [`NOTIFY_LEASE`](crate::store::notices::NOTIFY_LEASE) reads due rows in id order, in
//!   batches of [`BATCH`], and renews the lease before each row.
//! - Each row goes to each notifier that does not have it yet; the row records who has it
//!   (`done`), so a retry sends only to those that failed. A failure schedules the next
//!   attempt after a backoff doubling from 2 s to at most 5 min ([`backoff`]), and skips
//!   that notifier for the rest of the pass (it is down; the rows wait their turn).
//! - At least once: a crash between a 2xx and the record re-sends that event; receivers
//!   dedupe by its `event_id` (the same on every retry).
//! - [`event`]: the JSON body; [`webhook`]: the signed POST; `log`: one log line.

pub mod event;
pub mod webhook;

use crate::store::notices::{Attempt, NoticeRow, NOTIFY_LEASE};
use crate::store::Store;
use anyhow::{bail, Context};
use event::Event;
use hallq_config::Settings;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use webhook::Webhook;

/// Rows read per pass.
pub const BATCH: i64 = 100;

/// A notifier: where events go.
#[derive(Debug)]
pub enum Notifier {
    /// A signed JSON POST.
    Webhook(Webhook),
    /// One log line per event (masked data only), under this name.
    Log(String),
}

impl Notifier {
    /// Its configured name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Webhook(w) => &w.name,
            Self::Log(name) => name,
        }
    }

    /// Sends one event (`body` is its JSON).
    async fn send(&self, event: &Event, body: &str) -> Result<(), String> {
        match self {
            Self::Webhook(w) => w.send(event, body).await,
            Self::Log(name) => {
                tracing::info!(
                    target: "hallq::notify",
                    notifier = %name,
                    event_id = %event.event_id,
                    kind = event.kind,
                    service = event.service.as_ref().map_or("-", |s| s.id.as_str()),
                    slot_start = event.slot_start.as_deref().unwrap_or("-"),
                    lead_minutes = event.lead_minutes.unwrap_or(0),
                    until = event.until.as_deref().unwrap_or("-"),
                    "notification"
                );
                Ok(())
            }
        }
    }
}

/// The configured notifiers, in config order.
#[derive(Debug, Default)]
pub struct Notifiers(Vec<Notifier>);

impl Notifiers {
    /// Builds them from `[[notifiers]]`, reading each webhook's key from its
    /// `secret_env` through `env`.
    ///
    /// # Errors
    /// When a webhook's variable is unset or shorter than
    /// [`webhook::MIN_KEY_BYTES`] (saying what to set), or a client cannot be built.
    pub fn from_config(
        cfg: &Settings,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut out = Vec::new();
        for (i, n) in cfg.notifiers.iter().enumerate() {
            match n.kind.as_str() {
                "log" => out.push(Notifier::Log(n.id().to_string())),
                "webhook" => {
                    let (Some(url), Some(var)) = (&n.url, &n.secret_env) else {
                        bail!("notifiers[{i}]: a webhook needs url and secret_env");
                    };
                    let key = env(var).unwrap_or_default();
                    if key.len() < webhook::MIN_KEY_BYTES {
                        bail!(
                            "notifiers[{i}] ({}): set the environment variable {var} to the \
                             HMAC key shared with the message service (at least {} bytes)",
                            n.id(),
                            webhook::MIN_KEY_BYTES
                        );
                    }
                    let hook = Webhook::new(n.id(), url, key.into_bytes(), n.timeout())
                        .with_context(|| format!("notifiers[{i}] ({})", n.id()))?;
                    out.push(Notifier::Webhook(hook));
                }
                other => bail!("notifiers[{i}]: unknown kind {other:?}"),
            }
        }
        Ok(Self(out))
    }

    /// Their names, in config order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Notifier::name)
    }

    /// Whether none is configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Wait before attempt `attempts + 1` after `attempts` failures: 2 s, 4 s, 8 s … capped
/// at 5 min.
#[must_use]
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
    Duration::from_secs((2u64 << exp).min(300))
}

/// How long the lease lasts past each renewal: longer than one attempt can take.
fn lease_ttl(cfg: &Settings) -> i64 {
    let longest = cfg
        .notifiers
        .iter()
        .map(|n| n.timeout().as_millis())
        .max()
        .unwrap_or(0);
    i64::try_from(longest).unwrap_or(60_000) * 2 + 10_000
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Delivers until `shutdown` turns true: a pass whenever notices were written, and at
/// least every second, while this process holds the lease.
pub async fn run(
    store: Store,
    cfg: Arc<Settings>,
    notifiers: Arc<Notifiers>,
    metrics: Arc<crate::metrics::Metrics>,
    holder: String,
    mut shutdown: watch::Receiver<bool>,
) {
    let signal = store.notice_signal();
    let ttl = lease_ttl(&cfg);
    while !*shutdown.borrow() {
        match store
            .acquire_lease(NOTIFY_LEASE, &holder, now_ms(), ttl)
            .await
        {
            Ok(true) => {
                if let Err(e) = pass(&store, &cfg, &notifiers, &metrics, &holder).await {
                    tracing::warn!("notifications: {e}");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!("notifications: lease: {e}"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            // Notices written in a burst (a flash crowd of bookings) go in one pass.
            () = signal.notified() => tokio::time::sleep(Duration::from_millis(200)).await,
            _ = shutdown.changed() => {}
        }
    }
    let _ = store.release_lease(NOTIFY_LEASE, &holder).await;
}

/// One pass over the due rows (at most [`BATCH`]). Returns how many were delivered.
///
/// # Errors
/// Database errors.
pub async fn pass(
    store: &Store,
    cfg: &Settings,
    notifiers: &Notifiers,
    metrics: &crate::metrics::Metrics,
    holder: &str,
) -> crate::store::StoreResult<usize> {
    let ttl = lease_ttl(cfg);
    let rows = store.due_notices(now_ms(), BATCH).await?;
    let mut down: HashSet<&str> = HashSet::new();
    let mut delivered = 0;
    let mut outcomes = Vec::with_capacity(rows.len());
    // The caller took the lease just now; it is renewed once a quarter of its life has
    // passed. One attempt takes less than half of it (`lease_ttl`), so it never lapses
    // mid-pass, and a pass of quick deliveries writes the lease once, not per notice.
    let mut renewed = now_ms();
    for row in rows {
        if now_ms() - renewed > ttl / 4 {
            if !store
                .acquire_lease(NOTIFY_LEASE, holder, now_ms(), ttl)
                .await?
            {
                break;
            }
            renewed = now_ms();
        }
        let (done, attempt) = deliver(cfg, notifiers, metrics, &row, &mut down).await;
        if matches!(attempt, Attempt::Delivered) {
            delivered += 1;
        }
        outcomes.push((row.id, done, attempt));
    }
    // Written together after the pass: a crash before this line sends the pass's
    // notices again (delivery is at least once; receivers dedupe by event id).
    store.notices_attempted(&outcomes).await?;
    Ok(delivered)
}

/// Sends `row` to each notifier that lacks it and is not `down`; returns who has it now
/// and what to record.
async fn deliver<'a>(
    cfg: &Settings,
    notifiers: &'a Notifiers,
    metrics: &crate::metrics::Metrics,
    row: &NoticeRow,
    down: &mut HashSet<&'a str>,
) -> (Vec<String>, Attempt) {
    let event = Event::of(cfg, row);
    let body = serde_json::to_string(&event).unwrap_or_default();
    let mut done = row.done.clone();
    let mut error: Option<String> = None;
    let mut skipped = false;
    for n in &notifiers.0 {
        let name = n.name();
        if done.iter().any(|d| d == name) {
            continue;
        }
        if down.contains(name) {
            skipped = true;
            continue;
        }
        match n.send(&event, &body).await {
            Ok(()) => done.push(name.to_string()),
            Err(e) => {
                metrics.notification_failed(name);
                tracing::warn!(
                    notifier = name,
                    event_id = %event.event_id,
                    attempt = row.attempts + 1,
                    "notification not delivered: {e}"
                );
                down.insert(name);
                error = Some(format!("{name}: {e}"));
            }
        }
    }
    let attempt = match (error, skipped) {
        (Some(e), _) => {
            let wait = i64::try_from(backoff(row.attempts + 1).as_millis()).unwrap_or(300_000);
            Attempt::Retry {
                at: now_ms() + wait,
                error: e,
            }
        }
        (None, true) => Attempt::Progress,
        (None, false) => Attempt::Delivered,
    };
    (done, attempt)
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_from_two_seconds_to_five_minutes() {
        let secs: Vec<u64> = (1..=10).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(1000), Duration::from_secs(300));
    }
}
