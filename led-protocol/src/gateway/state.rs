//! The gateway's state file, `{data_dir}/led-state.json`: what every board shows now, for
//! `hallq led show`. Written atomically (a temporary file renamed over it) within 250 ms of
//! a change, and every 5 s as a heartbeat; `stopped` is set when the gateway stops.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Notify};

/// The file's name in the data directory.
pub const FILE_NAME: &str = "led-state.json";
/// Longest delay between a change and the write.
pub const WRITE_WITHIN: Duration = Duration::from_millis(250);
/// Heartbeat: the file is rewritten this often even without changes.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// A file older than this means the gateway is gone (three heartbeats missed).
pub const STALE_AFTER: Duration = Duration::from_secs(15);

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// The hall's id.
    pub hall: String,
    /// The gateway's process id.
    pub pid: u32,
    /// When the gateway started, ms since the epoch.
    pub started_ms: u64,
    /// When this file was written, ms since the epoch.
    pub updated_ms: u64,
    /// The gateway stopped (a clean stop; a killed one only goes stale).
    pub stopped: bool,
    /// Whether the retained state was heard and the boards are being served.
    pub ready: bool,
    /// Every configured board, in config order.
    pub boards: Vec<BoardState>,
}

/// One board.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardState {
    /// Bus id.
    pub bus: String,
    /// Where the bus is (device path or `tcp://HOST:PORT`).
    pub place: String,
    /// Whether the bus's port is open.
    pub bus_open: bool,
    /// Board address.
    pub address: u16,
    /// `bx` or `alpha`.
    pub protocol: String,
    /// The window it serves, or `hall`.
    pub window: String,
    /// What it shows: the text of the last frame it acknowledged (boards without ACK: was
    /// sent). None before the first.
    pub text: Option<String>,
    /// Newer content not delivered yet.
    pub pending: Option<String>,
    /// Whether it answers (None: a board that never answers by design).
    pub answering: Option<bool>,
    /// Its last ACK, ms since the epoch.
    pub last_ack_ms: Option<u64>,
}

/// Milliseconds since the epoch now.
#[must_use]
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The shared state and its writer's wake-up.
#[derive(Debug)]
pub struct Shared {
    doc: Mutex<Doc>,
    changed: Notify,
}

impl Shared {
    /// A state with these boards, not ready.
    #[must_use]
    pub fn new(hall: String, boards: Vec<BoardState>) -> Arc<Self> {
        let now = now_ms();
        Arc::new(Self {
            doc: Mutex::new(Doc {
                hall,
                pid: std::process::id(),
                started_ms: now,
                updated_ms: now,
                stopped: false,
                ready: false,
                boards,
            }),
            changed: Notify::new(),
        })
    }

    /// Changes the document; the writer is woken when it changed.
    pub fn update(&self, f: impl FnOnce(&mut Doc)) {
        let mut doc = self.doc.lock().unwrap_or_else(|e| e.into_inner());
        let before = doc.clone();
        f(&mut doc);
        if *doc != before {
            self.changed.notify_one();
        }
    }

    /// A copy of the document.
    #[must_use]
    pub fn snapshot(&self) -> Doc {
        self.doc.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Writes `doc` to `path` atomically.
///
/// # Errors
/// The IO error of the write or the rename.
pub fn write_atomically(path: &Path, doc: &Doc) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let json = serde_json::to_vec_pretty(doc).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}

/// Reads the state file.
///
/// # Errors
/// A missing file, or one that is not a state document.
pub fn read(path: &Path) -> Result<Doc, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes the file on changes and heartbeats until `stop` turns true, then once more with
/// `stopped` set.
pub async fn run_writer(path: PathBuf, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut failed = false;
    let mut write = |doc: &mut Doc| {
        doc.updated_ms = now_ms();
        match write_atomically(&path, doc) {
            Ok(()) => failed = false,
            Err(e) if !failed => {
                failed = true;
                tracing::warn!(
                    "LED 状态文件无法写入 / cannot write {}: {e}",
                    path.display()
                );
            }
            Err(_) => {}
        }
    };
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            () = shared.changed.notified() => {
                // Let a burst of changes settle, well within the promised delay.
                tokio::time::sleep(WRITE_WITHIN / 3).await;
            }
            _ = heartbeat.tick() => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        let mut doc = shared.snapshot();
        write(&mut doc);
    }
    let mut doc = shared.snapshot();
    doc.stopped = true;
    write(&mut doc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_atomically_and_read_back() {
        let dir = std::env::temp_dir().join(format!("hallq-led-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        let shared = Shared::new(
            "h".into(),
            vec![BoardState {
                bus: "b".into(),
                address: 1,
                window: "1".into(),
                ..BoardState::default()
            }],
        );
        shared.update(|d| d.boards[0].text = Some("请A001号".into()));
        let doc = shared.snapshot();
        write_atomically(&path, &doc).unwrap();
        assert!(!path.with_extension("json.tmp").exists());
        assert_eq!(read(&path).unwrap(), doc);
        std::fs::write(&path, b"{").unwrap();
        assert!(read(&path).unwrap_err().contains(FILE_NAME));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read(&path).is_err());
    }
}
