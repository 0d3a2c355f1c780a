//! The hall under test for `day`: its own Mosquitto (persistent, so a restart keeps the
//! sessions and queued calls, as a hall's broker does) and a `hallq run` process on SQLite in
//! a temp dir or on a scratch PostgreSQL database; restarts of either; and what is read from
//! outside the process: RSS, open file descriptors, database and WAL size, and the outbox
//! backlog from the controller's own `/metrics`.

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One reading of the hall's resources.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    pub(crate) rss_mb: f64,
    pub(crate) fds: u64,
    pub(crate) db_mb: f64,
    pub(crate) wal_mb: f64,
    /// `hallq_outbox_unsent`; None when the controller did not answer.
    pub(crate) outbox: Option<u64>,
}

pub(crate) struct Hall {
    hallq: PathBuf,
    cfg_path: PathBuf,
    dir: tempfile::TempDir,
    http: u16,
    mqtt: u16,
    child: Option<Child>,
    broker: Option<Child>,
    broker_conf: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub(crate) origin: String,
    /// (admin URL, scratch database URL) on PostgreSQL.
    pg: Option<(String, String)>,
}

fn mosquitto_bin() -> Option<PathBuf> {
    [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto",
        "/usr/local/sbin/mosquitto",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// The demo config made a long day's hall: 4-digit numbers and no daily cap (a compressed
/// day issues thousands per service), 5-minute booking slots (today's remaining slots must
/// hold the day's bookings), the per-address limits lifted (every citizen comes from the
/// load generator's one address), the external broker, and PostgreSQL when given.
pub(crate) fn day_config(src: &str, mqtt_port: u16, database_url: Option<&str>) -> String {
    let lifted = "{ max = 1000000, per_secs = 1 }";
    src.lines()
        .filter(|l| !l.trim_start().starts_with("daily_cap"))
        .map(|l| {
            let t = l.trim_start();
            if l.trim() == "width = 3" {
                "width = 4".to_string()
            } else if t.starts_with("slot_minutes = ") {
                "slot_minutes = 5".to_string()
            } else if t.starts_with("mode = \"embedded\"") {
                format!("mode = \"external\"\nurl = \"mqtt://127.0.0.1:{mqtt_port}\"")
            } else if let Some(u) = database_url.filter(|_| t.starts_with("# database_url = ")) {
                format!("database_url = \"{u}\"")
            } else if let Some(k) = ["bookings", "dev_identities", "code_lookups"]
                .into_iter()
                .find(|k| t.starts_with(&format!("{k} = {{")))
            {
                format!("{k} = {lifted}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Hall {
    pub(crate) async fn start(
        config: &Path,
        hallq: PathBuf,
        postgres: Option<&str>,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (http, mqtt) = (crate::loads::free_port()?, crate::loads::free_port()?);
        let pg = match postgres {
            Some(url) => Some(crate::loads::create_pg(url).await?),
            None => None,
        };
        if let Some((_, url)) = &pg {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(url).await?;
            let on: String = sqlx::query_scalar("SHOW autovacuum")
                .fetch_one(&mut c)
                .await?;
            println!(
                "PostgreSQL autovacuum = {on} (off: dead ticket rows pile up and calls slow down)"
            );
        }
        let src = std::fs::read_to_string(config).context("config")?;
        let cfg_path = dir.path().join("hall.toml");
        let cfg = day_config(&src, mqtt, pg.as_ref().map(|(_, u)| u.as_str()));
        std::fs::write(&cfg_path, cfg)?;
        let broker_conf = dir.path().join("mosquitto.conf");
        {
            use std::os::unix::fs::MetadataExt;
            // Started as root, Mosquitto drops to its own user, which cannot write here.
            let root = std::fs::metadata(dir.path()).is_ok_and(|m| m.uid() == 0);
            std::fs::write(
                &broker_conf,
                format!(
                    "listener {mqtt} 127.0.0.1\nallow_anonymous true\npersistence true\n\
                     persistence_location {}/\n{}",
                    dir.path().display(),
                    if root { "user root\n" } else { "" }
                ),
            )?;
        }
        let mut hall = Self {
            hallq,
            cfg_path,
            dir,
            http,
            mqtt,
            child: None,
            broker: None,
            broker_conf,
            origin: format!("http://127.0.0.1:{http}"),
            pg,
        };
        hall.start_broker().await?;
        hall.start_controller().await?;
        Ok(hall)
    }

    pub(crate) fn mqtt_port(&self) -> u16 {
        self.mqtt
    }

    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub(crate) async fn start_broker(&mut self) -> anyhow::Result<()> {
        let bin = mosquitto_bin().context(
            "`day` needs Mosquitto (apt-get install mosquitto): it restarts the broker mid-day",
        )?;
        self.broker = Some(
            Command::new(bin)
                .arg("-c")
                .arg(&self.broker_conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        );
        crate::fanout::wait_up(self.mqtt)
            .await
            .context("mosquitto did not start")
    }

    /// Stops the broker as an init system does (SIGTERM: it saves its sessions).
    pub(crate) fn stop_broker(&mut self) {
        if let Some(mut c) = self.broker.take() {
            signal(c.id(), "-TERM");
            let _ = c.wait();
        }
    }

    pub(crate) async fn start_controller(&mut self) -> anyhow::Result<()> {
        let child = Command::new(&self.hallq)
            .args(["run", "--config"])
            .arg(&self.cfg_path)
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--listen", &format!("127.0.0.1:{}", self.http)])
            .stdout(crate::loads::server_log())
            .stderr(crate::loads::server_log())
            .spawn()?;
        self.child = Some(child);
        let client = reqwest::Client::new();
        for _ in 0..600 {
            let url = format!("{}/api/v1/health", self.origin);
            if client
                .get(url)
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("hallq run did not answer /health within 30 s")
    }

    /// Kills the controller as a power cut or a crash would (SIGKILL).
    pub(crate) fn kill_controller(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// RSS and open files of the controller, the database's and WAL's size, the backlog.
    pub(crate) async fn sample(&self, client: &reqwest::Client) -> Sample {
        let mut s = Sample::default();
        if let Some(pid) = self.pid() {
            s.rss_mb = crate::fanout::rss_kb(pid) as f64 / 1024.0;
            s.fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count() as u64);
        }
        match &self.pg {
            None => {
                let size = |name: &str| {
                    std::fs::metadata(self.dir.path().join(name)).map_or(0.0, |m| m.len() as f64)
                };
                s.db_mb = size("hallq.db") / 1e6;
                s.wal_mb = size("hallq.db-wal") / 1e6;
            }
            Some((_, url)) => {
                if let Ok((db, wal)) = pg_sizes(url).await {
                    (s.db_mb, s.wal_mb) = (db / 1e6, wal / 1e6);
                }
            }
        }
        s.outbox = outbox_unsent(client, &self.origin).await;
        s
    }

    /// Stops everything and drops the scratch database.
    pub(crate) async fn stop(mut self) {
        self.kill_controller();
        self.stop_broker();
        if let Some((admin, url)) = self.pg.take() {
            crate::loads::drop_pg(&admin, &url).await;
        }
    }
}

impl Drop for Hall {
    fn drop(&mut self) {
        self.kill_controller();
        if let Some(mut c) = self.broker.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
}

/// The scratch database's size and the server's WAL directory (bytes).
async fn pg_sizes(url: &str) -> anyhow::Result<(f64, f64)> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url).await?;
    let db: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&mut c)
        .await?;
    let wal: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM pg_ls_waldir()")
            .fetch_one(&mut c)
            .await?;
    Ok((db as f64, wal as f64))
}

/// `hallq_outbox_unsent` as the controller reports it.
async fn outbox_unsent(client: &reqwest::Client, origin: &str) -> Option<u64> {
    let r = client
        .get(format!("{origin}/metrics"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    let text = r.text().await.ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("hallq_outbox_unsent "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
}

#[cfg(test)]
mod tests {
    use super::day_config;

    #[test]
    fn the_day_config_is_a_valid_hall_with_the_changes() {
        let src = include_str!("../../../config/examples/demo-hall.toml");
        let cfg = day_config(src, 19999, Some("postgres://u@127.0.0.1:5432/x"));
        let s = hallq_config::load_str("day", &cfg).expect("valid config");
        assert_eq!(s.broker.mode, hallq_config::BrokerMode::External);
        assert!(s
            .sections
            .iter()
            .flat_map(|x| &x.services)
            .all(|x| x.width == 4
                && x.daily_cap.is_none()
                && x.booking.as_ref().is_none_or(|b| b.slot_minutes == 5)));
        assert_eq!(s.limits.code_lookups.max.get(), 1_000_000);
        assert!(s.server.database_url.is_some());
    }
}
