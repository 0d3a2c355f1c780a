//! Lobby TV screens served by the display-client, and how it reaches the broker.

use crate::locate::Seg;
use crate::schema::Settings;
use serde::{Deserialize, Serialize};

/// One `[[screens]]` entry: a page at `/screens/{id}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Screen {
    /// Id, served at `/screens/{id}`.
    pub id: String,
    /// Title shown at the top (default: the hall's name).
    pub title: Option<String>,
    /// Windows shown (empty = all).
    pub windows: Vec<String>,
    /// Services whose waiting counts are shown (empty = all).
    pub services: Vec<String>,
    /// Parts shown: `current`, `recent`, `windows`, `queues`, `notice`, `clock`.
    pub layout: Vec<String>,
    /// `zh` or `zh+en` (English under the Chinese).
    pub language: String,
    /// Speak calls.
    pub voice: bool,
    /// Chime before each announcement (independent of `voice`).
    pub chime: bool,
    /// How many times each call is spoken.
    pub repeat: u32,
    /// Announcement; `{number}`, `{window}` and `{service}` are filled in.
    pub template: String,
    /// Scrolling notice line.
    pub notice: Option<String>,
}

impl Default for Screen {
    fn default() -> Self {
        Self {
            id: String::new(),
            title: None,
            windows: Vec::new(),
            services: Vec::new(),
            layout: ["current", "recent", "windows", "queues", "notice", "clock"]
                .map(String::from)
                .to_vec(),
            language: "zh".into(),
            voice: true,
            chime: true,
            repeat: 2,
            template: "请 {number} 号 到 {window} 办理".into(),
            notice: None,
        }
    }
}

/// The `[display]` section: how a display-client signs in to the broker.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Display {
    /// MQTT user name (a `display` account).
    pub username: Option<String>,
    /// Its password (a display needs it in clear to sign in).
    pub password: Option<String>,
}

impl std::fmt::Debug for Display {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Display")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

const PARTS: [&str; 6] = ["current", "recent", "windows", "queues", "notice", "clock"];

/// Rule violations in `[[screens]]`.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let k = |x: &str| Seg::Key(x.to_string());
    let mut ids = Vec::new();
    for (n, sc) in s.screens.iter().enumerate() {
        let at = |key: &str| vec![k("screens"), Seg::Index(n), k(key)];
        let id_ok = !sc.id.is_empty()
            && sc
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            p.push((at("id"), "must be letters, digits, '-' or '_'".into()));
        } else if ids.contains(&sc.id) {
            p.push((at("id"), format!("duplicate screen id {:?}", sc.id)));
        }
        ids.push(sc.id.clone());
        for (i, w) in sc.windows.iter().enumerate() {
            if s.window(w).is_none() {
                let mut path = at("windows");
                path.push(Seg::Index(i));
                p.push((path, crate::suggest::unknown_window(s, w)));
            }
        }
        for (i, v) in sc.services.iter().enumerate() {
            if s.service(v).is_none() {
                let mut path = at("services");
                path.push(Seg::Index(i));
                p.push((path, crate::suggest::unknown_service(s, v)));
            }
        }
        for (i, part) in sc.layout.iter().enumerate() {
            if !PARTS.contains(&part.as_str()) {
                let mut path = at("layout");
                path.push(Seg::Index(i));
                p.push((
                    path,
                    format!("unknown part {part:?}: use {}", PARTS.join(", ")),
                ));
            }
        }
        if !["zh", "zh+en"].contains(&sc.language.as_str()) {
            p.push((at("language"), "must be \"zh\" or \"zh+en\"".into()));
        }
        if !(1..=5).contains(&sc.repeat) {
            p.push((at("repeat"), "must be 1 to 5".into()));
        }
        if !sc.template.contains("{number}") {
            p.push((at("template"), "must contain {number}".into()));
        }
    }
}
