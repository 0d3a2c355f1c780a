//! The keyed hash of ID numbers: HMAC-SHA256 under the hall's secret, lowercase hex.
//! The secret comes from `[identity] id_hash_key_env` (an environment variable; the
//! file's `id_hash_key` only in the demo, see [`super::startup`]); it is never stored in
//! the database. Every stored hash names its key version (`id_hash_key_version`); during
//! a rotation the previous key (`id_hash_key_previous_env`, version − 1) is kept so that
//! lookups find what was stored under it.

use super::IdentityError;
use hallq_config::Settings;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hashing secret. `Debug` hides it.
#[derive(Clone)]
pub(super) struct HashKey(Vec<u8>);

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(<redacted>)")
    }
}

impl HashKey {
    /// A key from its bytes.
    pub(super) fn new(key: impl Into<Vec<u8>>) -> Self {
        Self(key.into())
    }

    /// HMAC-SHA256 of an already normalised ID number, lowercase hex.
    pub(super) fn hash(&self, normalised_id: &str) -> String {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(normalised_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The current key and, during a rotation, the previous one.
#[derive(Debug, Clone)]
pub(super) struct HashKeys {
    /// Hashes everything new.
    pub(super) current: HashKey,
    /// Its version (`id_hash_key_version`).
    pub(super) version: i32,
    /// The previous key (version − 1), for lookups only.
    pub(super) previous: Option<HashKey>,
}

/// The keys the config asks for: the environment variable named by `id_hash_key_env`
/// when it is set and not empty, else `id_hash_key`; the previous key from the variable
/// named by `id_hash_key_previous_env`. `None` when neither gives a current key and no
/// service is bookable.
///
/// # Errors
/// [`IdentityError::Config`] when a service is bookable and there is no key, or the
/// previous key's variable is unset; the message names the variable.
pub(super) fn load(cfg: &Settings) -> Result<Option<HashKeys>, IdentityError> {
    let id = &cfg.identity;
    let env = |var: &String| std::env::var(var).ok().filter(|v| !v.is_empty());
    let current = match (id.id_hash_key_env.as_ref().and_then(env), &id.id_hash_key) {
        (Some(v), _) => HashKey::new(v),
        (None, Some(k)) if !k.is_empty() => HashKey::new(k.as_bytes()),
        _ if !bookable(cfg) => return Ok(None),
        (None, _) => {
            let var = id.id_hash_key_env.as_deref().unwrap_or("HALLQ_ID_HASH_KEY");
            return Err(IdentityError::Config(format!(
                "environment variable {var} (identity.id_hash_key_env) is not set: \
                 bookable services need the key for hashing ID numbers"
            )));
        }
    };
    let previous = match &id.id_hash_key_previous_env {
        None => None,
        Some(var) => Some(HashKey::new(env(var).ok_or_else(|| {
            IdentityError::Config(format!(
                "environment variable {var} (identity.id_hash_key_previous_env) is not set: \
                 it must hold the previous key during a rotation"
            ))
        })?)),
    };
    Ok(Some(HashKeys {
        current,
        version: i32::try_from(id.id_hash_key_version).unwrap_or(i32::MAX),
        previous,
    }))
}

fn bookable(cfg: &Settings) -> bool {
    cfg.services().any(|s| s.booking.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // RFC 4231 test case 2.
        let k = HashKey::new("Jefe");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            k.hash("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(format!("{k:?}"), "HashKey(<redacted>)");
    }
}
