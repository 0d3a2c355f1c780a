//! The assertion as a JWT: its three parts, the header's `alg`/`kid`, and the claims. The
//! payload is read as loose JSON and picked apart here, so that no parser error message
//! can echo personal data; `Debug` of [`Claims`] shows none of it either.

use super::IdentityError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// Longest assertion accepted, in bytes.
pub(super) const MAX_LEN: usize = 8 * 1024;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub(super) const LEEWAY_S: i64 = 60;

pub(super) fn rejected(msg: impl Into<String>) -> IdentityError {
    IdentityError::Rejected(msg.into())
}

/// A JWT cut into its parts (nothing verified yet).
pub(super) struct Token<'a> {
    /// `header.payload`, the signed bytes.
    pub(super) signed: &'a str,
    /// The signature, base64url.
    pub(super) signature: &'a str,
    /// `alg` as written.
    pub(super) alg: String,
    /// `kid`, when given.
    pub(super) kid: Option<String>,
    /// The payload's members.
    pub(super) payload: Map<String, Value>,
}

fn malformed() -> IdentityError {
    rejected("实名凭证格式错误 / the identity assertion is not a well-formed JWT")
}

fn json_object(part: &str) -> Result<Map<String, Value>, IdentityError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| malformed())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(malformed()),
    }
}

impl<'a> Token<'a> {
    /// Splits and decodes a compact JWT.
    ///
    /// # Errors
    /// [`IdentityError::Rejected`] when it is too long or not three base64url parts with
    /// JSON objects in the first two.
    pub(super) fn parse(assertion: &'a str) -> Result<Self, IdentityError> {
        if assertion.len() > MAX_LEN {
            return Err(rejected(
                "实名凭证过长 / the identity assertion is too long",
            ));
        }
        let (signed, signature) = assertion.rsplit_once('.').ok_or_else(malformed)?;
        let (header, payload) = signed.split_once('.').ok_or_else(malformed)?;
        if payload.contains('.') || signature.is_empty() {
            return Err(malformed());
        }
        let header = json_object(header)?;
        let alg = match header.get("alg") {
            Some(Value::String(a)) => a.clone(),
            _ => return Err(malformed()),
        };
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Self {
            signed,
            signature,
            alg,
            kid,
            payload: json_object(payload)?,
        })
    }

    /// The payload's string member `key`.
    pub(super) fn str_claim(&self, key: &str) -> Option<&str> {
        self.payload.get(key).and_then(Value::as_str)
    }

    /// The payload's numeric member `key` in whole seconds.
    pub(super) fn time_claim(&self, key: &str) -> Result<Option<i64>, IdentityError> {
        match self.payload.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| time_type(key)),
            Some(_) => Err(time_type(key)),
        }
    }
}

fn time_type(key: &str) -> IdentityError {
    rejected(format!(
        "实名凭证时间字段错误 / claim {key} must be a number of seconds"
    ))
}

/// A printable excerpt of an untrusted string for error messages (never personal data:
/// used for `iss`, `alg` and `method` only).
pub(super) fn excerpt(s: &str) -> String {
    let cut: String = s.chars().take(64).collect();
    format!("{cut:?}")
}

/// Checks `exp` and `iat` (both required), `nbf`, all against `now_s` with [`LEEWAY_S`],
/// and the lifetime `exp - iat` against `max_lifetime_s`.
///
/// # Errors
/// [`IdentityError::Rejected`] saying which.
pub(super) fn check_times(
    t: &Token<'_>,
    now_s: i64,
    max_lifetime_s: i64,
) -> Result<(), IdentityError> {
    let exp = t.time_claim("exp")?.ok_or_else(|| {
        rejected("实名凭证缺少有效期 / the identity assertion has no exp (expiry) claim")
    })?;
    let iat = t.time_claim("iat")?.ok_or_else(|| {
        rejected("实名凭证缺少签发时间 / the identity assertion has no iat (issued at) claim")
    })?;
    if now_s > exp.saturating_add(LEEWAY_S) {
        return Err(rejected(
            "实名凭证已过期，请重新认证 / the identity assertion has expired",
        ));
    }
    if t.time_claim("nbf")?
        .is_some_and(|nbf| nbf > now_s.saturating_add(LEEWAY_S))
    {
        return Err(rejected(
            "实名凭证尚未生效 / the identity assertion is not valid yet",
        ));
    }
    if iat > now_s.saturating_add(LEEWAY_S) {
        return Err(rejected(
            "实名凭证签发时间在未来 / the identity assertion was issued in the future",
        ));
    }
    if exp.saturating_sub(iat) > max_lifetime_s {
        return Err(rejected(format!(
            "实名凭证有效期过长 / the identity assertion lives longer than {} minutes (exp - iat)",
            max_lifetime_s / 60
        )));
    }
    Ok(())
}

/// Checks that `aud` (a string, or an array of strings) names `expected`.
///
/// # Errors
/// [`IdentityError::Rejected`] when `aud` is absent, malformed or names another audience.
pub(super) fn check_audience(t: &Token<'_>, expected: &str) -> Result<(), IdentityError> {
    let ok = match t.payload.get("aud") {
        None | Some(Value::Null) => {
            return Err(rejected(
                "实名凭证缺少受众 / the identity assertion has no aud (audience) claim",
            ))
        }
        Some(Value::String(a)) => a == expected,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(expected)),
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(rejected(
            "实名凭证不是签发给本大厅的 / the identity assertion is for another audience (aud)",
        ))
    }
}

/// Longest `jti` accepted, in characters.
const JTI_MAX: usize = 128;

/// The `jti` claim, when present: 1 to 128 printable ASCII characters.
///
/// # Errors
/// [`IdentityError::Rejected`] for any other `jti`.
pub(super) fn jti(t: &Token<'_>) -> Result<Option<String>, IdentityError> {
    match t.payload.get("jti") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(j))
            if !j.is_empty() && j.len() <= JTI_MAX && j.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(j.clone()))
        }
        Some(_) => Err(rejected(format!(
            "实名凭证编号格式错误 / jti must be 1 to {JTI_MAX} printable ASCII characters"
        ))),
    }
}

/// Longest `sub` accepted, in characters.
const SUB_MAX: usize = 256;

/// The `sub` claim, when present: the citizen's account at the provider (1 to 256
/// characters, no control characters), which notifications name so that the message
/// service knows whom to reach.
///
/// # Errors
/// [`IdentityError::Rejected`] for any other `sub`.
pub(super) fn subject(t: &Token<'_>) -> Result<Option<String>, IdentityError> {
    match t.payload.get("sub") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s))
            if !s.trim().is_empty()
                && s.chars().count() <= SUB_MAX
                && !s.chars().any(char::is_control) =>
        {
            Ok(Some(s.clone()))
        }
        Some(_) => Err(rejected(format!(
            "实名凭证账号格式错误 / sub must be 1 to {SUB_MAX} characters without control characters"
        ))),
    }
}

/// The personal claims, present and strings. `Debug` hides the values.
pub(super) struct Claims {
    /// Name, as asserted.
    pub(super) name: String,
    /// ID number, as asserted.
    pub(super) id_number: String,
    /// Phone, as asserted.
    pub(super) phone: String,
    /// Verification method.
    pub(super) method: String,
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claims")
            .field("name", &"<redacted>")
            .field("id_number", &"<redacted>")
            .field("phone", &"<redacted>")
            .field("method", &self.method)
            .finish()
    }
}

impl Claims {
    /// Takes `name`, `id_number`, `phone` and `method` from the payload.
    ///
    /// # Errors
    /// [`IdentityError::Rejected`] listing the missing (or non-string) ones.
    pub(super) fn from_token(t: &Token<'_>) -> Result<Self, IdentityError> {
        let keys = ["name", "id_number", "phone", "method"];
        let missing: Vec<&str> = keys
            .into_iter()
            .filter(|k| t.str_claim(k).is_none_or(|v| v.trim().is_empty()))
            .collect();
        if !missing.is_empty() {
            return Err(rejected(format!(
                "实名凭证缺少字段 / the identity assertion lacks the claims: {}",
                missing.join(", ")
            )));
        }
        let get = |k: &str| t.str_claim(k).unwrap_or_default().to_string();
        Ok(Self {
            name: get("name"),
            id_number: get("id_number"),
            phone: get("phone"),
            method: get("method"),
        })
    }
}
