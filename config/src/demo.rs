//! The published demo credentials (README, `config/examples/demo-hall.toml` and the city
//! demo's district hall, `config/examples/demo-city/`): which of them a config still holds,
//! and where. A district hall's demo secrets are the demo hall's with `-{hall id}` appended
//! (`demo-kiosk-longhua`, `demo-clerk-longhua-{window}`, `demo-display-longhua`); its staff
//! passwords are `demo-{username}` like the demo hall's. `hallq config check` warns about each one and
//! `hallq run` logs them; the start-up banner puts a demo token into a link only while
//! that very token works.

use crate::locate::Seg;
use crate::schema::Settings;

/// Demo secrets of device and staff tokens (`demo-clerk-{window}` is added per window, and
/// each with `-{hall id}` for a district hall).
const TOKENS: [&str; 4] = ["demo-kiosk", "demo-admin", "demo-display", "demo-desk"];

/// Demo passwords of broker accounts.
const BROKER_PASSWORDS: [&str; 3] = ["demo-button", "demo-display", "demo-gateway"];

/// One published demo secret still in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredential {
    /// Who holds it: a credential's `name`, `staff:{username}` or `mqtt:{username}`.
    pub who: String,
    /// The secret anyone who read the README knows (`demo-kiosk`, …).
    pub secret: String,
    /// Where its hash sits in the file.
    pub(crate) at: Vec<Seg>,
}

impl DemoCredential {
    /// The warning for it: which account or token, and how to replace it.
    pub(crate) fn warning(&self) -> String {
        let (what, how) = if let Some(user) = self.who.strip_prefix("staff:") {
            (
                format!("staff account {user:?} has the published demo password"),
                "`hallq hash --password` hashes a new one",
            )
        } else if let Some(user) = self.who.strip_prefix("mqtt:") {
            (
                format!("broker account {user:?} has the published demo password"),
                "`hallq hash PASSWORD` hashes a new one, for the device signing in with it too",
            )
        } else {
            (
                format!("credential {:?} is the published demo token", self.who),
                "`hallq hash TOKEN` hashes a new, long random one",
            )
        };
        format!(
            "{what} {:?}: anyone who read the README can use it; replace before real use: {how}",
            self.secret
        )
    }
}

impl Settings {
    /// The published demo secrets this config still holds, in file order of their kind
    /// (credentials, staff, broker accounts).
    pub fn demo_credentials(&self) -> Vec<DemoCredential> {
        let k = |x: &str| Seg::Key(x.to_string());
        let hall = &self.hall.id;
        let mut tokens: Vec<String> = TOKENS.map(String::from).to_vec();
        tokens.extend(TOKENS.iter().map(|t| format!("{t}-{hall}")));
        for w in &self.windows {
            tokens.push(format!("demo-clerk-{}", w.id));
            tokens.push(format!("demo-clerk-{hall}-{}", w.id));
        }
        let with_hash = |list: Vec<String>| -> Vec<(String, String)> {
            list.into_iter()
                .map(|t| (crate::secret::sha256_hex(&t), t))
                .collect()
        };
        let tokens = with_hash(tokens);
        let mut found: Vec<DemoCredential> = Vec::new();
        for (n, c) in self.credentials.iter().enumerate() {
            if let Some((_, t)) = tokens.iter().find(|(h, _)| *h == c.token_sha256) {
                found.push(DemoCredential {
                    who: c.name.clone(),
                    secret: t.clone(),
                    at: vec![k("credentials"), Seg::Index(n), k("token_sha256")],
                });
            }
        }
        for (n, u) in self.staff.iter().enumerate() {
            let candidates = [format!("demo-{}", u.username), "demo-clerk".into()];
            if let Some(pw) = candidates
                .into_iter()
                .find(|pw| crate::staff::verify_password(pw, &u.password_argon2))
            {
                found.push(DemoCredential {
                    who: format!("staff:{}", u.username),
                    secret: pw,
                    at: vec![k("staff"), Seg::Index(n), k("password_argon2")],
                });
            }
        }
        let mut passwords: Vec<String> = BROKER_PASSWORDS.map(String::from).to_vec();
        passwords.extend(BROKER_PASSWORDS.iter().map(|p| format!("{p}-{hall}")));
        let passwords = with_hash(passwords);
        for (n, a) in self.broker.accounts.iter().enumerate() {
            if let Some((_, pw)) = passwords.iter().find(|(h, _)| *h == a.password_sha256) {
                found.push(DemoCredential {
                    who: format!("mqtt:{}", a.username),
                    secret: pw.clone(),
                    at: vec![
                        k("broker"),
                        k("accounts"),
                        Seg::Index(n),
                        k("password_sha256"),
                    ],
                });
            }
        }
        found
    }
}
