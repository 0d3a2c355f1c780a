//! `[[notifiers]]`: where citizens' notifications go (booking confirmed, reminders,
//! cancelled by the hall, no-show, banned), and `[appointments] reminders`, the lead times
//! of the reminders. See docs/notifications.md.
//!
//! - `kind = "webhook"`: a JSON POST to `url`, signed with HMAC-SHA256 under the key in the
//!   environment variable `secret_env` (the key itself is never in the file);
//!   `timeout_secs` (default 10) bounds one attempt.
//! - `kind = "log"`: one log line per event, masked data only (the demo's).
//!
//! Loading stays pure: whether `secret_env` is set is checked when the controller starts.

use crate::locate::Seg;
use crate::schema::Settings;
use serde::Deserialize;

/// One `[[notifiers]]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Notifier {
    /// `webhook` or `log`.
    pub kind: String,
    /// Name in logs, metrics and the delivery records (default: the kind). Two notifiers
    /// of one kind need distinct names.
    #[serde(default)]
    pub name: Option<String>,
    /// Webhook: where to POST (`http://…`).
    #[serde(default)]
    pub url: Option<String>,
    /// Webhook: the environment variable holding the HMAC key.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Webhook: seconds one delivery attempt may take (1 to 60, default 10).
    #[serde(default)]
    pub timeout_secs: Option<u32>,
}

/// Default of `timeout_secs`.
pub const DEFAULT_TIMEOUT_SECS: u32 = 10;

impl Notifier {
    /// The notifier's name: `name`, else its kind.
    #[must_use]
    pub fn id(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.kind)
    }

    /// `timeout_secs` or its default.
    #[must_use]
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS)))
    }
}

/// Default reminder lead times: the day before and an hour before the slot.
pub fn default_reminders() -> Vec<String> {
    vec!["1d".into(), "1h".into()]
}

/// A lead time written `N` + `d`, `h` or `m` (`"1d"`, `"1h"`, `"30m"`), in minutes:
/// 5 minutes to 7 days.
#[must_use]
pub fn parse_lead(s: &str) -> Option<u32> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().checked_sub(1)?);
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.len() > 5 {
        return None;
    }
    let n: u32 = n.parse().ok()?;
    let minutes = match unit {
        "d" => n.checked_mul(24 * 60)?,
        "h" => n.checked_mul(60)?,
        "m" => n,
        _ => return None,
    };
    (5..=7 * 24 * 60).contains(&minutes).then_some(minutes)
}

impl Settings {
    /// The reminder lead times in minutes, longest first, without duplicates.
    #[must_use]
    pub fn reminder_leads(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .appointments
            .reminders
            .iter()
            .filter_map(|s| parse_lead(s))
            .collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.dedup();
        v
    }
}

/// Names of environment variables: letters, digits and `_`, not starting with a digit.
fn env_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Rule violations of `[[notifiers]]` and `[appointments] reminders`.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let k = |x: &str| Seg::Key(x.to_string());
    let mut seen: Vec<&str> = Vec::new();
    for (i, n) in s.notifiers.iter().enumerate() {
        let at = |key: &str| vec![k("notifiers"), Seg::Index(i), k(key)];
        let webhook = match n.kind.as_str() {
            "webhook" => true,
            "log" => false,
            other => {
                p.push((
                    at("kind"),
                    format!("unknown notifier kind {other:?} (use \"webhook\" or \"log\")"),
                ));
                continue;
            }
        };
        if let Some(name) = &n.name {
            if !name_ok(name) {
                p.push((
                    at("name"),
                    "must be 1-64 characters of letters, digits, '-' or '_'".into(),
                ));
            }
        }
        if seen.contains(&n.id()) {
            let key = if n.name.is_some() { "name" } else { "kind" };
            p.push((
                at(key),
                format!(
                    "a second notifier named {:?}: give each a distinct `name`",
                    n.id()
                ),
            ));
        }
        seen.push(n.id());
        if !webhook {
            for (key, set) in [
                ("url", n.url.is_some()),
                ("secret_env", n.secret_env.is_some()),
                ("timeout_secs", n.timeout_secs.is_some()),
            ] {
                if set {
                    p.push((at(key), "only a webhook notifier takes this key".into()));
                }
            }
            continue;
        }
        let mut missing = Vec::new();
        match n.url.as_deref() {
            None => missing.push("`url` (http://…)"),
            Some(u) => {
                if let Err(why) = check_url(u) {
                    p.push((at("url"), why));
                }
            }
        }
        match n.secret_env.as_deref() {
            None => missing.push("`secret_env` (the environment variable that holds the HMAC key)"),
            Some(e) if !env_name_ok(e) => p.push((
                at("secret_env"),
                "must be the name of an environment variable (letters, digits, '_')".into(),
            )),
            Some(_) => {}
        }
        if !missing.is_empty() {
            p.push((
                at("kind"),
                format!("a webhook needs {}", missing.join(" and ")),
            ));
        }
        if let Some(t) = n.timeout_secs {
            if !(1..=60).contains(&t) {
                p.push((at("timeout_secs"), "must be 1 to 60 seconds".into()));
            }
        }
    }
    let mut leads = Vec::new();
    for (i, r) in s.appointments.reminders.iter().enumerate() {
        let at = vec![k("appointments"), k("reminders"), Seg::Index(i)];
        match parse_lead(r) {
            None => p.push((
                at,
                format!(
                    "{r:?} is not a lead time from 5m to 7d (write e.g. \"1d\", \"1h\", \"30m\")"
                ),
            )),
            Some(m) if leads.contains(&m) => {
                p.push((at, format!("{r:?} repeats an earlier lead time")));
            }
            Some(m) => leads.push(m),
        }
    }
}

/// A webhook URL: `http://host[:port]/path`, no credentials, no fragment.
fn check_url(u: &str) -> Result<(), String> {
    if u.starts_with("https://") {
        return Err(
            "https is not built into this controller: reach the message service through a \
             local TLS proxy (e.g. http://127.0.0.1:8443/…) or its http address"
                .into(),
        );
    }
    let Some(rest) = u.strip_prefix("http://") else {
        return Err("must start with http://".into());
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') || u.contains('#') || u.len() > 2048 {
        return Err("must be http://HOST[:PORT]/PATH without user, password or fragment".into());
    }
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_lead;

    #[test]
    fn lead_times() {
        assert_eq!(parse_lead("1d"), Some(1440));
        assert_eq!(parse_lead("1h"), Some(60));
        assert_eq!(parse_lead("30m"), Some(30));
        assert_eq!(parse_lead("7d"), Some(7 * 1440));
        for bad in [
            "",
            "d",
            "8d",
            "4m",
            "1x",
            "-1h",
            "1.5h",
            "h1",
            "99999999999d",
        ] {
            assert_eq!(parse_lead(bad), None, "{bad}");
        }
    }
}
