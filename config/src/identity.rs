//! `[identity]`: who may vouch for a citizen (identity providers and what their signed
//! assertions must say), how ID numbers are hashed (the key, its version, the previous
//! key during a rotation), and the personal-data rules checked at load time.

use crate::booking::METHODS;
use crate::locate::Seg;
use crate::schema::Settings;
use serde::Deserialize;

/// The key of the demo config (`config/examples/demo-hall.toml`): refused outside the
/// demo, whatever its source.
pub const DEMO_ID_HASH_KEY: &str = "demo-only-id-hash-key";

/// Shortest ID hash key accepted outside the demo, in bytes.
pub const MIN_ID_HASH_KEY_BYTES: usize = 32;

/// Requests for which a provider may declare its assertions single-use (`single_use`):
/// an assertion with a `jti` is then accepted once for that purpose.
pub const PURPOSES: [&str; 2] = ["book", "cancel"];

/// `[identity]`: who may vouch for a citizen, and how ID numbers are kept.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct Identity {
    /// Secret for the keyed hash of ID numbers (HMAC-SHA256), in the file: the demo only.
    /// Real halls name an environment variable in `id_hash_key_env`. Never stored in the
    /// database.
    pub id_hash_key: Option<String>,
    /// Environment variable holding the key (required outside the demo).
    pub id_hash_key_env: Option<String>,
    /// Version of the current key, stored beside every hash (raise it when rotating).
    pub id_hash_key_version: u32,
    /// Environment variable holding the previous key (version `id_hash_key_version - 1`)
    /// during a rotation: lookups try the current key, then this one.
    pub id_hash_key_previous_env: Option<String>,
    /// Enables the development identity provider (`POST /api/v1/dev/identity` and its
    /// page). Demo and test halls only: it runs only on a loopback listener (or with
    /// `HALLQ_ALLOW_DEV_IDENTITY=1`) and never beside real providers.
    pub dev_provider: bool,
    /// Longest lifetime (`exp - iat`) of an accepted assertion, in minutes.
    pub max_assertion_minutes: u32,
    /// Trusted identity providers.
    pub providers: Vec<Provider>,
}

impl Default for Identity {
    fn default() -> Self {
        Self {
            id_hash_key: None,
            id_hash_key_env: None,
            id_hash_key_version: 1,
            id_hash_key_previous_env: None,
            dev_provider: false,
            max_assertion_minutes: 30,
            providers: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field(
                "id_hash_key",
                &self.id_hash_key.as_ref().map(|_| "<redacted>"),
            )
            .field("id_hash_key_env", &self.id_hash_key_env)
            .field("id_hash_key_version", &self.id_hash_key_version)
            .field("id_hash_key_previous_env", &self.id_hash_key_previous_env)
            .field("dev_provider", &self.dev_provider)
            .field("max_assertion_minutes", &self.max_assertion_minutes)
            .field("providers", &self.providers)
            .finish()
    }
}

/// One identity provider (a city app, the 12345 WeChat account…).
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    /// Id.
    pub id: String,
    /// Channel recorded on appointments, e.g. `wechat-12345`, `city-app`.
    pub channel: String,
    /// Expected `iss` of its assertions.
    pub issuer: String,
    /// Expected `aud` of its assertions (what the provider calls this hall); required.
    pub audience: String,
    /// `EdDSA` (Ed25519), `ES256` or `RS256`.
    pub algorithm: String,
    /// Public key, PEM text.
    #[serde(default)]
    pub public_key_pem: Option<String>,
    /// Or a JWKS file (path relative to the working directory).
    #[serde(default)]
    pub jwks_file: Option<String>,
    /// Verification methods accepted from it: face, id_photo_review, alipay_face,
    /// alipay_account, mps_eid, unionpay, tencent_faceid.
    pub methods: Vec<String>,
    /// Purposes (`book`, `cancel`) for which an assertion with a `jti` is accepted once.
    #[serde(default)]
    pub single_use: Vec<String>,
}

/// Rule violations of `[identity]` and `[appointments] retention_days`.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let k = |x: &str| Seg::Key(x.to_string());
    let id = &s.identity;
    for (n, pr) in id.providers.iter().enumerate() {
        let at = |key: &str| vec![k("identity"), k("providers"), Seg::Index(n), k(key)];
        if !["EdDSA", "ES256", "RS256"].contains(&pr.algorithm.as_str()) {
            p.push((at("algorithm"), "must be EdDSA, ES256 or RS256".into()));
        }
        if pr.public_key_pem.is_none() == pr.jwks_file.is_none() {
            p.push((
                at("public_key_pem"),
                "give exactly one of public_key_pem, jwks_file".into(),
            ));
        }
        if pr.audience.trim().is_empty() {
            p.push((
                at("audience"),
                "must name the audience (aud) the provider writes into its assertions".into(),
            ));
        }
        for (m, method) in pr.methods.iter().enumerate() {
            if !METHODS.contains(&method.as_str()) {
                let mut path = at("methods");
                path.push(Seg::Index(m));
                p.push((
                    path,
                    format!("unknown method {method:?}: use {}", METHODS.join(", ")),
                ));
            }
        }
        for (m, purpose) in pr.single_use.iter().enumerate() {
            if !PURPOSES.contains(&purpose.as_str()) {
                let mut path = at("single_use");
                path.push(Seg::Index(m));
                p.push((
                    path,
                    format!("unknown purpose {purpose:?}: use {}", PURPOSES.join(", ")),
                ));
            }
        }
    }
    if id.dev_provider && !id.providers.is_empty() {
        p.push((
            vec![k("identity"), k("dev_provider")],
            "the development identity provider is never enabled beside real providers: \
             set dev_provider = false or remove [[identity.providers]]"
                .into(),
        ));
    }
    if !(1..=1440).contains(&id.max_assertion_minutes) {
        p.push((
            vec![k("identity"), k("max_assertion_minutes")],
            "must be 1 to 1440 minutes".into(),
        ));
    }
    if id.id_hash_key_version == 0 {
        p.push((
            vec![k("identity"), k("id_hash_key_version")],
            "must be at least 1".into(),
        ));
    }
    if id.id_hash_key_previous_env.is_some() && id.id_hash_key_version < 2 {
        p.push((
            vec![k("identity"), k("id_hash_key_previous_env")],
            "a previous key needs id_hash_key_version 2 or more (the previous key is version - 1)"
                .into(),
        ));
    }
    if !(1..=3650).contains(&s.appointments.retention_days) {
        p.push((
            vec![k("appointments"), k("retention_days")],
            "must be 1 to 3650 days".into(),
        ));
    }
    let bookable = s.services().any(|v| v.booking.is_some());
    if bookable && id.id_hash_key.is_none() && id.id_hash_key_env.is_none() {
        p.push((
            vec![k("identity"), k("id_hash_key_env")],
            "bookable services need a key for hashing ID numbers (id_hash_key_env or id_hash_key)"
                .into(),
        ));
    }
}

/// The environment variable that allows the development identity provider on a listener
/// beyond loopback (`1`), on purpose.
pub const ALLOW_DEV_ENV: &str = "HALLQ_ALLOW_DEV_IDENTITY";

/// What a key for hashing ID numbers looks like and how to make one, for messages.
pub const KEY_HOWTO: &str = "a key is at least 32 random bytes, e.g. the 64 hex digits \
     `openssl rand -hex 32` prints, set in the hall's environment (HALLQ_ID_HASH_KEY=… in \
     the service's environment file) and kept for good: another key makes the stored \
     hashes (bans, daily limits) unmatchable";

/// What is wrong with the key in environment variable `var` (named by config key `key`),
/// outside the demo: unset, the published demo key, or too short. `env` reads a variable.
pub fn key_problem(var: &str, key: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let Some(value) = env(var).filter(|v| !v.is_empty()) else {
        return Some(format!(
            "environment variable {var} ({key}) is not set: outside the demo the key for \
             hashing ID numbers comes from it; {KEY_HOWTO}"
        ));
    };
    if value == DEMO_ID_HASH_KEY {
        return Some(format!(
            "environment variable {var} ({key}) holds the published demo key: {KEY_HOWTO}"
        ));
    }
    if value.len() < MIN_ID_HASH_KEY_BYTES {
        return Some(format!(
            "environment variable {var} ({key}) is {} bytes, too short for the key for \
             hashing ID numbers: {KEY_HOWTO}",
            value.len()
        ));
    }
    None
}
