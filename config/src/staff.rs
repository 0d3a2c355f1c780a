//! Staff accounts: clerks and admins who sign in with a username and password (argon2id
//! hashes in the config) and get a session that expires; devices keep bearer tokens.

use crate::locate::Seg;
use crate::schema::{Role, Settings};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use serde::Deserialize;

/// One `[[staff]]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct StaffUser {
    /// What they type to sign in.
    pub username: String,
    /// Shown on pages and in the audit log (defaults to the username).
    #[serde(default)]
    pub name: Option<String>,
    /// `clerk`, `desk` or `admin`.
    pub role: Role,
    /// Windows a clerk may sign in at (empty: any window).
    #[serde(default)]
    pub windows: Vec<String>,
    /// PHC string of the password (`hallq hash --password` prints one).
    pub password_argon2: String,
    /// A disabled account cannot sign in (its sessions stop working at once).
    #[serde(default)]
    pub disabled: bool,
    /// Declared in the city file: valid in every hall (set by the loader, not by the file).
    #[serde(skip)]
    pub city_wide: bool,
}

impl StaffUser {
    /// The name pages and the audit log show.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.username)
    }

    /// Whether a clerk of this account may work at `window`.
    pub fn may_use_window(&self, window: &str) -> bool {
        self.windows.is_empty() || self.windows.iter().any(|w| w == window)
    }
}

/// `[sign_in]`: how long sessions last and how guessing is slowed down.
#[derive(Debug, Clone, Deserialize)]
pub struct SignIn {
    /// A session ends this many minutes after sign-in (default 720: a working day).
    #[serde(default = "default_session_minutes")]
    pub session_minutes: i64,
    /// Wrong passwords in a row (within `lockout_minutes`) before an account is locked.
    #[serde(default = "default_max_failures")]
    pub max_failures: i64,
    /// How long a locked account waits.
    #[serde(default = "default_lockout_minutes")]
    pub lockout_minutes: i64,
}

impl Default for SignIn {
    fn default() -> Self {
        Self {
            session_minutes: default_session_minutes(),
            max_failures: default_max_failures(),
            lockout_minutes: default_lockout_minutes(),
        }
    }
}

fn default_session_minutes() -> i64 {
    720
}
fn default_max_failures() -> i64 {
    5
}
fn default_lockout_minutes() -> i64 {
    15
}

/// An argon2id PHC string for `password` with a fresh random salt.
///
/// # Panics
/// Never in practice: hashing only fails on parameters this function does not set.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters")
        .to_string()
}

/// Whether `password` matches the PHC string `phc` (false for a malformed string).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Output length of the hashes [`hash_password`] makes (argon2's default, and that of the
/// usual argon2 tools).
const HASH_BYTES: usize = 32;
/// The largest argon2 memory cost accepted, KiB (256 MiB; hallq's own hashes use 19 MiB).
const MAX_M_KIB: u32 = 256 * 1024;
/// The largest argon2 time cost accepted.
const MAX_T: u32 = 16;
/// The largest argon2 parallelism accepted.
const MAX_P: u32 = 16;

/// What is wrong with a `password_argon2` value, if anything: it must parse as an argon2
/// PHC string with parameters argon2 accepts, a salt and a whole hash — a string cut off
/// when pasted can still be a valid PHC string, and then no password ever matches it.
fn phc_problem(phc: &str) -> Option<String> {
    const FIX: &str = "make one with `hallq hash --password` and paste it whole";
    let h = match PasswordHash::new(phc) {
        Err(e) => return Some(format!("not a password hash ({e}); {FIX}")),
        Ok(h) => h,
    };
    if argon2::Algorithm::try_from(h.algorithm).is_err() {
        return Some(format!(
            "algorithm {:?} is not argon2; {FIX}",
            h.algorithm.as_str()
        ));
    }
    match argon2::Params::try_from(&h) {
        Err(e) => return Some(format!("argon2 parameters refused ({e}); {FIX}")),
        // Every sign-in verifies with these costs: bound them so a pasted hash cannot make
        // each attempt take minutes or gigabytes.
        Ok(p) if p.m_cost() > MAX_M_KIB || p.t_cost() > MAX_T || p.p_cost() > MAX_P => {
            return Some(format!(
                "argon2 costs m={} t={} p={} exceed what a sign-in may spend                  (m ≤ {MAX_M_KIB} KiB, t ≤ {MAX_T}, p ≤ {MAX_P}); {FIX}",
                p.m_cost(),
                p.t_cost(),
                p.p_cost()
            ))
        }
        Ok(_) => {}
    }
    match h.hash {
        None => Some(format!(
            "the hash is cut off: nothing follows the salt, so no password can match; {FIX}"
        )),
        Some(out) if out.len() < HASH_BYTES => Some(format!(
            "the hash is cut off or damaged ({} bytes where a whole one has at least \
             {HASH_BYTES}), so no password can match; {FIX}",
            out.len()
        )),
        Some(_) => None,
    }
}

/// Rules over `[[staff]]` and `[sign_in]`.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let k = |x: &str| Seg::Key(x.to_string());
    let mut seen: Vec<&str> = Vec::new();
    for (n, u) in s.staff.iter().enumerate() {
        let at = |key: &str| vec![k("staff"), Seg::Index(n), k(key)];
        let name_ok = !u.username.is_empty()
            && u.username.len() <= 64
            && !u.username.chars().any(char::is_whitespace);
        if !name_ok {
            p.push((
                at("username"),
                "must be 1–64 characters without spaces".into(),
            ));
        } else if seen.contains(&u.username.as_str()) {
            p.push((at("username"), format!("{:?} used twice", u.username)));
        }
        seen.push(&u.username);
        if !matches!(u.role, Role::Clerk | Role::Admin | Role::Desk) {
            p.push((
                at("role"),
                "staff accounts are `clerk`, `desk` or `admin` (devices use [[credentials]])"
                    .into(),
            ));
        }
        if u.role == Role::Admin && !u.windows.is_empty() {
            p.push((at("windows"), "an admin is not bound to windows".into()));
        }
        if u.role == Role::Desk && !u.windows.is_empty() {
            p.push((
                at("windows"),
                "the consult desk is not bound to windows".into(),
            ));
        }
        for (m, w) in u.windows.iter().enumerate() {
            if s.window(w).is_none() {
                p.push((
                    vec![k("staff"), Seg::Index(n), k("windows"), Seg::Index(m)],
                    crate::suggest::unknown_window(s, w),
                ));
            }
        }
        if let Some(msg) = phc_problem(&u.password_argon2) {
            p.push((at("password_argon2"), msg));
        }
    }
    let at = |key: &str| vec![k("sign_in"), k(key)];
    let si = &s.sign_in;
    if !(5..=24 * 60).contains(&si.session_minutes) {
        p.push((at("session_minutes"), "must be 5–1440 (minutes)".into()));
    }
    if !(1..=100).contains(&si.max_failures) {
        p.push((at("max_failures"), "must be 1–100".into()));
    }
    if !(1..=24 * 60).contains(&si.lockout_minutes) {
        p.push((at("lockout_minutes"), "must be 1–1440 (minutes)".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash_password("s3cret 密码");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret 密码", &h));
        assert!(!verify_password("s3cret", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
