//! Two halls and the city's routes served in this process, on one HTTP server: each
//! hall's routes at its paths (the API under `/api/v1/halls/{hall}`, the pages under
//! `/halls/{hall}`), each hall on its own SQLite file.

use super::common::{demo_config, req};
use hallq_controller::api::AppState;
use hallq_controller::city::CityState;
use hallq_controller::state::Paths;
use serde_json::{json, Value};
use std::sync::Arc;

/// Longhua's section names and hall name differ from haikou's, so a page shows whose
/// data it has.
const LONGHUA: [(&str, &str); 4] = [
    ("id = \"haikou\"", "id = \"longhua\""),
    (
        "name = \"海口市政务服务中心\"",
        "name = \"龙华区政务服务中心\"",
    ),
    (
        "name_en = \"Haikou Government Service Center\"",
        "name_en = \"Longhua Government Service Center\"",
    ),
    ("name = \"不动产与税务\"", "name = \"龙华不动产与税务\""),
];

/// Two halls and the city's routes on one HTTP server.
pub struct City {
    pub root: String,
    pub halls: Vec<AppState>,
    server: tokio::task::JoinHandle<()>,
    _tmp: tempfile::TempDir,
}

impl Drop for City {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One hall's routes at its paths (the API nested under `paths.api`, the pages under
/// `paths.pages`), as a city's deployment serves them.
fn hall_router(state: AppState) -> axum::Router {
    use axum::routing::get;
    use hallq_controller::api::{book_page, dev_identity, pages};
    let p = state.paths.pages.clone();
    let (api, _) = hallq_controller::api::api_routes(&state.cfg).split_for_parts();
    let r = axum::Router::new().nest(&state.paths.api, api);
    // At the root, `/book` is the city routes' (which answer the hall's booking page).
    let r = if p.is_empty() {
        r
    } else {
        r.route(&format!("{p}/book"), get(book_page::book_page))
    };
    r.route(&format!("{p}/t/{{token}}"), get(pages::status_page))
        .route(&format!("{p}/kiosk"), get(pages::kiosk_page))
        .route(&format!("{p}/clerk"), get(pages::clerk_page))
        .route(&format!("{p}/admin"), get(pages::admin_page))
        .route(&format!("{p}/desk"), get(pages::desk_page))
        .route(&format!("{p}/dev/identity"), get(dev_identity::page))
        .with_state(state)
}

impl City {
    /// Haikou and longhua (the demo hall, longhua renamed), each on its own SQLite file
    /// with the same development identity key, served under `paths(hall id)`; `city` is the
    /// city the deployment serves.
    pub async fn start(paths: fn(&str) -> Paths, names: &[&str]) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut halls = Vec::new();
        for name in names {
            let edits: Vec<(&str, String)> = if *name == "longhua" {
                LONGHUA.iter().map(|(a, b)| (*a, b.to_string())).collect()
            } else {
                Vec::new()
            };
            let cfg = Arc::new(
                hallq_config::load_str("hall.toml", &demo_config(&edits)).expect("config"),
            );
            let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
            let store = hallq_controller::store::Store::connect(&url)
                .await
                .expect("store");
            let ids: Vec<String> = cfg.windows.iter().map(|w| w.id.clone()).collect();
            store.sync_windows(&ids, 0).await.unwrap();
            let identity = hallq_controller::identity::Identity::from_config(&cfg, &dir).unwrap();
            let state =
                AppState::new(cfg.clone(), store, Arc::new(identity)).served_at(paths(name));
            halls.push(state);
        }
        let city = hallq_config::City {
            id: "hainan".into(),
            name: "海南省".into(),
            name_en: Some("Hainan".into()),
        };
        let mut app = axum::Router::new();
        for h in &halls {
            app = app.merge(hall_router(h.clone()));
        }
        let app = app
            .merge(
                hallq_controller::api::city::city_routes()
                    .with_state(CityState::new(Some(city), halls.clone())),
            )
            .route(
                "/assets/{file}",
                axum::routing::get(hallq_controller::api::pages::asset),
            )
            .route(
                "/staff/signin.js",
                axum::routing::get(hallq_controller::api::pages::sign_in_js),
            );
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

    /// Haikou and longhua under `/halls/{hall}`.
    pub async fn two() -> Self {
        Self::start(Paths::hall, &["haikou", "longhua"]).await
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
        let api = &self
            .halls
            .iter()
            .find(|h| h.cfg.hall.id == hall)
            .unwrap()
            .paths
            .api;
        req(&format!("{}{api}", self.root), method, path, token, body).await
    }

    /// Issues a walk-in ticket for `service` at `hall`.
    pub async fn ticket(&self, hall: &str, service: &str) -> Value {
        let (st, t) = self
            .req(
                hall,
                "POST",
                "/tickets",
                Some("demo-kiosk"),
                Some(json!({"service": service})),
            )
            .await;
        assert_eq!(st, 201, "{t}");
        t
    }

    /// People waiting for `service` in `hall`'s snapshot.
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

    pub async fn halls(&self) -> Value {
        let (st, v) = req(
            &format!("{}/api/v1", self.root),
            "GET",
            "/halls",
            None,
            None,
        )
        .await;
        assert_eq!(st, 200, "{v}");
        v
    }
}
