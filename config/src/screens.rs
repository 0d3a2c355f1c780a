//! Lobby TV screens served by the display-client.

use serde::Deserialize;

/// One `[[screens]]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Screen {
    /// Id, served at `/screens/{id}`.
    pub id: String,
}
