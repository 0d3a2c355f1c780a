//! Kiosks' live channels: the ID card check-ins a kiosk's screen is told of.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Per-kiosk message channels. Cheap to clone.
#[derive(Clone, Default)]
pub struct KioskHub(Arc<Mutex<HashMap<String, broadcast::Sender<Arc<str>>>>>);

impl KioskHub {
    /// The channel of `kiosk` (made on first use).
    pub(crate) fn channel(&self, kiosk: &str) -> broadcast::Sender<Arc<str>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(kiosk.to_string())
            .or_insert_with(|| broadcast::channel(16).0)
            .clone()
    }

    /// Tells the kiosk's open screens.
    pub fn send(&self, kiosk: &str, msg: serde_json::Value) {
        let _ = self.channel(kiosk).send(Arc::from(msg.to_string()));
    }
}
