//! LED boards: serial/TCP buses, the boards on them, and what they show.

use serde::Deserialize;

/// The `[led]` section (empty = no LED gateway).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LedSettings {}
