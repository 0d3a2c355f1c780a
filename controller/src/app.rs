//! Wiring: from settings to a running controller (store, broker, relay, notifications,
//! HTTP).

use crate::api::AppState;
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

/// A started controller, ready to serve HTTP: one hall, or a city's halls on one
/// database and one broker.
pub struct App {
    /// Config in force (of the first hall, whose deployment-wide sections are everyone's).
    pub cfg: Arc<Settings>,
    /// Every hall's config, the first being [`App::cfg`].
    pub halls: Vec<Arc<Settings>>,
    /// The city, when configured with a city file.
    pub city: Option<hallq_config::City>,
    /// Database, bound to the first hall (see [`Store::in_hall`] for the others).
    pub store: Store,
    /// Identity verification.
    pub identity: Arc<crate::identity::Identity>,
    /// Where the relay publishes (`mqtt://…`).
    pub mqtt_url: String,
    /// The broker and a login other parts of this process (display, LED gateway) use.
    pub mqtt: Endpoint,
    /// The first hall's metrics, shared by its relay and its HTTP handlers.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Every hall's metrics (`/halls/{hall}/metrics`), in the halls' order.
    hall_metrics: Vec<Arc<crate::metrics::Metrics>>,
    tasks: Vec<JoinHandle<()>>,
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
    /// and starts the outbox relay, for one hall.
    ///
    /// # Errors
    /// When the database, the broker address or the data dir cannot be used.
    pub async fn start(cfg: Arc<Settings>) -> anyhow::Result<Self> {
        Self::start_deployment(hallq_config::Deployment::single((*cfg).clone())).await
    }

    /// [`App::start`] for every hall of `dep`: one database (rows without a hall, from a
    /// single-hall database, are given to the first hall), one broker whose device
    /// accounts act in their own hall, and per hall an outbox relay and a notification
    /// deliverer, each holding its hall's lease.
    ///
    /// # Errors
    /// As [`App::start`].
    pub async fn start_deployment(dep: hallq_config::Deployment) -> anyhow::Result<Self> {
        let halls: Vec<Arc<Settings>> = dep.halls.into_iter().map(Arc::new).collect();
        let cfg = halls.first().cloned().context("no hall configured")?;
        let url = database_url(&cfg)?;
        let pool = Store::connect_with(&url, cfg.server.sqlite_synchronous)
            .await
            .with_context(|| format!("cannot open database {}", redact(&url)))?;
        pool.adopt_unowned(&cfg.hall.id).await?;
        let now = chrono::Utc::now().timestamp_millis();
        let stores: Vec<Store> = halls.iter().map(|h| hall_store(&pool, h)).collect();
        for (h, store) in halls.iter().zip(&stores) {
            let ids: Vec<String> = h.windows.iter().map(|w| w.id.clone()).collect();
            store.sync_windows(&ids, now).await?;
        }
        let holder = lease_holder(&cfg.server.listen);
        let mut mqtt = Endpoint::of(&cfg, Part::Controller).map_err(anyhow::Error::msg)?;
        // Where devices reach the broker (on the embedded one, the authorizing front).
        let mqtt_url = mqtt.url();
        if cfg.broker.mode == BrokerMode::Embedded {
            let addr: SocketAddr = cfg.broker.listen.parse().context("broker.listen")?;
            let accounts: Vec<(&str, &[hallq_config::BrokerAccount])> = halls
                .iter()
                .map(|h| (h.hall.id.as_str(), h.broker.accounts.as_slice()))
                .collect();
            let login = crate::broker::start(addr, &accounts)?;
            // The controller's clients sign in to rumqttd directly, beside the front.
            mqtt.host = login.addr.ip().to_string();
            mqtt.port = login.addr.port();
            mqtt.login = Some((login.username, login.password));
        }
        let identity =
            crate::identity::Identity::from_config(&cfg, Path::new(&cfg.server.data_dir))
                .context("identity providers")?;
        let identity = Arc::new(identity);
        let (stop, rx) = watch::channel(false);
        let hall_metrics: Vec<Arc<crate::metrics::Metrics>> =
            halls.iter().map(|_| Arc::default()).collect();
        let mut tasks = Vec::new();
        for ((h, store), metrics) in halls.iter().zip(&stores).zip(&hall_metrics) {
            let notifiers = crate::notify::Notifiers::from_config(h, |v| std::env::var(v).ok())
                .context("notifiers")?;
            metrics.notifiers(notifiers.names());
            let opts = RelayOptions {
                broker: mqtt.clone(),
                holder: holder.clone(),
            };
            tasks.push(tokio::spawn(relay::run(
                store.clone(),
                h.clone(),
                opts,
                metrics.clone(),
                rx.clone(),
            )));
            tasks.push(tokio::spawn(crate::notify::run(
                store.clone(),
                h.clone(),
                Arc::new(notifiers),
                metrics.clone(),
                holder.clone(),
                rx.clone(),
            )));
        }
        Ok(Self {
            cfg,
            halls,
            city: dep.city,
            store: stores.into_iter().next().context("no hall")?,
            identity,
            mqtt_url,
            mqtt,
            metrics: hall_metrics[0].clone(),
            hall_metrics,
            tasks,
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

    /// Every hall's handler state (the first hall's `store` is [`App::store`]), each served
    /// at the root when the deployment has one hall, under `/halls/{hall}` otherwise.
    pub fn states(&self) -> crate::city::CityState {
        let several = self.halls.len() > 1;
        let limits = Arc::new(crate::limits::Limits::new(&self.cfg));
        let state_of = |h: &Arc<Settings>, metrics: &Arc<crate::metrics::Metrics>| {
            AppState::with_metrics(
                h.clone(),
                hall_store(&self.store, h),
                self.identity.clone(),
                metrics.clone(),
                self.reload.clone(),
            )
            .sharing_limits(limits.clone())
        };
        let states = self
            .halls
            .iter()
            .zip(&self.hall_metrics)
            .map(|(h, metrics)| {
                let state = state_of(h, metrics);
                if several {
                    state.served_at(crate::state::Paths::hall(&h.hall.id))
                } else {
                    state
                }
            })
            .collect();
        if several {
            let root = state_of(&self.cfg, &self.hall_metrics[0]);
            crate::city::CityState::with_root(self.city.clone(), states, root)
        } else {
            crate::city::CityState::new(self.city.clone(), states)
        }
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
        self.serve_city(listener, vec![extra], shutdown).await
    }

    /// [`App::serve`] with each hall's `extra` routes (screens), in the halls' order,
    /// mounted where the hall's pages are.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn serve_city(
        self,
        listener: TcpListener,
        extras: Vec<axum::Router>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let city = self.states();
        let mut services = Vec::new();
        for state in &city.halls {
            services.push(tokio::spawn(crate::watch::run(
                state.clone(),
                self.mqtt.clone(),
            )));
            services.push(tokio::spawn(crate::buttons::run(
                state.clone(),
                self.mqtt.clone(),
            )));
            services.push(tokio::spawn(crate::sweep::sweep_forever(state.clone())));
            for r in &state.cfg.id_readers {
                services.push(tokio::spawn(crate::reader::run(state.clone(), r.clone())));
            }
        }
        let app = crate::api::mount::deployment(city, extras);
        let opts = crate::http::Options::of(&self.cfg.server);
        crate::http::serve(listener, app, opts, shutdown).await;
        services.iter().for_each(|t| t.abort());
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(3), t).await;
        }
        self.store.close().await;
        Ok(())
    }
}

/// The store bound to hall `h`, with its rules' scopes.
fn hall_store(store: &Store, h: &Settings) -> Store {
    store.in_hall(&h.hall.id, crate::store::Scopes::of(&h.appointments))
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
