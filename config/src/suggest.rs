//! "Did you mean": the nearest known key or id to what an admin wrote, and the messages
//! for an unknown key and for an id that names nothing (often a name given where an id
//! belongs: `services = ["婚姻登记"]` instead of `["marriage"]`).

use crate::known_keys::known_keys_in;
use crate::locate::Seg;
use crate::schema::Settings;

/// Lists longer than this are not spelled out in a message.
const MAX_LISTED: usize = 12;

/// The candidate nearest to `given` when it is near enough to be a slip: a few edits
/// apart (more for longer words), ignoring case and `-` for `_`.
pub(crate) fn nearest<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace('-', "_");
    let g = norm(given);
    let len = g.chars().count();
    let allowed = match len {
        0 => return None,
        1..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    // The distance costs len × len: only words of about the same length can be near, so
    // a huge given value costs nothing.
    candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(len) <= allowed)
        .map(|c| (strsim::damerau_levenshtein(&g, &norm(c)), c))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The message for an unknown key at `path` (its last segment is the key).
pub(crate) fn unknown_key(path: &[Seg]) -> String {
    unknown_key_in::<Settings>(path)
}

/// [`unknown_key`] in a file of another type `T` (the city file).
pub(crate) fn unknown_key_in<T: serde::de::DeserializeOwned>(path: &[Seg]) -> String {
    let Some((Seg::Key(given), table)) = path.split_last() else {
        return "unknown key".into();
    };
    let Some(keys) = known_keys_in::<T>(table) else {
        return "unknown key".into();
    };
    if let Some(k) = nearest(given, keys.iter().copied()) {
        format!("unknown key; did you mean {k:?}?")
    } else if keys.len() <= MAX_LISTED {
        format!("unknown key; this table takes: {}", keys.join(", "))
    } else {
        "unknown key (see docs/configuration.md for the keys of each table)".into()
    }
}

/// Something a config names by id: its id and the names people know it by.
struct Named<'a> {
    id: &'a str,
    names: Vec<&'a str>,
}

fn why_unknown(kind: &str, given: &str, known: &[Named<'_>]) -> String {
    let label = |n: &Named<'_>| match n.names.first() {
        Some(name) if *name != n.id => format!("{:?} ({name})", n.id),
        _ => format!("{:?}", n.id),
    };
    let given_t = given.trim();
    let by_name = |found: &dyn Fn(&str) -> bool| {
        known
            .iter()
            .find(|n| n.names.iter().any(|m| found(m.trim())))
            .map(|n| {
                format!(
                    "unknown {kind} {given:?}: list {kind} ids here — did you mean {}?",
                    label(n)
                )
            })
    };
    // A name where an id belongs.
    if let Some(msg) = by_name(&|m| m == given_t) {
        return msg;
    }
    if let Some(id) = nearest(given, known.iter().map(|n| n.id)) {
        let n = known
            .iter()
            .find(|n| n.id == id)
            .map_or_else(String::new, label);
        return format!("unknown {kind} {given:?}; did you mean {n}?");
    }
    // A good part of a name (two characters or more).
    if given_t.chars().count() >= 2 {
        if let Some(msg) = by_name(&|m| m.contains(given_t)) {
            return msg;
        }
    }
    if known.is_empty() {
        format!("unknown {kind} {given:?} (the config has no {kind}s)")
    } else if known.len() <= MAX_LISTED {
        let ids: Vec<&str> = known.iter().map(|n| n.id).collect();
        format!("unknown {kind} {given:?} ({kind} ids: {})", ids.join(", "))
    } else {
        format!("unknown {kind} {given:?} (give a {kind} id)")
    }
}

/// The message for a service id that names no service.
pub(crate) fn unknown_service(s: &Settings, given: &str) -> String {
    let known: Vec<Named<'_>> = s
        .services()
        .map(|v| Named {
            id: &v.id,
            names: std::iter::once(v.name.as_str())
                .chain(v.name_en.as_deref())
                .collect(),
        })
        .collect();
    why_unknown("service", given, &known)
}

/// The message for a window id that names no window.
pub(crate) fn unknown_window(s: &Settings, given: &str) -> String {
    let known: Vec<Named<'_>> = s
        .windows
        .iter()
        .map(|w| Named {
            id: &w.id,
            names: std::iter::once(w.name.as_str())
                .chain(w.name_en.as_deref())
                .collect(),
        })
        .collect();
    why_unknown("window", given, &known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_takes_slips_not_other_words() {
        let keys = ["open", "close", "days"];
        assert_eq!(nearest("clsoe", keys), Some("close"));
        assert_eq!(nearest("Close", keys), Some("close"));
        assert_eq!(nearest("opne", keys), Some("open"));
        assert_eq!(nearest("lunch_break", keys), None);
        assert_eq!(nearest("", keys), None);
        assert_eq!(
            nearest("slot-minutes", ["slot_minutes", "capacity"]),
            Some("slot_minutes")
        );
    }
}
