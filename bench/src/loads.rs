//! The in-process target of `tickets`, `calls` and `bookings` (a controller started in this
//! process on loopback: SQLite in a temp dir, or a fresh PostgreSQL database, with the
//! embedded broker), the `tickets` and `calls` loads, and the figures' helpers.

use anyhow::Context;
use hallq_config::Settings;
use hallq_controller::app::App;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A controller started in this process for a benchmark.
pub(crate) struct Target {
    /// `http://HOST:PORT/api/v1`.
    pub(crate) base: String,
    mqtt: (String, u16),
    /// The controller's own broker login (rumqttd behind the authorizing front), with
    /// which the raw hop publishes as the relay does.
    internal: MqttOptions,
    _tmp: tempfile::TempDir,
    pg: Option<(String, String)>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    stop: tokio::sync::oneshot::Sender<()>,
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts the target from `config` (services widened to 6-digit numbers, no cap, open all
/// day), on SQLite or on a scratch database of the PostgreSQL server at `postgres`.
pub(crate) async fn start(
    config: &Path,
    postgres: Option<&str>,
    sync: hallq_config::SqliteSynchronous,
) -> anyhow::Result<Target> {
    let mut cfg: Settings = hallq_config::load_file(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    for sec in &mut cfg.sections {
        for s in &mut sec.services {
            s.width = 6;
            s.daily_cap = None;
            if let Some(b) = &mut s.booking {
                // 720 two-minute slots a day, 10 seats each, every day.
                b.slot_minutes = 2;
                b.capacity = 10;
                b.open = "00:00".into();
                b.close = "24:00".into();
                b.days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .map(String::from)
                    .to_vec();
            }
        }
    }
    // The load comes from one address: the per-address limits of bookings and
    // development identities would answer it 429 (the limiter still runs, and is timed).
    let lifted = hallq_config::limits::Rate::new(u32::MAX, 1);
    cfg.limits.bookings = lifted;
    cfg.limits.dev_identities = lifted;
    // `bookings` has each person book 2 in each of its two phases on one calendar day:
    // 4 booking acts, while 2 per appointment day stays the checked rule.
    cfg.appointments.daily_limit = 4;
    cfg.hall.hours.periods = Some(vec!["00:00-24:00".into()]);
    cfg.hall.hours.open = None;
    cfg.hall.hours.close = None;
    cfg.hall.hours.days = Some(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .map(String::from)
            .to_vec(),
    );
    let tmp = tempfile::tempdir()?;
    cfg.server.data_dir = tmp.path().display().to_string();
    let pg = match postgres {
        Some(url) => Some(create_pg(url).await?),
        None => None,
    };
    cfg.server.database_url = pg.as_ref().map(|(_, u)| u.clone());
    cfg.server.sqlite_synchronous = sync;
    let mport = free_port()?;
    cfg.broker.mode = hallq_config::BrokerMode::Embedded;
    cfg.broker.listen = format!("127.0.0.1:{mport}");
    cfg.broker.accounts.push(hallq_config::BrokerAccount {
        username: "hallq-bench".into(),
        password_sha256: hallq_config::secret::sha256_hex("unused"),
        role: hallq_config::Role::Display,
        window: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/api/v1", listener.local_addr()?);
    cfg.server.listen = listener.local_addr()?.to_string();
    let app = App::start(Arc::new(cfg)).await?;
    let internal = app.mqtt.options("hallq-bench-raw");
    let (stop, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(app.serve(listener, axum::Router::new(), async {
        let _ = rx.await;
    }));
    Ok(Target {
        base,
        mqtt: ("127.0.0.1".into(), mport),
        internal,
        _tmp: tmp,
        pg,
        server,
        stop,
    })
}

pub(crate) async fn create_pg(url: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("hallq_bench_{}", hex::encode(rand::random::<[u8; 4]>()));
    let mut c = sqlx::PgConnection::connect(url)
        .await
        .context("connect to PostgreSQL")?;
    sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str()).await?;
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    Ok((url.to_string(), format!("{base}/{name}")))
}

impl Target {
    /// Stops the controller and drops the scratch database.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
        if let Some((admin, url)) = self.pg {
            drop_pg(&admin, &url).await;
        }
    }
}

/// Drops the scratch database `url` through the server at `admin`.
pub(crate) async fn drop_pg(admin: &str, url: &str) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap_or_default().to_string();
    if let Ok(mut c) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::Executor::execute(
            &mut c,
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
        )
        .await;
    }
}

/// Where a server started by a benchmark logs: nowhere, unless `RUST_LOG` is set (then
/// to this terminal, e.g. `RUST_LOG=warn,hallq_controller::watch=debug` for the refresh's
/// own timings).
pub(crate) fn server_log() -> std::process::Stdio {
    if std::env::var_os("RUST_LOG").is_some() {
        std::process::Stdio::inherit()
    } else {
        std::process::Stdio::null()
    }
}

pub(crate) fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `tickets`: `clients` kiosks issue tickets as fast as they can for `seconds`; with
/// PostgreSQL, then `pgbench` does the same writes with the same clients (its share).
pub(crate) async fn tickets(t: &Target, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let services = services(t).await?;
    let rate = issue(t, &services, clients, seconds).await?;
    if let Some((_, url)) = &t.pg {
        // One ticket per transaction with the same clients; then batched as the group
        // commit does, over 1, 2 and 4 connections: the best is PostgreSQL's ceiling.
        let mut ceiling: Option<(f64, usize, usize)> = None;
        for (conns, batch) in [(clients, 1), (1, 32), (2, 32), (4, 16)] {
            let (url, services) = (url.clone(), services.clone());
            let own = tokio::task::spawn_blocking(move || {
                crate::pgbench::same_writes(&url, &services, conns, batch, seconds)
            })
            .await??;
            let Some(own) = own else { break };
            println!(
                "PostgreSQL itself, the same writes (pgbench, {conns} clients, {batch} ticket(s) \
                 per transaction): {own:.0} tickets/s; hallq reaches {:.0} % of it",
                100.0 * rate / own
            );
            if batch > 1 && ceiling.is_none_or(|(best, _, _)| own > best) {
                ceiling = Some((own, conns, batch));
            }
        }
        if let Some((best, conns, batch)) = ceiling {
            println!(
                "PostgreSQL's ceiling for these writes (batched, best of the runs: {conns} \
                 connection(s), {batch} per transaction): {best:.0} tickets/s; hallq {rate:.0}/s \
                 = {:.0} % of it",
                100.0 * rate / best
            );
        }
    }
    Ok(())
}

async fn services(t: &Target) -> anyhow::Result<Vec<String>> {
    Ok({
        let (_, v) = get(&t.base, "/services").await?;
        v["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["services"].as_array().cloned().unwrap_or_default())
            .filter_map(|s| s["id"].as_str().map(String::from))
            .collect()
    })
}

/// Kiosks issuing as fast as they can; returns tickets per second.
async fn issue(
    t: &Target,
    services: &[String],
    clients: usize,
    seconds: u64,
) -> anyhow::Result<f64> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, base, services) = (client.clone(), t.base.clone(), services.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut i = c;
            while Instant::now() < deadline {
                let body = json!({"service": services[i % services.len()]});
                i += 1;
                let t0 = Instant::now();
                let r = client
                    .post(format!("{base}/tickets"))
                    .bearer_auth("demo-kiosk")
                    .json(&body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => {
                        let _ = r.bytes().await;
                        lat.push(t0.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await?;
        lat.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    lat.sort();
    println!(
        "tickets: {} issued by {} clients in {:.1} s = {:.0} tickets/s; latency p50 {} p99 {}; errors {errors}",
        lat.len(),
        clients,
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
    );
    Ok(lat.len() as f64 / elapsed.as_secs_f64())
}

async fn get(base: &str, path: &str) -> anyhow::Result<(u16, Value)> {
    let r = reqwest::get(format!("{base}{path}")).await?;
    Ok((r.status().as_u16(), r.json().await?))
}

/// A subscriber that timestamps every message on arrival.
async fn subscriber(
    host: &str,
    port: u16,
    filter: &str,
) -> anyhow::Result<mpsc::UnboundedReceiver<(Instant, Vec<u8>)>> {
    let mut o = MqttOptions::new(
        format!("bench-sub-{}", hex::encode(rand::random::<[u8; 4]>())),
        host,
        port,
    );
    o.set_credentials("hallq-bench", "unused");
    let (client, mut ev) = AsyncClient::new(o, 1000);
    client.subscribe(filter, QoS::AtLeastOnce).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let _client = client;
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if tx.send((Instant::now(), p.payload.to_vec())).is_err() {
                        return;
                    }
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    let _ = ready_tx.send(());
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("bench subscriber: {e}");
                    return;
                }
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(5), ready.recv())
        .await
        .context("subscribe")?;
    Ok(rx)
}

/// `calls`: `count` call-next at `rate` per second, each timed to its MQTT event, against
/// the raw broker's publish → receive at the same rate.
pub(crate) async fn calls(
    t: &Target,
    config: &Path,
    rate: u64,
    count: usize,
) -> anyhow::Result<()> {
    let cfg = hallq_config::load_file(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let w = cfg.windows.first().context("config has no window")?;
    let service = w.services.first().context("window serves nothing")?.clone();
    let clerk = format!("demo-clerk-{}", w.id);
    let client = reqwest::Client::new();
    for _ in 0..count {
        let r = client
            .post(format!("{}/tickets", t.base))
            .bearer_auth("demo-kiosk")
            .json(&json!({"service": service}))
            .send()
            .await?;
        anyhow::ensure!(r.status() == 201, "issuing: {}", r.status());
    }
    let (host, port) = (&t.mqtt.0, t.mqtt.1);
    let root = format!("hallq/v1/{}/", cfg.hall.id);
    let mut rx = subscriber(host, port, &format!("{root}calls")).await?;
    let interval = Duration::from_micros(1_000_000 / rate.max(1));
    let mut ticker = tokio::time::interval(interval);
    let mut lat = Vec::with_capacity(count);
    let mut answered = Vec::with_capacity(count);
    for _ in 0..count {
        ticker.tick().await;
        let t0 = Instant::now();
        let r = client
            .post(format!("{}/windows/{}/call-next", t.base, w.id))
            .bearer_auth(&clerk)
            .send()
            .await?;
        answered.push(t0.elapsed());
        anyhow::ensure!(
            r.status() == 200,
            "call-next: {} (does the demo clerk token {clerk} exist?)",
            r.status()
        );
        let v: Value = r.json().await?;
        let number = v["ticket"]["number"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        loop {
            let (at, payload) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .context("call event not received")?
                .context("subscriber gone")?;
            let ev: Value = serde_json::from_slice(&payload).unwrap_or_default();
            if ev["number"] == number.as_str() {
                lat.push(at - t0);
                break;
            }
        }
    }
    lat.sort();
    answered.sort();
    let raw = raw_broker(t, &format!("{root}queues/hallq-bench-raw"), rate, count).await?;
    let (p50, p99, r50, r99) = (
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&raw, 0.5),
        pct(&raw, 0.99),
    );
    println!(
        "calls: {} at {}/s: POST call-next → MQTT subscriber p50 {} p99 {}",
        lat.len(),
        rate,
        ms(p50),
        ms(p99)
    );
    println!(
        "  (the HTTP answer came at p50 {} p99 {})",
        ms(pct(&answered, 0.5)),
        ms(pct(&answered, 0.99))
    );
    println!(
        "raw broker (same broker, QoS 1 publish → subscriber): p50 {} p99 {}",
        ms(r50),
        ms(r99)
    );
    println!(
        "ratio p50 call / p50 raw = {:.1}×",
        p50.as_secs_f64() / r50.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Publish → receive latency of the broker alone, at the same rate, on the calls' path:
/// published with the controller's login (as the relay does), received through the
/// authorizing front by a display login, on `topic` (one a display may read; the
/// controller's own subscribers drop its payloads, which are no queue state).
async fn raw_broker(
    t: &Target,
    topic: &str,
    rate: u64,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut rx = subscriber(&t.mqtt.0, t.mqtt.1, topic).await?;
    let (client, mut ev) = AsyncClient::new(t.internal.clone(), 1000);
    tokio::spawn(async move { while ev.poll().await.is_ok() {} });
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    let mut lat = Vec::with_capacity(count);
    for i in 0..count {
        ticker.tick().await;
        let t0 = Instant::now();
        client
            .publish(topic, QoS::AtLeastOnce, false, i.to_string().into_bytes())
            .await?;
        loop {
            let (at, p) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .context("raw message not received")?
                .context("subscriber gone")?;
            if p == i.to_string().as_bytes() {
                lat.push(at - t0);
                break;
            }
        }
    }
    lat.sort();
    Ok(lat)
}
