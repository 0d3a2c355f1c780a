//! The outside services tests start or reach: PostgreSQL (a scratch database per test),
//! Mosquitto (a broker of the test's own, stopped and started at will), and the
//! environment variables that name the machine's own.
#![allow(dead_code)]

use super::hex_id;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Environment variable or a printed skip notice.
pub fn env_or_skip(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            println!("skipped: {var} not set ({what})");
            eprintln!("skipped: {var} not set ({what})");
            None
        }
    }
}

/// A fresh PostgreSQL database for one test, dropped at the end.
pub struct PgDb {
    pub url: String,
    admin: String,
    name: String,
}

impl PgDb {
    pub async fn create(admin_url: &str) -> Self {
        use sqlx::Connection;
        let name = format!("hallq_e2e_{}", hex_id());
        let mut c = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(admin_url);
        Self {
            url: format!("{base}/{name}"),
            admin: admin_url.to_string(),
            name,
        }
    }

    pub async fn drop_db(self) {
        use sqlx::Connection;
        if let Ok(mut c) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = sqlx::Executor::execute(
                &mut c,
                format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str(),
            )
            .await;
        }
    }
}

/// Host and port of `mqtt://HOST:PORT`.
pub fn mqtt_addr(url: &str) -> (String, u16) {
    let rest = url.trim_start_matches("mqtt://").trim_end_matches('/');
    let (h, p) = rest.rsplit_once(':').unwrap_or((rest, "1883"));
    (h.to_string(), p.parse().unwrap())
}

/// A Mosquitto of our own on a free port, so the test can stop and start it.
pub struct Mosquitto {
    child: Option<Child>,
    pub port: u16,
    conf: std::path::PathBuf,
}

pub fn mosquitto_bin() -> Option<String> {
    [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto",
        "/usr/local/sbin/mosquitto",
    ]
    .iter()
    .find(|p| std::path::Path::new(p).exists())
    .map(|p| p.to_string())
}

impl Mosquitto {
    pub fn new(dir: &std::path::Path, port: u16) -> Self {
        Self::with_conf(dir, port, "persistence false\n".into())
    }

    /// A broker that saves its sessions and queued messages when it is stopped with
    /// [`Mosquitto::terminate`] and loads them when it starts again, as a hall's would.
    pub fn persistent(dir: &std::path::Path, port: u16) -> Self {
        use std::os::unix::fs::MetadataExt;
        let store = format!("{}/", dir.display());
        // Started as root, Mosquitto drops to its own user, which cannot write into root's
        // private temp dir: keep root then (as another user it stays that user anyway).
        let root = std::fs::metadata(dir).is_ok_and(|m| m.uid() == 0);
        let user = if root { "user root\n" } else { "" };
        Self::with_conf(
            dir,
            port,
            format!("{user}persistence true\npersistence_location {store}\n"),
        )
    }

    fn with_conf(dir: &std::path::Path, port: u16, extra: String) -> Self {
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\n{extra}"),
        )
        .unwrap();
        Self {
            child: None,
            port,
            conf,
        }
    }

    /// Stops the broker the way an init system does (SIGTERM), so it saves its state.
    pub fn terminate(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }

    pub async fn start(&mut self) {
        let child = Command::new(mosquitto_bin().unwrap())
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        for _ in 0..100 {
            // Ours must still run: a broker that lost its port to another exits at once.
            let alive = self
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_none());
            assert!(alive, "mosquitto exited (port {} taken?)", self.port);
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("mosquitto did not start");
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.stop();
    }
}
