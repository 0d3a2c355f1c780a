//! The lobby TV never contradicts the hall (issue 19): in a real headless Chromium against
//! the real binary, after every window action, a restart of the hall, a reload of the page
//! and a broker restart, the TV's tiles, queue counts and big panel equal what
//! `GET /api/v1/snapshot` says; the layout keeps every row whole at common TV and browser
//! sizes (`screens_truth/layout.rs`); the clock shows the hall's time in a browser in
//! another zone.

mod common;
#[path = "screens_truth/layout.rs"]
mod layout;
#[path = "screens_truth/tv.rs"]
mod tv;

use common::browser::Browser;
use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The demo lobby screen of `hall`.
fn lobby(hall: &Hall) -> String {
    format!("http://127.0.0.1:{}/screens/lobby", hall.http_port)
}

/// The restart/reload bound the issue demands.
const TWO_S: Duration = Duration::from_secs(2);

/// A window action that must succeed.
async fn ok(hall: &Hall, w: &str, action: &str, body: Option<Value>) -> Value {
    let (st, b) = hall.act(w, action, body).await;
    assert_eq!(st, 200, "{action} at window {w}: {b}");
    b
}

/// The recent-calls list, as `number@window` keys, top first.
async fn recent(b: &Browser) -> Vec<String> {
    let v = b
        .js("return Array.from(document.querySelectorAll('#recent li')).map((e) => e.dataset.call)")
        .await;
    serde_json::from_value(v).unwrap()
}

/// A busy hall: 1 and 2 serve, 3 no-showed its ticket, 4 paused with a reason, queues waiting.
async fn busy_hall(hall: &Hall) {
    hall.tickets("property", 4).await;
    hall.tickets("tax-housing", 2).await;
    ok(hall, "1", "call-next", None).await;
    ok(hall, "2", "call-next", None).await;
    ok(hall, "3", "call-next", None).await;
    ok(hall, "3", "no-show", None).await;
    ok(hall, "4", "pause", Some(json!({"reason": "午休"}))).await;
}

#[tokio::test]
async fn every_window_action_leaves_the_tv_equal_to_the_hall() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    hall.tickets("property", 3).await;
    hall.tickets("tax-housing", 2).await;
    tv::open(&b, &lobby(&hall)).await;
    tv::agrees(&b, &hall, TWO_S, "a fresh hall").await;
    let number = |v: Value| v["ticket"]["number"].as_str().unwrap().to_string();
    let cur = "return document.getElementById('cur-number').textContent";

    // call-next at 3 (B001), then at 1 (A001): the newest call in the big panel.
    let b001 = number(ok(&hall, "3", "call-next", None).await);
    tv::agrees(&b, &hall, TWO_S, "call-next at 3").await;
    let a001 = number(ok(&hall, "1", "call-next", None).await);
    tv::agrees(&b, &hall, TWO_S, "call-next at 1").await;
    b.wait_for(cur, &json!(a001), TWO_S)
        .await
        .expect("A001 called last");
    // A recall of B001 brings it back to the big panel, listed once.
    ok(&hall, "3", "recall", None).await;
    b.wait_for(cur, &json!(b001), TWO_S)
        .await
        .expect("recall shown");
    tv::agrees(&b, &hall, TWO_S, "recall at 3").await;
    assert_eq!(recent(&b).await, vec![format!("{a001}@1")], "no duplicate");
    ok(&hall, "3", "recall", None).await;
    tv::agrees(&b, &hall, TWO_S, "second recall at 3").await;
    b.wait_for("return window.hallqState.seen.size", &json!(4), TWO_S)
        .await
        .expect("four call events");
    assert_eq!(recent(&b).await, vec![format!("{a001}@1")], "still once");

    // No-show at 3: B001 leaves the big panel; window 1's A001 is the active call again.
    ok(&hall, "3", "no-show", None).await;
    tv::agrees(&b, &hall, TWO_S, "no-show at 3").await;
    assert_eq!(b.js(cur).await, json!(a001));
    assert_eq!(
        recent(&b).await,
        vec![format!("{b001}@3")],
        "the no-show stays a recent call"
    );
    // Start and finish at 1: nobody is called any more, the panel says welcome.
    ok(&hall, "1", "start", None).await;
    tv::agrees(&b, &hall, TWO_S, "start at 1").await;
    ok(&hall, "1", "finish", None).await;
    tv::agrees(&b, &hall, TWO_S, "finish at 1").await;
    assert_eq!(b.js(cur).await, json!("—"));

    // Transfer: the call at 2 ends there (the ticket waits for the other service).
    ok(&hall, "2", "call-next", None).await;
    tv::agrees(&b, &hall, TWO_S, "call-next at 2").await;
    ok(
        &hall,
        "2",
        "transfer",
        Some(json!({"service": "tax-housing"})),
    )
    .await;
    tv::agrees(&b, &hall, TWO_S, "transfer at 2").await;
    assert_eq!(b.js(cur).await, json!("—"));

    // Pause while holding a call: the tile says why, the big panel drops the call.
    ok(&hall, "1", "call-next", None).await;
    tv::agrees(&b, &hall, TWO_S, "call-next at 1 again").await;
    let reason = "系统维护，请到2号窗口办理，给您带来不便敬请谅解，谢谢配合";
    ok(&hall, "1", "pause", Some(json!({ "reason": reason }))).await;
    tv::agrees(&b, &hall, TWO_S, "pause at 1").await;
    assert_eq!(b.js(cur).await, json!("—"));
    // A long reason ends in "…" inside its tile, the whole of it in the tile's title.
    let tile = "const n = document.querySelector('[data-window=\"1\"] .num'); \
        const t = n.parentElement.getBoundingClientRect(), r = n.getBoundingClientRect(); \
        return {title: n.title, ellipsis: getComputedStyle(n).textOverflow, \
        cut: n.scrollWidth > n.clientWidth, inside: r.right <= t.right + 0.5 && r.left >= t.left - 0.5}";
    let t = b.js(tile).await;
    assert_eq!(t["title"], json!(format!("暂停服务 · {reason}")), "{t}");
    assert_eq!(t["ellipsis"], "ellipsis", "{t}");
    assert_eq!(t["inside"], true, "{t}");
    assert_eq!(
        t["cut"], true,
        "so long a reason is shortened on the tile: {t}"
    );
    ok(&hall, "1", "resume", None).await;
    let t0 = Instant::now();
    tv::agrees(&b, &hall, TWO_S, "resume at 1").await;
    println!("resume at 1: TV agreed in {:?}", t0.elapsed());
    layout::shot(&b, "actions").await;
}

#[tokio::test]
async fn after_a_restart_of_the_hall_or_a_reload_the_tv_shows_the_state_within_2_s() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let mut hall = Hall::start(HallOpts::default()).await;
    busy_hall(&hall).await;
    tv::open(&b, &lobby(&hall)).await;
    tv::agrees(&b, &hall, TWO_S, "before the restart").await;
    let seen = tv::snapshots(&b).await;

    let keep = hall.take_dir();
    let opts = HallOpts {
        dir: Some(hall.dir.clone()),
        ports: Some((hall.http_port, hall.mqtt_port)),
        hall_id: Some(hall.hall_id.clone()),
        ..Default::default()
    };
    hall.kill9();
    let hall = Hall::start(opts).await;
    let took = tv::agrees_after(&b, &hall, TWO_S, "the open page after a restart", seen).await;
    println!("restart: the open TV agreed with the hall {took:?} after the hall answered");
    assert!(tv::shown(&b).await.tiles["4"].contains("午休"));

    // A reload, and a TV switched on after the restart: the state at once.
    let t0 = Instant::now();
    tv::open(&b, &lobby(&hall)).await;
    tv::agrees(&b, &hall, TWO_S, "a reload after the restart").await;
    println!(
        "reload: the TV agreed with the hall {:?} after the page was asked for",
        t0.elapsed()
    );
    drop(keep);
}

#[tokio::test]
async fn after_a_broker_restart_the_tv_follows_the_hall() {
    let Some(b) = Browser::start().await else {
        return;
    };
    if mosquitto_bin().is_none() {
        println!("skipped: no mosquitto binary (broker restart test)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // No persistence: the restarted broker has lost every retained message.
    let mut broker = Mosquitto::new(tmp.path(), free_port());
    broker.start().await;
    let external = format!(
        "mode = \"external\"\nurl = \"mqtt://127.0.0.1:{}\"",
        broker.port
    );
    let hall = Hall::start(HallOpts {
        edits: vec![("mode = \"embedded\"", external)],
        ..Default::default()
    })
    .await;
    busy_hall(&hall).await;
    tv::open(&b, &lobby(&hall)).await;
    tv::agrees(&b, &hall, TWO_S, "before the broker restart").await;

    broker.stop();
    b.wait_for(
        "return window.hallqState.brokerUp",
        &json!(false),
        Duration::from_secs(15),
    )
    .await
    .expect("the broker outage noticed");
    // The hall moves on while the broker is away.
    ok(&hall, "1", "start", None).await;
    ok(&hall, "1", "finish", None).await;
    ok(&hall, "2", "no-show", None).await;
    hall.ticket("household").await;
    // A real outage: long enough for every reconnect backoff to reach its longest.
    tokio::time::sleep(Duration::from_secs(4)).await;
    broker.start().await;
    let t0 = Instant::now();
    tv::agrees(&b, &hall, TWO_S, "after the broker restart").await;
    println!(
        "broker restart: the TV agreed with the hall {:?} after the broker was back",
        t0.elapsed()
    );
    b.wait_for(tv::ONLINE, &json!(true), TWO_S)
        .await
        .expect("online again");
    // A reload afterwards: the display-client's state from the retained messages.
    tv::open(&b, &lobby(&hall)).await;
    tv::agrees(&b, &hall, TWO_S, "a reload after the broker restart").await;
}

#[tokio::test]
async fn the_clock_shows_the_halls_time_in_a_browser_elsewhere() {
    // The browser in New York, the demo hall in Shanghai (UTC+8, no summer time).
    let Some(b) = Browser::start_in_zone("America/New_York").await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    tv::open(&b, &lobby(&hall)).await;
    let zone = b
        .js("return Intl.DateTimeFormat().resolvedOptions().timeZone")
        .await;
    assert_eq!(zone, json!("America/New_York"), "the browser's own zone");
    let read = "return document.getElementById('clock').textContent";
    let shown = b.js(read).await.as_str().unwrap_or_default().to_string();
    let hall_now =
        chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let ok = [hall_now, hall_now - chrono::Duration::minutes(1)]
        .iter()
        .any(|t| shown.contains(&t.format("%H:%M").to_string()));
    assert!(
        ok,
        "clock {shown:?} is not Shanghai's {}",
        hall_now.format("%H:%M")
    );
    assert!(
        shown.contains(&hall_now.format("%Y").to_string()),
        "{shown}"
    );
}

#[tokio::test]
async fn every_row_is_whole_at_every_screen_size() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hall = Hall::start(HallOpts::default()).await;
    layout::fill_the_screen(&hall).await;
    tv::open(&b, &lobby(&hall)).await;
    tv::agrees(&b, &hall, TWO_S, "a full screen").await;
    let dir = tempfile::tempdir().unwrap();
    for (w, h) in layout::SIZES {
        layout::check_size(&b, *w, *h, dir.path()).await;
    }
}
