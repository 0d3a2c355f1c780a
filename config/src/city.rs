//! A deployment: one hall (today's single-hall file) or a city's halls on one database and
//! one broker (a city file naming one file per hall).
//!
//! A file with a `[city]` table is a city file: `city.halls` lists one file per hall,
//! relative to the city file. The deployment-wide sections (server, broker connection,
//! identity, appointments, calendar, limits, sign-in, notifiers) come from the city file, or
//! from the first hall's file where the city file leaves one out; city-wide admin
//! credentials and staff are merged into every hall. `city_load` reads and merges,
//! `city_rules` checks what spans files. Any other file is a single hall (today's file).

use crate::load::{ConfigError, Diagnostic};
use crate::schema::Settings;
use serde::Deserialize;
use std::path::Path;

/// The city a deployment of several halls serves (`[city]` in the city file).
#[derive(Debug, Clone, Deserialize)]
pub struct City {
    /// Short id (lowercase letters, digits, `-`, `_`).
    pub id: String,
    /// Display name, Chinese.
    pub name: String,
    /// Optional English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// The hall files as the city file names them (relative to it), in order.
    pub halls: Vec<String>,
}

/// What one hallq process serves.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The city, when the file is a city file; `None` for a single-hall file.
    pub city: Option<City>,
    /// Every hall, each complete: its own file's sections with the deployment-wide ones
    /// (server, broker, identity, appointments rules, limits, sign-in, notifiers) and the
    /// city-wide credentials and staff merged in. The first is the default hall.
    pub halls: Vec<Settings>,
}

impl Deployment {
    /// A deployment of the one hall a single-hall file describes.
    pub fn single(hall: Settings) -> Self {
        Self {
            city: None,
            halls: vec![hall],
        }
    }

    /// The hall with this id.
    pub fn hall(&self, id: &str) -> Option<&Settings> {
        self.halls.iter().find(|h| h.hall.id == id)
    }

    /// The default hall (the first).
    pub fn first(&self) -> &Settings {
        &self.halls[0]
    }
}

/// Reads a single-hall file or a city file and every hall file it names, with warnings
/// (FILE:LINE:COL of the file they are in).
///
/// # Errors
/// As [`crate::check_file`], for every file read.
pub fn check_deployment(path: &Path) -> Result<(Deployment, Vec<Diagnostic>), ConfigError> {
    check_deployment_env(path, &|var| std::env::var(var).ok())
}

/// [`check_deployment`] with the environment read through `env` (as [`crate::check_str`]).
///
/// # Errors
/// As [`check_deployment`]; a hall file that cannot be read is an error at its entry of
/// `city.halls`, and when any file breaks a rule, every file's problems are listed (errors
/// first, then warnings).
pub fn check_deployment_env(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Deployment, Vec<Diagnostic>), ConfigError> {
    let (name, src) = crate::load::read(path)?;
    if is_city_file(&src) {
        crate::city_load::check_city(path, &name, &src, env)
    } else {
        let (hall, warnings) = crate::check_str(&name, &src, env)?;
        Ok((Deployment::single(hall), warnings))
    }
}

/// Whether `src` is a city file: TOML with a `[city]` table (text that is not TOML is left
/// to the single-hall reader, which explains the mistake).
pub fn is_city_file(src: &str) -> bool {
    toml_edit::ImDocument::parse(src)
        .is_ok_and(|doc| doc.get("city").is_some_and(toml_edit::Item::is_table_like))
}

/// [`check_deployment`] without the warnings.
///
/// # Errors
/// As [`check_deployment`].
pub fn load_deployment(path: &Path) -> Result<Deployment, ConfigError> {
    check_deployment(path).map(|(d, _)| d)
}

/// One hall of a single-hall file or a city file: `hall` by id, or the first; for the
/// commands that work on one hall's devices (`--hall`).
///
/// # Errors
/// The file's problems, or no hall `hall` (the message lists the halls).
pub fn load_hall(path: &Path, hall: Option<&str>) -> Result<Settings, String> {
    let dep = load_deployment(path).map_err(|e| e.to_string())?;
    match hall {
        None => Ok(dep
            .halls
            .into_iter()
            .next()
            .expect("a deployment has a hall")),
        Some(id) => {
            let ids: Vec<String> = dep.halls.iter().map(|h| h.hall.id.clone()).collect();
            dep.halls
                .into_iter()
                .find(|h| h.hall.id == id)
                .ok_or_else(|| {
                    format!(
                        "没有大厅 {id:?} / no hall {id:?} (halls: {})",
                        ids.join(", ")
                    )
                })
        }
    }
}
