//! What the handlers and the services share: the config, the store, the phones' watchers,
//! the metrics, identity, kiosks' channels, the reload handle. Cheap to clone.

use crate::principal::{token_table, Principal};
use crate::store::{Store, StoreResult};
use hallq_config::Settings;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

/// Shared state of the handlers. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What handlers share.
pub struct Inner {
    /// The hall's config.
    pub cfg: Arc<Settings>,
    /// The database.
    pub store: Store,
    /// Token hash → principal.
    pub tokens: HashMap<String, Principal>,
    /// Clock offset (ms added to the system clock): 0 in service; tests move it with
    /// [`AppState::set_now`].
    clock_offset_ms: std::sync::atomic::AtomicI64,
    /// Phones watching their ticket.
    pub watchers: crate::watch::Watchers,
    /// The hall's usual figures for the wait estimator, learned once a day.
    pub usual: crate::usual::UsualCache,
    /// The last play of the hall's wait estimates, shared by every reader.
    pub waits: crate::waits::Waits,
    /// Config reload, when the process supports it (`hallq run` / `hallq controller`).
    pub reload: Option<Arc<crate::reload::Reload>>,
    /// Bumped whenever the hall changes (staff pages refresh on it).
    pub hall_changed: tokio::sync::watch::Sender<u64>,
    /// Staff sessions ended here (sign-out, an admin's end, a takeover): their staff
    /// event sockets close at once instead of at their next periodic check.
    pub sessions_ended: tokio::sync::broadcast::Sender<SessionEnded>,
    /// Kiosks' live channels (ID card check-ins).
    pub kiosks: crate::kiosks::KioskHub,
    /// What is known of each ticket printer (status answers, state, last problem).
    pub printers: crate::printers::Printers,
    /// Verifies citizens' identity assertions.
    pub identity: Arc<crate::identity::Identity>,
    /// Prometheus metrics (`GET /metrics`), shared with the outbox relay.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Rate limits per client address and the status socket caps (`[limits]`).
    pub limits: Arc<crate::limits::Limits>,
    /// The fonts for ticket images, found on first use.
    font: std::sync::OnceLock<Result<std::sync::Arc<hallq_ticket::Font>, String>>,
    /// The OpenAPI document of this hall's router (set when the router is built).
    pub(crate) openapi: std::sync::OnceLock<Arc<serde_json::Value>>,
    /// Where this hall's API and pages are served.
    pub paths: Paths,
}

/// Where a hall's API and pages are served: at the root for a deployment of one hall
/// (`/api/v1`, `/kiosk`), under the hall for a city's (`/api/v1/halls/{hall}`,
/// `/halls/{hall}/kiosk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The API's prefix, no trailing slash.
    pub api: String,
    /// The pages' prefix (`""` at the root), no trailing slash.
    pub pages: String,
}

impl Paths {
    /// At the root.
    pub fn root() -> Self {
        Self {
            api: "/api/v1".into(),
            pages: String::new(),
        }
    }

    /// Under hall `id`.
    pub fn hall(id: &str) -> Self {
        Self {
            api: format!("/api/v1/halls/{id}"),
            pages: format!("/halls/{id}"),
        }
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state.
    pub fn new(cfg: Arc<Settings>, store: Store, identity: Arc<crate::identity::Identity>) -> Self {
        Self::with_metrics(cfg, store, identity, Arc::default(), None)
    }

    /// Builds the state around existing metrics (the ones the relay reports to).
    pub fn with_metrics(
        cfg: Arc<Settings>,
        store: Store,
        identity: Arc<crate::identity::Identity>,
        metrics: Arc<crate::metrics::Metrics>,
        reload: Option<Arc<crate::reload::Reload>>,
    ) -> Self {
        let tokens = token_table(&cfg);
        let limits = Arc::new(crate::limits::Limits::new(&cfg));
        Self(Arc::new(Inner {
            cfg,
            store,
            tokens,
            clock_offset_ms: std::sync::atomic::AtomicI64::new(0),
            watchers: crate::watch::Watchers::default(),
            usual: crate::usual::UsualCache::default(),
            waits: crate::waits::Waits::default(),
            identity,
            kiosks: crate::kiosks::KioskHub::default(),
            printers: crate::printers::Printers::default(),
            hall_changed: tokio::sync::watch::channel(0).0,
            sessions_ended: tokio::sync::broadcast::channel(64).0,
            reload,
            metrics,
            limits,
            font: std::sync::OnceLock::new(),
            openapi: std::sync::OnceLock::new(),
            paths: Paths::root(),
        }))
    }

    /// This state with its API and pages served at `paths` (call before cloning it).
    ///
    /// # Panics
    /// When the state was cloned already.
    pub fn served_at(mut self, paths: Paths) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("served_at before the state is shared")
            .paths = paths;
        self
    }

    /// This state counting rate limits and status sockets in `limits`, which other halls
    /// of the deployment share (an address gets the deployment's limits, not one set per
    /// hall). Call before cloning it.
    ///
    /// # Panics
    /// When the state was cloned already.
    pub fn sharing_limits(mut self, limits: Arc<crate::limits::Limits>) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("sharing_limits before the state is shared")
            .limits = limits;
        self
    }

    /// Now, in ms since the epoch.
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
            + self
                .clock_offset_ms
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The injected clock of in-process tests: from here on [`AppState::now`] reads
    /// `ms`, then runs on with the system clock. Nothing in service calls it.
    pub fn set_now(&self, ms: i64) {
        let offset = ms - chrono::Utc::now().timestamp_millis();
        self.clock_offset_ms
            .store(offset, std::sync::atomic::Ordering::Relaxed);
    }

    /// The fonts ticket images are drawn with, found on first use (see
    /// `hallq_ticket::Font::from_env`): `HALLQ_TICKET_FONT`, the Chinese fonts fontconfig
    /// knows, the bundled subset. Blocks (it scans the system fonts): call it off the runtime.
    ///
    /// # Errors
    /// When `HALLQ_TICKET_FONT` names a file that cannot be loaded, or
    /// `HALLQ_TICKET_FONT_INDEX` is not a number: images are refused, not drawn otherwise.
    pub fn font(&self) -> Result<std::sync::Arc<hallq_ticket::Font>, String> {
        self.font
            .get_or_init(|| match hallq_ticket::Font::from_env() {
                Ok(font) => {
                    let faces: Vec<_> = font.origins().map(ToString::to_string).collect();
                    tracing::info!(fonts = %faces.join(", "), "ticket image fonts");
                    Ok(std::sync::Arc::new(font))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "ticket image font");
                    Err(e.to_string())
                }
            })
            .clone()
    }

    /// Open windows that serve `service` (0: no estimate is given).
    ///
    /// # Errors
    /// Database errors.
    pub async fn open_windows_for(&self, service: &str) -> StoreResult<i64> {
        let windows = self.store.windows().await?;
        Ok(windows
            .iter()
            .filter(|w| w.status == crate::model::WindowStatus::Open)
            .filter(|w| {
                self.cfg
                    .window(&w.id)
                    .is_some_and(|c| c.services.iter().any(|s| s == service))
            })
            .count() as i64)
    }
}

/// A staff session that ended, as the staff event sockets hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionEnded {
    /// The session's id.
    pub id: i64,
    /// Ended by another clerk signing in at its window (close code 4409), not by a
    /// sign-out or an admin (4401).
    pub taken_over: bool,
}
