//! Floods are answered 429 before they cost anything (issue 16, "Rate limits"), against
//! the real binary: 60 failed sign-ins from one address get 10 answers and then 429
//! `rate_limited` with `Retry-After`, leaving 10 attempt rows and 10 audit rows; 300
//! guesses of booking codes get 30 answers; `X-Forwarded-For` from an untrusted peer
//! changes nothing, from a trusted proxy it names the client (in the audit log and for the
//! limits).

mod common;

use common::{Hall, HallOpts};
use serde_json::{json, Value};
use std::net::IpAddr;

/// A client whose connections come from `from` (any 127.0.0.0/8 address on Linux).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// A wrong sign-in from `client`, with `X-Forwarded-For: xff` when given: status,
/// `Retry-After`, body.
async fn wrong_sign_in(
    hall: &Hall,
    client: &reqwest::Client,
    user: &str,
    xff: Option<&str>,
) -> (u16, Option<u64>, Value) {
    let mut r = client
        .post(format!("{}/auth/sign-in", hall.base))
        .json(&json!({"username": user, "password": "guess"}));
    if let Some(x) = xff {
        r = r.header("x-forwarded-for", x);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().expect("whole seconds"));
    (status, retry, resp.json().await.unwrap_or(Value::Null))
}

/// The audit rows of failed sign-ins (as the admin reads them).
async fn failed_sign_ins(hall: &Hall) -> Vec<Value> {
    let (st, b) = hall
        .req("GET", "/admin/audit?limit=500", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 200, "{b}");
    b["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "sign_in_failed")
        .cloned()
        .collect()
}

/// Rows in the hall's attempt table, read from its SQLite file.
async fn attempt_rows(hall: &Hall) -> i64 {
    use sqlx::Row;
    let url = format!("sqlite://{}", hall.dir.join("hallq.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let n = sqlx::query("SELECT COUNT(*) FROM staff_sign_in_attempts")
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn sixty_failed_sign_ins_get_ten_answers_then_429() {
    let hall = Hall::start(HallOpts::default()).await;
    let client = client_from("127.0.0.1");
    let mut statuses = Vec::new();
    for i in 0..60 {
        // A different made-up account each time, so no account lockout plays a part.
        let (st, retry, body) = wrong_sign_in(&hall, &client, &format!("guess{i}"), None).await;
        if st == 429 {
            assert_eq!(body["error"], "rate_limited", "{body}");
            assert!(
                body["message"].as_str().unwrap().contains("秒后再试"),
                "{body}"
            );
            let retry = retry.expect("Retry-After");
            assert!((1..=300).contains(&retry), "{retry}");
        } else {
            assert_eq!(st, 401, "{body}");
        }
        statuses.push(st);
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 401).count(), 10);
    assert!(statuses[10..].iter().all(|&s| s == 429), "{statuses:?}");
    // Only the answered ones left rows.
    assert_eq!(failed_sign_ins(&hall).await.len(), 10);
    assert_eq!(attempt_rows(&hall).await, 10);
    // A success does not count, and the right password is refused too while limited
    // (nothing is checked for this address).
    let (st, b) = hall
        .req(
            "POST",
            "/auth/sign-in",
            None,
            Some(json!({"username": "admin", "password": "demo-admin"})),
        )
        .await;
    assert_eq!(
        (st, b["error"].clone()),
        (429, json!("rate_limited")),
        "{b}"
    );
    // Another address is not affected.
    let (st, _, _) = wrong_sign_in(&hall, &client_from("127.0.0.3"), "guess", None).await;
    assert_eq!(st, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn three_hundred_booking_code_guesses_get_thirty_answers() {
    let hall = Hall::start(HallOpts::default()).await;
    let client = client_from("127.0.0.1");
    let mut answered = 0;
    let mut limited = 0;
    for i in 0..300 {
        let url = format!("{}/appointments/GUESS{i:04}/qr.png", hall.base);
        let resp = client.get(url).send().await.unwrap();
        match resp.status().as_u16() {
            429 => {
                assert!(resp.headers().contains_key("retry-after"));
                let b: Value = resp.json().await.unwrap();
                assert_eq!(b["error"], "rate_limited", "{b}");
                limited += 1;
            }
            st => {
                assert!(st == 404 || st == 422, "{st}");
                answered += 1;
            }
        }
    }
    assert_eq!((answered, limited), (30, 270));
}

#[tokio::test(flavor = "multi_thread")]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let hall = Hall::start(HallOpts {
        edits: vec![
            (
                "trusted_proxies = []",
                "trusted_proxies = [\"127.0.0.2\"]".into(),
            ),
            (
                "sign_in_failures = { max = 10, per_secs = 300 }",
                "sign_in_failures = { max = 3, per_secs = 300 }".into(),
            ),
        ],
        ..HallOpts::default()
    })
    .await;

    // From an untrusted peer a new X-Forwarded-For each time changes nothing: the peer's
    // three failures are its limit, and the audit log names the peer alone. (Each guess
    // names another account, so no account lockout plays a part.)
    let direct = client_from("127.0.0.1");
    let mut statuses = Vec::new();
    for i in 0..5 {
        let xff = format!("203.0.113.{i}");
        let user = format!("direct{i}");
        statuses.push(wrong_sign_in(&hall, &direct, &user, Some(&xff)).await.0);
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let rows = failed_sign_ins(&hall).await;
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["origin"] == "127.0.0.1"), "{rows:?}");

    // Through the trusted proxy, each forwarded client has its own count and is named.
    let proxy = client_from("127.0.0.2");
    for i in 0..5 {
        let xff = format!("198.51.100.{i}");
        let (st, _, b) = wrong_sign_in(&hall, &proxy, &format!("proxied{i}"), Some(&xff)).await;
        assert_eq!(st, 401, "{xff}: {b}");
    }
    let rows = failed_sign_ins(&hall).await;
    for i in 0..5 {
        let who = format!("198.51.100.{i}");
        assert!(
            rows.iter()
                .any(|r| r["origin"].as_str().unwrap().starts_with(&who)),
            "{who} not in {rows:?}"
        );
    }
    // … and one forwarded client is limited like any other.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let (xff, user) = ("198.51.100.77", format!("again{i}"));
        statuses.push(wrong_sign_in(&hall, &proxy, &user, Some(xff)).await.0);
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}
