//! Config reload: an admin (or SIGHUP) asks; the file is validated first, and only a valid
//! file is taken — by a graceful restart of the process in place, so every part (windows,
//! services, tokens, screens, boards, broker accounts) picks it up the same way. A bad file
//! is refused with its problems listed, and the config in force stays.

use hallq_config::{load_deployment, ConfigError};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

/// Where the config lives and whom to tell when a valid one should be taken.
pub struct Reload {
    /// The config file the process was started with.
    pub path: PathBuf,
    /// Notified when a reload was accepted.
    pub requested: Arc<Notify>,
}

/// Every problem of the config file (and, for a city file, of every hall file it names), one `FILE:LINE:COL: key: message` line each; empty
/// when it is valid.
pub fn problems(path: &std::path::Path) -> Vec<String> {
    match load_deployment(path) {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}
