//! A deployment served in this process as `hallq run` serves it
//! (`hallq_controller::api::mount::deployment`): the demo city (haikou and longhua, each
//! hall's API under `/api/v1/halls/{hall}` and its pages under `/halls/{hall}`, the city's
//! routes at the root) or the demo hall alone (at the root), on one SQLite file with each
//! hall's store bound to its hall. No broker and no relay.

use super::common::req;
use hallq_controller::api::AppState;
use hallq_controller::city::CityState;
use hallq_controller::state::Paths;
use hallq_controller::store::{Scopes, Store};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

/// A deployment on one HTTP server.
pub struct City {
    /// `http://127.0.0.1:PORT`.
    pub root: String,
    /// Every hall's state, in config order.
    pub halls: Vec<AppState>,
    server: tokio::task::JoinHandle<()>,
    _tmp: tempfile::TempDir,
}

impl Drop for City {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl City {
    /// The demo city: haikou (the demo hall) and longhua (config/examples/demo-city).
    pub async fn demo() -> Self {
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/examples/demo-city.toml"
        );
        Self::start(hallq_config::load_deployment(Path::new(file)).expect("demo city")).await
    }

    /// The demo hall alone.
    pub async fn one() -> Self {
        let cfg = hallq_config::load_str("hall.toml", &super::common::demo_config(&[]))
            .expect("demo hall");
        Self::start(hallq_config::Deployment::single(cfg)).await
    }

    async fn start(dep: hallq_config::Deployment) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let url = format!("sqlite://{}", dir.join("hallq.db").display());
        let store = Store::connect(&url).await.expect("store");
        let identity =
            hallq_controller::identity::Identity::from_config(dep.first(), dir).expect("identity");
        let identity = Arc::new(identity);
        let several = dep.halls.len() > 1;
        let mut halls = Vec::new();
        for cfg in dep.halls {
            let store = store.in_hall(&cfg.hall.id, Scopes::of(&cfg.appointments));
            let ids: Vec<String> = cfg.windows.iter().map(|w| w.id.clone()).collect();
            store.sync_windows(&ids, 0).await.unwrap();
            let id = cfg.hall.id.clone();
            let state = AppState::new(Arc::new(cfg), store, identity.clone());
            halls.push(if several {
                state.served_at(Paths::hall(&id))
            } else {
                state
            });
        }
        let city = CityState::new(dep.city, halls.clone());
        let app = hallq_controller::api::mount::deployment(city, Vec::new());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let root = format!("http://{}", listener.local_addr().unwrap());
        let opts = hallq_controller::http::Options::of(&halls[0].cfg.server);
        let server = tokio::spawn(hallq_controller::http::serve(
            listener,
            app,
            opts,
            std::future::pending(),
        ));
        Self {
            root,
            halls,
            server,
            _tmp: tmp,
        }
    }

    /// A request to `hall`'s API (`path` below it).
    pub async fn req(
        &self,
        hall: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let state = self.halls.iter().find(|h| h.cfg.hall.id == hall).unwrap();
        let api = format!("{}{}", self.root, state.paths.api);
        req(&api, method, path, token, body).await
    }

    /// Issues a walk-in ticket for `service` at `hall` with the hall's demo kiosk token.
    pub async fn ticket(&self, hall: &str, service: &str) -> Value {
        let (st, t) = self
            .req(
                hall,
                "POST",
                "/tickets",
                Some(&kiosk_token(hall)),
                Some(json!({"service": service})),
            )
            .await;
        assert_eq!(st, 201, "{t}");
        t
    }

    /// People waiting for `service` in `hall`'s snapshot (read as the city-wide admin).
    pub async fn waiting(&self, hall: &str, service: &str) -> i64 {
        let (st, s) = self
            .req(hall, "GET", "/snapshot", Some("demo-admin"), None)
            .await;
        assert_eq!(st, 200, "{s}");
        s["queues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["service"] == service)
            .map_or(0, |q| q["waiting"].as_i64().unwrap())
    }

    /// GET /api/v1/halls.
    pub async fn halls(&self) -> Value {
        let root = format!("{}/api/v1", self.root);
        let (st, v) = req(&root, "GET", "/halls", None, None).await;
        assert_eq!(st, 200, "{v}");
        v
    }
}

/// The demo kiosk token of `hall` (longhua's demo secrets end in `-longhua`).
pub fn kiosk_token(hall: &str) -> String {
    demo_secret("demo-kiosk", hall)
}

/// The demo secret `name` of `hall`.
pub fn demo_secret(name: &str, hall: &str) -> String {
    if hall == "haikou" {
        name.to_string()
    } else {
        format!("{name}-{hall}")
    }
}

/// axe-core's WCAG 2.x A and AA violations on the page as it is now (`id: targets`).
pub async fn axe(b: &super::common::browser::Browser) -> Vec<String> {
    const AXE: &str = include_str!("../vendor/axe.min.js");
    if b.js("return typeof window.axe").await != json!("object") {
        b.js(&format!("{AXE}\nreturn 1")).await;
    }
    b.js("window.hallqAxe = null; axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then(function (r) { window.hallqAxe = r.violations.map(function (v) { return v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }); }, function (e) { window.hallqAxe = ['axe-error: ' + e]; }); return 1").await;
    b.wait_for(
        "return window.hallqAxe !== null",
        &json!(true),
        std::time::Duration::from_secs(30),
    )
    .await
    .expect("axe finished");
    let found = b.js("return window.hallqAxe").await;
    serde_json::from_value(found).unwrap()
}
