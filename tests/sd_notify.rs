//! systemd readiness through the real binary: the test plays the service manager. It binds
//! a unix datagram socket, starts `hallq run` with `NOTIFY_SOCKET` pointing at it (as
//! systemd does for `Type=notify`) and reads what arrives: `READY=1` only once the HTTP
//! port answers, `RELOADING=1` and a fresh `READY=1` around a SIGHUP reload, `STOPPING=1`
//! on SIGTERM, and no `READY=1` at all from a start that fails after the port is bound.

mod common;
use common::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::UnixDatagram;

/// `hallq run` on free ports in `dir`, notifying `sock`; output goes to `dir/hallq.log`.
fn spawn(dir: &Path, config: &str, sock: &Path) -> (Child, String) {
    let cfg = dir.join("hall.toml");
    std::fs::write(&cfg, config).unwrap();
    let log = std::fs::File::create(dir.join("hallq.log")).unwrap();
    let http = format!("127.0.0.1:{}", free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .arg("run")
        .arg("--config")
        .arg(&cfg)
        .args(["--listen", &http])
        .arg("--data-dir")
        .arg(dir)
        .args(["--mqtt-listen", &format!("127.0.0.1:{}", free_port())])
        .env("NOTIFY_SOCKET", sock)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    (child, format!("http://{http}/api/v1/health"))
}

/// The next notification (one datagram, `KEY=VALUE` lines), or None after `secs`.
async fn next(sock: &UnixDatagram, secs: u64) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(secs), sock.recv(&mut buf))
        .await
        .ok()?
        .unwrap();
    Some(String::from_utf8(buf[..n].to_vec()).unwrap())
}

/// Reads notifications until one has the line `want`; panics (with the log) after 30 s.
async fn wait_for(sock: &UnixDatagram, want: &str, dir: &Path) -> String {
    loop {
        match next(sock, 30).await {
            Some(m) if m.lines().any(|l| l == want) => return m,
            Some(_) => continue,
            None => panic!(
                "no {want} within 30 s; log:\n{}",
                std::fs::read_to_string(dir.join("hallq.log")).unwrap_or_default()
            ),
        }
    }
}

/// One GET, no retry: the port must answer at once.
async fn health_now(url: &str) -> u16 {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    match client.get(url).send().await {
        Ok(r) => r.status().as_u16(),
        Err(e) => panic!("{url} did not answer right after READY=1: {e}"),
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} failed");
}

#[tokio::test]
async fn ready_reloading_stopping() {
    let tmp = tempfile::tempdir().unwrap();
    let sock_path = tmp.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    let (mut child, health) = spawn(tmp.path(), &demo_config(&[]), &sock_path);

    let ready = wait_for(&sock, "READY=1", tmp.path()).await;
    assert_eq!(health_now(&health).await, 200, "health after READY=1");
    assert!(ready.contains("STATUS=serving on 127.0.0.1:"), "{ready:?}");

    // SIGHUP with a valid file: RELOADING=1 (with MONOTONIC_USEC, as systemd asks), then
    // the restarted process reports READY=1 again once it serves.
    signal(&child, "-HUP");
    let reloading = wait_for(&sock, "RELOADING=1", tmp.path()).await;
    assert!(
        reloading.lines().any(|l| l.starts_with("MONOTONIC_USEC=")),
        "{reloading:?}"
    );
    wait_for(&sock, "READY=1", tmp.path()).await;
    assert_eq!(health_now(&health).await, 200, "health after the reload");
    assert!(
        child.try_wait().unwrap().is_none(),
        "same process after reload"
    );

    signal(&child, "-TERM");
    wait_for(&sock, "STOPPING=1", tmp.path()).await;
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "exit after SIGTERM: {status}");
}

#[tokio::test]
async fn failed_start_never_reports_ready() {
    let tmp = tempfile::tempdir().unwrap();
    let sock_path = tmp.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    // The identity key comes from an environment variable nobody set (as with a missing
    // EnvironmentFile line): the start fails after the HTTP port is bound.
    let var = format!("HALLQ_TEST_UNSET_{}", hex_id());
    let cfg = demo_config(&[(
        "id_hash_key = \"demo-only-id-hash-key\"",
        format!("id_hash_key_env = \"{var}\""),
    )]);
    let (mut child, _) = spawn(tmp.path(), &cfg, &sock_path);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let log = std::fs::read_to_string(tmp.path().join("hallq.log")).unwrap();
    assert!(!status.success(), "hallq started without its key: {log}");
    assert!(log.contains(&var), "the error names the variable: {log}");
    while let Some(m) = next(&sock, 1).await {
        assert!(
            !m.lines().any(|l| l == "READY=1"),
            "READY=1 from a failed start"
        );
    }
}
