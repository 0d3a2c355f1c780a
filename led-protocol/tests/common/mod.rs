//! Loading the peer test vectors and running every case.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The vector files to check: the copy inside the crate (always), and the project's shared
/// copy next to the checkout when it exists (so new shared cases are exercised too).
pub fn vector_files(name: &str) -> Vec<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let local = manifest.join("tests/vectors").join(name);
    assert!(local.exists(), "missing {}", local.display());
    let mut files = vec![local];
    let shared = manifest.join("../../shared/vectors").join(name);
    if let Ok(shared) = shared.canonicalize() {
        files.push(shared);
    } else {
        eprintln!(
            "note: {} absent; checking the crate's copy only",
            shared.display()
        );
    }
    files
}

/// Runs `check` on every case of every file; reports all failing cases by name.
pub fn run_cases(name: &str, check: impl Fn(&Value) -> Result<(), String>) -> usize {
    let mut failures = Vec::new();
    let mut count = 0;
    for path in vector_files(name) {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let cases = doc["cases"].as_array().expect("cases array");
        assert!(!cases.is_empty(), "{}: no cases", path.display());
        for case in cases {
            count += 1;
            let case_name = case["name"].as_str().unwrap_or("<unnamed>");
            if let Err(e) = check(case) {
                failures.push(format!("{}: case {case_name}: {e}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    count
}

/// Bytes of a lowercase hex string field.
pub fn hex_field(v: &Value) -> Result<Vec<u8>, String> {
    let s = v.as_str().ok_or_else(|| format!("not a hex string: {v}"))?;
    hex::decode(s).map_err(|e| format!("bad hex {s:?}: {e}"))
}

/// An integer field that must fit `T`.
pub fn int<T: TryFrom<u64>>(v: &Value, field: &str) -> Result<T, String> {
    v[field]
        .as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("field {field}: bad integer {}", v[field]))
}

/// Compares two values, naming `what` when they differ.
pub fn same<T: PartialEq + std::fmt::Debug>(what: &str, ours: T, theirs: T) -> Result<(), String> {
    if ours == theirs {
        Ok(())
    } else {
        Err(format!("{what}: ours {ours:?}, vector {theirs:?}"))
    }
}
