//! Who is booking: signed identity assertions (JWT) from configured identity providers,
//! verified here; ID numbers reduced at once to a keyed hash (for matching) and a masked
//! form (for display). The clear number never leaves this module.
//!
//! # Layout
//! - [`data`]: GB 11643-1999 ID numbers, mobile phones, names — validated and
//!   normalised; error messages never repeat the value.
//! - [`mask`]: the masked forms (`4601**********123X`, `张*三`, `138****0000`).
//! - `hash`: HMAC-SHA256 of the ID under the hall's key (`id_hash_key[_env]`), its
//!   version, and the previous key during a rotation.
//! - [`startup`]: the start-up rules — where the development provider may run, what
//!   counts as the demo, and what the ID hash key must be outside it.
//! - `keys`: trusted providers and their public keys (PEM or JWKS by `kid`).
//! - `claims`: the JWT's parts, times (`exp` and `iat` required, 60 s leeway, lifetime
//!   capped by `max_assertion_minutes`), audience, `jti`, and the personal claims.
//! - `devkey`: the development provider's Ed25519 key in `{data_dir}`.
//! - The HTTP side lives in the API layer: `api::dev_identity` (`POST
//!   /api/v1/dev/identity` and the `/dev/identity` page, demo only) and `api::citizen`
//!   ([`Citizen`] as an extractor from `Authorization: Bearer`).
//! - `cache`: assertions already accepted, by SHA-256, until they expire.
//!
//! Time is passed in (`now_s`), never read here.

mod cache;
mod claims;
pub mod data;
mod devkey;
mod hash;
mod keys;
pub mod mask;
pub mod startup;

pub use devkey::{dev_audience, DEV_CHANNEL, DEV_ISSUER, KEY_FILE as DEV_KEY_FILE};

use claims::{excerpt, rejected, Claims, Token};
use hallq_config::Settings;
use jsonwebtoken::Algorithm;
use keys::Trusted;
use std::path::Path;

pub use crate::model::{Citizen, SingleUse};

/// Why an assertion was not accepted (each maps to 401, or 422 for bad data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// No bearer assertion.
    #[error("需要实名认证 / an identity assertion is required")]
    Missing,
    /// Not a well-formed, trusted, unexpired assertion.
    #[error("{0}")]
    Rejected(String),
    /// The ID number or phone inside is invalid.
    #[error("{0}")]
    BadData(String),
    /// The identity configuration cannot be used.
    #[error("identity config: {0}")]
    Config(String),
}

/// What the contact hash is made of: a prefix no ID number has (so the two hashes never
/// meet), the contact name, a separator no name contains, the phone's last four digits.
fn contact_key(name: &str, last4: &str) -> String {
    format!("contact:{name}\u{1f}{last4}")
}

/// Verifier (and, when enabled, the development issuer).
pub struct Identity {
    /// Trusted providers, the development one last.
    providers: Vec<Trusted>,
    /// Keys of the ID hash; `None` when the hall books nothing and has none.
    hash_key: Option<hash::HashKeys>,
    /// Longest accepted lifetime (`exp - iat`), s.
    max_lifetime_s: i64,
    /// Signer of the development provider, when enabled.
    dev: Option<devkey::DevSigner>,
    /// Assertions already accepted (see [`cache`]).
    verified: cache::Verified,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.providers.iter().map(|p| p.id.as_str()).collect();
        f.debug_struct("Identity")
            .field("providers", &ids)
            .field("hash_key", &self.hash_key)
            .field("dev_provider", &self.dev.is_some())
            .finish()
    }
}

impl Identity {
    /// Builds the verifier from the config; the dev provider's key lives in `data_dir`.
    ///
    /// # Errors
    /// When a provider's key cannot be read or the hashing key is missing.
    pub fn from_config(cfg: &Settings, data_dir: &Path) -> Result<Self, IdentityError> {
        let id = &cfg.identity;
        let mut providers = id
            .providers
            .iter()
            .map(Trusted::load)
            .collect::<Result<Vec<_>, _>>()?;
        let dev = if id.dev_provider {
            let (signer, trusted) =
                devkey::load_or_create(data_dir, &devkey::dev_audience(&cfg.hall.id))?;
            providers.push(trusted);
            Some(signer)
        } else {
            None
        };
        Ok(Self {
            providers,
            hash_key: hash::load(cfg)?,
            max_lifetime_s: i64::from(id.max_assertion_minutes) * 60,
            dev,
            verified: cache::Verified::default(),
        })
    }

    /// Whether the development identity provider is on.
    #[must_use]
    pub fn dev_enabled(&self) -> bool {
        self.dev.is_some()
    }

    /// Verifies a bearer assertion at `now_s` (seconds since the epoch).
    ///
    /// # Errors
    /// [`IdentityError`] saying why.
    pub fn verify(&self, assertion: &str, now_s: i64) -> Result<Citizen, IdentityError> {
        let key = cache::key(assertion.trim());
        if let Some(c) = self.verified.get(&key, now_s) {
            return Ok(c);
        }
        let token = Token::parse(assertion.trim())?;
        let citizen = self.verify_token(&token, now_s)?;
        if let Some(exp) = token.time_claim("exp")? {
            self.verified.put(key, &citizen, now_s, exp);
        }
        Ok(citizen)
    }

    /// The full check of a parsed assertion: signature, audience, times, `jti`, method,
    /// personal data.
    fn verify_token(&self, token: &Token<'_>, now_s: i64) -> Result<Citizen, IdentityError> {
        let provider = self.check_signature(token)?;
        claims::check_audience(token, &provider.audience)?;
        claims::check_times(token, now_s, self.max_lifetime_s)?;
        let jti = claims::jti(token)?;
        let claims = Claims::from_token(token)?;
        if !provider.methods.contains(&claims.method) {
            return Err(rejected(format!(
                "认证方式不被接受 / method {} not accepted by this provider ({})",
                excerpt(&claims.method),
                provider.channel
            )));
        }
        let mut citizen = self.citizen(&claims, &provider.channel)?;
        citizen.provider.clone_from(&provider.id);
        citizen.subject = claims::subject(token)?;
        if let (Some(jti), false) = (jti, provider.single_use.is_empty()) {
            let exp_s = token.time_claim("exp")?.unwrap_or(now_s);
            citizen.single_use = Some(SingleUse {
                key: format!("{}:{jti}", provider.id),
                expires_ms: exp_s.saturating_add(claims::LEEWAY_S).saturating_mul(1000),
                purposes: provider.single_use.clone(),
            });
        }
        Ok(citizen)
    }

    /// The provider named by `iss` whose key signed the token.
    fn check_signature(&self, token: &Token<'_>) -> Result<&Trusted, IdentityError> {
        let iss = token.str_claim("iss").ok_or_else(|| {
            rejected("实名凭证缺少签发方 / the identity assertion has no iss (issuer) claim")
        })?;
        let of_issuer: Vec<&Trusted> = self.providers.iter().filter(|p| p.issuer == iss).collect();
        if of_issuer.is_empty() {
            return Err(rejected(format!(
                "不受信任的签发方 / untrusted issuer {}",
                excerpt(iss)
            )));
        }
        let alg = keys::parse_alg(&token.alg);
        let same_alg: Vec<&Trusted> = of_issuer
            .iter()
            .copied()
            .filter(|p| Some(p.alg) == alg)
            .collect();
        if same_alg.is_empty() {
            return Err(rejected(format!(
                "签名算法不符 / algorithm {} does not match the issuer's {:?}",
                excerpt(&token.alg),
                of_issuer[0].alg
            )));
        }
        let kid = token.kid.as_deref();
        let mut any_key = false;
        for p in same_alg {
            for k in p.candidates(kid) {
                any_key = true;
                if jsonwebtoken::crypto::verify(
                    token.signature,
                    token.signed.as_bytes(),
                    &k.key,
                    p.alg,
                )
                .unwrap_or(false)
                {
                    return Ok(p);
                }
            }
        }
        if !any_key {
            return Err(rejected(format!(
                "未知的签名密钥 / unknown key id {}",
                excerpt(kid.unwrap_or_default())
            )));
        }
        Err(rejected("签名无效 / bad signature"))
    }

    /// Validates the personal claims and reduces them to hash and masks.
    fn citizen(&self, c: &Claims, channel: &str) -> Result<Citizen, IdentityError> {
        let id = data::normalize_id_number(&c.id_number)?;
        let phone = data::normalize_phone(&c.phone)?;
        let name = data::normalize_name(&c.name)?;
        let keys = self.key()?;
        Ok(Citizen {
            id_hash: keys.current.hash(&id),
            key_version: keys.version,
            id_hash_previous: keys.previous.as_ref().map(|k| k.hash(&id)),
            contact_hash: Some(keys.current.hash(&contact_key(
                &data::contact_name(&name)?,
                &phone[phone.len() - 4..],
            ))),
            id_masked: mask::mask_id_number(&id),
            name_masked: mask::mask_name(&name),
            phone_masked: mask::mask_phone(&phone),
            channel: channel.to_string(),
            method: c.method.clone(),
            provider: String::new(),
            subject: None,
            single_use: None,
        })
    }

    fn key(&self) -> Result<&hash::HashKeys, IdentityError> {
        self.hash_key.as_ref().ok_or_else(|| {
            IdentityError::Config(
                "no key for hashing ID numbers: set identity.id_hash_key_env or identity.id_hash_key"
                    .into(),
            )
        })
    }

    /// The keyed hash of an ID number (after validating it) under the current key.
    ///
    /// # Errors
    /// [`IdentityError::BadData`] for an invalid number.
    pub fn hash_id(&self, id_number: &str) -> Result<String, IdentityError> {
        Ok(self.hash_id_all(id_number)?[0].clone())
    }

    /// The keyed hashes of an ID number to look it up by: under the current key, then
    /// under the previous one (the current again when there is none).
    ///
    /// # Errors
    /// [`IdentityError::BadData`] for an invalid number.
    pub fn hash_id_all(&self, id_number: &str) -> Result<[String; 2], IdentityError> {
        let id = data::normalize_id_number(id_number)?;
        let keys = self.key()?;
        let current = keys.current.hash(&id);
        let previous = keys
            .previous
            .as_ref()
            .map_or_else(|| current.clone(), |k| k.hash(&id));
        Ok([current, previous])
    }

    /// An ID number typed by staff, as stored: the keyed hash under the current key, the
    /// key's version, and the masked number.
    ///
    /// # Errors
    /// [`IdentityError::BadData`] for an invalid number (the message never repeats it).
    pub fn stored_id(&self, id_number: &str) -> Result<(String, i32, String), IdentityError> {
        let id = data::normalize_id_number(id_number)?;
        let keys = self.key()?;
        Ok((
            keys.current.hash(&id),
            keys.version,
            mask::mask_id_number(&id),
        ))
    }

    /// The keyed hashes of a person's contact key — the name ([`data::contact_name`])
    /// and the phone's last four digits — under the current and the previous key (the
    /// current again when there is none), as booking stored it
    /// ([`Citizen::contact_hash`]).
    ///
    /// # Errors
    /// [`IdentityError::BadData`] for an invalid name or last four digits;
    /// [`IdentityError::Config`] without a key.
    pub fn hash_contact_all(
        &self,
        name: &str,
        phone_last4: &str,
    ) -> Result<[String; 2], IdentityError> {
        let key = contact_key(&data::contact_name(name)?, &data::phone_last4(phone_last4)?);
        let keys = self.key()?;
        let current = keys.current.hash(&key);
        let previous = keys
            .previous
            .as_ref()
            .map_or_else(|| current.clone(), |k| k.hash(&key));
        Ok([current, previous])
    }

    /// How long the assertions of the development provider live (the lifetime cap), s.
    #[must_use]
    pub fn dev_lifetime_s(&self) -> i64 {
        self.max_lifetime_s
    }

    /// Signs a development assertion (issuer `hallq-dev`, audience
    /// `hallq-dev:{hall id}`, a fresh `jti`, valid [`Self::dev_lifetime_s`]) after
    /// validating the data; `method` defaults to `face`.
    ///
    /// # Errors
    /// [`IdentityError::Config`] when the development provider is off;
    /// [`IdentityError::BadData`] for an invalid name, ID number, phone or method.
    pub fn dev_sign(
        &self,
        name: &str,
        id_number: &str,
        phone: &str,
        method: Option<&str>,
        now_s: i64,
    ) -> Result<String, IdentityError> {
        let dev = self.dev.as_ref().ok_or_else(|| {
            IdentityError::Config("the development identity provider is disabled".into())
        })?;
        let name = data::normalize_name(name)?;
        let id = data::normalize_id_number(id_number)?;
        let phone = data::normalize_phone(phone)?;
        let method = data::normalize_method(method)?;
        let audience = self
            .providers
            .iter()
            .find(|p| p.issuer == DEV_ISSUER)
            .map(|p| p.audience.clone())
            .unwrap_or_default();
        // The development account: a keyed digest of the ID number (no clear number).
        let sub = format!(
            "dev-{}",
            &self.key()?.current.hash(&format!("sub:{id}"))[..20]
        );
        let claims = serde_json::json!({
            "iss": DEV_ISSUER,
            "sub": sub,
            "aud": audience,
            "jti": hex::encode(rand::random::<[u8; 16]>()),
            "iat": now_s,
            "exp": now_s + self.max_lifetime_s,
            "name": name,
            "id_number": id,
            "phone": phone,
            "method": method,
        });
        let header = jsonwebtoken::Header::new(Algorithm::EdDSA);
        jsonwebtoken::encode(&header, &claims, &dev.key)
            .map_err(|e| IdentityError::Config(format!("cannot sign a development assertion: {e}")))
    }
}
