//! Reading a city file and the hall files it names into one [`Deployment`].
//!
//! Every file is parsed on its own (its unknown keys and wrong types are its own
//! diagnostics); the deployment-wide sections are taken from the city file, or from the
//! first hall's file where the city file leaves one out; the city-wide accounts are merged
//! into each hall; each merged hall is then validated and warned about exactly as a
//! single-hall file is, and every problem is placed in the file (and at the key) it comes
//! from. The rules that span files live in `city_rules`.

use crate::booking::{Calendar, Rules};
use crate::city::{City, Deployment};
use crate::identity::Identity;
use crate::limits::Limits;
use crate::load::{at_path, parse_typed, ConfigError, Diagnostic, Severity};
use crate::locate::Seg;
use crate::notifiers::Notifier;
use crate::schema::{Broker, Credential, Server, Settings};
use crate::staff::{SignIn, StaffUser};
use serde::Deserialize;
use std::path::Path;
use toml_edit::ImDocument;

/// The sections one deployment sets once for all its halls (`broker` without its
/// `accounts`, which belong to each hall's devices).
pub(crate) const DEPLOYMENT_WIDE: [&str; 8] = [
    "server",
    "broker",
    "identity",
    "appointments",
    "calendar",
    "limits",
    "sign_in",
    "notifiers",
];

/// The city file: `[city]`, the optional deployment-wide sections, the city-wide accounts.
#[derive(Debug, Deserialize)]
pub(crate) struct CityFile {
    pub city: City,
    pub server: Option<Server>,
    pub broker: Option<Broker>,
    pub identity: Option<Identity>,
    pub appointments: Option<Rules>,
    pub calendar: Option<Calendar>,
    pub limits: Option<Limits>,
    pub sign_in: Option<SignIn>,
    pub notifiers: Option<Vec<Notifier>>,
    /// City-wide tokens (admins only), valid in every hall.
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// City-wide staff accounts (admins only), valid in every hall.
    #[serde(default)]
    pub staff: Vec<StaffUser>,
}

impl CityFile {
    /// Whether the city file sets this deployment-wide section.
    pub fn sets(&self, section: &str) -> bool {
        match section {
            "server" => self.server.is_some(),
            "broker" => self.broker.is_some(),
            "identity" => self.identity.is_some(),
            "appointments" => self.appointments.is_some(),
            "calendar" => self.calendar.is_some(),
            "limits" => self.limits.is_some(),
            "sign_in" => self.sign_in.is_some(),
            "notifiers" => self.notifiers.is_some(),
            _ => false,
        }
    }

    /// The file (0 = the city file, 1 = the first hall's) a deployment-wide section comes
    /// from.
    pub fn source_of(&self, section: &str) -> usize {
        usize::from(!self.sets(section))
    }
}

/// One file read: its name as diagnostics print it, its text and document.
pub(crate) struct File<'s> {
    pub name: String,
    pub src: &'s str,
    pub doc: ImDocument<&'s str>,
}

impl File<'_> {
    /// A diagnostic at `path` of this file.
    pub fn at(&self, path: &[Seg], msg: String, severity: Severity) -> Diagnostic {
        Diagnostic {
            severity,
            ..at_path(&self.name, self.src, &self.doc, path, msg)
        }
    }
}

/// Where an entry of a merged hall's `credentials` or `staff` was written: its index in the
/// hall's file or in the city file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Hall(usize),
    City(usize),
}

/// A hall with the deployment's sections and the city-wide accounts merged in.
pub(crate) struct Merged {
    pub settings: Settings,
    pub credentials: Vec<Origin>,
    pub staff: Vec<Origin>,
}

/// Reads the city file `src` (named `name`, at `path`) and its hall files.
pub(crate) fn check_city(
    path: &Path,
    name: &str,
    src: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Deployment, Vec<Diagnostic>), ConfigError> {
    let (cf, doc, mut diags) =
        parse_typed::<CityFile>(name, src, &crate::suggest::unknown_key_in::<CityFile>)?;
    let city = File {
        name: name.to_string(),
        src,
        doc,
    };
    diags.extend(crate::city_rules::city_file(&city, &cf));
    let dir = path.parent().unwrap_or_else(|| Path::new(""));
    let mut order = vec![name.to_string()];
    let mut texts = Vec::new();
    for (n, entry) in cf.city.halls.iter().enumerate() {
        let hall_path = dir.join(entry);
        order.push(hall_path.display().to_string());
        match crate::load::read(&hall_path) {
            Ok(text) => texts.push(Some(text)),
            Err(e) => {
                let cause = match e {
                    ConfigError::Io { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                let at = [key("city"), key("halls"), Seg::Index(n)];
                let msg = format!(
                    "读不到大厅文件 {} / cannot read the hall file {}: {cause}",
                    hall_path.display(),
                    hall_path.display()
                );
                diags.push(city.at(&at, msg, Severity::Error));
                texts.push(None);
            }
        }
    }
    let mut files = vec![city];
    let mut halls = Vec::new();
    let mut complete = !texts.is_empty();
    for text in &texts {
        let Some((name, src)) = text else {
            complete = false;
            continue;
        };
        match parse_typed::<Settings>(name, src, &crate::suggest::unknown_key) {
            Ok((settings, doc, problems)) => {
                diags.extend(problems);
                files.push(File {
                    name: name.clone(),
                    src,
                    doc,
                });
                halls.push(settings);
            }
            Err(ConfigError::Invalid(problems)) => {
                diags.extend(problems);
                complete = false;
            }
            Err(e) => return Err(e),
        }
    }
    if !complete {
        // Merging needs every hall; each file's own problems are all listed already.
        let (mut errors, warnings) = finish(diags, &order);
        errors.extend(warnings);
        return Err(ConfigError::Invalid(errors));
    }
    diags.extend(crate::city_rules::ignored_sections(&files, &cf));
    let wide = Wide::take(&cf, &halls[0]);
    let merged: Vec<Merged> = halls.into_iter().map(|h| wide.merge(h, &cf)).collect();
    for (h, m) in merged.iter().enumerate() {
        let problems = crate::validate::validate(&m.settings);
        let warned = crate::warnings::warnings(&m.settings, env);
        for (severity, list) in [(Severity::Error, problems), (Severity::Warning, warned)] {
            for (path, msg) in list {
                let (file, path, msg) = place(&cf, h, m, &path, &msg);
                diags.push(files[file].at(&path, msg, severity));
            }
        }
    }
    diags.extend(crate::city_rules::across_halls(&files, &merged));
    let (mut errors, warnings) = finish(diags, &order);
    if errors.is_empty() {
        let halls = merged.into_iter().map(|m| m.settings).collect();
        Ok((
            Deployment {
                city: Some(cf.city),
                halls,
            },
            warnings,
        ))
    } else {
        errors.extend(warnings);
        Err(ConfigError::Invalid(errors))
    }
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// Errors and warnings, each without repeats (a deployment-wide problem is found once per
/// hall) and in file order (`order`: the files' names), then line and column.
fn finish(diags: Vec<Diagnostic>, order: &[String]) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut unique: Vec<Diagnostic> = Vec::new();
    for d in diags {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    let rank = |d: &Diagnostic| {
        let file = order
            .iter()
            .position(|f| *f == d.file)
            .unwrap_or(order.len());
        (file, d.line, d.col)
    };
    unique.sort_by_key(rank);
    unique
        .into_iter()
        .partition(|d| d.severity == Severity::Error)
}

/// Which file (0 = city, 1 + h = hall h) a problem found in merged hall `h` at `path` is
/// in, its path there, and its message with merged indexes turned into the file's.
fn place(
    cf: &CityFile,
    h: usize,
    m: &Merged,
    path: &[Seg],
    msg: &str,
) -> (usize, Vec<Seg>, String) {
    let hall_file = 1 + h;
    let Some((Seg::Key(top), rest)) = path.split_first() else {
        return (hall_file, path.to_vec(), msg.to_string());
    };
    let top = top.as_str();
    let accounts = matches!(rest.first(), Some(Seg::Key(k)) if k == "accounts");
    if DEPLOYMENT_WIDE.contains(&top) && !(top == "broker" && accounts) {
        return (cf.source_of(top), path.to_vec(), msg.to_string());
    }
    let origins = match top {
        "credentials" => &m.credentials,
        "staff" => &m.staff,
        _ => return (hall_file, path.to_vec(), msg.to_string()),
    };
    let msg = remap_refs(msg, top, origins);
    match rest.split_first() {
        Some((Seg::Index(n), tail)) => {
            let (file, o) = match origins.get(*n) {
                Some(Origin::City(o)) => (0, *o),
                Some(Origin::Hall(o)) => (hall_file, *o),
                None => (hall_file, *n),
            };
            let mut at = vec![key(top), Seg::Index(o)];
            at.extend_from_slice(tail);
            (file, at, msg)
        }
        _ => (hall_file, path.to_vec(), msg),
    }
}

/// `msg` with a `{list}[N]` (a merged index, as in "same token as credentials[3]") turned
/// into the index in the file the entry was written in.
fn remap_refs(msg: &str, list: &str, origins: &[Origin]) -> String {
    let opening = format!("{list}[");
    let Some(start) = msg.find(&opening).map(|s| s + opening.len()) else {
        return msg.to_string();
    };
    let Some(len) = msg[start..].find(']') else {
        return msg.to_string();
    };
    let Some(Origin::Hall(o) | Origin::City(o)) = msg[start..start + len]
        .parse::<usize>()
        .ok()
        .and_then(|n| origins.get(n))
    else {
        return msg.to_string();
    };
    format!("{}{o}{}", &msg[..start], &msg[start + len..])
}

/// The deployment-wide sections, as every hall gets them.
struct Wide {
    server: Server,
    broker: Broker,
    identity: Identity,
    appointments: Rules,
    calendar: Calendar,
    limits: Limits,
    sign_in: SignIn,
    notifiers: Vec<Notifier>,
}

impl Wide {
    /// The city file's sections, the first hall's where the city file has none.
    fn take(cf: &CityFile, first: &Settings) -> Self {
        fn pick<T: Clone>(city: &Option<T>, first: &T) -> T {
            city.clone().unwrap_or_else(|| first.clone())
        }
        Self {
            server: pick(&cf.server, &first.server),
            broker: Broker {
                accounts: Vec::new(),
                ..pick(&cf.broker, &first.broker)
            },
            identity: pick(&cf.identity, &first.identity),
            appointments: pick(&cf.appointments, &first.appointments),
            calendar: pick(&cf.calendar, &first.calendar),
            limits: pick(&cf.limits, &first.limits),
            sign_in: pick(&cf.sign_in, &first.sign_in),
            notifiers: pick(&cf.notifiers, &first.notifiers),
        }
    }

    /// Hall `s` with these sections and the city-wide accounts (a hall's own entry with
    /// the token or user name of a city-wide one gives way to it).
    fn merge(&self, mut s: Settings, cf: &CityFile) -> Merged {
        s.server = self.server.clone();
        s.broker = Broker {
            accounts: std::mem::take(&mut s.broker.accounts),
            ..self.broker.clone()
        };
        s.identity = self.identity.clone();
        s.appointments = self.appointments.clone();
        s.calendar = self.calendar.clone();
        s.limits = self.limits.clone();
        s.sign_in = self.sign_in.clone();
        s.notifiers = self.notifiers.clone();

        let mut credentials = Vec::new();
        for (n, c) in std::mem::take(&mut s.credentials).into_iter().enumerate() {
            if !cf
                .credentials
                .iter()
                .any(|w| w.token_sha256 == c.token_sha256)
            {
                credentials.push(Origin::Hall(n));
                s.credentials.push(c);
            }
        }
        for (n, c) in cf.credentials.iter().enumerate() {
            credentials.push(Origin::City(n));
            s.credentials.push(Credential {
                city_wide: true,
                ..c.clone()
            });
        }
        let mut staff = Vec::new();
        for (n, u) in std::mem::take(&mut s.staff).into_iter().enumerate() {
            if !cf.staff.iter().any(|w| w.username == u.username) {
                staff.push(Origin::Hall(n));
                s.staff.push(u);
            }
        }
        for (n, u) in cf.staff.iter().enumerate() {
            staff.push(Origin::City(n));
            s.staff.push(StaffUser {
                city_wide: true,
                ..u.clone()
            });
        }
        Merged {
            settings: s,
            credentials,
            staff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{remap_refs, Origin};

    #[test]
    fn merged_indexes_in_messages_become_the_files() {
        let origins = [Origin::Hall(0), Origin::Hall(2), Origin::City(0)];
        assert_eq!(
            remap_refs("same token as credentials[1]", "credentials", &origins),
            "same token as credentials[2]"
        );
        assert_eq!(
            remap_refs("same token as credentials[2]", "credentials", &origins),
            "same token as credentials[0]"
        );
        assert_eq!(remap_refs("used twice", "staff", &origins), "used twice");
    }
}
