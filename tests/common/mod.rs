//! Test harness: starts the real `hallq` binary on free ports with a temp data dir, talks
//! to it over HTTP, and watches MQTT with a real client.
#![allow(dead_code)]

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The demo config with edits applied (`(from, to)` string replacements).
pub fn demo_config(edits: &[(&str, String)]) -> String {
    let mut s = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/examples/demo-hall.toml"
    ))
    .unwrap();
    for (from, to) in edits {
        assert!(s.contains(from), "demo config has no {from:?}");
        s = s.replacen(from, to, 1);
    }
    s
}

/// An edit of the demo config adding an identity provider (the Ed25519 test key), for a
/// hall without the development provider: its bookable services need one.
pub fn identity_provider_edit() -> (&'static str, String) {
    let pem = include_str!("../../controller/tests/fixtures/identity/ed25519.pub.pem");
    (
        "\n[display]",
        format!(
            "\n[[identity.providers]]\nid = \"city\"\nchannel = \"city-app\"\n\
             issuer = \"https://id.example\"\naudience = \"haikou\"\nalgorithm = \"EdDSA\"\n\
             public_key_pem = '''\n{pem}'''\nmethods = [\"face\"]\n\n[display]"
        ),
    )
}

/// A unique hall id, so tests sharing a broker do not see each other's events.
pub fn unique_hall() -> String {
    format!("t{}", hex_id())
}

pub fn hex_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// A running `hallq run`.
pub struct Hall {
    pub child: Child,
    pub base: String,
    pub http_port: u16,
    pub mqtt_port: u16,
    pub dir: PathBuf,
    pub config: PathBuf,
    pub hall_id: String,
    _tmp: Option<tempfile::TempDir>,
}

/// Options for starting a hall.
#[derive(Default, Clone)]
pub struct HallOpts {
    /// Extra config edits.
    pub edits: Vec<(&'static str, String)>,
    /// Reuse this data dir (restarts).
    pub dir: Option<PathBuf>,
    /// Fixed ports (restarts).
    pub ports: Option<(u16, u16)>,
    /// Hall id (else unique).
    pub hall_id: Option<String>,
    /// Extra environment variables of the process.
    pub env: Vec<(&'static str, String)>,
    /// Run hallq under this program and its arguments (e.g. `strace -f -o FILE`).
    pub wrapper: Vec<String>,
}

impl HallOpts {
    /// A replica of a scaled-out hall: PostgreSQL database `db_url` and the external
    /// broker `mqtt_url`, under hall id `hall_id` (the same for every replica).
    pub fn replica(db_url: &str, mqtt_url: &str, hall_id: &str) -> Self {
        Self {
            edits: vec![
                (
                    "mode = \"embedded\"",
                    format!("mode = \"external\"\nurl = \"{mqtt_url}\""),
                ),
                (
                    "# database_url = \"postgres://postgres@127.0.0.1:5432/hallq\"",
                    format!("database_url = \"{db_url}\""),
                ),
            ],
            hall_id: Some(hall_id.to_string()),
            ..Default::default()
        }
    }
}

impl Hall {
    /// Starts the demo hall and waits until it is healthy. Free ports are picked anew if
    /// another test grabbed one between the pick and the bind.
    pub async fn start(opts: HallOpts) -> Self {
        for _ in 0..4 {
            match Self::try_start(opts.clone()).await {
                Ok(h) => return h,
                Err(log) if opts.ports.is_none() && log.contains("Address already in use") => {
                    continue
                }
                Err(log) => panic!("hallq did not start: {log}"),
            }
        }
        panic!("hallq did not start: no free ports after 4 tries");
    }

    async fn try_start(opts: HallOpts) -> Result<Self, String> {
        let (tmp, dir) = match &opts.dir {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::tempdir().unwrap();
                let d = t.path().to_path_buf();
                (Some(t), d)
            }
        };
        let (http_port, mqtt_port) = opts.ports.unwrap_or_else(|| (free_port(), free_port()));
        let hall_id = opts.hall_id.clone().unwrap_or_else(unique_hall);
        let mut edits = vec![("id = \"haikou\"", format!("id = \"{hall_id}\""))];
        edits.extend(opts.edits.iter().cloned());
        let config = dir.join("hall.toml");
        std::fs::write(&config, demo_config(&edits)).unwrap();
        let log = std::fs::File::create(dir.join(format!("hallq-{http_port}.log"))).unwrap();
        let hallq = env!("CARGO_BIN_EXE_hallq");
        let mut command = match opts.wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(hallq);
                c
            }
            None => Command::new(hallq),
        };
        let child = command
            .args(["run", "--config"])
            .arg(&config)
            .args(["--listen", &format!("127.0.0.1:{http_port}")])
            .arg("--data-dir")
            .arg(&dir)
            .args(["--mqtt-listen", &format!("127.0.0.1:{mqtt_port}")])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .envs(opts.env.iter().map(|(k, v)| (*k, v.as_str())))
            .spawn()
            .unwrap();
        let mut hall = Self {
            child,
            base: format!("http://127.0.0.1:{http_port}/api/v1"),
            http_port,
            mqtt_port,
            dir,
            config,
            hall_id,
            _tmp: tmp,
        };
        hall.wait_healthy().await?;
        Ok(hall)
    }

    async fn wait_healthy(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("exited {status}: {}", self.log()));
            }
            if let Ok(r) = client.get(format!("{}/health", self.base)).send().await {
                if r.status() == 200 {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("not healthy within 30 s: {}", self.log()))
    }

    /// Everything the process printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("hallq-{}.log", self.http_port)))
            .unwrap_or_default()
    }

    /// kill -9.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The `/metrics` exposition, and the value of one `series` (name and labels as
    /// exposed, e.g. `hallq_x_total{table="outbox"}`) in it.
    pub async fn metrics(&self) -> String {
        let url = format!("http://127.0.0.1:{}/metrics", self.http_port);
        reqwest::get(url).await.unwrap().text().await.unwrap()
    }

    pub async fn metric(&self, series: &str) -> Option<f64> {
        let text = self.metrics().await;
        let prefix = format!("{series} ");
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str())?.parse().ok())
    }

    /// Keeps the data dir alive beyond this process (for restarts).
    pub fn take_dir(&mut self) -> Option<tempfile::TempDir> {
        self._tmp.take()
    }

    /// Topic root.
    pub fn root(&self) -> String {
        format!("hallq/v1/{}/", self.hall_id)
    }

    /// HTTP request; returns status and JSON body.
    pub async fn req(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        req(&self.base, method, path, token, body).await
    }

    /// Issues a walk-in ticket as the demo kiosk.
    pub async fn ticket(&self, service: &str) -> Value {
        let (st, b) = self
            .req(
                "POST",
                "/tickets",
                Some("demo-kiosk"),
                Some(serde_json::json!({"service": service})),
            )
            .await;
        assert_eq!(st, 201, "{b}");
        b["ticket"].clone()
    }

    /// The first service window 1 serves (what its demo clerk calls from).
    pub async fn window_1_service(&self) -> String {
        let (_, me) = self.req("GET", "/me", Some("demo-clerk-1"), None).await;
        me["services"][0]["id"]
            .as_str()
            .expect("window 1 serves a service")
            .to_string()
    }

    /// `n` walk-in tickets of `service`, in the order issued.
    pub async fn tickets(&self, service: &str, n: usize) -> Vec<Value> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.ticket(service).await);
        }
        out
    }

    /// A window action as that window's demo clerk.
    pub async fn act(&self, w: &str, action: &str, body: Option<Value>) -> (u16, Value) {
        self.req(
            "POST",
            &format!("/windows/{w}/{action}"),
            Some(&format!("demo-clerk-{w}")),
            body,
        )
        .await
    }
}

impl Drop for Hall {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// One HTTP request with a JSON body.
pub async fn req(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut r = client.request(method.parse().unwrap(), format!("{base}{path}"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, v)
}

/// A real MQTT subscriber collecting (topic, retained, JSON payload).
pub struct Sub {
    pub rx: mpsc::UnboundedReceiver<(String, bool, Value)>,
    pub client: AsyncClient,
    task: tokio::task::JoinHandle<()>,
}

impl Sub {
    /// Connects and subscribes to `filter`; waits for the SUBACK.
    pub async fn connect(host: &str, port: u16, login: Option<(&str, &str)>, filter: &str) -> Self {
        let mut o = MqttOptions::new(format!("test-{}", hex_id()), host, port);
        if let Some((u, p)) = login {
            o.set_credentials(u, p);
        }
        Self::with_options(o, &[filter]).await
    }

    /// What a TV screen reads: a `display` login subscribed to the hall's `calls`,
    /// `windows/+` and `queues/+` (all a display account may read).
    pub async fn display(port: u16, root: &str) -> Self {
        let mut o = MqttOptions::new(format!("test-d-{}", hex_id()), "127.0.0.1", port);
        o.set_credentials("display", "demo-display");
        let filters = ["calls", "windows/+", "queues/+"].map(|f| format!("{root}{f}"));
        let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
        Self::with_options(o, &filters).await
    }

    /// A subscriber with a persistent session (clean session off): while it is away —
    /// the broker restarting — a broker with persistence keeps its subscription and queues
    /// its QoS 1 messages, which it gets when it reconnects by itself.
    pub async fn persistent(host: &str, port: u16, filter: &str) -> Self {
        let mut o = MqttOptions::new(format!("test-p-{}", hex_id()), host, port);
        o.set_clean_session(false);
        Self::with_options(o, &[filter]).await
    }

    async fn with_options(mut o: MqttOptions, filters: &[&str]) -> Self {
        o.set_keep_alive(Duration::from_secs(5));
        let (client, mut ev) = AsyncClient::new(o, 1000);
        let many = filters
            .iter()
            .map(|f| rumqttc::SubscribeFilter::new(f.to_string(), QoS::AtLeastOnce));
        client.subscribe_many(many).await.unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match ev.poll().await {
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        let _ = ready_tx.send(());
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let v = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                        if tx.send((p.topic.clone(), p.retain, v)).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), ready_rx.recv())
            .await
            .expect("SUBACK")
            .unwrap();
        Self { rx, client, task }
    }

    /// Next message matching `pred` within `secs`.
    pub async fn wait(
        &mut self,
        secs: u64,
        pred: impl Fn(&str, &Value) -> bool,
    ) -> Option<(String, bool, Value)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) if pred(&m.0, &m.2) => return Some(m),
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    }

    /// Everything received within `ms` of quiet.
    pub async fn drain(&mut self, quiet_ms: u64) -> Vec<(String, bool, Value)> {
        let mut out = Vec::new();
        while let Ok(Some(m)) =
            tokio::time::timeout(Duration::from_millis(quiet_ms), self.rx.recv()).await
        {
            out.push(m);
        }
        out
    }
}

impl Drop for Sub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub mod browser;
#[macro_use]
pub mod in_process;
pub mod pg_cluster;
pub mod pg_load;
pub mod services;
#[allow(unused_imports)]
pub use services::*;

/// `YYYY-MM-DD` in Shanghai (UTC+8, no DST), `offset` days from today.
pub fn shanghai_day(offset: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 8 * 3600
        + offset * 86400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let dd = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{dd:02}")
}

/// The next bookable slot of `service` (today, else tomorrow) that starts more than two
/// minutes from now, as listed by the API.
pub async fn next_slot(base: &str, service: &str) -> String {
    for day in 0..2 {
        let path = format!(
            "/appointments/slots?service={service}&date={}",
            shanghai_day(day)
        );
        let (_, s) = req(base, "GET", &path, None, None).await;
        // Not one that starts within two minutes: it could close while the test books it.
        let soon = chrono::Utc::now() + chrono::Duration::minutes(2);
        let found = s["slots"].as_array().and_then(|a| {
            a.iter()
                .find(|x| {
                    x["bookable"] == true
                        && x["slot_start"]
                            .as_str()
                            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                            .is_some_and(|t| t > soon)
                })
                .cloned()
        });
        if let Some(x) = found {
            return x["slot_start"].as_str().unwrap().to_string();
        }
    }
    panic!("no bookable {service} slot today or tomorrow");
}

/// Signs in with `o` and returns how the broker answered the CONNECT (within 5 s).
pub async fn connack(o: MqttOptions) -> Result<(), rumqttc::ConnectionError> {
    let (_client, mut ev) = AsyncClient::new(o, 10);
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    })
    .await
    .expect("CONNACK within 5 s")
}
