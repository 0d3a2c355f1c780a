//! The hall's booking rules (预约规则) at their boundaries, through the HTTP API of a hall
//! served in this process on a real port, on SQLite and on PostgreSQL, with the clock set
//! by the test (the rules are about days and months):
//! - "同一用户每天只能预约2次": booking acts per calendar day, cancelled ones included
//!   (book → cancel → book churn stopped), and active appointments per appointment day,
//!   both under concurrency (two controllers on one PostgreSQL database);
//! - "未取消预约3次以上的 … 三个月内无法再进行网上预约": the 3rd no-show within the
//!   rolling period bans, the ban ends at the start of its last day, no-shows spent on a
//!   ban or older than the period do not count;
//! - "连续3次填写信息不实": F-F-T-F-F-F bans at the 6th, a called but never started ticket
//!   does not break the streak, a ticket is marked once;
//! - bans by hand (POST /admin/bans) and lifting: the person books again at once.

#[path = "booking_rules/bans.rs"]
mod bans;
mod common;
#[path = "booking_rules/limits.rs"]
mod limits;

use common::*;
use hallq_controller::api::AppState;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A valid GB 11643 ID number for person `n` (1..=999).
pub fn id_number(n: u32) -> String {
    let body = format!("11010519900101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

/// A hall served in this process: the real router and HTTP server over a real store,
/// with the clock the test sets.
pub struct RulesHall {
    pub state: AppState,
    pub base: String,
    pub dir: PathBuf,
    db_url: String,
    edits: Vec<(&'static str, String)>,
    server: tokio::task::JoinHandle<()>,
    _tmp: Option<tempfile::TempDir>,
}

impl Drop for RulesHall {
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

impl RulesHall {
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

    /// A fresh identity assertion of person `n` (single use per booking).
    pub async fn assertion(&self, n: u32) -> String {
        let body = json!({"name": "测试人", "id_number": id_number(n), "phone": "13800138000"});
        let (st, b) = self.req("POST", "/dev/identity", None, Some(body)).await;
        assert_eq!(st, 200, "{b}");
        b["assertion"].as_str().unwrap().to_string()
    }

    /// Person `n` books `service` at `slot` (RFC 3339).
    pub async fn book(&self, n: u32, slot: &str) -> (u16, Value) {
        let token = self.assertion(n).await;
        self.book_with(&token, slot).await
    }

    pub async fn book_with(&self, token: &str, slot: &str) -> (u16, Value) {
        let body = json!({"service": "property", "slot_start": slot, "agree_notice": true});
        self.req("POST", "/appointments", Some(token), Some(body))
            .await
    }

    /// Person `n` books `slot`, which must succeed; returns the booking code.
    pub async fn booked(&self, n: u32, slot: &str) -> String {
        let (st, b) = self.book(n, slot).await;
        assert_eq!(st, 201, "{slot}: {b}");
        b["appointment"]["code"].as_str().unwrap().to_string()
    }

    /// Person `n` cancels `code`, which must succeed.
    pub async fn cancel(&self, n: u32, code: &str) {
        let token = self.assertion(n).await;
        let (st, b) = self
            .req(
                "DELETE",
                &format!("/appointments/{code}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(st, 200, "{b}");
    }

    /// The bans in force, as admins see them.
    pub async fn bans(&self) -> Vec<Value> {
        let (st, b) = self
            .req("GET", "/admin/bans", Some("demo-admin"), None)
            .await;
        assert_eq!(st, 200, "{b}");
        b["bans"].as_array().unwrap().clone()
    }

    /// Whether a ban of person `n` is in force.
    pub async fn banned(&self, n: u32) -> bool {
        let masked = hallq_idcard::mask_id_number(&id_number(n));
        self.bans()
            .await
            .iter()
            .any(|b| b["id_masked"] == masked.as_str())
    }
}

/// A story run on SQLite, and on PostgreSQL when `HALLQ_TEST_PG_URL` is set.
macro_rules! on_both {
    ($sqlite:ident, $pg:ident, $story:path, $edits:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            let h = RulesHall::start(None, &$edits).await;
            $story(&h).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $pg() {
            let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", stringify!($story)) else {
                return;
            };
            let db = PgDb::create(&pg).await;
            let h = RulesHall::start(Some(&db.url), &$edits).await;
            $story(&h).await;
            drop(h);
            db.drop_db().await;
        }
    };
}

fn no_edits() -> Vec<(&'static str, String)> {
    Vec::new()
}

/// Limits high enough for one person's many appointments (the ban stories).
fn many_a_day() -> Vec<(&'static str, String)> {
    vec![
        ("daily_limit = 2", "daily_limit = 20".into()),
        ("active_per_day = 2", "active_per_day = 20".into()),
    ]
}

on_both!(
    two_bookings_a_day_on_sqlite,
    two_bookings_a_day_on_postgres,
    limits::two_bookings_a_day,
    no_edits()
);
on_both!(
    active_per_day_on_sqlite,
    active_per_day_on_postgres,
    limits::active_per_day,
    [("daily_limit = 2", "daily_limit = 5".to_string())]
);
on_both!(
    no_shows_on_sqlite,
    no_shows_on_postgres,
    bans::no_shows_ban_and_the_ban_ends,
    no_edits()
);
on_both!(
    no_shows_period_on_sqlite,
    no_shows_period_on_postgres,
    bans::no_shows_count_over_the_period,
    no_edits()
);
on_both!(
    false_info_on_sqlite,
    false_info_on_postgres,
    bans::false_info_streak,
    many_a_day()
);
on_both!(
    never_started_on_sqlite,
    never_started_on_postgres,
    bans::never_started_ticket_keeps_the_streak,
    many_a_day()
);
on_both!(
    ban_by_hand_on_sqlite,
    ban_by_hand_on_postgres,
    bans::ban_by_hand_and_lift,
    no_edits()
);

/// Limits under contention: 3 bookings a day, 2 active on one day.
fn three_and_two() -> Vec<(&'static str, String)> {
    vec![("daily_limit = 2", "daily_limit = 3".into())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_under_concurrency_on_sqlite() {
    let h = RulesHall::start(None, &three_and_two()).await;
    limits::concurrent(&[&h]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_under_concurrency_on_postgres_with_two_controllers() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "booking limits under concurrency") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let a = RulesHall::start(Some(&db.url), &three_and_two()).await;
    let b = a.replica().await;
    limits::concurrent(&[&a, &b]).await;
    drop((a, b));
    db.drop_db().await;
}
