//! The live status of a ticket (what the phone behind the QR code shows) over the real
//! binary's Server-Sent Events stream: people ahead counts down with every call at the
//! window, and the holder's own call arrives with the window to go to.

mod common;

use common::{Hall, HallOpts};
use serde_json::Value;
use std::time::Duration;

/// The `data:` payloads of an SSE stream, one JSON value at a time.
struct Stream {
    body: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(hall: &Hall, token: &str) -> Self {
        let r = reqwest::get(format!("{}/tickets/{token}/events", hall.base))
            .await
            .expect("events");
        assert_eq!(r.status(), 200);
        Self {
            body: r,
            buf: String::new(),
        }
    }

    /// The next status, or a panic after 3 s.
    async fn next(&mut self) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    return serde_json::from_str(data.trim()).expect("JSON status");
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.chunk())
                .await
                .expect("a status update within 3 s")
                .expect("stream readable")
                .expect("stream open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn people_ahead_counts_down_live_then_the_call_arrives() {
    let hall = Hall::start(HallOpts::default()).await;
    let service = hall.window_1_service().await;
    let tickets = hall.tickets(&service, 4).await;
    let last = &tickets[3];
    let mut s = Stream::open(&hall, last["token"].as_str().unwrap()).await;
    let first = s.next().await;
    assert_eq!(
        (first["status"].clone(), first["people_ahead"].clone()),
        ("waiting".into(), 3.into()),
        "{first}"
    );
    for ahead in [2, 1, 0] {
        let (st, b) = hall.act("1", "call-next", None).await;
        assert_eq!(st, 200, "{b}");
        let v = s.next().await;
        assert_eq!(v["status"], "waiting", "{v}");
        assert_eq!(v["people_ahead"], ahead, "{v}");
        assert!(v["estimated_wait_s"].is_i64(), "{v}");
        // The live feed carries the estimate's range around it.
        let f = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("{k}: {v}"));
        assert!(
            f("estimated_wait_low_s") <= f("estimated_wait_s")
                && f("estimated_wait_s") <= f("estimated_wait_high_s"),
            "{v}"
        );
        assert!(v.get("token").is_none(), "no token in the status: {v}");
    }
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["ticket"]["number"], last["number"]);
    let v = s.next().await;
    assert_eq!(v["status"], "called", "{v}");
    assert_eq!(v["window"], "1", "{v}");
    assert_eq!(v["number"], last["number"], "{v}");
}
