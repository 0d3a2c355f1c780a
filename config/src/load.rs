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
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.key.is_empty() {
            "(file)"
        } else {
            &self.key
        };
        write!(
            f,
            "{}:{}:{}: {}: {}",
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
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        file: name.clone(),
        source,
    })?;
    load_str(&name, &src)
}

/// Parses and validates config text; `file` is only used in diagnostics.
///
/// # Errors
/// [`ConfigError::Invalid`] with every problem found.
pub fn load_str(file: &str, src: &str) -> Result<Settings, ConfigError> {
    let doc = match ImDocument::parse(src) {
        Ok(doc) => doc,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            // toml_edit's messages may span lines ("…\nexpected `]`"); keep one line per
            // diagnostic.
            let msg = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(ConfigError::Invalid(vec![diag(file, src, at, "", msg)]));
        }
    };
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    let de = toml::Deserializer::new(src);
    let mut on_unknown = |p: serde_ignored::Path<'_>| unknown.push(ignored_path(&p));
    let de = serde_ignored::Deserializer::new(de, &mut on_unknown);
    let parsed: Result<Settings, _> = serde_path_to_error::deserialize(de);
    for path in &unknown {
        problems.push(at_path(file, src, &doc, path, "unknown key".into()));
    }
    let settings = match parsed {
        Ok(s) => s,
        Err(e) => {
            let mut path = error_path(e.path());
            let inner = e.into_inner();
            let msg = inner.message().to_string();
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
            return Err(ConfigError::Invalid(problems));
        }
    };
    for (path, msg) in crate::validate::validate(&settings) {
        problems.push(at_path(file, src, &doc, &path, msg));
    }
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError::Invalid(problems))
    }
}

fn at_path(file: &str, src: &str, doc: &ImDocument<&str>, path: &[Seg], msg: String) -> Diagnostic {
    let at = span_of(doc, path).map_or(0, |s| s.start);
    diag(file, src, at, &render(path), msg)
}

fn diag(file: &str, src: &str, at: usize, key: &str, message: String) -> Diagnostic {
    let (line, col) = line_col(src, at);
    Diagnostic {
        file: file.to_string(),
        line,
        col,
        key: key.to_string(),
        message,
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
