//! `hallq run` refuses to start with identity settings that expose citizens: the
//! development identity provider on a non-loopback listener (unless
//! `HALLQ_ALLOW_DEV_IDENTITY=1`), and — outside the demo — an ID hash key that is not
//! from the environment, shorter than 32 bytes, or the published demo key. Each refusal
//! names what to change; the accepted variants start and answer `/health`.

mod common;

use common::{demo_config, free_port};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const GOOD_KEY: &str = "3f9a1c0e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a";

/// The demo config with `edits`, started on `listen` with `env` (and nothing inherited
/// that could change the outcome).
fn spawn(
    dir: &tempfile::TempDir,
    edits: &[(&str, String)],
    listen: &str,
    env: &[(&str, &str)],
) -> (Child, std::path::PathBuf) {
    let mut edits = edits.to_vec();
    edits.push((
        "id = \"haikou\"",
        format!("id = \"{}\"", common::unique_hall()),
    ));
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, demo_config(&edits)).unwrap();
    let log_path = dir.path().join("hallq.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["run", "--config"])
        .arg(&config)
        .args(["--listen", listen])
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--mqtt-listen", &format!("127.0.0.1:{}", free_port())])
        .env_remove("HALLQ_ALLOW_DEV_IDENTITY")
        .env_remove("HALLQ_ID_HASH_KEY")
        .envs(env.iter().copied())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    (child, log_path)
}

/// Waits for the process to exit (refusal) or to answer `/health` on `port`.
async fn outcome(child: &mut Child, port: u16) -> Result<(), std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = reqwest::Client::new();
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Err(status);
        }
        let url = format!("http://127.0.0.1:{port}/api/v1/health");
        if let Ok(r) = client.get(url).send().await {
            if r.status() == 200 {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("hallq neither started nor exited within 30 s");
}

async fn refused(edits: &[(&str, String)], listen_all: bool, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let host = if listen_all { "0.0.0.0" } else { "127.0.0.1" };
    let (mut child, log) = spawn(&dir, edits, &format!("{host}:{port}"), env);
    let r = outcome(&mut child, port).await;
    let text = std::fs::read_to_string(log).unwrap_or_default();
    if r.is_ok() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("hallq started although it must refuse:\n{text}");
    }
    assert!(!r.unwrap_err().success());
    text
}

async fn starts(edits: &[(&str, String)], listen_all: bool, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let host = if listen_all { "0.0.0.0" } else { "127.0.0.1" };
    let (mut child, log) = spawn(&dir, edits, &format!("{host}:{port}"), env);
    let r = outcome(&mut child, port).await;
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(r.is_ok(), "hallq did not start: {r:?}\n{text}");
    text
}

fn key_from_env() -> Vec<(&'static str, String)> {
    vec![
        ("dev_provider = true", "dev_provider = false".to_string()),
        common::identity_provider_edit(),
        (
            "id_hash_key = \"demo-only-id-hash-key\"",
            "id_hash_key_env = \"HALLQ_ID_HASH_KEY\"".to_string(),
        ),
    ]
}

#[tokio::test]
async fn dev_provider_refuses_a_lan_listener_without_the_opt_in() {
    let text = refused(&[], true, &[]).await;
    assert!(text.contains("identity.dev_provider"), "{text}");
    assert!(text.contains("HALLQ_ALLOW_DEV_IDENTITY"), "{text}");

    let text = starts(&[], true, &[("HALLQ_ALLOW_DEV_IDENTITY", "1")]).await;
    assert!(
        text.contains("DEVELOPMENT IDENTITY PROVIDER ACTIVE"),
        "the start-up warning lists the provider:\n{text}"
    );
    // Only "1" opts in.
    refused(&[], true, &[("HALLQ_ALLOW_DEV_IDENTITY", "yes")]).await;
}

#[tokio::test]
async fn demo_on_loopback_starts_with_its_warnings() {
    let text = starts(&[], false, &[]).await;
    assert!(
        text.contains("DEVELOPMENT IDENTITY PROVIDER ACTIVE"),
        "{text}"
    );
    assert!(text.contains("DEMO ID HASH KEY"), "{text}");
}

#[tokio::test]
async fn outside_the_demo_the_id_hash_key_comes_from_the_environment() {
    // The key in the file (the demo's) is refused once the dev provider is off.
    let file_key = [
        ("dev_provider = true", "dev_provider = false".to_string()),
        common::identity_provider_edit(),
    ];
    let text = refused(&file_key, false, &[]).await;
    assert!(text.contains("identity.id_hash_key_env"), "{text}");
    // Named but unset, too short, or the demo key: refused, naming the variable.
    let text = refused(&key_from_env(), false, &[]).await;
    assert!(text.contains("HALLQ_ID_HASH_KEY"), "{text}");
    let text = refused(
        &key_from_env(),
        false,
        &[("HALLQ_ID_HASH_KEY", "short-key-16byte")],
    )
    .await;
    assert!(
        text.contains("HALLQ_ID_HASH_KEY") && text.contains("32"),
        "{text}"
    );
    let text = refused(
        &key_from_env(),
        false,
        &[("HALLQ_ID_HASH_KEY", "demo-only-id-hash-key")],
    )
    .await;
    assert!(text.contains("demo key"), "{text}");
    // A real key starts, on a LAN listener too.
    let text = starts(&key_from_env(), true, &[("HALLQ_ID_HASH_KEY", GOOD_KEY)]).await;
    assert!(!text.contains("DEVELOPMENT IDENTITY PROVIDER"), "{text}");
}

#[tokio::test]
async fn rotation_needs_the_previous_key_too() {
    let mut edits = key_from_env();
    edits.push((
        "dev_provider = false",
        "dev_provider = false\nid_hash_key_version = 2\nid_hash_key_previous_env = \"HALLQ_ID_HASH_KEY_PREVIOUS\"".to_string(),
    ));
    let env = [("HALLQ_ID_HASH_KEY", GOOD_KEY)];
    let text = refused(&edits, false, &env).await;
    assert!(text.contains("HALLQ_ID_HASH_KEY_PREVIOUS"), "{text}");
    let prev = "0".repeat(64);
    starts(
        &edits,
        false,
        &[
            ("HALLQ_ID_HASH_KEY", GOOD_KEY),
            ("HALLQ_ID_HASH_KEY_PREVIOUS", &prev),
        ],
    )
    .await;
}
