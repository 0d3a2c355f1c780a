//! Typed settings. Field docs are the config reference; `config/examples/demo-hall.toml`
//! shows every key in use.

use serde::Deserialize;

/// The whole config file.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// The hall itself.
    pub hall: Hall,
    /// HTTP server, storage and paths.
    #[serde(default)]
    pub server: Server,
    /// The MQTT broker the controller publishes to.
    #[serde(default)]
    pub broker: Broker,
    /// Business sections (业务板块), each with its services.
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Service windows (窗口).
    #[serde(default)]
    pub windows: Vec<Window>,
    /// Device and staff tokens (stored as SHA-256).
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// Clerks and admins who sign in with a username and password.
    #[serde(default)]
    pub staff: Vec<crate::staff::StaffUser>,
    /// Session length and lockout of staff sign-in.
    #[serde(default)]
    pub sign_in: crate::staff::SignIn,
    /// Lobby TV screens.
    #[serde(default)]
    pub screens: Vec<crate::screens::Screen>,
    /// How display-clients sign in to the broker.
    #[serde(default)]
    pub display: crate::screens::Display,
    /// Public holidays and make-up working days.
    #[serde(default)]
    pub calendar: crate::booking::Calendar,
    /// Booking rules.
    #[serde(default)]
    pub appointments: crate::booking::Rules,
    /// Identity providers and the ID-number hashing key.
    #[serde(default)]
    pub identity: crate::booking::Identity,
    /// ID card readers beside kiosks.
    #[serde(default)]
    pub id_readers: Vec<crate::printers::IdReaderConf>,
    /// Ticket printers (kiosks name theirs in `credentials.printer`).
    #[serde(default)]
    pub printers: Vec<crate::printers::PrinterConf>,
    /// LED boards and the buses they hang on.
    #[serde(default)]
    pub led: crate::led::LedSettings,
    /// Per-address rate limits and the phones' status socket caps.
    #[serde(default)]
    pub limits: crate::limits::Limits,
    /// Where citizens' notifications go (none = none sent; see docs/notifications.md).
    #[serde(default)]
    pub notifiers: Vec<crate::notifiers::Notifier>,
}

/// The hall: identity, time zone, opening hours.
#[derive(Debug, Clone, Deserialize)]
pub struct Hall {
    /// Short id used in MQTT topics (`hallq/v1/{id}/…`): lowercase letters, digits, `-`, `_`.
    pub id: String,
    /// Display name, Chinese.
    pub name: String,
    /// Optional English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Street address (地址), shown on the city's booking page beside the hall's name.
    #[serde(default)]
    pub address: Option<String>,
    /// IANA time zone; tickets restart at local midnight here.
    #[serde(default = "default_tz")]
    pub time_zone: String,
    /// When the ticket machines hand out tickets.
    #[serde(default)]
    pub hours: crate::hours::Hours,
    /// Short notice printed at the bottom of every ticket.
    #[serde(default)]
    pub ticket_notice: Option<String>,
    /// A call (call-next, call) starts service at once (status `serving`, started at the
    /// call), so "next" is the only key a clerk presses per citizen. Default false: the
    /// clerk starts service when the person arrives.
    #[serde(default)]
    pub start_on_call: bool,
}

fn default_tz() -> String {
    "Asia/Shanghai".into()
}

/// HTTP server, storage and paths. Keys left out take their default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Server {
    /// Address the HTTP server binds, `HOST:PORT`.
    pub listen: String,
    /// Where the SQLite file and other state live (relative to the working directory).
    pub data_dir: String,
    /// `sqlite://…` or `postgres://…`; empty = `{data_dir}/hallq.db`.
    #[serde(default)]
    pub database_url: Option<String>,
    /// SQLite only: `full` (default) syncs the WAL at every commit, so an acknowledged
    /// ticket or booking survives a power cut; `normal` survives a killed process only.
    pub sqlite_synchronous: SqliteSynchronous,
    /// Base of the links printed on tickets (`{public_base_url}/t/{token}`); empty = `http://{listen}`.
    #[serde(default)]
    pub public_base_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A request head must arrive whole within this many seconds of the server waiting
    /// for it (1–30, default 30); an idle keep-alive connection is closed after it too.
    pub header_timeout_secs: u64,
    /// A connection on which no byte moved either way for this many seconds is closed
    /// (a stalled body, a client that does not read its answer; default 60).
    pub idle_timeout_secs: u64,
    /// HTTP connections served at once (default 4096); past it the server accepts no
    /// more until one ends. Upgraded sockets do not count.
    pub max_connections: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed (exact addresses; default
    /// none: the client is always the TCP peer).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: "data".into(),
            database_url: None,
            sqlite_synchronous: SqliteSynchronous::Full,
            public_base_url: None,
            max_body_bytes: 16 * 1024,
            header_timeout_secs: 30,
            idle_timeout_secs: 60,
            max_connections: 4096,
            trusted_proxies: Vec::new(),
        }
    }
}

/// How SQLite syncs its write-ahead log (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SqliteSynchronous {
    /// Every commit is on the disk before it is answered: survives a power cut.
    #[default]
    Full,
    /// Commits survive a killed process, not a power cut or a kernel crash.
    Normal,
}

impl SqliteSynchronous {
    /// The pragma's value.
    #[must_use]
    pub const fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

/// Which broker to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BrokerMode {
    /// Start rumqttd inside the process.
    #[default]
    Embedded,
    /// Connect to a broker elsewhere (Mosquitto, EMQX…).
    External,
}

/// MQTT broker settings. Keys left out take their default.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct Broker {
    /// `embedded` or `external`.
    #[serde(default)]
    pub mode: BrokerMode,
    /// Embedded broker's listen address (not 1883, so it can sit beside Mosquitto).
    pub listen: String,
    /// External broker, `mqtt://HOST:PORT`.
    #[serde(default)]
    pub url: Option<String>,
    /// User name the controller signs in with on an external broker.
    #[serde(default)]
    pub username: Option<String>,
    /// Its password (for an external broker it has to be in clear; keep the file private).
    #[serde(default)]
    pub password: Option<String>,
    /// Accounts the embedded broker accepts (displays, call buttons, gateways).
    #[serde(default)]
    pub accounts: Vec<BrokerAccount>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("mode", &self.mode)
            .field("listen", &self.listen)
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("accounts", &self.accounts.len())
            .finish()
    }
}

impl Default for Broker {
    fn default() -> Self {
        Self {
            mode: BrokerMode::Embedded,
            listen: "127.0.0.1:11883".into(),
            url: None,
            username: None,
            password: None,
            accounts: Vec::new(),
        }
    }
}

/// One account of the embedded broker.
#[derive(Debug, Clone, Deserialize)]
pub struct BrokerAccount {
    /// MQTT user name.
    pub username: String,
    /// SHA-256 (hex) of the password.
    pub password_sha256: String,
    /// What the account is for.
    pub role: Role,
    /// The window of a call button.
    #[serde(default)]
    pub window: Option<String>,
}

/// A business section (业务板块).
#[derive(Debug, Clone, Deserialize)]
pub struct Section {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Optional English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Services offered in this section.
    #[serde(default)]
    pub services: Vec<Service>,
}

/// A service people take tickets for.
#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    /// Stable id, used in the API and MQTT topics.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Optional English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Ticket prefix: one capital letter, unique in the hall.
    pub prefix: String,
    /// Digits after the prefix (A001 = 3).
    #[serde(default = "default_width")]
    pub width: u32,
    /// Most tickets a day; the number width caps it too.
    #[serde(default)]
    pub daily_cap: Option<u32>,
    /// Online booking (absent = walk-in only).
    #[serde(default)]
    pub booking: Option<crate::booking::ServiceBooking>,
}

fn default_width() -> u32 {
    3
}

impl Service {
    /// The effective daily cap: the configured cap, never more than the width can print.
    pub fn effective_cap(&self) -> i64 {
        let by_width = 10i64.pow(self.width.min(9)) - 1;
        self.daily_cap
            .map_or(by_width, |c| i64::from(c).min(by_width))
    }

    /// Formats a ticket number: prefix + zero-padded sequence.
    pub fn format_number(&self, seq: i64) -> String {
        format!("{}{:0w$}", self.prefix, seq, w = self.width as usize)
    }
}

/// A service window (counter).
#[derive(Debug, Clone, Deserialize)]
pub struct Window {
    /// Stable id (used in tokens, routes and topics).
    pub id: String,
    /// Display name, e.g. "3号窗口".
    pub name: String,
    /// Optional English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Floor the window is on.
    #[serde(default = "default_floor")]
    pub floor: i32,
    /// Services served, highest priority first.
    pub services: Vec<String>,
}

fn default_floor() -> i32 {
    1
}

/// Who a credential belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the hall: every route.
    Admin,
    /// Signed in at one window.
    Clerk,
    /// Ticket machine.
    Kiosk,
    /// TV screen / display-client (read only).
    Display,
    /// Physical call button of one window.
    Button,
    /// LED gateway (read only).
    Gateway,
    /// The consult desk (咨询台): finds bookings, checks people in on their behalf, sees
    /// a day's bookings; no window.
    Desk,
}

impl Role {
    /// The role's name as the config writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Clerk => "clerk",
            Self::Kiosk => "kiosk",
            Self::Display => "display",
            Self::Button => "button",
            Self::Gateway => "gateway",
            Self::Desk => "desk",
        }
    }
}

/// A bearer token and what it may do.
#[derive(Debug, Clone, Deserialize)]
pub struct Credential {
    /// Who or what holds it (for logs).
    pub name: String,
    /// Role.
    pub role: Role,
    /// The window a clerk or button acts for.
    #[serde(default)]
    pub window: Option<String>,
    /// SHA-256 (hex) of the token.
    pub token_sha256: String,
    /// The printer a kiosk prints its tickets on (`printers[].id`).
    #[serde(default)]
    pub printer: Option<String>,
    /// Declared in the city file: valid in every hall (set by the loader, not by the file).
    #[serde(skip)]
    pub city_wide: bool,
}

impl Settings {
    /// All services of all sections.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.sections.iter().flat_map(|s| s.services.iter())
    }

    /// The service with this id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services().find(|s| s.id == id)
    }

    /// The window with this id.
    pub fn window(&self, id: &str) -> Option<&Window> {
        self.windows.iter().find(|w| w.id == id)
    }

    /// The hall's time zone (validated at load; falls back to Asia/Shanghai).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.hall
            .time_zone
            .parse()
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// The base of status links.
    pub fn public_base_url(&self) -> String {
        match &self.server.public_base_url {
            Some(u) if !u.is_empty() => u.trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.server.listen),
        }
    }
}
