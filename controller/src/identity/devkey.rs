//! The development identity provider's Ed25519 key: generated on first start, kept in
//! `{data_dir}/dev-identity-key.pem` (PKCS#8 `PRIVATE KEY`, mode 0600) so that issued
//! assertions survive restarts.

use super::keys::{Trusted, VerifyKey};
use super::IdentityError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the key inside the data directory.
pub const KEY_FILE: &str = "dev-identity-key.pem";
/// `iss` of development assertions.
pub const DEV_ISSUER: &str = "hallq-dev";
/// Channel recorded for them.
pub const DEV_CHANNEL: &str = "dev";

/// `aud` of development assertions: `hallq-dev:{hall id}`.
#[must_use]
pub fn dev_audience(hall_id: &str) -> String {
    format!("hallq-dev:{hall_id}")
}

const PEM_LABEL: &str = "PRIVATE KEY";

/// The private half, for signing.
pub(super) struct DevSigner {
    pub(super) key: EncodingKey,
}

fn config_err(path: &Path, what: impl std::fmt::Display) -> IdentityError {
    IdentityError::Config(format!(
        "development identity key {}: {what}",
        path.display()
    ))
}

/// Loads the key from `data_dir`, creating it first when absent; returns the signer and
/// the provider that trusts it.
///
/// # Errors
/// [`IdentityError::Config`] when the directory or file cannot be written or read, or the
/// file holds no Ed25519 key.
pub(super) fn load_or_create(
    data_dir: &Path,
    audience: &str,
) -> Result<(DevSigner, Trusted), IdentityError> {
    let path = data_dir.join(KEY_FILE);
    if !path.exists() {
        create(data_dir, &path)?;
    }
    let text = std::fs::read_to_string(&path).map_err(|e| config_err(&path, e))?;
    let der = pem_decode(&text).ok_or_else(|| config_err(&path, "not a PEM PRIVATE KEY"))?;
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
        .map_err(|_| config_err(&path, "not an Ed25519 private key"))?;
    let public = DecodingKey::from_ed_der(pair.public_key().as_ref());
    let trusted = Trusted {
        id: "dev".into(),
        channel: DEV_CHANNEL.into(),
        issuer: DEV_ISSUER.into(),
        audience: audience.into(),
        alg: Algorithm::EdDSA,
        keys: vec![VerifyKey {
            kid: None,
            key: public,
        }],
        methods: hallq_config::booking::METHODS.map(String::from).to_vec(),
        single_use: Vec::new(),
    };
    Ok((
        DevSigner {
            key: EncodingKey::from_ed_der(&der),
        },
        trusted,
    ))
}

/// Writes a new key next to `path` and links it into place; when another process got
/// there first, its key wins (link fails, ours is dropped).
fn create(data_dir: &Path, path: &Path) -> Result<(), IdentityError> {
    std::fs::create_dir_all(data_dir).map_err(|e| config_err(path, e))?;
    let rng = ring::rand::SystemRandom::new();
    let doc = Ed25519KeyPair::generate_pkcs8(&rng)
        .map_err(|_| config_err(path, "cannot generate a key"))?;
    let tmp = PathBuf::from(format!("{}.{}.tmp", path.display(), std::process::id()));
    let written = write_private(&tmp, &pem_encode(doc.as_ref()));
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::info!("created the development identity key {}", path.display());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(config_err(path, e)),
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

fn pem_encode(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {PEM_LABEL}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {PEM_LABEL}-----\n"));
    out
}

fn pem_decode(text: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {PEM_LABEL}-----");
    let end = format!("-----END {PEM_LABEL}-----");
    let body = text.split_once(&begin)?.1.split_once(&end)?.0;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(b64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip() {
        let der: Vec<u8> = (0..=200).collect();
        let pem = pem_encode(&der);
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        assert_eq!(pem_decode(&pem), Some(der));
        assert_eq!(pem_decode("junk"), None);
    }
}
