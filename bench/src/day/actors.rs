//! The people of the simulated day: kiosks issuing tickets as citizens arrive (by the hour's
//! profile), clerks calling, serving and finishing (half the windows break for lunch),
//! phones holding their ticket's status page for a while, TV screens, and the broker's
//! subscriber that hears every call. Everyone stops at `end`; a failed request is tried
//! again (a citizen pressing again while the hall restarts).

use super::record::{send, Kind, Record, Ticket};
use super::Clock;
use crate::fanout::ws_upgrade;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// A hall's arrivals by hour (relative rates): a morning peak, the lunch lull, an
/// after-lunch peak, a quiet end of the day.
const PROFILE: [(f64, f64, f64); 10] = [
    (8.5, 9.0, 6.0),
    (9.0, 10.0, 12.0),
    (10.0, 11.0, 14.0),
    (11.0, 12.0, 10.0),
    (12.0, 13.0, 3.0),
    (13.0, 14.0, 5.0),
    (14.0, 15.0, 13.0),
    (15.0, 16.0, 12.0),
    (16.0, 17.0, 8.0),
    (17.0, 17.5, 4.0),
];

/// The hour of the day at which `u` (0..1) of the day's arrivals have come.
pub(crate) fn arrival_hour(u: f64) -> f64 {
    let total: f64 = PROFILE.iter().map(|(a, b, r)| (b - a) * r).sum();
    let mut left = u.clamp(0.0, 1.0) * total;
    for (a, b, r) in PROFILE {
        let mass = (b - a) * r;
        if left <= mass {
            return a + left / r;
        }
        left -= mass;
    }
    PROFILE[PROFILE.len() - 1].1
}

/// The day's arrivals: (seconds into the run, service, green channel), in order.
pub(crate) fn arrivals(
    clock: &Clock,
    services: &[(String, usize)],
    n: usize,
    seed: u64,
) -> Vec<(f64, String, bool)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let weight: usize = services.iter().map(|(_, w)| w).sum();
    let mut out: Vec<(f64, String, bool)> = (0..n)
        .map(|_| {
            let at = clock.secs_at(arrival_hour(rng.gen()));
            let mut pick = rng.gen_range(0..weight.max(1));
            let service = services
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or_else(String::new, |(s, _)| s.clone());
            (at, service, rng.gen_bool(0.03))
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// Kiosks: each arrival asks for its ticket at its time (open loop).
pub(crate) async fn kiosks(
    api: String,
    rec: Arc<Record>,
    clock: Clock,
    plan: Vec<(f64, String, bool)>,
) {
    let client = reqwest::Client::new();
    let mut tasks = Vec::with_capacity(plan.len());
    for (at, service, green) in plan {
        tokio::time::sleep_until((clock.started + Duration::from_secs_f64(at)).into()).await;
        let (client, api, rec) = (client.clone(), api.clone(), rec.clone());
        tasks.push(tokio::spawn(async move {
            let kind = if green { "green" } else { "walk_in" };
            let body = json!({"service": service, "kind": kind});
            let r = send(
                &rec,
                clock.started,
                Kind::Ticket,
                Duration::from_secs(60),
                || {
                    client
                        .post(format!("{api}/tickets"))
                        .bearer_auth("demo-kiosk")
                        .json(&body)
                },
            )
            .await;
            if let Some((201, v)) = r {
                ticket_of(&rec, &v["ticket"]);
            }
        }));
        tasks.retain(|t| !t.is_finished());
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// Notes an acknowledged ticket (from a kiosk or a check-in).
pub(crate) fn ticket_of(rec: &Record, t: &serde_json::Value) {
    let s = |k: &str| t[k].as_str().unwrap_or_default().to_string();
    let issued = s("issued_at");
    rec.ticket(Ticket {
        number: format!("{}/{}", s("service"), s("number")),
        token: s("token"),
        day: issued.get(..10).unwrap_or_default().to_string(),
    });
}

/// A clerk at `window`: call, (sometimes a no-show,) start, serve for about `serve`,
/// finish; a lunch break when `lunch` is set.
pub(crate) async fn clerk(
    api: String,
    rec: Arc<Record>,
    clock: Clock,
    window: String,
    serve: Duration,
    lunch: bool,
    seed: u64,
) {
    let client = reqwest::Client::new();
    let token = format!("demo-clerk-{window}");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut paused = false;
    let act = |path: &'static str, kind: Kind| {
        let (client, api, token, window, rec) = (&client, &api, &token, &window, &rec);
        async move {
            let body = if path == "pause" {
                json!({"reason": "午休"})
            } else {
                json!({})
            };
            send(rec, clock.started, kind, Duration::from_secs(60), || {
                client
                    .post(format!("{api}/windows/{window}/{path}"))
                    .bearer_auth(token)
                    .json(&body)
            })
            .await
        }
    };
    while Instant::now() < clock.end {
        let hour = clock.hour_now();
        let at_lunch = lunch && (12.0..13.5).contains(&hour);
        if at_lunch != paused {
            act(if at_lunch { "pause" } else { "resume" }, Kind::Clerk).await;
            paused = at_lunch;
        }
        if paused {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        match act("call-next", Kind::Call).await {
            Some((200, v)) => {
                rec.call(&window, v["ticket"]["number"].as_str().unwrap_or_default());
                if rng.gen_bool(0.04) {
                    act("no-show", Kind::Clerk).await;
                    continue;
                }
                act("start", Kind::Clerk).await;
                let secs = -serve.as_secs_f64() * (1.0 - rng.gen::<f64>()).ln();
                tokio::time::sleep(Duration::from_secs_f64(secs.min(20.0))).await;
                act("finish", Kind::Clerk).await;
            }
            Some((409, v)) if v["error"] == "window_paused" => {
                act("resume", Kind::Clerk).await;
            }
            _ => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

/// A phone: opens the status page of one of the newest tickets, holds it 15–45 s (less than
/// the server's idle close, as the page answers pings), then the next citizen's.
pub(crate) async fn phone(addr: String, rec: Arc<Record>, clock: Clock, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    tokio::time::sleep(Duration::from_millis(rng.gen_range(0..5000))).await;
    while Instant::now() < clock.end {
        let Some(token) = rec.recent_token(rng.gen()) else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let hold = Duration::from_secs(rng.gen_range(15..45));
        let path = format!("/api/v1/tickets/{token}/ws");
        read_socket(&addr, &path, hold.min(clock.left()), &rec, false).await;
    }
}

/// A TV screen: its socket held all day, opened again whenever it closes.
pub(crate) async fn screen(addr: String, id: String, rec: Arc<Record>, clock: Clock) {
    while Instant::now() < clock.end {
        let path = format!("/screens/{id}/ws");
        read_socket(&addr, &path, clock.left(), &rec, true).await;
    }
}

/// Reads a WebSocket for `hold` (or until it closes), counting what arrives.
async fn read_socket(addr: &str, path: &str, hold: Duration, rec: &Record, screen: bool) {
    let Some((mut s, _)) = ws_upgrade(addr, path).await else {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return;
    };
    Record::count(&rec.socket_opens);
    let until = Instant::now() + hold;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(k)) if k > 0 => Record::count(if screen {
                &rec.screen_frames
            } else {
                &rec.status_frames
            }),
            Ok(_) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                return;
            }
            Err(_) => return,
        }
    }
}

/// The broker's subscriber: every call of the hall, through broker restarts (a persistent
/// session, so calls published while it reconnects wait for it).
pub(crate) async fn subscriber(port: u16, hall: String, rec: Arc<Record>, stop: Instant) {
    let mut o = MqttOptions::new("hallq-bench-day", "127.0.0.1", port);
    o.set_clean_session(false);
    o.set_keep_alive(Duration::from_secs(5));
    let (client, mut ev) = AsyncClient::new(o, 1000);
    let topic = format!("hallq/v1/{hall}/calls");
    while Instant::now() < stop {
        match tokio::time::timeout(Duration::from_secs(1), ev.poll()).await {
            Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => {
                let _ = client.try_subscribe(&topic, QoS::AtLeastOnce);
            }
            Ok(Ok(Event::Incoming(Packet::Publish(p)))) => rec.heard(&p.payload),
            Ok(Ok(_)) | Err(_) => {}
            Ok(Err(_)) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_follow_the_profile() {
        assert_eq!(arrival_hour(0.0), 8.5);
        assert_eq!(arrival_hour(1.0), 17.5);
        let clock = Clock::new(Duration::from_secs(900));
        let plan = arrivals(&clock, &[("a".into(), 1), ("b".into(), 3)], 20_000, 7);
        let by_hour = |h0: f64, h1: f64| {
            plan.iter()
                .filter(|(at, _, _)| (h0..h1).contains(&clock.hour_at(*at)))
                .count()
        };
        // The morning peak hour has more than four times the arrivals of the lunch hour.
        assert!(by_hour(10.0, 11.0) > 4 * by_hour(12.0, 13.0));
        let b = plan.iter().filter(|(_, s, _)| s == "b").count();
        assert!((14_000..16_000).contains(&b), "{b}");
        assert_eq!(
            plan,
            arrivals(&clock, &[("a".into(), 1), ("b".into(), 3)], 20_000, 7)
        );
    }
}
