//! TOML mistakes explained in an admin's words: an unquoted time (`open = 09:00`), an
//! unquoted word (`name = 海口`), a list or table header not closed, text whose closing
//! quote is missing, a key or table given twice. The parser's place is kept; only the
//! words change, and anything not recognised keeps the parser's message.

use crate::locate::{floor_char, value_of, Seg};
use toml_edit::{ImDocument, Value};

/// The message for a syntax error at byte `at` of `src`, given the parser's `msg`.
pub(crate) fn explain(src: &str, at: usize, msg: &str) -> String {
    let parser = msg
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(m) = duplicate(src, at, &parser) {
        return m;
    }
    let at = floor_char(src, at);
    let start = src[..at].rfind('\n').map_or(0, |p| p + 1);
    let end = src[start..].find('\n').map_or(src.len(), |p| start + p);
    let line = src[start..end].trim_end_matches('\r');
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') && !trimmed.contains(']') {
        return format!(
            "a table header needs its closing `]`: [name] (or [[name]] for one of a list of \
             tables) ({parser})"
        );
    }
    if parser.starts_with("invalid array") {
        // The parser stops where the list should have ended: name the list's own line.
        // Only the nearest assignment above can own the list, and only when no `]` came
        // between (a properly closed earlier list is not to blame).
        let mut between_closed = false;
        let open_list = src[..start]
            .lines()
            .rev()
            .take(50)
            .find_map(|l| {
                if let Some(kv) = split_assignment(l) {
                    return Some(Some(kv));
                }
                between_closed |= l.contains(']');
                None
            })
            .flatten()
            .filter(|(_, v)| v.starts_with('[') && !v.contains(']') && !between_closed);
        if let Some((key, _)) = open_list {
            return format!(
                "the list {key} = [ … is not closed, or its items lack a comma: separate \
                 items with `,` and end the list with `]`, e.g. {key} = [\"a\", \"b\"]"
            );
        }
    }
    let Some((key, value)) = split_assignment(line) else {
        return parser;
    };
    // Never repeat a secret into a message that may reach a log.
    let secret = ["password", "token", "secret", "key"]
        .iter()
        .any(|w| key.to_lowercase().contains(w));
    let shown = if secret { "…" } else { strip_comment(value) };
    if ["True", "False", "TRUE", "FALSE", "yes", "no", "on", "off"].contains(&strip_comment(value))
    {
        return format!("write true or false (lowercase, no quotes): {key} = true");
    }
    if is_bare_time(shown) {
        // As HH:MM, the form every time key takes (`9:00:00` → `09:00`).
        let mut parts = shown.split(':');
        let (h, m) = (parts.next().unwrap_or("0"), parts.next().unwrap_or("00"));
        return format!("times must be in quotes: {key} = \"{h:0>2}:{m}\"");
    }
    if let Some(text) = value.strip_prefix('"') {
        if !text.contains('"') {
            let text = if secret { "…" } else { text.trim_end() };
            return format!(
                "the closing `\"` is missing: text in quotes ends on the same line, \
                 {key} = \"{text}\""
            );
        }
    }
    if value.starts_with('[') && !value.contains(']') {
        return format!(
            "the list {key} = [ … is not closed: end it with `]`, e.g. {key} = [\"a\", \"b\"]"
        );
    }
    let first = shown.chars().next();
    let bare_word = first.is_some_and(|c| c.is_alphabetic() || !c.is_ascii())
        && !["true", "false", "inf", "nan"].contains(&shown);
    if bare_word {
        return format!("text must be in quotes: {key} = \"{shown}\"");
    }
    parser
}

/// `key = value` of a line (key as written, value trimmed).
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    let key_ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' '));
    key_ok.then_some((key, value.trim()))
}

/// A value up to a `#` comment (for values that are not quoted).
fn strip_comment(value: &str) -> &str {
    if value.starts_with(['"', '\'']) {
        return value;
    }
    value.split('#').next().unwrap_or(value).trim()
}

/// `9:00`, `09:00`, `09:00:00` written without quotes.
fn is_bare_time(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    match parts.as_slice() {
        [h, m] => digits(h, 1..=2) && digits(m, 2..=2),
        [h, m, s] => digits(h, 1..=2) && digits(m, 2..=2) && digits(s, 2..=2),
        _ => false,
    }
}

/// A key or table given twice (the parser says "duplicate key `k` in table `t`" or
/// "… in document root").
fn duplicate(src: &str, at: usize, parser: &str) -> Option<String> {
    let rest = &parser[parser.find("duplicate key `")? + "duplicate key `".len()..];
    let (key, rest) = rest.split_once('`')?;
    let table = rest
        .strip_prefix(" in table `")
        .and_then(|t| t.split_once('`'))
        .map(|(t, _)| t);
    let line_start = src[..floor_char(src, at)].rfind('\n').map_or(0, |p| p + 1);
    let header = src[line_start..].trim_start().starts_with('[');
    let full = table.map_or_else(|| key.to_string(), |t| format!("{t}.{key}"));
    Some(if header {
        format!(
            "table [{full}] appears twice: merge the two into one (for a list of tables, \
             write [[{full}]] each time)"
        )
    } else {
        let place = table.map_or_else(
            || "at the top of the file".to_string(),
            |t| format!("in [{t}]"),
        );
        format!("{key} is set twice {place}: keep one")
    })
}

/// The message for a value of the wrong type at `path`: a date or time the parser read
/// as TOML's own date-time gets told to be quoted; anything else keeps serde's message.
pub(crate) fn explain_type(doc: &ImDocument<&str>, path: &[Seg], msg: &str) -> String {
    let Some(Value::Datetime(dt)) = value_of(doc, path) else {
        return msg.to_string();
    };
    let key = path
        .iter()
        .rev()
        .find_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .unwrap_or("value");
    let dt = dt.value();
    match (dt.date, dt.time) {
        (None, Some(t)) => format!(
            "times must be in quotes: {key} = \"{:02}:{:02}\"",
            t.hour, t.minute
        ),
        (Some(d), None) => format!("dates must be in quotes: \"{d}\""),
        _ => format!("{msg} (write it in quotes)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_times() {
        assert!(is_bare_time("09:00") && is_bare_time("9:00") && is_bare_time("09:00:00"));
        assert!(!is_bare_time("0900") && !is_bare_time("09:0") && !is_bare_time("a:00"));
    }
}
