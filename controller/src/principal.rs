//! Who is asking: a device token from the config or a staff member's session, as a
//! [`Principal`] with its role and window. (The HTTP layer reads it from the request and
//! checks it: `api::auth`.)

use hallq_config::{Role, Settings};
use std::collections::HashMap;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Credential name (for logs).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Window of a clerk or button.
    pub window: Option<String>,
    /// What pages show (a staff member's name; the credential name for devices).
    pub display: String,
    /// The staff session behind the token: (id, end in ms).
    pub session: Option<(i64, i64)>,
    /// Declared in the city file: acts in every hall (a city-wide admin).
    pub city_wide: bool,
}

/// Prefix of staff session tokens.
pub const SESSION_PREFIX: &str = "hqs_";

/// Token hash → principal.
pub fn token_table(cfg: &Settings) -> HashMap<String, Principal> {
    cfg.credentials
        .iter()
        .map(|c| {
            (
                c.token_sha256.clone(),
                Principal {
                    name: c.name.clone(),
                    role: c.role,
                    window: c.window.clone(),
                    display: c.name.clone(),
                    session: None,
                    city_wide: c.city_wide,
                },
            )
        })
        .collect()
}
