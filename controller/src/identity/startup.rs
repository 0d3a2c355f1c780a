//! The start-up rules for identity and personal data, checked by `hallq run` /
//! `hallq controller` before the controller starts. Pure: the listener's address and the
//! environment are passed in.
//!
//! - The **development identity provider** (`identity.dev_provider`) hands out
//!   identities to anyone who asks, so it runs only when the HTTP listener is loopback,
//!   or when [`ALLOW_DEV_ENV`]`=1` allows it on purpose.
//! - **The demo** is a hall whose development identity provider runs (by the rule
//!   above). Only there may the ID hash key come from the file (`id_hash_key`).
//! - **Outside the demo**, when the hall hashes ID numbers (a bookable service, or a key
//!   configured), the key must come from the environment variable named by
//!   `identity.id_hash_key_env`, be at least
//!   [`MIN_ID_HASH_KEY_BYTES`](hallq_config::identity::MIN_ID_HASH_KEY_BYTES) bytes and not the
//!   demo key; the same holds for the previous key during a rotation.

use hallq_config::identity::{key_problem, DEMO_ID_HASH_KEY, KEY_HOWTO};
use hallq_config::Settings;
use std::net::SocketAddr;

/// The environment variable that allows the development provider on a non-loopback
/// listener.
pub use hallq_config::identity::ALLOW_DEV_ENV;

/// What start-up found acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Startup {
    /// This is the demo (the development identity provider runs).
    pub demo: bool,
    /// Warnings to log at start-up.
    pub warnings: Vec<String>,
}

/// Checks the rules for a controller whose HTTP listener is bound to `listen`; `env`
/// reads an environment variable.
///
/// # Errors
/// A message naming the config key or environment variable to change.
pub fn check(
    cfg: &Settings,
    listen: SocketAddr,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Startup, String> {
    let id = &cfg.identity;
    let mut warnings = Vec::new();
    let demo = id.dev_provider;
    if id.dev_provider {
        let opted_in = env(ALLOW_DEV_ENV).as_deref() == Some("1");
        if !listen.ip().is_loopback() && !opted_in {
            return Err(format!(
                "the development identity provider (identity.dev_provider = true) hands out \
                 identities for any name and ID number, so it runs only on a loopback listener; \
                 this one is {listen}. Set identity.dev_provider = false (real halls), or \
                 {ALLOW_DEV_ENV}=1 to allow it on purpose"
            ));
        }
        warnings.push(format!(
            "DEVELOPMENT IDENTITY PROVIDER ACTIVE (identity.dev_provider, /dev/identity) on {listen} — \
             anyone who reaches it can book and cancel in any name; demo only"
        ));
    }
    let bookable = cfg.services().any(|s| s.booking.is_some());
    let has_key = id.id_hash_key.is_some() || id.id_hash_key_env.is_some();
    if demo {
        if id.id_hash_key.as_deref() == Some(DEMO_ID_HASH_KEY)
            && id.id_hash_key_env.as_deref().and_then(env).is_none()
        {
            warnings
                .push("DEMO ID HASH KEY (identity.id_hash_key) — allowed only in the demo".into());
        }
    } else if bookable || has_key {
        let Some(var) = &id.id_hash_key_env else {
            return Err(format!(
                "outside the demo the key for hashing ID numbers must come from the environment: \
                 set identity.id_hash_key_env = \"HALLQ_ID_HASH_KEY\" and that variable \
                 (identity.id_hash_key in the file is for the demo only); {KEY_HOWTO}"
            ));
        };
        key_rules(var, "identity.id_hash_key_env", env)?;
    }
    if let Some(var) = &id.id_hash_key_previous_env {
        if !demo {
            key_rules(var, "identity.id_hash_key_previous_env", env)?;
        }
    }
    Ok(Startup { demo, warnings })
}

/// The rules of a key outside the demo: set, long enough, not the demo key.
fn key_rules(var: &str, key: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    key_problem(var, key, env).map_or(Ok(()), Err)
}
