//! The keyed hash of ID numbers: HMAC-SHA256 under the hall's secret, lowercase hex.
//! The secret comes from `[identity] id_hash_key_env` (an environment variable) or
//! `id_hash_key`; it is never stored in the database.

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

/// The key the config asks for: the environment variable named by `id_hash_key_env` when
/// it is set and not empty, else `id_hash_key`. `None` when neither gives one and no
/// service is bookable.
///
/// # Errors
/// [`IdentityError::Config`] when a service is bookable and there is no key; the message
/// names the variable.
pub(super) fn load(cfg: &Settings) -> Result<Option<HashKey>, IdentityError> {
    let id = &cfg.identity;
    if let Some(var) = &id.id_hash_key_env {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => return Ok(Some(HashKey::new(v))),
            _ if id.id_hash_key.is_none() && bookable(cfg) => {
                return Err(IdentityError::Config(format!(
                    "environment variable {var} (identity.id_hash_key_env) is not set: \
                     bookable services need the key for hashing ID numbers"
                )));
            }
            _ => {}
        }
    }
    match &id.id_hash_key {
        Some(k) if !k.is_empty() => Ok(Some(HashKey::new(k.as_bytes()))),
        _ if bookable(cfg) => Err(IdentityError::Config(
            "bookable services need a key for hashing ID numbers: set identity.id_hash_key_env \
             (an environment variable) or identity.id_hash_key"
                .into(),
        )),
        _ => Ok(None),
    }
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
