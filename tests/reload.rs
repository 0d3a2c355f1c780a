//! Config reload on the running binary: a bad file is refused with its problems and the
//! config in force stays; a valid one is taken (the process restarts in place on the same
//! ports and data), and nothing issued before is lost.

mod common;
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

async fn window_name(hall: &Hall, id: &str) -> Option<String> {
    let Ok(r) = reqwest::Client::new()
        .get(format!("{}/snapshot", hall.base))
        .bearer_auth("demo-admin")
        .send()
        .await
    else {
        return None;
    };
    let v: serde_json::Value = r.json().await.ok()?;
    v["windows"]
        .as_array()?
        .iter()
        .find(|w| w["id"] == id)
        .and_then(|w| w["name"].as_str().map(String::from))
}

#[tokio::test]
async fn bad_config_is_refused_good_one_is_taken() {
    let hall = Hall::start(HallOpts::default()).await;
    let t = hall.ticket("property").await;
    let good = std::fs::read_to_string(&hall.config).unwrap();

    // A broken file: refused with file:line:col problems, nothing changes.
    std::fs::write(
        &hall.config,
        good.replacen("[hall]\n", "[hall]\nbogus = 1\n", 1),
    )
    .unwrap();
    let (st, b) = hall
        .req("POST", "/admin/reload", Some("demo-admin"), None)
        .await;
    assert_eq!(
        (st, b["error"].as_str()),
        (422, Some("invalid_config")),
        "{b}"
    );
    let problems = b["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().contains("hall.bogus: unknown key")),
        "{b}"
    );
    let (st, _) = hall
        .req("POST", "/admin/reload", Some("demo-clerk-1"), None)
        .await;
    assert_eq!(st, 403, "only admins reload");
    assert_eq!(window_name(&hall, "1").await.as_deref(), Some("1号窗口"));

    // Two staff sessions from before the change.
    let sign_in = |body: serde_json::Value| hall.req("POST", "/auth/sign-in", None, Some(body));
    let (st, b) =
        sign_in(json!({"username": "clerk", "password": "demo-clerk", "window": "3"})).await;
    assert_eq!(st, 200, "{b}");
    let clerk3 = b["token"].as_str().unwrap().to_string();
    let (st, b) = sign_in(json!({"username": "admin", "password": "demo-admin"})).await;
    assert_eq!(st, 200, "{b}");
    let admin = b["token"].as_str().unwrap().to_string();

    // A valid change: accepted, the hall comes back with it, on the same address. It also
    // limits the demo clerk to windows 1 and 2.
    std::fs::write(
        &hall.config,
        good.replacen("name = \"1号窗口\"", "name = \"1号综合窗口\"", 1)
            .replacen(
                "username = \"clerk\"\n",
                "username = \"clerk\"\nwindows = [\"1\", \"2\"]\n",
                1,
            ),
    )
    .unwrap();
    let (st, b) = hall
        .req("POST", "/admin/reload", Some("demo-admin"), None)
        .await;
    assert_eq!(st, 202, "{b}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while window_name(&hall, "1").await.as_deref() != Some("1号综合窗口") {
        assert!(
            Instant::now() < deadline,
            "new config not in force: {}",
            hall.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Nothing issued before the reload is lost; numbering continues.
    let (st, s) = hall
        .req(
            "GET",
            &format!("/tickets/{}", t["token"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!((st, s["number"].as_str()), (200, Some("A001")));
    let next = hall.ticket("property").await;
    assert_eq!(next["number"], "A002");
    // Sessions live in the database and outlast the restart, as far as the new config
    // backs them: the admin's does, the clerk's at window 3 no longer does.
    let (st, _) = hall.req("GET", "/me", Some(&admin), None).await;
    assert_eq!(st, 200);
    let (st, b) = hall.req("GET", "/me", Some(&clerk3), None).await;
    assert_eq!(st, 401, "{b}");
    let (st, b) =
        sign_in(json!({"username": "clerk", "password": "demo-clerk", "window": "3"})).await;
    assert_eq!(st, 403, "{b}");
    let _ = json!({});
}
