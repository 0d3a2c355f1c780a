//! The hall's MQTT conventions in one place, for every part that talks to the broker:
//! the controller's relay, status watchers and call buttons, the display-client and the
//! LED gateway.
//!
//! - [`Endpoint`]: a broker address with a login, and the client options all parts use;
//!   [`Endpoint::of`] resolves one from the config for a [`Part`] of hallq.
//! - [`topic_root`] and [`Topic`]: the topics under `hallq/v1/{hall}/`, parsed.
//! - [`Subscriber`]: the one subscribe loop — subscribes on every (re)connect, reconnects
//!   with backoff, hands each message's topic (below the root) and payload to its caller.
//! - [`payload`]: every payload on those topics as a typed struct — what the controller
//!   publishes is built from them, and every subscriber parses what it hears into them
//!   ([`Inbound::parse`]) and drops (counting, [`Dropped`]) what does not parse.
//! - [`repeats`]: a failure that repeats, reported at once and then once a minute with
//!   its count (devices, logins, dropped messages).

pub mod acl;
pub mod payload;
pub mod repeats;
mod subscribe;

pub use payload::{Dropped, Inbound, Payload, PayloadError};
pub use subscribe::{Feed, Subscriber};

use hallq_config::{schema_url::mqtt_host_port, BrokerMode, Settings};
use rumqttc::MqttOptions;
use std::time::Duration;

/// A broker address and the login to use there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User name and password, if the broker wants them.
    pub login: Option<(String, String)>,
}

/// The parts of hallq that sign in to the hall's broker, each with its own account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The controller on an external broker (`broker.username` / `broker.password`); on the
    /// embedded broker it signs in with a login made at start (see the controller's broker).
    Controller,
    /// A display-client alone (`display.username` / `display.password`).
    Display,
    /// The LED gateway alone (`led.mqtt_username` / `led.mqtt_password`, else on an
    /// external broker the controller's account).
    Gateway,
}

impl Endpoint {
    /// The config's broker (`broker.listen` when embedded, `broker.url` when external) with
    /// the login the config gives `part`.
    ///
    /// # Errors
    /// A broker address that is not `HOST:PORT` / `mqtt://HOST:PORT`.
    pub fn of(cfg: &Settings, part: Part) -> Result<Self, String> {
        let (host, port) = broker_address(cfg)?;
        Ok(Self {
            host,
            port,
            login: configured_login(cfg, part),
        })
    }

    /// `mqtt://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("mqtt://{}:{}", self.host, self.port)
    }

    /// Options for one client: `{name}-{random}` as client id (two processes never share
    /// one), clean session, 5 s keep-alive, the login when there is one.
    pub fn options(&self, name: &str) -> MqttOptions {
        self.options_with_id(format!("{name}-{:08x}", rand::random::<u32>()))
    }

    /// Options for one client with exactly this client id (clean session, 5 s keep-alive,
    /// the login when there is one).
    pub fn options_with_id(&self, id: String) -> MqttOptions {
        let mut o = MqttOptions::new(id, &self.host, self.port);
        o.set_keep_alive(Duration::from_secs(5))
            .set_clean_session(true);
        if let Some((u, p)) = &self.login {
            o.set_credentials(u, p);
        }
        o
    }
}

/// Where the config's broker listens: the embedded broker's `broker.listen`, or the host
/// and port of an external `broker.url`.
///
/// # Errors
/// An address that is not `HOST:PORT` / `mqtt://HOST:PORT` (the config check refuses both).
pub fn broker_address(cfg: &Settings) -> Result<(String, u16), String> {
    match cfg.broker.mode {
        BrokerMode::Embedded => {
            let addr: std::net::SocketAddr = cfg
                .broker
                .listen
                .parse()
                .map_err(|_| "broker.listen must be HOST:PORT".to_string())?;
            Ok((addr.ip().to_string(), addr.port()))
        }
        BrokerMode::External => cfg
            .broker
            .url
            .as_deref()
            .and_then(mqtt_host_port)
            .ok_or_else(|| "broker.url must be mqtt://HOST:PORT".to_string()),
    }
}

/// The login the config gives `part` (none when it names none).
pub fn configured_login(cfg: &Settings, part: Part) -> Option<(String, String)> {
    let pair = |u: &Option<String>, p: &Option<String>| {
        u.clone().map(|u| (u, p.clone().unwrap_or_default()))
    };
    match part {
        Part::Controller => pair(&cfg.broker.username, &cfg.broker.password),
        Part::Display => pair(&cfg.display.username, &cfg.display.password),
        Part::Gateway => match (&cfg.led.mqtt_username, cfg.broker.mode) {
            (Some(_), _) => pair(&cfg.led.mqtt_username, &cfg.led.mqtt_password),
            (None, BrokerMode::External) => pair(&cfg.broker.username, &cfg.broker.password),
            (None, BrokerMode::Embedded) => None,
        },
    }
}

/// The topic root of a hall: `hallq/v1/{hall}/`.
pub fn topic_root(hall: &str) -> String {
    format!("hallq/v1/{hall}/")
}

/// A topic below a hall's root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic<'a> {
    /// `calls`: a call or recall (not retained).
    Calls,
    /// `windows/{w}`: a window's state (retained).
    Window(&'a str),
    /// `queues/{service}`: a queue's waiting count (retained).
    Queue(&'a str),
    /// `buttons/{w}`: a call button's press (inbound).
    Button(&'a str),
    /// Anything else.
    Other(&'a str),
}

impl<'a> Topic<'a> {
    /// Parses a topic below the root (`windows/3` → `Window("3")`). A subject must be one
    /// non-empty level.
    pub fn parse(suffix: &'a str) -> Self {
        let one = |s: &'a str| (!s.is_empty() && !s.contains('/')).then_some(s);
        if suffix == "calls" {
            return Self::Calls;
        }
        let subject = |prefix: &str| suffix.strip_prefix(prefix).and_then(one);
        if let Some(w) = subject("windows/") {
            Self::Window(w)
        } else if let Some(s) = subject("queues/") {
            Self::Queue(s)
        } else if let Some(w) = subject("buttons/") {
            Self::Button(w)
        } else {
            Self::Other(suffix)
        }
    }

    /// The topic's name below the root.
    pub fn name(&self) -> String {
        match self {
            Self::Calls => "calls".into(),
            Self::Window(w) => format!("windows/{w}"),
            Self::Queue(s) => format!("queues/{s}"),
            Self::Button(w) => format!("buttons/{w}"),
            Self::Other(o) => (*o).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_parse_and_print_alike() {
        for (s, t) in [
            ("calls", Topic::Calls),
            ("windows/3", Topic::Window("3")),
            ("queues/property", Topic::Queue("property")),
            ("buttons/a-1", Topic::Button("a-1")),
        ] {
            assert_eq!(Topic::parse(s), t);
            assert_eq!(t.name(), s);
        }
        for odd in ["windows/", "windows/3/x", "calls/x", "status", ""] {
            assert_eq!(Topic::parse(odd), Topic::Other(odd));
        }
    }

    #[test]
    fn root_is_versioned_per_hall() {
        assert_eq!(topic_root("haikou"), "hallq/v1/haikou/");
    }
}
