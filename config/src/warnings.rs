//! Warnings: a config that works, but not as a real hall should — published demo
//! credentials, ticket links that point at this machine while the hall listens on its
//! network, an ID hash key variable that is not usable where the check runs.
//! `hallq config check` prints them after the errors (`--strict` fails on them) and
//! `hallq run` logs them at start-up: one list, made here.

use crate::locate::Seg;
use crate::schema::Settings;
use std::net::{IpAddr, SocketAddr};

/// Every warning about `s`, with its key path; `env` reads an environment variable.
pub(crate) fn warnings(
    s: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<(Vec<Seg>, String)> {
    let k = |x: &str| Seg::Key(x.to_string());
    let mut w: Vec<(Vec<Seg>, String)> = s
        .demo_credentials()
        .into_iter()
        .map(|d| {
            let msg = d.warning();
            (d.at, msg)
        })
        .collect();
    if let Some(msg) = public_base_url_warning(s) {
        let key = match s.server.public_base_url.as_deref() {
            Some(u) if !u.is_empty() => "public_base_url",
            _ => "listen",
        };
        w.push((vec![k("server"), k(key)], msg));
    }
    let id = &s.identity;
    for (key, var) in [
        ("id_hash_key_env", &id.id_hash_key_env),
        ("id_hash_key_previous_env", &id.id_hash_key_previous_env),
    ] {
        let Some(var) = var else { continue };
        if let Some(msg) = crate::identity::key_problem(var, &format!("identity.{key}"), env) {
            w.push((
                vec![k("identity"), k(key)],
                format!("{msg} (checked where `config check` runs; `hallq run` refuses to start without a usable key outside the demo)"),
            ));
        }
    }
    w.extend(refused_at_start(s, env));
    w.extend(crate::led::warnings(s));
    w
}

/// What `hallq run` would refuse at start-up although the file parses: the key for hashing
/// ID numbers written in the file outside the demo, the development identity provider on a
/// listener beyond this machine without its opt-in variable.
fn refused_at_start(s: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Vec<(Vec<Seg>, String)> {
    let k = |x: &str| Seg::Key(x.to_string());
    let id = &s.identity;
    let mut w = Vec::new();
    let bookable = s.services().any(|v| v.booking.is_some());
    if !id.dev_provider && (bookable || id.id_hash_key.is_some()) && id.id_hash_key_env.is_none() {
        w.push((
            vec![k("identity"), k("id_hash_key")],
            format!(
                "id_hash_key in the file is for the demo only: `hallq run` refuses to start \
                 this hall; set id_hash_key_env = \"HALLQ_ID_HASH_KEY\" and that variable \
                 instead ({})",
                crate::identity::KEY_HOWTO
            ),
        ));
    }
    let lan = s
        .server
        .listen
        .parse::<SocketAddr>()
        .is_ok_and(|a| !a.ip().is_loopback());
    if id.dev_provider && lan && env(crate::identity::ALLOW_DEV_ENV).as_deref() != Some("1") {
        w.push((
            vec![k("identity"), k("dev_provider")],
            format!(
                "the development identity provider books in any name, so `hallq run` refuses \
                 it on the listener {} (beyond this machine): set dev_provider = false for a \
                 real hall (or {}=1 to allow it on purpose)",
                s.server.listen,
                crate::identity::ALLOW_DEV_ENV
            ),
        ));
    }
    w
}

/// Why the ticket links (QR codes) would not open on citizens' phones: the server
/// listens beyond this machine while the links' base (`server.public_base_url`, or
/// `http://{server.listen}` when unset) is a loopback or unspecified address. Pure over
/// the settings, so `hallq run` asks it again after `--listen`.
pub fn public_base_url_warning(s: &Settings) -> Option<String> {
    let listen: SocketAddr = s.server.listen.parse().ok()?;
    if listen.ip().is_loopback() {
        return None;
    }
    let base = s.public_base_url();
    let host = url_host(&base)?;
    let local = host == "localhost"
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    if !local {
        return None;
    }
    let example = format!("\"http://192.168.1.10:{}\"", listen.port());
    Some(match s.server.public_base_url.as_deref() {
        Some(u) if !u.is_empty() => format!(
            "{u:?} is this machine only, while server.listen {listen} serves the hall's \
             network: every ticket's QR code would open nothing on a citizen's phone; set \
             the address phones reach, e.g. public_base_url = {example}"
        ),
        _ => format!(
            "server.listen {listen} serves the hall's network but public_base_url is not \
             set, so every ticket's QR code would point at {base}, which no phone can \
             open: set public_base_url = the address phones reach, e.g. {example}"
        ),
    })
}

/// The host of `http://HOST[:PORT][/…]` (brackets of an IPv6 address removed).
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    Some(authority.split(':').next().unwrap_or(authority))
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(url_host("http://127.0.0.1:8080"), Some("127.0.0.1"));
        assert_eq!(url_host("https://hall.example/x"), Some("hall.example"));
        assert_eq!(url_host("http://[::1]:8080/"), Some("::1"));
        assert_eq!(url_host("http://localhost"), Some("localhost"));
        assert_eq!(url_host("nothing"), None);
    }
}
