//! What the lobby TV shows, read from its DOM, and what it should show, derived from
//! `GET /api/v1/snapshot` (the hall's truth) by the rules in docs/screens.md.

use crate::common::browser::Browser;
use crate::common::Hall;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The TV's visible state: tile text per window, count text per service, the big panel.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Shown {
    /// Window id → the tile's status text (number, "—", "未开放", "暂停服务 · reason").
    pub tiles: BTreeMap<String, String>,
    /// Service id → "N 人".
    pub queues: BTreeMap<String, String>,
    /// The big panel's number and window line ("—" and "欢迎光临" when nobody is called).
    pub current: (String, String),
}

const READ: &str = "const t = {}, q = {};
document.querySelectorAll('#windows [data-window]').forEach((e) => { t[e.dataset.window] = e.querySelector('.num').textContent; });
document.querySelectorAll('#queues [data-service]').forEach((e) => { q[e.dataset.service] = e.querySelector('b').textContent; });
return {tiles: t, queues: q, number: document.getElementById('cur-number').textContent,
  to: document.getElementById('cur-window').textContent};";

fn map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// What the TV page in `b` shows now.
pub async fn shown(b: &Browser) -> Shown {
    let v = b.js(READ).await;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    // The window line carries the English name on a bilingual screen: keep the Chinese.
    let to = s("to");
    let to = to
        .split(|c: char| c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    Shown {
        tiles: map(&v["tiles"]),
        queues: map(&v["queues"]),
        current: (s("number"), to.trim().to_string()),
    }
}

/// What the TV must show for a snapshot: the tiles and counts exactly; in the big panel the
/// newest active call — any of those called in the same second, the API's precision.
#[derive(Debug)]
pub struct Expected {
    /// Tiles and queue counts (its `current` unused).
    pub shown: Shown,
    /// The big panels that agree with the hall.
    pub current: Vec<(String, String)>,
}

impl Expected {
    /// Whether `got` agrees.
    pub fn matches(&self, got: &Shown) -> bool {
        got.tiles == self.shown.tiles
            && got.queues == self.shown.queues
            && self.current.contains(&got.current)
    }
}

/// What the TV must show for the hall's snapshot `snap`: an open window shows the number
/// it serves or "—", a paused one "暂停服务 · reason", a closed one "未开放"; the big panel
/// the most recently called ticket that an open window still serves, else the welcome.
pub fn expected(snap: &Value) -> Expected {
    let mut tiles = BTreeMap::new();
    let mut called: Vec<(String, String, String)> = Vec::new(); // (called_at, number, to)
    for w in snap["windows"].as_array().expect("windows") {
        let id = w["id"].as_str().unwrap().to_string();
        let serving = &w["serving"];
        let text = match w["status"].as_str().unwrap() {
            "open" => serving["number"].as_str().unwrap_or("—").to_string(),
            "paused" => match w["pause_reason"].as_str() {
                Some(r) if !r.is_empty() => format!("暂停服务 · {r}"),
                _ => "暂停服务".to_string(),
            },
            _ => "未开放".to_string(),
        };
        if w["status"] == "open" && serving.is_object() {
            called.push((
                serving["called_at"].as_str().unwrap_or("").to_string(),
                serving["number"].as_str().unwrap().to_string(),
                format!("到 {}", w["name"].as_str().unwrap()),
            ));
        }
        tiles.insert(id, text);
    }
    let queues = snap["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(|q| {
            let n = q["waiting"].as_i64().unwrap();
            (
                q["service"].as_str().unwrap().to_string(),
                format!("{n} 人"),
            )
        })
        .collect();
    let newest = called.iter().map(|c| c.0.clone()).max();
    let mut current: Vec<(String, String)> = called
        .into_iter()
        .filter(|c| Some(&c.0) == newest.as_ref())
        .map(|(_, n, t)| (n, t))
        .collect();
    if current.is_empty() {
        current.push(("—".into(), "欢迎光临".into()));
    }
    Expected {
        shown: Shown {
            tiles,
            queues,
            current: Default::default(),
        },
        current,
    }
}

/// The hall's snapshot as the demo display reads it.
pub async fn snapshot(hall: &Hall) -> Value {
    let (st, snap) = hall
        .req("GET", "/snapshot", Some("demo-display"), None)
        .await;
    assert_eq!(st, 200, "{snap}");
    snap
}

/// How many snapshots the page has applied (one per WebSocket connection).
pub async fn snapshots(b: &Browser) -> u64 {
    b.js("return window.hallqState.snapshots")
        .await
        .as_u64()
        .unwrap_or(0)
}

/// Polls until the TV shows what the snapshot says (re-reading both), or panics after
/// `limit` naming the difference; returns the time it took.
pub async fn agrees(b: &Browser, hall: &Hall, limit: Duration, what: &str) -> Duration {
    agrees_after(b, hall, limit, what, 0).await
}

/// Like [`agrees`], once the page has applied more than `seen` snapshots (it reconnected).
pub async fn agrees_after(
    b: &Browser,
    hall: &Hall,
    limit: Duration,
    what: &str,
    seen: u64,
) -> Duration {
    let t0 = Instant::now();
    loop {
        if snapshots(b).await <= seen {
            assert!(
                t0.elapsed() < limit,
                "{what}: the page did not reconnect within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        let want = expected(&snapshot(hall).await);
        let got = shown(b).await;
        if want.matches(&got) {
            return t0.elapsed();
        }
        if t0.elapsed() > limit {
            panic!("{what}: the TV still contradicts the hall after {limit:?}\n TV:   {got:?}\n hall: {want:?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Whether the page's socket and the display-client's broker link are both up.
pub const ONLINE: &str =
    "return !!(window.hallqState && window.hallqState.socketUp && window.hallqState.brokerUp)";

/// Opens `url` and waits until the page is online.
pub async fn open(b: &Browser, url: &str) {
    b.goto(url).await;
    b.wait_for(ONLINE, &json!(true), Duration::from_secs(10))
        .await
        .expect("screen online");
}
