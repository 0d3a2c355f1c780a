//! A hall served in this process: the real router and HTTP server over a real store
//! (SQLite file or PostgreSQL), with the clock the test sets ([`AppState::set_now`]) and
//! the state at hand (tests call the sweep's steps themselves). No relay and no broker.

/// A story run on SQLite, and on PostgreSQL when `HALLQ_TEST_PG_URL` is set.
#[allow(unused_macros)]
macro_rules! on_both {
    ($sqlite:ident, $pg:ident, $story:path, $edits:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            let h = $crate::common::in_process::InProcessHall::start(None, &$edits).await;
            $story(&h).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $pg() {
            let Some(pg) = $crate::common::env_or_skip("HALLQ_TEST_PG_URL", stringify!($story))
            else {
                return;
            };
            let db = $crate::common::PgDb::create(&pg).await;
            let h = $crate::common::in_process::InProcessHall::start(Some(&db.url), &$edits).await;
            $story(&h).await;
            drop(h);
            db.drop_db().await;
        }
    };
}

use super::{demo_config, req};
use hallq_controller::api::AppState;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A hall served in this process: the real router and HTTP server over a real store,
/// with the clock the test sets.
pub struct InProcessHall {
    pub state: AppState,
    pub base: String,
    pub dir: PathBuf,
    db_url: String,
    edits: Vec<(&'static str, String)>,
    server: tokio::task::JoinHandle<()>,
    _tmp: Option<tempfile::TempDir>,
}

impl Drop for InProcessHall {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The per-address limits lifted: every request of a test comes from loopback.
fn crowd(edits: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut all = edits.to_vec();
    for (key, demo) in [
        (
            "dev_identities",
            "dev_identities = { max = 30, per_secs = 60 }",
        ),
        ("bookings", "bookings = { max = 20, per_secs = 3600 }"),
        ("code_lookups", "code_lookups = { max = 30, per_secs = 60 }"),
    ] {
        all.push((demo, format!("{key} = {{ max = 1000000, per_secs = 1 }}")));
    }
    all
}

impl InProcessHall {
    /// The demo hall with `edits`, on PostgreSQL database `pg` or a new SQLite file.
    pub async fn start(pg: Option<&str>, edits: &[(&'static str, String)]) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let db_url = pg.map_or_else(
            || format!("sqlite://{}", dir.join("hallq.db").display()),
            str::to_string,
        );
        let mut h = Self::serve(&dir, &db_url, edits).await;
        h._tmp = Some(tmp);
        h
    }

    /// A second controller on the same database (and the same development key file).
    pub async fn replica(&self) -> Self {
        Self::serve(&self.dir, &self.db_url, &self.edits).await
    }

    async fn serve(dir: &Path, db_url: &str, edits: &[(&'static str, String)]) -> Self {
        let toml = demo_config(&crowd(edits));
        let cfg = Arc::new(hallq_config::load_str("hall.toml", &toml).expect("config"));
        let store = hallq_controller::store::Store::connect(db_url)
            .await
            .expect("store");
        let ids: Vec<String> = cfg.windows.iter().map(|w| w.id.clone()).collect();
        store.sync_windows(&ids, 0).await.unwrap();
        let identity = hallq_controller::identity::Identity::from_config(&cfg, dir).unwrap();
        let state = AppState::new(cfg.clone(), store, Arc::new(identity));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
        let app = hallq_controller::api::router(state.clone());
        let opts = hallq_controller::http::Options::of(&cfg.server);
        let server = tokio::spawn(hallq_controller::http::serve(
            listener,
            app,
            opts,
            std::future::pending(),
        ));
        Self {
            state,
            base,
            dir: dir.to_path_buf(),
            db_url: db_url.to_string(),
            edits: edits.to_vec(),
            server,
            _tmp: None,
        }
    }

    /// Sets the hall's clock to `at` (RFC 3339, e.g. `2027-03-01T08:00:00+08:00`).
    pub fn at(&self, at: &str) {
        let want = chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .timestamp_millis();
        self.state.set_now(want);
    }

    pub async fn req(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        req(&self.base, method, path, token, body).await
    }
}
