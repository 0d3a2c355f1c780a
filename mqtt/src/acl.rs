//! Who may publish and subscribe to what: the one MQTT authorization policy, used by the
//! embedded broker's authorizing front (controller) and by the Mosquitto ACL that
//! `hallq mqtt acl` writes, so both enforce the same rules from the same account list.
//!
//! | account | publish | subscribe |
//! |---|---|---|
//! | controller | `hallq/v1/{hall}/#` | `hallq/v1/{hall}/#` |
//! | display, gateway | nothing | `calls`, `windows/+`, `queues/+` of its hall |
//! | button of window w | `hallq/v1/{hall}/buttons/{w}` | nothing |
//!
//! A publish is allowed when its topic matches one of the account's publish patterns
//! ([`topic_matches`]); a subscription when every topic its filter can match is allowed
//! ([`filter_within`] one of the subscribe patterns). Nothing here does IO.

use crate::topic_root;
use hallq_config::{BrokerAccount, Role};

/// What an account is for, as far as MQTT is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Account {
    /// The controller: publishes hall state and calls, reads button presses.
    Controller,
    /// A TV screen / display-client: reads calls and state.
    Display,
    /// An LED gateway: reads calls and state.
    Gateway,
    /// The call button of one window: presses that window's button.
    Button {
        /// The window id.
        window: String,
    },
}

/// The topic patterns (MQTT filter syntax) an account may publish to and subscribe to.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Grants {
    /// A publish's topic must match one of these.
    pub publish: Vec<String>,
    /// A subscription's filter must lie within one of these.
    pub subscribe: Vec<String>,
}

/// What displays and gateways read below the hall root.
pub const READ_TOPICS: [&str; 3] = ["calls", "windows/+", "queues/+"];

impl Account {
    /// What a `[[broker.accounts]]` entry is: a display, a gateway, or a button with its
    /// window; `None` for any other role or a button without a window (the config check
    /// refuses both).
    pub fn of(account: &BrokerAccount) -> Option<Self> {
        match (account.role, &account.window) {
            (Role::Display, _) => Some(Self::Display),
            (Role::Gateway, _) => Some(Self::Gateway),
            (Role::Button, Some(w)) => Some(Self::Button { window: w.clone() }),
            _ => None,
        }
    }

    /// The account's grants in hall `hall`.
    pub fn grants(&self, hall: &str) -> Grants {
        let root = topic_root(hall);
        match self {
            Self::Controller => Grants {
                publish: vec![format!("{root}#")],
                subscribe: vec![format!("{root}#")],
            },
            Self::Display | Self::Gateway => Grants {
                publish: Vec::new(),
                subscribe: READ_TOPICS.iter().map(|t| format!("{root}{t}")).collect(),
            },
            Self::Button { window } => Grants {
                publish: vec![format!("{root}buttons/{window}")],
                subscribe: Vec::new(),
            },
        }
    }
}

/// The controller's Mosquitto user name when the config names none (`broker.username`).
pub const DEFAULT_CONTROLLER_USER: &str = "hallq-controller";

/// The accounts of a config for the ACL: the controller (`broker.username`, else
/// [`DEFAULT_CONTROLLER_USER`]) first, then every `[[broker.accounts]]` entry in order
/// (entries the config check refuses are left out).
pub fn accounts_of(cfg: &hallq_config::Settings) -> Vec<(String, Account)> {
    let controller = cfg
        .broker
        .username
        .clone()
        .unwrap_or_else(|| DEFAULT_CONTROLLER_USER.to_string());
    std::iter::once((controller, Account::Controller))
        .chain(
            cfg.broker
                .accounts
                .iter()
                .filter_map(|a| Some((a.username.clone(), Account::of(a)?))),
        )
        .collect()
}

/// A Mosquitto `acl_file` granting each of `accounts` exactly its [`Grants`] in `hall`:
/// `topic write` for publish patterns, `topic read` for subscribe patterns (Mosquitto
/// checks both the subscription and every message delivered against them), `readwrite`
/// where one pattern is both. User names are taken as given: the config check keeps
/// them to letters, digits, `.`, `-` and `_`.
pub fn mosquitto_acl(hall: &str, accounts: &[(String, Account)]) -> String {
    mosquitto_acl_halls(&[(hall.to_string(), accounts.to_vec())])
}

/// [`mosquitto_acl`] for a city's halls: each account granted in its own hall; a user name
/// several halls list (the controller's login) gets one block with every hall's grants.
pub fn mosquitto_acl_halls(halls: &[(String, Vec<(String, Account)>)]) -> String {
    let names: Vec<&str> = halls.iter().map(|(h, _)| h.as_str()).collect();
    let which = if names.len() == 1 {
        format!("hall {:?}", names[0])
    } else {
        format!("halls {}", names.join(", "))
    };
    let mut out = format!(
        "# hallq — Mosquitto ACL (acl_file) for {which}, written by `hallq mqtt acl`\n\
         # from the config's accounts. Mosquitto denies what no line grants; clients\n\
         # without a user name are refused (allow_anonymous false).\n"
    );
    let mut users: Vec<&str> = Vec::new();
    for (_, accounts) in halls {
        for (user, _) in accounts {
            if !users.contains(&user.as_str()) {
                users.push(user);
            }
        }
    }
    for user in users {
        let mut described = false;
        for (hall, accounts) in halls {
            for (_, account) in accounts.iter().filter(|(u, _)| u == user) {
                if !described {
                    out.push_str(&format!("\n# {}\nuser {user}\n", account.describe()));
                    described = true;
                }
                let g = account.grants(hall);
                for p in &g.publish {
                    let access = if g.subscribe.contains(p) {
                        "readwrite"
                    } else {
                        "write"
                    };
                    out.push_str(&format!("topic {access} {p}\n"));
                }
                for p in g.subscribe.iter().filter(|p| !g.publish.contains(p)) {
                    out.push_str(&format!("topic read {p}\n"));
                }
            }
        }
    }
    out
}

impl Account {
    /// One line on what the account may do, for the ACL file's comments.
    pub fn describe(&self) -> String {
        match self {
            Self::Controller => "the controller: publishes calls and state, reads buttons".into(),
            Self::Display => "display: reads calls, windows and queues only".into(),
            Self::Gateway => "LED gateway: reads calls, windows and queues only".into(),
            Self::Button { window } => {
                format!("call button of window {window}: writes its own buttons/{window} only")
            }
        }
    }
}

impl Grants {
    /// Whether a PUBLISH (or a CONNECT's last will) on `topic` is allowed.
    pub fn may_publish(&self, topic: &str) -> bool {
        valid_topic(topic) && self.publish.iter().any(|p| topic_matches(topic, p))
    }

    /// Whether subscribing to `filter` is allowed: every topic it can match is allowed.
    pub fn may_subscribe(&self, filter: &str) -> bool {
        self.subscribe.iter().any(|p| filter_within(filter, p))
    }

    /// [`Self::may_subscribe`] on a broker that carries one hall's topics only (the
    /// embedded broker: every account's publishes are confined to `hallq/v1/{hall}/…`), where
    /// a `+` at the hall level (`hallq/v1/+/calls`, the contract's usual filter) can match
    /// only this hall: it is read as the hall of the pattern it is checked against.
    pub fn may_subscribe_single_hall(&self, filter: &str) -> bool {
        self.subscribe.iter().any(|p| {
            filter_within(filter, p) || {
                let mut f: Vec<&str> = filter.split('/').collect();
                let hall = p.split('/').nth(2);
                match (f.get(2), hall) {
                    (Some(&"+"), Some(h)) if h != "+" && h != "#" => {
                        f[2] = h;
                        filter_within(&f.join("/"), p)
                    }
                    _ => false,
                }
            }
        })
    }
}

/// A topic name a client may publish to: non-empty, no wildcard, no NUL, not `$…`.
pub fn valid_topic(topic: &str) -> bool {
    !topic.is_empty() && !topic.starts_with('$') && !topic.contains(['+', '#', '\0'])
}

/// A valid MQTT 3.1.1 topic filter: non-empty, no NUL, `+` alone in its level, `#` alone
/// in the last level.
pub fn valid_filter(filter: &str) -> bool {
    if filter.is_empty() || filter.contains('\0') {
        return false;
    }
    let levels: Vec<&str> = filter.split('/').collect();
    levels.iter().enumerate().all(|(i, l)| {
        let alone = |c: char| !l.contains(c) || *l == c.to_string();
        alone('+') && alone('#') && (*l != "#" || i + 1 == levels.len())
    })
}

/// Whether `topic` (a name, no wildcards) matches `pattern` (a valid filter).
pub fn topic_matches(topic: &str, pattern: &str) -> bool {
    if topic.starts_with('$') && pattern.starts_with(['+', '#']) {
        return false;
    }
    let mut t = topic.split('/');
    for p in pattern.split('/') {
        if p == "#" {
            return true;
        }
        match t.next() {
            Some(level) if p == "+" || p == level => {}
            _ => return false,
        }
    }
    t.next().is_none()
}

/// Whether every topic `filter` can match is also matched by `pattern`: `filter` is a
/// client's subscription, `pattern` an allowed one. An invalid filter is within nothing.
///
/// Level by level: the pattern's `#` covers whatever remains; the filter's `#` (the rest,
/// including its parent level) is covered only by a `#`; the filter's `+` only by a `+`;
/// a literal by the same literal or a `+`. A filter that ends where the pattern goes on is
/// covered only by a final `#` (`a/#` matches `a`).
pub fn filter_within(filter: &str, pattern: &str) -> bool {
    if !valid_filter(filter) || !valid_filter(pattern) {
        return false;
    }
    // Wildcards in the first level never match `$` topics: a `$` filter is within a
    // pattern only literally.
    if filter.starts_with('$') && pattern.starts_with(['+', '#']) {
        return false;
    }
    let mut f = filter.split('/');
    let mut p = pattern.split('/');
    loop {
        match (f.next(), p.next()) {
            (_, Some("#")) => return true,
            (None, None) => return true,
            (None, Some(_)) | (Some(_), None) | (Some("#"), Some(_)) => return false,
            (Some("+"), Some(pl)) => {
                if pl != "+" {
                    return false;
                }
            }
            (Some(fl), Some(pl)) => {
                if pl != "+" && pl != fl {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
