//! The dashboard and the exposition checked by Prometheus itself (Debian's `prometheus`
//! package; skipped when it is not installed): `promtool check metrics` lints the real
//! binary's `/metrics`, `promtool check rules` parses every dashboard query, and a real
//! Prometheus, configured with `deploy/prometheus/prometheus.yml`, scrapes the hall and
//! answers every dashboard query with data.

mod common;
mod grafana;
use common::*;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A program on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A dashboard query with Grafana's variables replaced as Grafana would for "All"
/// instances and a 1 h range ($__rate_interval: 1 m, four times this test's scrape
/// interval, well above Grafana's minimum).
fn as_promql(expr: &str) -> String {
    let out = expr
        .replace("$__rate_interval", "1m")
        .replace("$__range", "1h")
        .replace("$instance", ".*");
    assert!(!out.contains('$'), "a Grafana variable left in {out}");
    out
}

/// Runs a command, feeding `stdin`; panics with its output when it fails.
fn run_ok(cmd: &mut Command, stdin: &str) -> String {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed: {text}");
    text
}

/// A Prometheus server, stopped when dropped.
struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The sample scrape config, pointed at `target` and scraping every second.
fn scrape_config(target: &str) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/prometheus/prometheus.yml"
    );
    let sample = std::fs::read_to_string(path).unwrap();
    assert!(sample.contains("127.0.0.1:8080") && sample.contains("scrape_interval: 15s"));
    sample
        .replace("127.0.0.1:8080", target)
        .replace("scrape_interval: 15s", "scrape_interval: 1s")
}

/// A GET of Prometheus's HTTP API; panics unless it answers `success`.
async fn api(base: &str, path: &str, param: (&str, &str)) -> Value {
    let r: Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/{path}"))
        .query(&[param])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "success", "{path} {param:?}: {r}");
    r["data"].clone()
}

/// An instant query's result vector.
async fn query(base: &str, q: &str) -> Vec<Value> {
    let data = api(base, "query", ("query", q)).await;
    data["result"].as_array().cloned().unwrap_or_default()
}

/// Waits until Prometheus holds at least `n` scrapes of the hall in the last minute.
async fn wait_scrapes(base: &str, n: f64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = query(base, "count_over_time(up{job=\"hallq\"}[1m])").await;
        let have = r
            .first()
            .and_then(|s| s["value"][1].as_str()?.parse::<f64>().ok());
        if have.is_some_and(|h| h >= n) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus did not scrape {n} times"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn start_prometheus(dir: &Path, target: &str) -> (Prometheus, String) {
    let bin = on_path("prometheus").unwrap();
    let conf = dir.join("prometheus.yml");
    std::fs::write(&conf, scrape_config(target)).unwrap();
    run_ok(
        Command::new(on_path("promtool").unwrap())
            .args(["check", "config"])
            .arg(&conf),
        "",
    );
    let port = free_port();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", conf.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let server = Prometheus(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = reqwest::get(format!("{base}/-/ready")).await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        let log = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
        assert!(Instant::now() < deadline, "Prometheus not ready: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, base)
}

#[tokio::test]
async fn prometheus_reads_the_exposition_and_answers_every_dashboard_query() {
    let (Some(promtool), Some(_)) = (on_path("promtool"), on_path("prometheus")) else {
        println!("skipped: prometheus (Debian package `prometheus` not installed)");
        eprintln!("skipped: prometheus (Debian package `prometheus` not installed)");
        return;
    };
    let dash = grafana::load();
    let hall = Hall::start(HallOpts::default()).await;
    hall.ticket("property").await;
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    let target = format!("127.0.0.1:{}", hall.http_port);

    // Prometheus's own linter accepts the exposition as it is.
    let text = reqwest::get(format!("http://{target}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    run_ok(Command::new(&promtool).args(["check", "metrics"]), &text);

    // Prometheus's own parser accepts every dashboard query (as recording rules).
    let panel_queries: Vec<_> = grafana::queries(&dash)
        .into_iter()
        .filter(|q| !q.variable)
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, q) in panel_queries.iter().enumerate() {
        let expr = serde_json::to_string(&as_promql(&q.expr)).unwrap();
        rules += &format!("      - record: dashboard:query{i}\n        expr: {expr}\n");
    }
    let rules_file = tmp.path().join("rules.yml");
    std::fs::write(&rules_file, rules).unwrap();
    run_ok(
        Command::new(&promtool)
            .args(["check", "rules"])
            .arg(&rules_file),
        "",
    );

    // A real Prometheus with the sample config scrapes the hall; more traffic lands
    // between its scrapes, so every rate has something to show.
    let (_server, base) = start_prometheus(tmp.path(), &target).await;
    wait_scrapes(&base, 3.0).await;
    hall.ticket("property").await;
    hall.ticket("consult").await;
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    wait_scrapes(&base, 6.0).await;

    let mut empty = Vec::new();
    for q in &panel_queries {
        let result = query(&base, &as_promql(&q.expr)).await;
        // Queries of 5xx answers alone have no data on a hall that answered none.
        let only_5xx = q.expr.contains("status=~\"5..\"}") && !q.expr.contains("or vector(0)");
        if result.is_empty() && !only_5xx {
            empty.push(format!("{}: {}", q.place, q.expr));
        }
    }
    assert!(empty.is_empty(), "no data: {empty:#?}");
    let waiting = query(&base, "max by (service) (hallq_queue_waiting)").await;
    assert_eq!(waiting.len(), 8, "one series per configured service");

    // The instance variable lists this hall.
    let instances = api(
        &base,
        "label/instance/values",
        ("match[]", "hallq_broker_connected"),
    )
    .await;
    assert_eq!(instances, serde_json::json!([target]));
}
