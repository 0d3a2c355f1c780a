//! Wiring: from settings to a running controller (store, broker, relay, notifications,
//! HTTP).

use crate::api::{router, AppState};
use crate::relay::{self, RelayOptions};
use crate::store::Store;
use anyhow::Context;
use hallq_config::{BrokerMode, Settings};
use hallq_mqtt::{Endpoint, Part};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A started controller, ready to serve HTTP.
pub struct App {
    /// Config in force.
    pub cfg: Arc<Settings>,
    /// Database.
    pub store: Store,
    /// Identity verification.
    pub identity: Arc<crate::identity::Identity>,
    /// Where the relay publishes (`mqtt://…`).
    pub mqtt_url: String,
    /// The broker and a login other parts of this process (display, LED gateway) use.
    pub mqtt: Endpoint,
    /// Metrics, shared by the relay and the HTTP handlers.
    pub metrics: Arc<crate::metrics::Metrics>,
    relay: JoinHandle<()>,
    notify: JoinHandle<()>,
    stop: watch::Sender<bool>,
    reload: Option<Arc<crate::reload::Reload>>,
}

/// The database URL in force: the configured one, or SQLite in the data dir.
pub fn database_url(cfg: &Settings) -> anyhow::Result<String> {
    match &cfg.server.database_url {
        Some(u) if !u.is_empty() => Ok(u.clone()),
        _ => {
            let dir = Path::new(&cfg.server.data_dir);
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create data dir {}", dir.display()))?;
            Ok(format!("sqlite://{}", dir.join("hallq.db").display()))
        }
    }
}

impl App {
    /// Connects the database (migrating it), starts the embedded broker when configured,
    /// and starts the outbox relay.
    ///
    /// # Errors
    /// When the database, the broker address or the data dir cannot be used.
    pub async fn start(cfg: Arc<Settings>) -> anyhow::Result<Self> {
        let url = database_url(&cfg)?;
        let store = Store::connect_with(&url, cfg.server.sqlite_synchronous)
            .await
            .with_context(|| format!("cannot open database {}", redact(&url)))?;
        let ids: Vec<String> = cfg.windows.iter().map(|w| w.id.clone()).collect();
        store
            .sync_windows(&ids, chrono::Utc::now().timestamp_millis())
            .await?;
        let holder = lease_holder(&cfg.server.listen);
        let mut mqtt = Endpoint::of(&cfg, Part::Controller).map_err(anyhow::Error::msg)?;
        // Where devices reach the broker (on the embedded one, the authorizing front).
        let mqtt_url = mqtt.url();
        if cfg.broker.mode == BrokerMode::Embedded {
            let addr: SocketAddr = cfg.broker.listen.parse().context("broker.listen")?;
            let login = crate::broker::start(addr, &cfg.hall.id, &cfg.broker.accounts)?;
            // The controller's clients sign in to rumqttd directly, beside the front.
            mqtt.host = login.addr.ip().to_string();
            mqtt.port = login.addr.port();
            mqtt.login = Some((login.username, login.password));
        }
        let notifiers = crate::notify::Notifiers::from_config(&cfg, |v| std::env::var(v).ok())
            .context("notifiers")?;
        let opts = RelayOptions {
            broker: mqtt.clone(),
            holder: holder.clone(),
        };
        let identity =
            crate::identity::Identity::from_config(&cfg, Path::new(&cfg.server.data_dir))
                .context("identity providers")?;
        let identity = Arc::new(identity);
        let (stop, rx) = watch::channel(false);
        let metrics = Arc::<crate::metrics::Metrics>::default();
        metrics.notifiers(notifiers.names());
        let relay = tokio::spawn(relay::run(
            store.clone(),
            cfg.clone(),
            opts,
            metrics.clone(),
            rx.clone(),
        ));
        let notify = tokio::spawn(crate::notify::run(
            store.clone(),
            cfg.clone(),
            Arc::new(notifiers),
            metrics.clone(),
            holder,
            rx,
        ));
        Ok(Self {
            cfg,
            store,
            identity,
            mqtt_url,
            mqtt,
            metrics,
            relay,
            notify,
            stop,
            reload: None,
        })
    }

    /// Lets an admin reload `path` (see [`crate::reload`]); the returned signal fires when
    /// a valid file was accepted, and the caller then restarts the process in place.
    pub fn enable_reload(&mut self, path: std::path::PathBuf) -> Arc<tokio::sync::Notify> {
        let requested = Arc::new(tokio::sync::Notify::new());
        self.reload = Some(Arc::new(crate::reload::Reload {
            path,
            requested: requested.clone(),
        }));
        requested
    }

    /// Serves HTTP on `listener` (the API plus `extra` routes, e.g. screens) until
    /// `shutdown` resolves, then stops the relay.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn serve(
        self,
        listener: TcpListener,
        extra: axum::Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = AppState::with_metrics(
            self.cfg.clone(),
            self.store.clone(),
            self.identity.clone(),
            self.metrics.clone(),
            self.reload.clone(),
        );
        let watch = tokio::spawn(crate::watch::run(state.clone(), self.mqtt.clone()));
        let buttons = tokio::spawn(crate::buttons::run(state.clone(), self.mqtt.clone()));
        let sweep = tokio::spawn(crate::sweep::sweep_forever(state.clone()));
        let readers: Vec<_> = self
            .cfg
            .id_readers
            .iter()
            .map(|r| tokio::spawn(crate::reader::run(state.clone(), r.clone())))
            .collect();
        let app = extra.merge(router(state));
        let opts = crate::http::Options::of(&self.cfg.server);
        crate::http::serve(listener, app, opts, shutdown).await;
        watch.abort();
        buttons.abort();
        sweep.abort();
        readers.iter().for_each(|r| r.abort());
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), self.relay).await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), self.notify).await;
        self.store.close().await;
        Ok(())
    }
}

/// Hides a password in a database URL for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// This controller's name as a lease holder (relay, notifications) and in the relay's MQTT
/// client id: the host and the HTTP address it serves, which no other live process holds
/// (the caller has bound that address). A controller restarted after a crash on the same
/// host and address is the same holder, so it takes its leases over at once instead of
/// waiting for the dead process's to expire — the screens and boards get the hall's state
/// (and new calls) right after a restart, not seconds later. Replicas differ by host or port;
/// an address without a fixed port (`:0`) makes a holder of this process alone.
fn lease_holder(listen: &str) -> String {
    let fixed = listen.parse::<SocketAddr>().is_ok_and(|a| a.port() != 0);
    let listen = if fixed {
        listen.to_string()
    } else {
        format!(
            "{listen}-{}-{}",
            std::process::id(),
            hex::encode(rand::random::<[u8; 4]>())
        )
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}-{listen}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect()
}
