//! The answers of `hallq config new`, parsed from the short forms that flags and prompts
//! share (`ID:NAME`, `SECTION:ID:PREFIX:NAME`, …). Pure: each parser takes the text as typed
//! and returns a typed value or a message that says what the form is, Chinese first.
//!
//! These check the form of one answer; the rules over the whole hall (duplicate ids, unknown
//! services, overlapping periods, time zones) are the config's own, applied to the written
//! text by `hallq_config::load_str`.

use hallq_config::{hours::parse_period, weekday};

/// A business section (`ID:NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// A service (`SECTION:ID:PREFIX:NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    pub(crate) section: String,
    pub(crate) id: String,
    pub(crate) prefix: char,
    pub(crate) name: String,
}

/// A window (`ID:SERVICE,SERVICE[:NAME]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) id: String,
    pub(crate) services: Vec<String>,
    pub(crate) name: String,
}

/// A staff account: a clerk (`USERNAME:WINDOWS[:NAME]`, `*` = any window) or the admin
/// (`USERNAME[:NAME]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub(crate) username: String,
    pub(crate) name: Option<String>,
    /// Windows a clerk may sign in at (empty: any); always empty for the admin.
    pub(crate) windows: Vec<String>,
}

/// The form of each short answer, for messages and prompts.
pub(crate) mod form {
    pub(crate) const SECTION: &str = "板块编号:名称 / ID:NAME, e.g. general:综合服务";
    pub(crate) const SERVICE: &str =
        "板块编号:业务编号:字母:名称 / SECTION:ID:PREFIX:NAME, e.g. general:consult:A:综合咨询";
    pub(crate) const WINDOW: &str =
        "窗口编号:业务编号,…[:名称] / ID:SERVICE,SERVICE[:NAME], e.g. 1:consult,tax:1号窗口";
    pub(crate) const CLERK: &str =
        "用户名:窗口编号,…[:姓名] / USERNAME:WINDOWS[:NAME] (* = any window), e.g. zhang:1,2:张敏";
    pub(crate) const ADMIN: &str = "用户名[:姓名] / USERNAME[:NAME], e.g. admin:值班主任";
    pub(crate) const PERIODS: &str =
        "时段，逗号分隔 / periods, comma-separated, e.g. 09:00-12:00,14:30-17:30";
    pub(crate) const DAYS: &str = "星期，逗号分隔 / weekdays, e.g. mon,tue,wed,thu,fri";
}

/// `s` as an escaped TOML string.
pub(crate) fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `list` as a TOML array of escaped strings.
pub(crate) fn arr(list: &[String]) -> String {
    toml::Value::Array(list.iter().cloned().map(toml::Value::String).collect()).to_string()
}

/// The config's own rules (`hallq_config::load_str`) over `[hall]` keys and `[hall.hours]`
/// keys, so that a question is asked again at once; the problems' messages, if any.
fn hall_rules(hall: &str, hours: &str) -> Result<(), String> {
    let src = format!("[hall]\nid = \"x\"\nname = \"x\"\n{hall}\n[hall.hours]\n{hours}\n");
    let problems = match hallq_config::load_str("", &src) {
        Ok(_) => return Ok(()),
        Err(hallq_config::ConfigError::Invalid(d)) => d,
        Err(e) => return Err(e.to_string()),
    };
    let mine: Vec<String> = problems
        .iter()
        .filter(|d| d.key.starts_with("hall.") || d.key.is_empty())
        .map(|d| d.message.clone())
        .collect();
    if mine.is_empty() {
        Ok(())
    } else {
        Err(mine.join("; "))
    }
}

/// An IANA time zone the config accepts.
pub(crate) fn time_zone(s: &str) -> Result<String, String> {
    let tz = name("时区 time zone", s)?;
    hall_rules(&format!("time_zone = {}", q(&tz)), "")?;
    Ok(tz)
}

/// Ids end up in URLs and MQTT topics: letters, digits, `-`, `_`.
pub(crate) fn id(what: &str, s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{what} {s:?} 只能用字母、数字、- 和 _ / must be 1–64 letters, digits, '-' or '_'"
        ))
    }
}

/// A display name: trimmed, not empty, no control characters.
pub(crate) fn name(what: &str, s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("{what} 不能为空 / {what} must not be empty"));
    }
    if s.chars().any(char::is_control) {
        return Err(format!(
            "{what} 不能含控制字符 / {what} must not contain control characters"
        ));
    }
    Ok(s.to_string())
}

/// The hall's id: lowercase letters, digits, `-`, `_`.
pub(crate) fn hall_id(s: &str) -> Result<String, String> {
    let v = id("大厅编号 hall id", s)?;
    if v.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!("大厅编号 {v:?} 只能用小写字母 / must be lowercase"));
    }
    Ok(v)
}

fn fields<'a>(s: &'a str, n: usize, form: &str) -> Result<Vec<&'a str>, String> {
    let f: Vec<&str> = s.splitn(n, ':').map(str::trim).collect();
    if f.len() < n || f.iter().any(|x| x.is_empty()) {
        return Err(format!("{s:?}: 格式应为 / expected {form}"));
    }
    Ok(f)
}

/// `ID:NAME`.
pub(crate) fn section(s: &str) -> Result<Section, String> {
    let f = fields(s, 2, form::SECTION)?;
    Ok(Section {
        id: id("板块编号 section id", f[0])?,
        name: name("板块名称 section name", f[1])?,
    })
}

/// `SECTION:ID:PREFIX:NAME`.
pub(crate) fn service(s: &str) -> Result<Service, String> {
    let f = fields(s, 4, form::SERVICE)?;
    let mut letters = f[2].chars();
    let prefix = match (letters.next(), letters.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => {
            return Err(format!(
                "{s:?}: 号码字母 {:?} 应为一个字母 A–Z / the prefix must be one letter A–Z",
                f[2]
            ))
        }
    };
    Ok(Service {
        section: id("板块编号 section id", f[0])?,
        id: id("业务编号 service id", f[1])?,
        prefix,
        name: name("业务名称 service name", f[3])?,
    })
}

fn id_list(what: &str, s: &str) -> Result<Vec<String>, String> {
    s.split(',').map(|x| id(what, x)).collect()
}

/// `ID:SERVICE,SERVICE[:NAME]`; the name defaults to `{ID}号窗口`.
pub(crate) fn window(s: &str) -> Result<Window, String> {
    let f: Vec<&str> = s.splitn(3, ':').map(str::trim).collect();
    if f.len() < 2 || f[0].is_empty() || f[1].is_empty() {
        return Err(format!("{s:?}: 格式应为 / expected {}", form::WINDOW));
    }
    let wid = id("窗口编号 window id", f[0])?;
    let name = match f.get(2) {
        Some(n) => name("窗口名称 window name", n)?,
        None => format!("{wid}号窗口"),
    };
    // Service ids are checked against the services given (a name there gets "ids, not
    // names"), so any text is taken here.
    Ok(Window {
        services: f[1].split(',').map(|x| x.trim().to_string()).collect(),
        id: wid,
        name,
    })
}

/// `USERNAME:WINDOWS[:NAME]`, `*` for any window.
pub(crate) fn clerk(s: &str) -> Result<Person, String> {
    let f: Vec<&str> = s.splitn(3, ':').map(str::trim).collect();
    if f.len() < 2 || f[0].is_empty() || f[1].is_empty() {
        return Err(format!("{s:?}: 格式应为 / expected {}", form::CLERK));
    }
    let windows = if f[1] == "*" {
        Vec::new()
    } else {
        id_list("窗口编号 window id", f[1])?
    };
    Ok(Person {
        username: username(f[0])?,
        name: f.get(2).map(|n| name("姓名 name", n)).transpose()?,
        windows,
    })
}

/// `USERNAME[:NAME]`.
pub(crate) fn admin(s: &str) -> Result<Person, String> {
    let (user, display) = match s.split_once(':') {
        Some((u, n)) => (u, Some(name("姓名 name", n)?)),
        None => (s, None),
    };
    Ok(Person {
        username: username(user)?,
        name: display,
        windows: Vec::new(),
    })
}

/// What staff type to sign in: 1–64 bytes (as the config counts), no spaces or colons.
fn username(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ':');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "用户名 {s:?} 应为 1–64 字节（一个汉字算 3 字节），不含空格 / a username is 1–64 bytes without spaces"
        ))
    }
}

/// Periods `HH:MM-HH:MM`, comma-separated (empty: none), normalised, in order and not
/// overlapping.
pub(crate) fn periods(s: &str) -> Result<Vec<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let list = each_period(s)?;
    hall_rules("", &format!("sat = {}", arr(&list)))?;
    Ok(list)
}

fn each_period(s: &str) -> Result<Vec<String>, String> {
    s.split(',')
        .map(|p| {
            parse_period(p.trim())
                .map(|per| {
                    format!(
                        "{}-{}",
                        hallq_config::Period::hhmm(per.start),
                        hallq_config::Period::hhmm(per.end)
                    )
                })
                .ok_or_else(|| {
                    format!(
                        "{:?}: 时段应为 HH:MM-HH:MM，结束晚于开始 / a period is HH:MM-HH:MM, \
                         ending after it starts, e.g. 09:00-12:00",
                        p.trim()
                    )
                })
        })
        .collect()
}

/// Weekdays `mon`…`sun`, comma-separated, at least one.
pub(crate) fn days(s: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = s.split(',').map(|d| d.trim().to_lowercase()).collect();
    for d in &list {
        if weekday(d).is_none() {
            return Err(format!(
                "{d:?}: 星期应为 mon tue wed thu fri sat sun / use mon, tue, wed, thu, fri, sat, sun"
            ));
        }
    }
    Ok(list)
}

/// An environment variable's name: `A-Z`, digits and `_`, not starting with a digit.
pub(crate) fn env_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?}: 环境变量名只用大写字母、数字和 _ / an environment variable name is A-Z, 0-9 and _"
        ))
    }
}

/// Where hallq listens and what ticket QR codes point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    pub(crate) listen: std::net::SocketAddr,
    pub(crate) public_base_url: Option<String>,
}

/// `http(s)://HOST[:PORT]`: host and port (default 80 / 443).
fn base_url(s: &str) -> Result<(String, u16), String> {
    let bad = || {
        format!(
            "{s:?}: 应为 http://主机:端口，如 http://192.168.1.10:8080 / \
             expected http://HOST:PORT, e.g. http://192.168.1.10:8080"
        )
    };
    let (rest, default_port) = match (s.strip_prefix("http://"), s.strip_prefix("https://")) {
        (Some(r), _) => (r, 80),
        (_, Some(r)) => (r, 443),
        _ => return Err(bad()),
    };
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.contains(['/', '@', '?', '#']) || rest.contains(char::is_whitespace)
    {
        return Err(bad());
    }
    // `[v6]:port`, `host:port` or a host alone.
    let (host, port) = match rest.rfind(':') {
        Some(at) if !rest[at..].contains(']') => (&rest[..at], Some(&rest[at + 1..])),
        _ => (rest, None),
    };
    if host.is_empty() {
        return Err(bad());
    }
    let port = port.map_or(Ok(default_port), |p| p.parse().map_err(|_| bad()))?;
    Ok((host.to_string(), port))
}

/// The literal IP of a URL's host, if it is one.
fn host_ip(h: &str) -> Option<std::net::IpAddr> {
    h.trim_matches(['[', ']']).parse().ok()
}

/// A host only this machine reaches (a loopback, or the unspecified address).
fn loopback_host(h: &str) -> bool {
    h == "localhost" || host_ip(h).is_some_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// The listener and base URL from `--listen` and `--public-base-url`: a LAN listener needs
/// the URL phones reach it at; the URL alone listens on every address at its port (on
/// loopback when the URL is loopback).
pub(crate) fn address(listen: Option<&str>, url: Option<&str>) -> Result<Address, String> {
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    let parsed = url.map(base_url).transpose()?;
    let https = url.is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
    let listen: std::net::SocketAddr = match (listen, &parsed) {
        (Some(l), _) => l.trim().parse().map_err(|_| {
            format!("{l:?}: 应为 IP:端口，如 0.0.0.0:8080 / expected IP:PORT, e.g. 0.0.0.0:8080")
        })?,
        // hallq speaks plain HTTP: an https address is a proxy's, which forwards elsewhere.
        (None, Some(_)) if https => {
            return Err(
                "https 地址由前置代理提供：请用 --listen 给出 hallq 自己监听的地址，如 \
                 127.0.0.1:8080 / an https address is served by a proxy in front: give hallq's \
                 own address with --listen"
                    .into(),
            )
        }
        // A loopback URL: listen on that very address (links must reach the listener).
        (None, Some((h, p))) if loopback_host(h) => match host_ip(h) {
            Some(ip) if ip.is_loopback() => (ip, *p).into(),
            Some(_) => {
                return Err(format!(
                    "{}: 不是手机能打开的地址 / not an address a phone can open; give the LAN \
                     address, e.g. http://192.168.1.10:{p}",
                    url.unwrap_or_default()
                ))
            }
            None => ([127, 0, 0, 1], *p).into(),
        },
        (None, Some((_, p))) => ([0, 0, 0, 0], *p).into(),
        (None, None) => ([127, 0, 0, 1], 8080).into(),
    };
    match &parsed {
        None if !listen.ip().is_loopback() => Err(format!(
            "在 {listen} 上监听时需给出大厅网络中的地址（小票二维码指向它），如 \
             --public-base-url http://192.168.1.10:{} / a LAN listener needs the address phones \
             reach it at (ticket QR codes point there)",
            listen.port()
        )),
        Some((h, _)) if loopback_host(h) && !listen.ip().is_loopback() => Err(format!(
            "{}: 指向本机，大厅里的手机打不开 / points at this machine itself: phones in the \
             hall cannot open it; give the LAN address",
            url.unwrap_or_default()
        )),
        _ => Ok(Address {
            listen,
            public_base_url: url.map(|u| u.trim_end_matches('/').to_string()),
        }),
    }
}

#[cfg(test)]
#[path = "answers_tests.rs"]
mod tests;
