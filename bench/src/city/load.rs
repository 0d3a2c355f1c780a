//! The walk-in load of `city`, the same for the single-hall baseline and for the city:
//! kiosk clients issuing tickets as fast as they can (closed loop), clerks calling next at
//! a fixed total rate spread over every window in play, and a subscriber timing each call
//! to its event on the broker. Client `c` talks to controller `c % R` and hall
//! `(c / R) % H`, so every hall is reached through every controller; the clerks' calls
//! alternate between the controllers too (a hall's relay runs in whichever controller
//! holds its lease, so half of the calls are published by the other process).

use super::files::{HallSpec, SERVICES};
use crate::loads::pct;
use anyhow::Context;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one phase measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    /// Tickets acknowledged (201) by each controller.
    pub(crate) per_controller: Vec<usize>,
    /// Length of the load, seconds.
    pub(crate) secs: f64,
    /// Ticket requests not answered 201, by status and error code (`no answer` when the
    /// request failed).
    pub(crate) ticket_errors: HashMap<String, usize>,
    /// Ticket latency p99.
    pub(crate) ticket_p99: Duration,
    /// Calls answered 200 and heard on the broker: call → event p50 and p99.
    pub(crate) call_p50: Duration,
    pub(crate) call_p99: Duration,
    /// Calls answered 200.
    pub(crate) calls: usize,
    /// Calls answered 200 whose event never came.
    pub(crate) unheard: usize,
    /// Calls answered otherwise (by status; 409 = the window's queue was empty).
    pub(crate) call_refusals: HashMap<u16, usize>,
    /// CPU time of each controller over the phase, seconds.
    pub(crate) cpu: Vec<f64>,
}

impl Figures {
    pub(crate) fn tickets(&self) -> usize {
        self.per_controller.iter().sum()
    }
    /// Tickets per second through all controllers.
    pub(crate) fn rate(&self) -> f64 {
        self.tickets() as f64 / self.secs.max(1e-9)
    }
    /// Tickets per second per controller (the mean over the controllers).
    pub(crate) fn per_controller_rate(&self) -> f64 {
        self.rate() / self.per_controller.len().max(1) as f64
    }
}

/// What a phase runs.
pub(crate) struct Load<'a> {
    /// The halls in play.
    pub(crate) halls: &'a [HallSpec],
    /// `http://HOST:PORT` of each controller.
    pub(crate) origins: &'a [String],
    pub(crate) pids: &'a [u32],
    pub(crate) mqtt_port: u16,
    /// Kiosk clients in all.
    pub(crate) clients: usize,
    pub(crate) seconds: f64,
    /// Calls per second over all windows in play.
    pub(crate) call_rate: f64,
    /// What the subscriber listens to (`hallq/v1/hall01/calls`, `hallq/v1/+/calls`).
    pub(crate) filter: &'a str,
}

/// Calls answered: (hall, number) → when the clerk pressed.
type Pressed = Arc<Mutex<Vec<(String, String, Instant)>>>;
/// Events heard: (hall, number) → when it arrived.
type Heard = Arc<Mutex<HashMap<(String, String), Instant>>>;

/// Runs the load for `seconds` and measures it.
pub(crate) async fn run(l: &Load<'_>) -> anyhow::Result<Figures> {
    let heard: Heard = Arc::default();
    let listener = subscribe(l.mqtt_port, l.filter, heard.clone()).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(l.clients + 64)
        .build()?;
    let cpu0: Vec<f64> = l.pids.iter().map(|p| cpu_secs(*p)).collect();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(l.seconds);
    let replicas = l.origins.len().max(1);
    let mut kiosks = Vec::with_capacity(l.clients);
    for c in 0..l.clients {
        let hall = &l.halls[(c / replicas) % l.halls.len()];
        let url = format!(
            "{}/api/v1/halls/{}/tickets",
            l.origins[c % replicas],
            hall.id
        );
        let (http, token) = (http.clone(), hall.kiosk.clone());
        kiosks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut i) = (Vec::new(), HashMap::<String, usize>::new(), c);
            while Instant::now() < deadline {
                let body = json!({"service": SERVICES[i % SERVICES.len()].1});
                i += 1;
                let t0 = Instant::now();
                let r = http
                    .post(url.as_str())
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => {
                        let _ = r.bytes().await;
                        lat.push(t0.elapsed());
                    }
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let v: Value = r.json().await.unwrap_or_default();
                        let code = v["error"].as_str().unwrap_or_default();
                        *errors.entry(format!("{status} {code}")).or_default() += 1;
                    }
                    Err(_) => *errors.entry("no answer".into()).or_default() += 1,
                }
            }
            (c % replicas, lat, errors)
        }));
    }
    let pressed: Pressed = Arc::default();
    let clerks = tokio::spawn(clerks(
        http.clone(),
        l.halls.to_vec(),
        l.origins.to_vec(),
        l.call_rate,
        deadline,
        pressed.clone(),
    ));
    let mut f = Figures {
        per_controller: vec![0; replicas],
        ..Figures::default()
    };
    let mut lat = Vec::new();
    for k in kiosks {
        let (r, l, e) = k.await?;
        f.per_controller[r] += l.len();
        lat.extend(l);
        for (s, n) in e {
            *f.ticket_errors.entry(s).or_default() += n;
        }
    }
    f.secs = started.elapsed().as_secs_f64();
    f.cpu = l
        .pids
        .iter()
        .zip(&cpu0)
        .map(|(p, c0)| cpu_secs(*p) - c0)
        .collect();
    lat.sort();
    f.ticket_p99 = pct(&lat, 0.99);
    f.call_refusals = clerks.await??;
    // The last calls' events, behind whatever the relays still have to publish (their
    // latency counts; a call not heard within 30 s of the end is counted as never heard).
    let pressed = std::mem::take(&mut *pressed.lock().expect("pressed"));
    let wait_until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < wait_until {
        let all_heard = {
            let h = heard.lock().expect("heard");
            pressed
                .iter()
                .all(|(hall, n, _)| h.contains_key(&(hall.clone(), n.clone())))
        };
        if all_heard {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    listener.abort();
    let h = heard.lock().expect("heard");
    let mut calls: Vec<Duration> = Vec::with_capacity(pressed.len());
    for (hall, number, t0) in &pressed {
        match h.get(&(hall.clone(), number.clone())) {
            Some(at) => calls.push(at.saturating_duration_since(*t0)),
            None => f.unheard += 1,
        }
    }
    calls.sort();
    f.calls = pressed.len();
    f.call_p50 = pct(&calls, 0.5);
    f.call_p99 = pct(&calls, 0.99);
    Ok(f)
}

/// Calls next at `rate` per second in all, window after window over every hall in play,
/// alternating controllers; notes every call answered 200. Returns the other answers.
async fn clerks(
    http: reqwest::Client,
    halls: Vec<HallSpec>,
    origins: Vec<String>,
    rate: f64,
    deadline: Instant,
    pressed: Pressed,
) -> anyhow::Result<HashMap<u16, usize>> {
    let windows: Vec<(usize, String)> = {
        let most = halls.iter().map(|h| h.windows.len()).max().unwrap_or(0);
        (0..most)
            .flat_map(|w| {
                halls
                    .iter()
                    .enumerate()
                    .filter_map(move |(i, h)| h.windows.get(w).map(|id| (i, id.clone())))
            })
            .collect()
    };
    anyhow::ensure!(!windows.is_empty(), "no window to call at");
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tasks = Vec::new();
    let mut k = 0usize;
    // The first tick is immediate; tickets need a moment to arrive first.
    ticker.tick().await;
    loop {
        ticker.tick().await;
        if Instant::now() >= deadline {
            break;
        }
        let (h, w) = &windows[k % windows.len()];
        let hall = halls[*h].clone();
        let url = format!(
            "{}/api/v1/halls/{}/windows/{w}/call-next",
            origins[k % origins.len()],
            hall.id
        );
        let (http, token, pressed) = (http.clone(), hall.clerk(w), pressed.clone());
        k += 1;
        tasks.push(tokio::spawn(async move {
            let t0 = Instant::now();
            let r = http.post(url.as_str()).bearer_auth(&token).send().await;
            let Ok(r) = r else { return 0 };
            let status = r.status().as_u16();
            if status != 200 {
                return status;
            }
            let v: Value = r.json().await.unwrap_or_default();
            if let Some(n) = v["ticket"]["number"].as_str() {
                pressed
                    .lock()
                    .expect("pressed")
                    .push((hall.id.clone(), n.to_string(), t0));
            }
            200
        }));
        tasks.retain(|t| !t.is_finished());
    }
    let mut refusals = HashMap::new();
    for t in tasks {
        let s = t.await?;
        if s != 200 {
            *refusals.entry(s).or_default() += 1;
        }
    }
    Ok(refusals)
}

/// A subscriber to `filter` that notes when each call event first arrived, by the hall of
/// its topic and its number. Returns once subscribed; abort the handle to stop it.
async fn subscribe(
    port: u16,
    filter: &str,
    heard: Heard,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let o = MqttOptions::new(
        format!("bench-city-{}", hex::encode(rand::random::<[u8; 4]>())),
        "127.0.0.1",
        port,
    );
    let (client, mut ev) = AsyncClient::new(o, 10_000);
    client.subscribe(filter, QoS::AtLeastOnce).await?;
    let (ready_tx, ready) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let _client = client;
        let mut ready_tx = Some(ready_tx);
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let at = Instant::now();
                    // hallq/v1/{hall}/calls
                    let hall = p.topic.split('/').nth(2).unwrap_or_default().to_string();
                    let v: Value = serde_json::from_slice(&p.payload).unwrap_or_default();
                    if let Some(n) = v["number"].as_str() {
                        heard
                            .lock()
                            .expect("heard")
                            .entry((hall, n.to_string()))
                            .or_insert(at);
                    }
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if let Some(t) = ready_tx.take() {
                        let _ = t.send(());
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("city subscriber: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(5), ready)
        .await
        .context("subscribe to the city's broker")??;
    Ok(task)
}

/// CPU time (user + system) of process `pid` so far, seconds (0 when unreadable).
pub(crate) fn cpu_secs(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name's closing parenthesis; utime and stime are the
    // 14th and 15th fields of the line, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
