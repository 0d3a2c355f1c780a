//! Trusted providers and their public keys: PEM (Ed25519 `PUBLIC KEY`, EC P-256, RSA) or a
//! JWKS file whose keys are picked by `kid`.

use super::IdentityError;
use hallq_config::booking::Provider;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};

/// One public key of a provider.
pub(super) struct VerifyKey {
    /// `kid` from the JWKS (PEM keys have none and match any `kid`).
    pub(super) kid: Option<String>,
    /// The key.
    pub(super) key: DecodingKey,
}

/// A provider ready to check signatures.
pub(super) struct Trusted {
    /// Config id (`dev` for the development provider).
    pub(super) id: String,
    /// Channel recorded on appointments.
    pub(super) channel: String,
    /// Expected `iss`.
    pub(super) issuer: String,
    /// Expected `aud`.
    pub(super) audience: String,
    /// The only algorithm accepted from it.
    pub(super) alg: Algorithm,
    /// Its keys.
    pub(super) keys: Vec<VerifyKey>,
    /// Verification methods accepted from it.
    pub(super) methods: Vec<String>,
    /// Purposes for which an assertion with a `jti` is accepted once.
    pub(super) single_use: Vec<String>,
}

/// `EdDSA`, `ES256` or `RS256` (the three the config allows).
pub(super) fn parse_alg(name: &str) -> Option<Algorithm> {
    match name {
        "EdDSA" => Some(Algorithm::EdDSA),
        "ES256" => Some(Algorithm::ES256),
        "RS256" => Some(Algorithm::RS256),
        _ => None,
    }
}

fn config_err(p: &Provider, what: impl std::fmt::Display) -> IdentityError {
    IdentityError::Config(format!("identity.providers {:?}: {what}", p.id))
}

impl Trusted {
    /// Loads a configured provider's keys.
    ///
    /// # Errors
    /// [`IdentityError::Config`] naming the provider: unknown algorithm, unreadable or
    /// unsuitable key, empty JWKS.
    pub(super) fn load(p: &Provider) -> Result<Self, IdentityError> {
        let alg = parse_alg(&p.algorithm)
            .ok_or_else(|| config_err(p, "algorithm must be EdDSA, ES256 or RS256"))?;
        let keys = match (&p.public_key_pem, &p.jwks_file) {
            (Some(pem), None) => vec![VerifyKey {
                kid: None,
                key: from_pem(alg, pem.as_bytes()).map_err(|e| config_err(p, e))?,
            }],
            (None, Some(path)) => from_jwks_file(alg, path).map_err(|e| config_err(p, e))?,
            _ => {
                return Err(config_err(
                    p,
                    "give exactly one of public_key_pem, jwks_file",
                ))
            }
        };
        Ok(Self {
            id: p.id.clone(),
            channel: p.channel.clone(),
            issuer: p.issuer.clone(),
            audience: p.audience.clone(),
            alg,
            keys,
            methods: p.methods.clone(),
            single_use: p.single_use.clone(),
        })
    }

    /// Keys that may have signed a token with this `kid`: those with the same kid, and
    /// keys without one.
    pub(super) fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
    ) -> impl Iterator<Item = &'a VerifyKey> + 'a {
        self.keys
            .iter()
            .filter(move |k| kid.is_none() || k.kid.is_none() || k.kid.as_deref() == kid)
    }
}

fn from_pem(alg: Algorithm, pem: &[u8]) -> Result<DecodingKey, String> {
    let key = match alg {
        Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
        Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
        _ => DecodingKey::from_rsa_pem(pem),
    };
    key.map_err(|e| format!("public_key_pem is not a {alg:?} public key in PEM ({e})"))
}

fn from_jwks_file(alg: Algorithm, path: &str) -> Result<Vec<VerifyKey>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read jwks_file {path}: {e}"))?;
    let set: JwkSet =
        serde_json::from_str(&text).map_err(|e| format!("jwks_file {path} is not a JWKS: {e}"))?;
    let keys: Vec<VerifyKey> = set
        .keys
        .iter()
        .filter(|j| fits(alg, j))
        .map(|j| {
            DecodingKey::from_jwk(j)
                .map(|key| VerifyKey {
                    kid: j.common.key_id.clone(),
                    key,
                })
                .map_err(|e| format!("jwks_file {path}: bad key: {e}"))
        })
        .collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err(format!("jwks_file {path} has no {alg:?} key"));
    }
    Ok(keys)
}

/// Whether a JWK can verify `alg` (key type, curve, and its `alg` when it names one).
fn fits(alg: Algorithm, j: &Jwk) -> bool {
    use jsonwebtoken::jwk::{EllipticCurve, KeyAlgorithm};
    let named = match j.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::EdDSA) => alg == Algorithm::EdDSA,
        Some(KeyAlgorithm::ES256) => alg == Algorithm::ES256,
        Some(KeyAlgorithm::RS256) => alg == Algorithm::RS256,
        Some(_) => false,
    };
    let kind = match (&j.algorithm, alg) {
        (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => {
            p.curve == EllipticCurve::Ed25519
        }
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => p.curve == EllipticCurve::P256,
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        _ => false,
    };
    named && kind
}
