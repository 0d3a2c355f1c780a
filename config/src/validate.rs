//! Semantic rules over parsed settings: pure, returns every problem with its key path.

use crate::locate::Seg;
use crate::schema::{BrokerMode, Role, Settings};
use std::collections::HashMap;

type Problems = Vec<(Vec<Seg>, String)>;

fn k(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

fn i(n: usize) -> Seg {
    Seg::Index(n)
}

/// Every rule violation in `s`.
pub(crate) fn validate(s: &Settings) -> Problems {
    let mut p = Vec::new();
    hall(s, &mut p);
    server(s, &mut p);
    broker(s, &mut p);
    services(s, &mut p);
    windows(s, &mut p);
    credentials(s, &mut p);
    led(s, &mut p);
    crate::screens::validate(s, &mut p);
    crate::printers::validate(s, &mut p);
    crate::staff::validate(s, &mut p);
    crate::booking::validate(s, &mut p);
    crate::limits::validate(s, &mut p);
    crate::notifiers::validate(s, &mut p);
    crate::broker_logins::validate(s, &mut p);
    p
}

/// Ids end up in URLs and MQTT topics: keep them to a safe alphabet.
pub(crate) fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

const ID_RULE: &str = "must be 1-64 characters of letters, digits, '-' or '_'";

/// Hall and city ids: [`id_ok`] in lowercase.
pub(crate) fn lower_id_ok(id: &str) -> bool {
    id_ok(id) && !id.chars().any(|c| c.is_ascii_uppercase())
}

/// What a hall or city id breaks.
pub(crate) const LOWER_ID_RULE: &str =
    "must be 1-64 characters of lowercase letters, digits, '-' or '_'";

fn hall(s: &Settings, p: &mut Problems) {
    let h = &s.hall;
    if !lower_id_ok(&h.id) {
        p.push((vec![k("hall"), k("id")], LOWER_ID_RULE.into()));
    }
    if h.name.trim().is_empty() {
        p.push((vec![k("hall"), k("name")], "must not be empty".into()));
    }
    if h.address.as_deref().is_some_and(|a| a.trim().is_empty()) {
        p.push((
            vec![k("hall"), k("address")],
            "must not be empty (leave it out when there is none)".into(),
        ));
    }
    if h.time_zone.parse::<chrono_tz::Tz>().is_err() {
        p.push((
            vec![k("hall"), k("time_zone")],
            format!(
                "unknown time zone {:?} (use an IANA name such as \"Asia/Shanghai\")",
                h.time_zone
            ),
        ));
    }
    crate::hours::validate(&h.hours, p);
}

/// Minutes since midnight of `HH:MM` (24:00 allowed).
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Weekday of a three-letter English day name.
pub fn weekday(s: &str) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    Some(match s {
        "mon" => Mon,
        "tue" => Tue,
        "wed" => Wed,
        "thu" => Thu,
        "fri" => Fri,
        "sat" => Sat,
        "sun" => Sun,
        _ => return None,
    })
}

fn server(s: &Settings, p: &mut Problems) {
    let sv = &s.server;
    if sv.listen.parse::<std::net::SocketAddr>().is_err() {
        p.push((
            vec![k("server"), k("listen")],
            "must be HOST:PORT with an IP address, e.g. \"127.0.0.1:8080\"".into(),
        ));
    }
    if let Some(u) = &sv.database_url {
        if !(u.is_empty()
            || u.starts_with("sqlite:")
            || u.starts_with("postgres://")
            || u.starts_with("postgresql://"))
        {
            p.push((
                vec![k("server"), k("database_url")],
                "must start with sqlite: or postgres://".into(),
            ));
        }
    }
    if let Some(u) = &sv.public_base_url {
        if !(u.is_empty() || u.starts_with("http://") || u.starts_with("https://")) {
            p.push((
                vec![k("server"), k("public_base_url")],
                "must start with http:// or https://".into(),
            ));
        }
    }
    if sv.max_body_bytes < 1024 {
        p.push((
            vec![k("server"), k("max_body_bytes")],
            "must be at least 1024".into(),
        ));
    }
}

fn broker(s: &Settings, p: &mut Problems) {
    let b = &s.broker;
    match b.mode {
        BrokerMode::Embedded => {
            if b.listen.parse::<std::net::SocketAddr>().is_err() {
                p.push((
                    vec![k("broker"), k("listen")],
                    "must be HOST:PORT with an IP address, e.g. \"127.0.0.1:11883\"".into(),
                ));
            }
        }
        BrokerMode::External => match &b.url {
            None => p.push((
                vec![k("broker"), k("mode")],
                "external broker needs broker.url = \"mqtt://HOST:PORT\"".into(),
            )),
            Some(u) if crate::schema_url::mqtt_host_port(u).is_none() => {
                p.push((
                    vec![k("broker"), k("url")],
                    "must be mqtt://HOST:PORT".into(),
                ));
            }
            Some(_) => {}
        },
    }
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (n, a) in b.accounts.iter().enumerate() {
        let path = |key: &str| vec![k("broker"), k("accounts"), i(n), k(key)];
        if names.insert(a.username.as_str(), n).is_some() {
            p.push((
                path("username"),
                format!("duplicate user name {:?}", a.username),
            ));
        }
        if let Some(msg) = sha256_problem(&a.password_sha256, "password", "PASSWORD") {
            p.push((path("password_sha256"), msg));
        }
        if !account_name_ok(&a.username) {
            p.push((
                path("username"),
                "must be 1-64 characters of letters, digits, '.', '-' or '_' \
                 (it becomes a Mosquitto user name and part of a client id)"
                    .into(),
            ));
        } else if a.username == "hallq-internal" || b.username.as_deref() == Some(&a.username) {
            p.push((
                path("username"),
                format!("{:?} is the controller's own login", a.username),
            ));
        }
        match a.role {
            Role::Display | Role::Gateway if a.window.is_some() => p.push((
                path("window"),
                "only a button account names a window".into(),
            )),
            Role::Display | Role::Gateway | Role::Button => {
                window_ref(s, a.role, a.window.as_deref(), &path("window"), p);
            }
            Role::Admin | Role::Clerk | Role::Kiosk | Role::Desk => p.push((
                path("role"),
                "broker accounts are `display`, `gateway` or `button` \
                 (the controller signs in by itself)"
                    .into(),
            )),
        }
    }
}

/// MQTT user names: they go into Mosquitto's password and ACL files line by line.
fn account_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// What is wrong with a stored SHA-256 of a `what` (token, password), if anything: it
/// must be 64 lowercase hex digits.
fn sha256_problem(h: &str, what: &str, arg: &str) -> Option<String> {
    let hex = h.chars().all(|c| c.is_ascii_hexdigit());
    let fix = format!("`hallq hash {arg}` prints it");
    if h.len() == 64 && hex && h.chars().any(|c| c.is_ascii_uppercase()) {
        Some(format!(
            "must be 64 lowercase hex digits: write this one in lowercase ({fix})"
        ))
    } else if h.len() != 64 || !hex {
        let got = if hex {
            format!("{} hex digits: cut off or too long?", h.chars().count())
        } else {
            format!("not hex: the {what} itself instead of its hash?")
        };
        Some(format!(
            "must be 64 lowercase hex digits, the sha256 of the {what} ({got}); {fix}"
        ))
    } else {
        None
    }
}

fn services(s: &Settings, p: &mut Problems) {
    let mut sections: HashMap<&str, usize> = HashMap::new();
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut prefixes: HashMap<&str, String> = HashMap::new();
    if s.sections.iter().all(|sec| sec.services.is_empty()) {
        p.push((
            vec![k("sections")],
            "the hall needs at least one section with a service".into(),
        ));
    }
    for (si, sec) in s.sections.iter().enumerate() {
        let spath = |key: &str| vec![k("sections"), i(si), k(key)];
        if !id_ok(&sec.id) {
            p.push((spath("id"), ID_RULE.into()));
        } else if sections.insert(&sec.id, si).is_some() {
            p.push((spath("id"), format!("duplicate section id {:?}", sec.id)));
        }
        for (vi, sv) in sec.services.iter().enumerate() {
            let path = |key: &str| vec![k("sections"), i(si), k("services"), i(vi), k(key)];
            let here = format!("sections[{si}].services[{vi}]");
            if !id_ok(&sv.id) {
                p.push((path("id"), ID_RULE.into()));
            } else if let Some(prev) = ids.insert(&sv.id, here.clone()) {
                p.push((
                    path("id"),
                    format!("duplicate service id {:?} (also at {prev})", sv.id),
                ));
            }
            if sv.name.trim().is_empty() {
                p.push((path("name"), "must not be empty".into()));
            }
            if sv.prefix.len() != 1 || !sv.prefix.chars().all(|c| c.is_ascii_uppercase()) {
                p.push((path("prefix"), "must be one capital letter A-Z".into()));
            } else if let Some(prev) = prefixes.insert(&sv.prefix, here) {
                p.push((
                    path("prefix"),
                    format!("prefix {:?} already used by {prev}", sv.prefix),
                ));
            }
            if sv.daily_cap == Some(0) {
                p.push((
                    path("daily_cap"),
                    "must be at least 1 (leave it out for no cap)".into(),
                ));
            }
            if !(1..=6).contains(&sv.width) {
                p.push((path("width"), "must be between 1 and 6 digits".into()));
            } else if let Some(cap) = sv.daily_cap {
                let most = 10u64.pow(sv.width) - 1;
                if u64::from(cap) > most {
                    p.push((path("daily_cap"), format!("{cap} tickets need more than {} digits (width); raise width or lower the cap", sv.width)));
                }
            }
        }
    }
}

fn windows(s: &Settings, p: &mut Problems) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (wi, w) in s.windows.iter().enumerate() {
        let path = |key: &str| vec![k("windows"), i(wi), k(key)];
        if !id_ok(&w.id) {
            p.push((path("id"), ID_RULE.into()));
        } else if ids.insert(&w.id, wi).is_some() {
            p.push((path("id"), format!("duplicate window id {:?}", w.id)));
        }
        if w.name.trim().is_empty() {
            p.push((path("name"), "must not be empty".into()));
        }
        if w.services.is_empty() {
            p.push((
                path("services"),
                "a window must serve at least one service".into(),
            ));
        }
        for (n, sv) in w.services.iter().enumerate() {
            let at = vec![k("windows"), i(wi), k("services"), i(n)];
            if s.service(sv).is_none() {
                p.push((at, crate::suggest::unknown_service(s, sv)));
            } else if w.services[..n].contains(sv) {
                p.push((at, format!("service {sv:?} listed twice")));
            }
        }
    }
}

fn credentials(s: &Settings, p: &mut Problems) {
    let mut hashes: HashMap<&str, usize> = HashMap::new();
    for (n, c) in s.credentials.iter().enumerate() {
        let path = |key: &str| vec![k("credentials"), i(n), k(key)];
        if let Some(msg) = sha256_problem(&c.token_sha256, "token", "TOKEN") {
            p.push((path("token_sha256"), msg));
        } else if let Some(prev) = hashes.insert(&c.token_sha256, n) {
            p.push((
                path("token_sha256"),
                format!("same token as credentials[{prev}]"),
            ));
        }
        if c.role == Role::Desk && c.window.is_some() {
            p.push((
                path("window"),
                "a desk token is not bound to a window".into(),
            ));
        }
        window_ref(s, c.role, c.window.as_deref(), &path("window"), p);
    }
}

fn window_ref(s: &Settings, role: Role, window: Option<&str>, path: &[Seg], p: &mut Problems) {
    match (role, window) {
        (Role::Clerk | Role::Button, None) => p.push((
            path.to_vec(),
            format!("a {} needs the window it acts for", role.as_str()),
        )),
        (_, Some(w)) if s.window(w).is_none() => {
            p.push((path.to_vec(), crate::suggest::unknown_window(s, w)))
        }
        _ => {}
    }
}

/// `[led]`: buses, boards, templates (the rules live in `crate::led`).
fn led(s: &Settings, p: &mut Problems) {
    crate::led::validate(s, p);
}
