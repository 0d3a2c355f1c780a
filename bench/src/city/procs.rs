//! The processes of the city under test: a Mosquitto of the benchmark's own (the city's
//! external broker) and `--replicas` `hallq controller` processes on the same city file and
//! database, each on its own port. Dropping [`Procs`] kills them all.

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The broker and the controllers.
pub(crate) struct Procs {
    broker: Option<Child>,
    controllers: Vec<Child>,
    /// `http://127.0.0.1:PORT` of each controller, in start order.
    pub(crate) origins: Vec<String>,
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

impl Procs {
    /// Starts Mosquitto on `mqtt_port` (its config written into `dir`).
    pub(crate) async fn broker(dir: &Path, mqtt_port: u16) -> anyhow::Result<Self> {
        let bin = mosquitto_bin()
            .context("`city` needs Mosquitto (apt-get install mosquitto): the city's broker")?;
        let conf = dir.join("mosquitto.conf");
        // Enough in-flight and queued messages for the subscribers of 20 halls' events.
        std::fs::write(
            &conf,
            format!(
                "listener {mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n\
                 max_queued_messages 100000\nmax_inflight_messages 0\n"
            ),
        )?;
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start mosquitto")?;
        let procs = Self {
            broker: Some(child),
            controllers: Vec::new(),
            origins: Vec::new(),
        };
        crate::fanout::wait_up(mqtt_port)
            .await
            .context("mosquitto did not start")?;
        Ok(procs)
    }

    /// Starts one more `hallq controller` on `city` and waits until it answers. The
    /// controllers are started one after the other: the first migrates the database and
    /// makes the development identity key in the shared data dir, which the others read.
    pub(crate) async fn controller(
        &mut self,
        hallq: &Path,
        city: &Path,
        data_dir: &Path,
    ) -> anyhow::Result<()> {
        let port = crate::loads::free_port()?;
        let child = Command::new(hallq)
            .args(["controller", "--config"])
            .arg(city)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(crate::loads::server_log())
            .stderr(crate::loads::server_log())
            .spawn()
            .with_context(|| format!("start {}", hallq.display()))?;
        self.controllers.push(child);
        let origin = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..1200 {
            let up = client
                .get(format!("{origin}/api/v1/health"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if up {
                self.origins.push(origin);
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.controllers.last_mut().map(Child::try_wait) {
                anyhow::bail!(
                    "hallq controller exited with {status} (run with RUST_LOG=info to see why)"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("hallq controller did not answer /api/v1/health within 60 s")
    }

    /// The controllers' process ids, in start order.
    pub(crate) fn pids(&self) -> Vec<u32> {
        self.controllers.iter().map(Child::id).collect()
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        for c in self.controllers.iter_mut().chain(self.broker.iter_mut()) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
