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
#[macro_use]
mod common;
#[path = "booking_rules/limits.rs"]
mod limits;

pub use common::in_process::InProcessHall as RulesHall;
use common::*;
use serde_json::{json, Value};

/// A valid GB 11643 ID number for person `n` (1..=999).
pub fn id_number(n: u32) -> String {
    let body = format!("11010519900101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

/// Booking's shortcuts on the in-process hall.
impl RulesHall {
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
