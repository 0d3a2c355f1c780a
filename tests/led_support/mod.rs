//! What the LED tests share: a recorder of what emulated boards show, and an emulated
//! board behind a pty with a stable symlink and a power switch.
#![allow(dead_code)]

use led_protocol::emulator::Seen;
use led_protocol::gateway::emulate::{self, EmulatorOptions};
use led_protocol::show::Protocol;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What the boards of one emulated line showed: (address, text), in order.
pub struct Shown {
    rx: mpsc::UnboundedReceiver<(String, String)>,
    tx: mpsc::UnboundedSender<(String, String)>,
    log: Vec<(String, String)>,
    mark: usize,
}

impl Shown {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            rx,
            tx,
            log: Vec::new(),
            mark: 0,
        }
    }

    pub fn sink(&self) -> Arc<dyn Fn(&Seen) + Send + Sync> {
        let tx = self.tx.clone();
        Arc::new(move |seen: &Seen| {
            if let Seen::Frame {
                description,
                text: Some(text),
                ..
            } = seen
            {
                let addr = description["header"]["dst"].to_string();
                let _ = tx.send((addr, text.clone()));
            }
        })
    }

    /// From now on, [`Shown::wait`] ignores what was shown before.
    pub fn mark(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            self.log.push(m);
        }
        self.mark = self.log.len();
    }

    /// Waits until board `addr` shows `text` (since the last mark); panics with everything
    /// seen otherwise.
    pub async fn wait(&mut self, addr: u16, text: &str, secs: u64) {
        self.wait_for(addr, text, Duration::from_secs(secs)).await;
    }

    /// [`Shown::wait`] with a deadline in any unit.
    pub async fn wait_for(&mut self, addr: u16, text: &str, within: Duration) {
        let want = (addr.to_string(), text.to_string());
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.log[self.mark..].contains(&want) {
                return;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => self.log.push(m),
                _ => panic!(
                    "board {addr} did not show {text:?} within {within:?}; saw {:?}",
                    &self.log[self.mark..]
                ),
            }
        }
    }

    /// Everything shown (since the last mark) after `ms` more of quiet.
    pub async fn drain(&mut self, ms: u64) -> Vec<(String, String)> {
        while let Ok(Some(m)) =
            tokio::time::timeout(Duration::from_millis(ms), self.rx.recv()).await
        {
            self.log.push(m);
        }
        self.log[self.mark..].to_vec()
    }
}

/// An emulated BX line (boards at any address) behind a pty, reachable at a stable
/// symlink (what a udev rule gives a USB adapter). Dropping it is pulling the plug.
pub struct PtyBoard {
    task: JoinHandle<()>,
    link: std::path::PathBuf,
    /// The boards' power switch.
    pub powered: Arc<AtomicBool>,
}

impl PtyBoard {
    pub fn plug(link: &Path, sink: Arc<dyn Fn(&Seen) + Send + Sync>) -> Self {
        let (master, slave, path) = emulate::open_pty().expect("a pty");
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(&path, link).unwrap();
        let opts = EmulatorOptions::new(Protocol::Bx);
        let powered = opts.powered.clone();
        let task = tokio::spawn(async move {
            let _slave = slave;
            let _ = emulate::serve(master, &opts, &*sink).await;
        });
        Self {
            task,
            link: link.to_path_buf(),
            powered,
        }
    }

    /// Switches the boards on or off.
    pub fn power(&self, on: bool) {
        self.powered.store(on, Ordering::Relaxed);
    }
}

impl Drop for PtyBoard {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.link);
    }
}
