//! Table-driven tests of config loading: every case is the small valid hall [`BASE`] plus a
//! few text edits, and either loads or yields exactly the listed diagnostics (key path,
//! line, optionally column, and a fragment of the message).

use hallq_config::{load_file, load_str, ConfigError, Diagnostic, Settings};
use std::path::Path;

#[path = "validation/accepted.rs"]
mod accepted;
#[path = "validation/rejected_access.rs"]
mod rejected_access;
#[path = "validation/rejected_checks.rs"]
mod rejected_checks;
#[path = "validation/rejected_form.rs"]
mod rejected_form;
#[path = "validation/rejected_hall.rs"]
mod rejected_hall;
#[path = "validation/rejected_hours.rs"]
mod rejected_hours;
#[path = "validation/rejected_notify.rs"]
mod rejected_notify;
#[path = "validation/warned.rs"]
mod warned;
use accepted::ACCEPTED;

/// A small valid hall. Line numbers, for reading the tables below:
///
/// ```text
///  1 [hall]                      26 [[windows]]
///  2 id = "test-hall"            27 id = "w1"
///  3 name = "测试大厅"            28 name = "1号窗口"
///  5 [hall.hours]                29 services = ["marriage", "adoption"]
///  6 open = "08:30"              31 [[windows]]
///  7 close = "17:30"             32 id = "w2"
///  8 days = ["mon", "tue", "wed"] 33 name = "2号窗口"
/// 10 [[sections]]                34 services = ["adoption"]
/// 11 id = "civil"                36 [[credentials]]
/// 12 name = "民政"                37 name = "clerk-1"
/// 14 [[sections.services]]       38 role = "clerk"
/// 15 id = "marriage"             39 window = "w1"
/// 16 name = "婚姻登记"            40 token_sha256 = "1aaa…"
/// 17 prefix = "A"                42 [[credentials]]
/// 19 [[sections.services]]       43 name = "kiosk"
/// 20 id = "adoption"             44 role = "kiosk"
/// 21 name = "收养登记"            45 token_sha256 = "2aaa…"
/// 22 prefix = "B"
/// 23 width = 3                   (46 is the first line of anything appended)
/// 24 daily_cap = 100
/// ```
///
/// The two tokens differ only in their first digit, so `Replace("\"2aaa", "\"1aaa")`
/// gives both credentials the same hash.
const BASE: &str = r#"[hall]
id = "test-hall"
name = "测试大厅"

[hall.hours]
open = "08:30"
close = "17:30"
days = ["mon", "tue", "wed"]

[[sections]]
id = "civil"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
prefix = "A"

[[sections.services]]
id = "adoption"
name = "收养登记"
prefix = "B"
width = 3
daily_cap = 100

[[windows]]
id = "w1"
name = "1号窗口"
services = ["marriage", "adoption"]

[[windows]]
id = "w2"
name = "2号窗口"
services = ["adoption"]

[[credentials]]
name = "clerk-1"
role = "clerk"
window = "w1"
token_sha256 = "1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

[[credentials]]
name = "kiosk"
role = "kiosk"
token_sha256 = "2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"#;

const FILE: &str = "hall.toml";

/// One change to the text; anchors must occur exactly once (checked).
#[derive(Debug, Clone, Copy)]
enum Edit {
    /// Replace the anchor by the text.
    Replace(&'static str, &'static str),
    /// Delete the anchor.
    Remove(&'static str),
    /// Insert a line right after the anchor (which should end a line).
    After(&'static str, &'static str),
    /// Insert a line right before the anchor (which should start a line).
    Before(&'static str, &'static str),
    /// Add text at the end (BASE ends with a newline, so this starts on line 46).
    Append(&'static str),
    /// Drop everything from the anchor on.
    TruncateAt(&'static str),
}
use Edit::*;

fn apply(case: &str, edits: &[Edit]) -> String {
    let mut src = BASE.to_string();
    for e in edits {
        let (anchor, new) = match *e {
            Replace(a, t) => (a, t.to_string()),
            Remove(a) => (a, String::new()),
            After(a, t) => (a, format!("{a}\n{t}")),
            Before(a, t) => (a, format!("{t}\n{a}")),
            Append(t) => {
                src.push_str(t);
                continue;
            }
            TruncateAt(a) => (a, String::new()),
        };
        assert_eq!(
            src.matches(anchor).count(),
            1,
            "case {case:?}: anchor {anchor:?} must occur exactly once in:\n{src}"
        );
        if let TruncateAt(_) = e {
            src.truncate(src.find(anchor).unwrap_or_default());
        } else {
            src = src.replacen(anchor, &new, 1);
        }
    }
    src
}

/// One expected diagnostic.
#[derive(Debug)]
struct Expect {
    key: &'static str,
    line: usize,
    col: Option<usize>,
    msg: &'static str,
}

const fn at(key: &'static str, line: usize, msg: &'static str) -> Expect {
    Expect {
        key,
        line,
        col: None,
        msg,
    }
}

const fn at_col(key: &'static str, line: usize, col: usize, msg: &'static str) -> Expect {
    Expect {
        key,
        line,
        col: Some(col),
        msg,
    }
}

struct Rejected {
    name: &'static str,
    edits: &'static [Edit],
    expect: &'static [Expect],
}

fn diagnostics(case: &str, src: &str) -> Vec<Diagnostic> {
    match load_str(FILE, src) {
        Ok(_) => panic!("case {case:?}: loaded, expected diagnostics; source:\n{src}"),
        Err(ConfigError::Invalid(d)) => d,
        Err(e) => panic!("case {case:?}: unexpected error {e:?}"),
    }
}

/// The diagnostics must be exactly the expected ones (in any order).
fn check_rejected(case: &Rejected) {
    let src = apply(case.name, case.edits);
    let got = diagnostics(case.name, &src);
    let shown = got
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let ctx = format!("case {:?}; got:\n{shown}\nsource:\n{src}", case.name);
    assert_eq!(
        got.len(),
        case.expect.len(),
        "wrong number of diagnostics, {ctx}"
    );
    for d in &got {
        assert_eq!(d.file, FILE, "{ctx}");
        assert!(
            !d.to_string().contains('\n'),
            "one line per diagnostic, {ctx}"
        );
        assert!(d.line >= 1 && d.col >= 1, "{ctx}");
    }
    for e in case.expect {
        let Some(d) = got.iter().find(|d| d.key == e.key && d.line == e.line) else {
            panic!("no diagnostic for {:?} on line {}, {ctx}", e.key, e.line);
        };
        assert!(
            d.message.contains(e.msg),
            "{:?}: message {:?} lacks {:?}, {ctx}",
            e.key,
            d.message,
            e.msg
        );
        if let Some(col) = e.col {
            assert_eq!(d.col, col, "{:?}: column, {ctx}", e.key);
        }
    }
}

/// Runs every case, so that one failure does not hide the others.
fn run_all<T: std::panic::RefUnwindSafe>(cases: &[T], name: fn(&T) -> &str, check: fn(&T)) {
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| std::panic::catch_unwind(|| check(c)).is_err())
        .map(name)
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} cases failed: {failed:?}",
        failed.len(),
        cases.len()
    );
}

/// Every refused case: the file's form, the hall it describes, who may do what.
fn rejected() -> Vec<&'static Rejected> {
    [
        rejected_form::FORM,
        rejected_hall::HALL,
        rejected_hours::HOURS,
        rejected_access::ACCESS,
        rejected_notify::NOTIFY,
        rejected_checks::CHECKS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn rejected_cases() {
    run_all(&rejected(), |c| c.name, |c| check_rejected(c));
}

#[test]
fn rejected_case_names_are_unique() {
    let cases = rejected();
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len());
}

struct Accepted {
    name: &'static str,
    edits: &'static [Edit],
    check: fn(&Settings),
}

fn no_check(_: &Settings) {}

fn check_accepted(case: &Accepted) {
    let src = apply(case.name, case.edits);
    match load_str(FILE, &src) {
        Ok(s) => (case.check)(&s),
        Err(e) => panic!("case {:?}: rejected:\n{e}\nsource:\n{src}", case.name),
    }
}

#[test]
fn accepted_cases() {
    run_all(ACCEPTED, |c| c.name, check_accepted);
}

fn demo_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-hall.toml")
}

#[test]
fn demo_hall_loads() {
    let s = load_file(&demo_path()).unwrap_or_else(|e| panic!("demo hall invalid:\n{e}"));
    assert_eq!(s.hall.id, "haikou");
    assert_eq!(s.tz(), chrono_tz::Asia::Shanghai);
    assert_eq!(s.windows.len(), 10);
    assert_eq!(s.services().count(), 8);

    // Every credential and broker account of the demo uses a published demo secret.
    let demo = s.demo_credentials();
    assert!(!demo.is_empty());
    let flagged = |who: &str| demo.iter().any(|d| d.who == who);
    for c in &s.credentials {
        assert!(flagged(&c.name), "{} not flagged as demo", c.name);
    }
    for a in &s.broker.accounts {
        assert!(
            flagged(&format!("mqtt:{}", a.username)),
            "{} not flagged",
            a.username
        );
    }
    for u in &s.staff {
        assert!(
            flagged(&format!("staff:{}", u.username)),
            "{} not flagged",
            u.username
        );
    }
    let kiosk = demo.iter().find(|d| d.who == "kiosk-lobby").unwrap();
    assert_eq!(kiosk.secret, "demo-kiosk");
    let clerk = demo.iter().find(|d| d.who == "staff:clerk").unwrap();
    assert_eq!(clerk.secret, "demo-clerk");
    assert_eq!(
        demo.len(),
        s.credentials.len() + s.broker.accounts.len() + s.staff.len()
    );
    assert_eq!(s.staff.len(), 3);

    let property = s.service("property").unwrap();
    assert_eq!((property.prefix.as_str(), property.width), ("A", 3));
    assert_eq!(property.format_number(1), "A001");
    assert_eq!(property.effective_cap(), 400);
    let mut wide = property.clone();
    wide.width = 4;
    assert_eq!(wide.format_number(1), "A0001");
    assert_eq!(wide.effective_cap(), 400);
    wide.daily_cap = None;
    assert_eq!(wide.effective_cap(), 9999);
    let household = s.service("household").unwrap();
    assert_eq!(household.daily_cap, None);
    assert_eq!(
        household.effective_cap(),
        999,
        "uncapped: the width caps it"
    );
    assert_eq!(household.format_number(999), "C999");
}

#[test]
fn demo_hall_via_load_str_names_the_file() {
    let src = std::fs::read_to_string(demo_path()).unwrap();
    let broken = src.replacen("prefix = \"B\"", "prefix = \"A\"", 1);
    let Err(ConfigError::Invalid(d)) = load_str("demo-hall.toml", &broken) else {
        panic!("duplicate prefix accepted");
    };
    assert_eq!(d.len(), 1, "{d:?}");
    let line = src[..src.find("prefix = \"B\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(
        d[0].to_string(),
        format!(
            "demo-hall.toml:{line}:1: sections[0].services[1].prefix: prefix \"A\" already used by sections[0].services[0]"
        )
    );
}

#[test]
fn no_credentials_no_demo_warning() {
    let s = load_str(FILE, BASE).unwrap();
    assert!(s.demo_credentials().is_empty());
}

#[test]
fn missing_file_is_an_io_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/no-such-hall.toml");
    match load_file(&path) {
        Err(e @ ConfigError::Io { .. }) => {
            assert!(e
                .to_string()
                .starts_with(&format!("{}: cannot read: ", path.display())));
        }
        other => panic!("expected an io error, got {other:?}"),
    }
}

#[test]
fn loaded_diagnostics_display_and_error_joins_them() {
    let src = apply(
        "display",
        &[
            Replace("services = [\"adoption\"]", "services = [\"adoptoin\"]"),
            Replace("daily_cap = 100", "daily_cap = 0"),
        ],
    );
    let err = load_str("conf/hall.toml", &src).unwrap_err();
    let ConfigError::Invalid(d) = &err else {
        panic!("{err:?}")
    };
    let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "conf/hall.toml:24:1: sections[0].services[1].daily_cap: must be at least 1 (leave it out for no cap)",
            "conf/hall.toml:34:13: windows[1].services[0]: unknown service \"adoptoin\"; did you mean \"adoption\" (收养登记)?",
        ]
    );
    assert_eq!(err.to_string(), lines.join("\n"));
}

#[test]
fn syntax_error_display() {
    let src = apply(
        "syntax",
        &[Replace("name = \"婚姻登记\"", "name = \"婚姻登记")],
    );
    let d = diagnostics("syntax", &src);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].to_string(),
        format!("{FILE}:16:13: (file): {}", d[0].message)
    );
    assert!(!d[0].message.is_empty());
}

#[test]
fn hhmm_and_weekday() {
    use hallq_config::{parse_hhmm, weekday};
    for (s, want) in [
        ("00:00", Some(0)),
        ("08:30", Some(510)),
        ("23:59", Some(1439)),
        ("24:00", Some(1440)),
        ("24:01", None),
        ("8:30", None),
        ("+8:30", None),
        ("08:+3", None),
        ("08-30", None),
        ("0830", None),
        ("", None),
        ("ab:cd", None),
        ("08:30 ", None),
    ] {
        assert_eq!(parse_hhmm(s), want, "{s:?}");
    }
    assert_eq!(weekday("mon"), Some(chrono::Weekday::Mon));
    assert_eq!(weekday("sun"), Some(chrono::Weekday::Sun));
    assert_eq!(weekday("Mon"), None);
    assert_eq!(weekday("monday"), None);
}

#[test]
fn base_line_map_is_right() {
    let line = |n: usize| BASE.lines().nth(n - 1).unwrap();
    assert_eq!(line(1), "[hall]");
    assert_eq!(line(8), "days = [\"mon\", \"tue\", \"wed\"]");
    assert_eq!(line(19), "[[sections.services]]");
    assert_eq!(line(24), "daily_cap = 100");
    assert_eq!(line(34), "services = [\"adoption\"]");
    assert_eq!(line(39), "window = \"w1\"");
    assert!(line(45).starts_with("token_sha256 = \"2aaa"));
    assert_eq!(BASE.lines().count(), 45);
    assert!(BASE.ends_with('\n'));
}
