//! Reading a config file into [`Settings`], collecting every problem with its place.

use crate::locate::{line_col, render, span_of, Seg};
use crate::schema::Settings;
use std::fmt;
use std::path::Path;
use toml_edit::ImDocument;

/// One problem in a config file, printed as `FILE:LINE:COL: key.path: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
    /// Dotted key path, with `[i]` for array elements.
    pub key: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// An error (the config cannot be used) or a warning (it can, but should not be in a
    /// real hall).
    pub severity: Severity,
}

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The config cannot be used.
    #[default]
    Error,
    /// It works, but should be changed before real use; printed with `warning: `.
    Warning,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.key.is_empty() {
            "(file)"
        } else {
            &self.key
        };
        let severity = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(
            f,
            "{}:{}:{}: {}: {severity}{}",
            self.file, self.line, self.col, key, self.message
        )
    }
}

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file was read and has problems.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

/// Reads and validates a config file.
///
/// # Errors
/// [`ConfigError::Io`] when the file cannot be read, [`ConfigError::Invalid`] with every
/// problem found otherwise.
pub fn load_file(path: &Path) -> Result<Settings, ConfigError> {
    let (name, src) = read(path)?;
    load_str(&name, &src)
}

/// Reads and validates a config file, and lists its warnings (see [`check_str`]); the
/// environment is this process's.
///
/// # Errors
/// As [`load_file`].
pub fn check_file(path: &Path) -> Result<(Settings, Vec<Diagnostic>), ConfigError> {
    let (name, src) = read(path)?;
    check_str(&name, &src, &|var| std::env::var(var).ok())
}

/// Parses and validates config text like [`load_str`], and lists what works but should
/// not go into a real hall as [`Severity::Warning`] diagnostics: published demo
/// credentials, ticket links on loopback while the server listens on the network, an ID
/// hash key variable that `env` (reads an environment variable) does not give usably.
///
/// # Errors
/// As [`load_str`] (warnings never make an error); when the file parsed but breaks rules,
/// its warnings follow the errors in [`ConfigError::Invalid`].
pub fn check_str(
    file: &str,
    src: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Settings, Vec<Diagnostic>), ConfigError> {
    let (settings, doc, mut errors) = parse(file, src)?;
    let mut warnings: Vec<Diagnostic> = crate::warnings::warnings(&settings, env)
        .into_iter()
        .map(|(path, msg)| Diagnostic {
            severity: Severity::Warning,
            ..at_path(file, src, &doc, &path, msg)
        })
        .collect();
    warnings.sort_by_key(|d| (d.line, d.col));
    if errors.is_empty() {
        Ok((settings, warnings))
    } else {
        errors.extend(warnings);
        Err(ConfigError::Invalid(errors))
    }
}

/// The file's name as given and its text.
pub(crate) fn read(path: &Path) -> Result<(String, String), ConfigError> {
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        file: name.clone(),
        source,
    })?;
    Ok((name, src))
}

/// Parses and validates config text; `file` is only used in diagnostics.
///
/// # Errors
/// [`ConfigError::Invalid`] with every problem found.
pub fn load_str(file: &str, src: &str) -> Result<Settings, ConfigError> {
    let (settings, _, errors) = parse(file, src)?;
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError::Invalid(errors))
    }
}

/// The settings, the document and the rules they break; an error when the text is not
/// TOML or does not fit the settings' types.
fn parse<'s>(
    file: &str,
    src: &'s str,
) -> Result<(Settings, ImDocument<&'s str>, Vec<Diagnostic>), ConfigError> {
    let (settings, doc, mut problems) =
        parse_typed::<Settings>(file, src, &crate::suggest::unknown_key)?;
    for (path, msg) in crate::validate::validate(&settings) {
        problems.push(at_path(file, src, &doc, &path, msg));
    }
    Ok((settings, doc, problems))
}

/// The text read into `T` and its document, with the unknown keys as problems (named by
/// `unknown_key`); an error when the text is not TOML or does not fit `T`'s types. No
/// semantic rule is checked.
pub(crate) fn parse_typed<'s, T: serde::de::DeserializeOwned>(
    file: &str,
    src: &'s str,
    unknown_key: &dyn Fn(&[Seg]) -> String,
) -> Result<(T, ImDocument<&'s str>, Vec<Diagnostic>), ConfigError> {
    let doc = match ImDocument::parse(src) {
        Ok(doc) => doc,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let msg = crate::syntax::explain(src, at, e.message());
            return Err(ConfigError::Invalid(vec![diag(file, src, at, "", msg)]));
        }
    };
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    let de = toml::Deserializer::new(src);
    let mut on_unknown = |p: serde_ignored::Path<'_>| unknown.push(ignored_path(&p));
    let de = serde_ignored::Deserializer::new(de, &mut on_unknown);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(de);
    for path in &unknown {
        problems.push(at_path(file, src, &doc, path, unknown_key(path)));
    }
    match parsed {
        Ok(value) => Ok((value, doc, problems)),
        Err(e) => {
            let mut path = error_path(e.path());
            let inner = e.into_inner();
            let msg = crate::syntax::explain_type(&doc, &path, inner.message());
            // serde names the table a required key is missing from; name the key itself
            // (the place stays the table, as the key is not in the file).
            if let Some(field) = missing_field(&msg) {
                path.push(Seg::Key(field.to_string()));
            }
            let at = inner
                .span()
                .map(|s| s.start)
                .or_else(|| span_of(&doc, &path).map(|s| s.start))
                .unwrap_or(0);
            problems.push(diag(file, src, at, &render(&path), msg));
            Err(ConfigError::Invalid(problems))
        }
    }
}

/// A problem at `path` of `doc` (the deepest part of the path found).
pub(crate) fn at_path(
    file: &str,
    src: &str,
    doc: &ImDocument<&str>,
    path: &[Seg],
    msg: String,
) -> Diagnostic {
    let at = span_of(doc, path).map_or(0, |s| s.start);
    diag(file, src, at, &render(path), msg)
}

/// A problem at byte `at` of `src`.
pub(crate) fn diag(file: &str, src: &str, at: usize, key: &str, message: String) -> Diagnostic {
    let (line, col) = line_col(src, at);
    Diagnostic {
        file: file.to_string(),
        line,
        col,
        key: key.to_string(),
        message,
        severity: Severity::Error,
    }
}

fn ignored_path(p: &serde_ignored::Path<'_>) -> Vec<Seg> {
    use serde_ignored::Path as P;
    let mut out = match p {
        P::Root => return Vec::new(),
        P::Seq { parent, .. }
        | P::Map { parent, .. }
        | P::Some { parent }
        | P::NewtypeStruct { parent }
        | P::NewtypeVariant { parent } => ignored_path(parent),
    };
    match p {
        P::Seq { index, .. } => out.push(Seg::Index(*index)),
        P::Map { key, .. } => out.push(Seg::Key(key.clone())),
        _ => {}
    }
    out
}

fn error_path(p: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment as S;
    p.iter()
        .filter_map(|s| match s {
            S::Seq { index } => Some(Seg::Index(*index)),
            S::Map { key } => Some(Seg::Key(key.clone())),
            S::Enum { variant } => Some(Seg::Key(variant.clone())),
            S::Unknown => None,
        })
        .collect()
}

/// The field of serde's "missing field `x`" message.
fn missing_field(msg: &str) -> Option<&str> {
    msg.strip_prefix("missing field `")?.strip_suffix('`')
}
