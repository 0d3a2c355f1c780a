//! Parsing of broker URLs.

/// Host and port of `mqtt://HOST:PORT` (port defaults to 1883).
pub fn mqtt_host_port(url: &str) -> Option<(String, u16)> {
    let rest = url
        .strip_prefix("mqtt://")
        .or_else(|| url.strip_prefix("tcp://"))?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.contains('@') || rest.contains('/') {
        return None;
    }
    match rest.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => Some((h.to_string(), p.parse().ok()?)),
        Some(_) => None,
        None => Some((rest.to_string(), 1883)),
    }
}
