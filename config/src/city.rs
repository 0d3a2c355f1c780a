//! A deployment: one hall (today's single-hall file) or a city's halls on one database and
//! one broker (a city file naming one file per hall).

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
    let (hall, warnings) = crate::check_file(path)?;
    Ok((Deployment::single(hall), warnings))
}

/// [`check_deployment`] without the warnings.
///
/// # Errors
/// As [`check_deployment`].
pub fn load_deployment(path: &Path) -> Result<Deployment, ConfigError> {
    check_deployment(path).map(|(d, _)| d)
}
