//! The demo city (`config/examples/demo-city.toml`: haikou + longhua) run by the real
//! `hallq run` on SQLite and on PostgreSQL: numbers per hall, tokens bound to their hall, a
//! window of one hall unable to reach the other's tickets, the city-wide daily booking limit
//! hit exactly by one person booking in both halls at once, a ban from one hall refusing a
//! booking in the other, and MQTT / status pages showing only their own hall.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running demo city.
struct City {
    child: Child,
    root: String,
    mqtt_port: u16,
    dir: tempfile::TempDir,
}

impl Drop for City {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl City {
    /// Copies the demo city (its files keep their relative places) with `edits` applied to
    /// the demo hall's file, and runs it.
    async fn start(edits: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/examples");
        std::fs::create_dir_all(dir.path().join("demo-city")).unwrap();
        for f in ["demo-city.toml", "demo-city/longhua.toml"] {
            std::fs::copy(examples.join(f), dir.path().join(f)).unwrap();
        }
        std::fs::write(dir.path().join("demo-hall.toml"), demo_config(edits)).unwrap();
        let (http, mqtt) = (free_port(), free_port());
        let log = std::fs::File::create(dir.path().join("hallq.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_hallq"))
            .args(["run", "--config"])
            .arg(dir.path().join("demo-city.toml"))
            .args(["--listen", &format!("127.0.0.1:{http}")])
            .arg("--data-dir")
            .arg(dir.path())
            .args(["--mqtt-listen", &format!("127.0.0.1:{mqtt}")])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let city = Self {
            child,
            root: format!("http://127.0.0.1:{http}"),
            mqtt_port: mqtt,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/api/v1/health", city.root)).await {
                if r.status() == 200 {
                    return city;
                }
            }
            assert!(Instant::now() < deadline, "not healthy: {}", city.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("hallq.log")).unwrap_or_default()
    }

    /// Hall `hall`'s API base.
    fn api(&self, hall: &str) -> String {
        format!("{}/api/v1/halls/{hall}", self.root)
    }
}

fn id_number(n: u32) -> String {
    let body = format!("46010019850101{n:03}");
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

/// A verified identity of person `n`, from the city's development provider.
async fn assertion(city: &City, n: u32) -> String {
    let (st, b) = req(
        &format!("{}/api/v1", city.root),
        "POST",
        "/dev/identity",
        None,
        Some(json!({"name": "测试人", "id_number": id_number(n), "phone": "13800138000"})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    // The city's identity leads to the city's booking page, which starts with the hall.
    assert!(
        b["book_url"]
            .as_str()
            .unwrap()
            .starts_with("/book#assertion="),
        "{b}"
    );
    b["assertion"].as_str().unwrap().to_string()
}

/// Bookable slots of `service` in the hall at `api`, today and tomorrow.
async fn slots(api: &str, service: &str) -> Vec<String> {
    let mut out = Vec::new();
    for day in [shanghai_day(0), shanghai_day(1)] {
        let path = format!("/appointments/slots?service={service}&date={day}");
        let (st, b) = req(api, "GET", &path, None, None).await;
        assert_eq!(st, 200, "{b}");
        out.extend(
            b["slots"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["bookable"] == true)
                .map(|s| s["slot_start"].as_str().unwrap().to_string()),
        );
    }
    out
}

async fn book(api: &str, who: &str, service: &str, slot: &str) -> (u16, Value) {
    let body = json!({"service": service, "slot_start": slot, "agree_notice": true});
    req(api, "POST", "/appointments", Some(who), Some(body)).await
}

async fn ticket(api: &str, kiosk: &str, service: &str) -> Value {
    let body = json!({"service": service});
    let (st, b) = req(api, "POST", "/tickets", Some(kiosk), Some(body)).await;
    assert_eq!(st, 201, "{b}");
    b["ticket"].clone()
}

async fn halls_and_tokens(city: &City) {
    let (haikou, longhua) = (city.api("haikou"), city.api("longhua"));
    // Numbers are per hall: both halls' first "property" ticket today is A001.
    let a = ticket(&haikou, "demo-kiosk", "property").await;
    let b = ticket(&longhua, "demo-kiosk-longhua", "property").await;
    assert_eq!(a["number"], b["number"], "{a} {b}");
    let c = ticket(&longhua, "demo-kiosk-longhua", "property").await;
    assert_ne!(b["number"], c["number"]);
    // A token acts in its own hall only; the city-wide admin in every hall.
    let body = Some(json!({"service": "property"}));
    let (st, _) = req(
        &haikou,
        "POST",
        "/tickets",
        Some("demo-kiosk-longhua"),
        body.clone(),
    )
    .await;
    assert_eq!(st, 401);
    let (st, _) = req(
        &longhua,
        "POST",
        "/tickets",
        Some("demo-kiosk"),
        body.clone(),
    )
    .await;
    assert_eq!(st, 401);
    let (st, _) = req(&longhua, "GET", "/admin/live", Some("demo-admin"), None).await;
    assert_eq!(st, 200);
    // A status link names no hall: the root answers with the issuing hall's ticket; the other
    // hall's API does not know it.
    let token = c["token"].as_str().unwrap();
    let (st, s) = req(&longhua, "GET", &format!("/tickets/{token}"), None, None).await;
    assert_eq!((st, &s["number"]), (200, &c["number"]), "{s}");
    let (st, _) = req(&haikou, "GET", &format!("/tickets/{token}"), None, None).await;
    assert_eq!(st, 404);
    let page = reqwest::get(format!("{}/t/{token}", city.root))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("龙华区政务服务中心"),
        "the issuing hall's page"
    );
    // Each hall's TV screen page is its own hall's, with paths under the hall.
    for (hall, name) in [
        ("longhua", "龙华区政务服务中心"),
        ("haikou", "海口市政务服务中心"),
    ] {
        let r = reqwest::get(format!("{}/halls/{hall}/screens/lobby", city.root))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{hall}'s screen");
        let html = r.text().await.unwrap();
        assert!(html.contains(name), "{hall}'s screen names its hall");
        let js = reqwest::get(format!(
            "{}/halls/{hall}/screens/assets/screen.js",
            city.root
        ));
        assert_eq!(js.await.unwrap().status(), 200);
    }
    // Hall-less routes at the root of a city point to the halls.
    let (st, e) = req(
        &format!("{}/api/v1", city.root),
        "GET",
        "/services",
        None,
        None,
    )
    .await;
    assert_eq!((st, e["error"].as_str()), (404, Some("not_found")), "{e}");
    let (st, e) = req(&city.api("nowhere"), "GET", "/services", None, None).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (404, Some("unknown_hall")),
        "{e}"
    );
}

/// Window 1 of haikou serves "property" as window 1 of longhua does; longhua's waiting
/// tickets are never haikou's to call.
async fn windows_stay_in_their_hall(city: &City) {
    let (haikou, longhua) = (city.api("haikou"), city.api("longhua"));
    let mut screen = Sub::connect(
        "127.0.0.1",
        city.mqtt_port,
        Some(("display-longhua", "demo-display-longhua")),
        "hallq/v1/longhua/calls",
    )
    .await;
    let issued = ticket(&longhua, "demo-kiosk-longhua", "property").await;
    let call = |api: String, token: &'static str| async move {
        req(&api, "POST", "/windows/1/call-next", Some(token), None).await
    };
    // Empty haikou: nothing to call, though longhua has people waiting.
    loop {
        let (st, b) = call(haikou.clone(), "demo-clerk-1").await;
        if st == 404 {
            assert_eq!(b["error"], "queue_empty", "{b}");
            break;
        }
        assert_eq!(st, 200, "{b}");
    }
    // Longhua's clerk calls longhua's ticket(s); the longhua screen hears them, and the
    // haikou clerk's token is refused at longhua's window.
    let (st, _) = call(longhua.clone(), "demo-clerk-1").await;
    assert_eq!(st, 401);
    let mut numbers = Vec::new();
    loop {
        let (st, b) = call(longhua.clone(), "demo-clerk-longhua-1").await;
        if st != 200 {
            break;
        }
        numbers.push(b["ticket"]["number"].as_str().unwrap().to_string());
    }
    assert!(numbers.contains(&issued["number"].as_str().unwrap().to_string()));
    let heard = screen
        .wait(10, |_, v| v["number"] == issued["number"])
        .await;
    assert!(heard.is_some(), "longhua's screen hears longhua's call");
    // The longhua screen's account may not read haikou's topics.
    let mut other = Sub::connect(
        "127.0.0.1",
        city.mqtt_port,
        Some(("display-longhua", "demo-display-longhua")),
        "hallq/v1/haikou/calls",
    )
    .await;
    ticket(&haikou, "demo-kiosk", "property").await;
    let (st, _) = call(haikou.clone(), "demo-clerk-1").await;
    assert_eq!(st, 200);
    assert!(
        other.drain(1500).await.is_empty(),
        "no haikou call for longhua's screen"
    );
    assert!(
        screen
            .drain(500)
            .await
            .iter()
            .all(|(t, _, _)| t.starts_with("hallq/v1/longhua/")),
        "only longhua's topics"
    );
}

/// One person books in both halls at once, 6 attempts for a city-wide limit of 2.
async fn city_wide_limit(city: &City) {
    let (haikou, longhua) = (city.api("haikou"), city.api("longhua"));
    let who = assertion(city, 7).await;
    let (sh, sl) = (
        slots(&haikou, "property").await,
        slots(&longhua, "property").await,
    );
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (api, slot) = if i % 2 == 0 {
            (haikou.clone(), sh[i / 2].clone())
        } else {
            (longhua.clone(), sl[i / 2].clone())
        };
        let who = who.clone();
        tasks.push(tokio::spawn(async move {
            book(&api, &who, "property", &slot).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (st, b) = t.await.unwrap();
        match st {
            201 => ok += 1,
            409 => assert_eq!(b["error"], "daily_limit", "{b}"),
            _ => panic!("{st} {b}"),
        }
    }
    assert_eq!(ok, 2, "exactly the city-wide daily limit");
    // The citizen's list at the root holds both, each naming its hall; a hall lists its own.
    let (st, mine) = req(
        &format!("{}/api/v1", city.root),
        "GET",
        "/me/appointments",
        Some(&who),
        None,
    )
    .await;
    assert_eq!(st, 200, "{mine}");
    let list = mine["appointments"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{mine}");
    let in_haikou = list.iter().filter(|a| a["hall"] == "haikou").count();
    let (_, own) = req(&haikou, "GET", "/me/appointments", Some(&who), None).await;
    assert_eq!(
        own["appointments"].as_array().unwrap().len(),
        in_haikou,
        "{own}"
    );
    assert!(list.iter().all(|a| a["hall_name"].is_string()), "{mine}");
}

/// A ban set at haikou refuses the person's booking at longhua.
async fn ban_is_city_wide(city: &City) {
    let (haikou, longhua) = (city.api("haikou"), city.api("longhua"));
    let until = shanghai_day(30);
    let body = json!({"id_number": id_number(9), "reason": "多次爽约", "until": until});
    let (st, b) = req(
        &haikou,
        "POST",
        "/admin/bans",
        Some("demo-admin"),
        Some(body),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    let who = assertion(city, 9).await;
    let slot = slots(&longhua, "property").await[0].clone();
    let (st, b) = book(&longhua, &who, "property", &slot).await;
    assert_eq!((st, b["error"].as_str()), (403, Some("banned")), "{b}");
}

async fn story(edits: &[(&str, String)]) {
    let city = City::start(edits).await;
    halls_and_tokens(&city).await;
    windows_stay_in_their_hall(&city).await;
    city_wide_limit(&city).await;
    ban_is_city_wide(&city).await;
    // Each hall's relay keeps its own broker session (the same client id twice would have
    // the broker drop one for the other, over and over).
    let log = city.log();
    assert!(!log.contains("Duplicate client_id"), "{log}");
    assert_eq!(log.matches("outbox relay connected").count(), 2, "{log}");
}

#[tokio::test]
async fn demo_city_on_sqlite() {
    story(&[]).await;
}

#[tokio::test]
async fn demo_city_on_postgres() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "the demo city on PostgreSQL") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    story(&[(
        "# database_url = \"postgres://postgres@127.0.0.1:5432/hallq\"",
        format!("database_url = \"{}\"", db.url),
    )])
    .await;
}
