//! Table-driven tests of config loading: every case is the small valid hall [`BASE`] plus a
//! few text edits, and either loads or yields exactly the listed diagnostics (key path,
//! line, optionally column, and a fragment of the message).

use hallq_config::{load_file, load_str, ConfigError, Diagnostic, Settings};
use std::path::Path;

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

static REJECTED: &[Rejected] = &[
    // ---- syntax ----
    Rejected {
        name: "unclosed string",
        edits: &[Replace("name = \"婚姻登记\"", "name = \"婚姻登记")],
        // Column counts characters: `name = "` is 8, the four CJK characters end at 12.
        expect: &[at_col("", 16, 13, "string")],
    },
    Rejected {
        name: "key defined twice",
        edits: &[After("id = \"w2\"", "id = \"w3\"")],
        expect: &[at_col("", 33, 1, "duplicate key `id`")],
    },
    Rejected {
        name: "unclosed table header",
        edits: &[Replace("[hall.hours]", "[hall.hours")],
        expect: &[at_col("", 5, 12, "invalid table header; expected `.`, `]`")],
    },
    // ---- unknown keys: all of them, together ----
    Rejected {
        name: "unknown keys everywhere",
        edits: &[
            Before("[hall]", "colour = \"blue\""),
            After("name = \"测试大厅\"", "nmae = \"typo\""),
            After("close = \"17:30\"", "lunch = \"12:00\""),
            After("prefix = \"A\"", "widht = 4"),
            After("services = [\"adoption\"]", "floors = 2"),
            After("role = \"kiosk\"", "scope = \"all\""),
        ],
        expect: &[
            at_col("colour", 1, 1, "unknown key"),
            at_col("hall.nmae", 5, 1, "unknown key"),
            at("hall.hours.lunch", 10, "unknown key"),
            at("sections[0].services[0].widht", 21, "unknown key"),
            at("windows[1].floors", 39, "unknown key"),
            at("credentials[1].scope", 50, "unknown key"),
        ],
    },
    Rejected {
        name: "unknown table",
        edits: &[Append("\n[printer]\nmodel = \"x\"\n")],
        expect: &[at("printer", 47, "unknown key")],
    },
    Rejected {
        name: "unknown key in a broker account",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nrole = \"display\"\ntopic = \"x\"\n",
        )],
        expect: &[at("broker.accounts[0].topic", 51, "unknown key")],
    },
    // ---- staff accounts ----
    Rejected {
        name: "staff: device role, unknown window, a password in clear",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"kiosk\"\nwindows = [\"w9\"]\npassword_argon2 = \"secret\"\n",
        )],
        expect: &[
            at("staff[0].role", 49, "staff accounts are `clerk` or `admin`"),
            at("staff[0].windows[0]", 50, "unknown window \"w9\""),
            at("staff[0].password_argon2", 51, "not a password hash"),
        ],
    },
    Rejected {
        name: "staff: a username twice, an admin with windows, a day-long session",
        edits: &[Append(
            "\n[[staff]]\nusername = \"a\"\nrole = \"admin\"\nwindows = [\"w1\"]\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwmtY\"\n\n\
             [[staff]]\nusername = \"a\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwmtY\"\n\n\
             [sign_in]\nsession_minutes = 5000\n",
        )],
        expect: &[
            at("staff[0].windows", 50, "an admin is not bound to windows"),
            at("staff[1].username", 54, "\"a\" used twice"),
            at("sign_in.session_minutes", 59, "must be 5–1440"),
        ],
    },
    // ---- wrong types ----
    Rejected {
        name: "width is a string",
        edits: &[After("prefix = \"A\"", "width = \"three\"")],
        expect: &[at_col("sections[0].services[0].width", 18, 9, "invalid type: string \"three\"")],
    },
    Rejected {
        name: "negative daily_cap",
        edits: &[Replace("daily_cap = 100", "daily_cap = -5")],
        expect: &[at_col("sections[0].services[1].daily_cap", 24, 13, "invalid value")],
    },
    Rejected {
        name: "unknown role",
        edits: &[Replace("role = \"kiosk\"", "role = \"boss\"")],
        expect: &[at_col("credentials[1].role", 44, 8, "unknown variant `boss`")],
    },
    Rejected {
        name: "window services not an array",
        edits: &[Replace("services = [\"adoption\"]", "services = \"adoption\"")],
        expect: &[at("windows[1].services", 34, "invalid type")],
    },
    Rejected {
        name: "unknown broker mode",
        edits: &[Append("\n[broker]\nmode = \"cloud\"\n")],
        expect: &[at("broker.mode", 48, "unknown variant `cloud`")],
    },
    Rejected {
        name: "unknown key reported beside a type error before it",
        edits: &[
            After("name = \"测试大厅\"", "nmae = \"typo\""),
            Replace("width = 3", "width = 3.5"),
        ],
        expect: &[
            at("hall.nmae", 4, "unknown key"),
            at("sections[0].services[1].width", 24, "invalid type"),
        ],
    },
    // ---- missing required keys: the key is named, the place is its table ----
    Rejected {
        name: "hall.name missing",
        edits: &[Remove("name = \"测试大厅\"\n")],
        expect: &[at_col("hall.name", 1, 1, "missing field `name`")],
    },
    Rejected {
        name: "hall.id missing",
        edits: &[Remove("id = \"test-hall\"\n")],
        expect: &[at("hall.id", 1, "missing field `id`")],
    },
    Rejected {
        name: "service prefix missing",
        edits: &[Remove("prefix = \"B\"\n")],
        expect: &[at("sections[0].services[1].prefix", 19, "missing field `prefix`")],
    },
    Rejected {
        name: "window services missing",
        edits: &[Remove("services = [\"adoption\"]\n")],
        expect: &[at("windows[1].services", 31, "missing field `services`")],
    },
    Rejected {
        name: "credential token missing",
        edits: &[Remove("token_sha256 = \"2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n")],
        expect: &[at("credentials[1].token_sha256", 42, "missing field `token_sha256`")],
    },
    Rejected {
        name: "no [hall] at all",
        edits: &[Replace(
            "[hall]\nid = \"test-hall\"\nname = \"测试大厅\"\n\n[hall.hours]\nopen = \"08:30\"\nclose = \"17:30\"\ndays = [\"mon\", \"tue\", \"wed\"]\n\n",
            "",
        )],
        expect: &[at("hall", 1, "missing field `hall`")],
    },
    // ---- windows ----
    Rejected {
        name: "window serves an unknown service",
        edits: &[Replace("services = [\"adoption\"]", "services = [\"adoptoin\"]")],
        expect: &[at_col("windows[1].services[0]", 34, 13, "unknown service \"adoptoin\"")],
    },
    Rejected {
        name: "service listed twice in a window",
        edits: &[Replace(
            "services = [\"marriage\", \"adoption\"]",
            "services = [\"marriage\", \"adoption\", \"marriage\"]",
        )],
        expect: &[at_col("windows[0].services[2]", 29, 37, "service \"marriage\" listed twice")],
    },
    Rejected {
        name: "window serves nothing",
        edits: &[Replace("services = [\"adoption\"]", "services = []")],
        expect: &[at("windows[1].services", 34, "at least one service")],
    },
    Rejected {
        name: "duplicate window id",
        edits: &[Replace("id = \"w2\"", "id = \"w1\"")],
        expect: &[at("windows[1].id", 32, "duplicate window id \"w1\"")],
    },
    Rejected {
        name: "window id with a space",
        edits: &[Replace("id = \"w2\"", "id = \"w 2\"")],
        expect: &[at("windows[1].id", 32, "letters, digits")],
    },
    Rejected {
        name: "window name blank",
        edits: &[Replace("name = \"2号窗口\"", "name = \" \"")],
        expect: &[at("windows[1].name", 33, "must not be empty")],
    },
    // ---- sections and services ----
    Rejected {
        name: "duplicate service id across sections",
        edits: &[Append(
            "\n[[sections]]\nid = \"family\"\nname = \"家庭\"\n\n[[sections.services]]\nid = \"marriage\"\nname = \"婚姻咨询\"\nprefix = \"C\"\n",
        )],
        expect: &[at(
            "sections[1].services[0].id",
            52,
            "duplicate service id \"marriage\" (also at sections[0].services[0])",
        )],
    },
    Rejected {
        name: "duplicate section id",
        edits: &[Append(
            "\n[[sections]]\nid = \"civil\"\nname = \"民政二\"\n\n[[sections.services]]\nid = \"divorce\"\nname = \"离婚登记\"\nprefix = \"C\"\n",
        )],
        expect: &[at("sections[1].id", 48, "duplicate section id \"civil\"")],
    },
    Rejected {
        name: "duplicate prefix",
        edits: &[Replace("prefix = \"B\"", "prefix = \"A\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "prefix \"A\" already used by sections[0].services[0]")],
    },
    Rejected {
        name: "prefix lowercase",
        edits: &[Replace("prefix = \"B\"", "prefix = \"b\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "prefix two letters",
        edits: &[Replace("prefix = \"B\"", "prefix = \"BB\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "prefix empty",
        edits: &[Replace("prefix = \"B\"", "prefix = \"\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "prefix non-ASCII capital",
        edits: &[Replace("prefix = \"B\"", "prefix = \"Ä\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "width 0",
        edits: &[Replace("width = 3", "width = 0")],
        expect: &[at("sections[0].services[1].width", 23, "between 1 and 6")],
    },
    Rejected {
        name: "width 7",
        edits: &[Replace("width = 3", "width = 7")],
        expect: &[at("sections[0].services[1].width", 23, "between 1 and 6")],
    },
    Rejected {
        name: "daily_cap larger than width 3 allows",
        edits: &[Replace("daily_cap = 100", "daily_cap = 1000")],
        expect: &[at("sections[0].services[1].daily_cap", 24, "1000 tickets need more than 3 digits")],
    },
    Rejected {
        name: "daily_cap larger than the default width allows",
        edits: &[After("prefix = \"A\"", "daily_cap = 1000")],
        expect: &[at(
            "sections[0].services[0].daily_cap",
            18,
            "1000 tickets need more than 3 digits",
        )],
    },
    Rejected {
        name: "daily_cap 0",
        edits: &[Replace("daily_cap = 100", "daily_cap = 0")],
        expect: &[at("sections[0].services[1].daily_cap", 24, "at least 1")],
    },
    Rejected {
        name: "width 7 and daily_cap 0 both reported",
        edits: &[Replace("width = 3\ndaily_cap = 100", "width = 7\ndaily_cap = 0")],
        expect: &[
            at("sections[0].services[1].width", 23, "between 1 and 6"),
            at("sections[0].services[1].daily_cap", 24, "at least 1"),
        ],
    },
    Rejected {
        name: "service name blank",
        edits: &[Replace("name = \"婚姻登记\"", "name = \"\"")],
        expect: &[at("sections[0].services[0].name", 16, "must not be empty")],
    },
    Rejected {
        name: "a hall without services",
        edits: &[
            Replace("[[sections.services]]\nid = \"marriage\"\nname = \"婚姻登记\"\nprefix = \"A\"\n\n", ""),
            Replace(
                "[[sections.services]]\nid = \"adoption\"\nname = \"收养登记\"\nprefix = \"B\"\nwidth = 3\ndaily_cap = 100\n\n",
                "",
            ),
            Replace("services = [\"marriage\", \"adoption\"]", "services = [\"marriage\"]"),
            Replace("services = [\"adoption\"]", "services = [\"marriage\"]"),
        ],
        expect: &[
            at("sections", 10, "at least one section with a service"),
            at("windows[0].services[0]", 17, "unknown service"),
            at("windows[1].services[0]", 22, "unknown service"),
        ],
    },
    // ---- hall, hours ----
    Rejected {
        name: "unknown time zone",
        edits: &[After("name = \"测试大厅\"", "time_zone = \"Asia/Beijing\"")],
        expect: &[at("hall.time_zone", 4, "unknown time zone \"Asia/Beijing\"")],
    },
    Rejected {
        name: "open not HH:MM",
        edits: &[Replace("open = \"08:30\"", "open = \"8:30\"")],
        expect: &[at("hall.hours.open", 6, "HH:MM")],
    },
    Rejected {
        name: "open with a sign",
        edits: &[Replace("open = \"08:30\"", "open = \"+8:30\"")],
        expect: &[at("hall.hours.open", 6, "HH:MM")],
    },
    Rejected {
        name: "open with seconds",
        edits: &[Replace("open = \"08:30\"", "open = \"08:30:00\"")],
        expect: &[at("hall.hours.open", 6, "HH:MM")],
    },
    Rejected {
        name: "close minute 60",
        edits: &[Replace("close = \"17:30\"", "close = \"17:60\"")],
        expect: &[at("hall.hours.close", 7, "HH:MM")],
    },
    Rejected {
        name: "close 25:00",
        edits: &[Replace("close = \"17:30\"", "close = \"25:00\"")],
        expect: &[at("hall.hours.close", 7, "HH:MM")],
    },
    Rejected {
        name: "close before open",
        edits: &[Replace("close = \"17:30\"", "close = \"08:00\"")],
        expect: &[at("hall.hours.close", 7, "later than hours.open")],
    },
    Rejected {
        name: "close equals open",
        edits: &[Replace("close = \"17:30\"", "close = \"08:30\"")],
        expect: &[at("hall.hours.close", 7, "later than hours.open")],
    },
    Rejected {
        name: "unknown weekday",
        edits: &[Replace("\"tue\"", "\"Tuesday\"")],
        expect: &[at_col("hall.hours.days[1]", 8, 16, "unknown day \"Tuesday\"")],
    },
    Rejected {
        name: "weekday twice",
        edits: &[Replace("\"wed\"", "\"mon\"")],
        expect: &[at_col("hall.hours.days[2]", 8, 23, "day \"mon\" listed twice")],
    },
    Rejected {
        name: "hours as an inline table",
        edits: &[
            Replace("[hall.hours]\nopen = \"08:30\"\nclose = \"17:30\"\ndays = [\"mon\", \"tue\", \"wed\"]\n", ""),
            After("name = \"测试大厅\"", "hours = { open = \"9:00\", close = \"17:00\", days = [\"mon\"] }"),
        ],
        expect: &[at_col("hall.hours.open", 4, 11, "HH:MM")],
    },
    Rejected {
        name: "hall id with capitals",
        edits: &[Replace("id = \"test-hall\"", "id = \"Test-Hall\"")],
        expect: &[at("hall.id", 2, "lowercase letters")],
    },
    Rejected {
        name: "hall id empty",
        edits: &[Replace("id = \"test-hall\"", "id = \"\"")],
        expect: &[at("hall.id", 2, "lowercase letters")],
    },
    Rejected {
        name: "hall name blank",
        edits: &[Replace("name = \"测试大厅\"", "name = \"  \"")],
        expect: &[at("hall.name", 3, "must not be empty")],
    },
    // ---- credentials ----
    Rejected {
        name: "clerk without window",
        edits: &[Remove("window = \"w1\"\n")],
        expect: &[at("credentials[0].window", 36, "a clerk needs the window")],
    },
    Rejected {
        name: "button credential without window",
        edits: &[Replace("role = \"kiosk\"", "role = \"button\"")],
        expect: &[at("credentials[1].window", 42, "a button needs the window")],
    },
    Rejected {
        name: "credential names an unknown window",
        edits: &[Replace("window = \"w1\"", "window = \"w9\"")],
        expect: &[at("credentials[0].window", 39, "unknown window \"w9\"")],
    },
    Rejected {
        name: "kiosk names an unknown window",
        edits: &[After("role = \"kiosk\"", "window = \"lobby\"")],
        expect: &[at("credentials[1].window", 45, "unknown window \"lobby\"")],
    },
    Rejected {
        name: "token too short",
        edits: &[Replace("\"2aaaaaaaaa", "\"2aaaaaaaa")],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "token uppercase hex",
        edits: &[Replace("\"2aaaaaaaaa", "\"2AAAAAAAAA")],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "token not hex",
        edits: &[Replace("\"2aaaaaaaaa", "\"2aaaaaaaag")],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "token in clear",
        edits: &[Replace(
            "\"2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "\"demo-kiosk\"",
        )],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "two credentials with the same hash",
        edits: &[Replace("\"2aaa", "\"1aaa")],
        expect: &[at("credentials[1].token_sha256", 45, "same token as credentials[0]")],
    },
    // ---- server, broker ----
    Rejected {
        name: "external broker without url",
        edits: &[Append("\n[broker]\nmode = \"external\"\n")],
        expect: &[at("broker.mode", 48, "needs broker.url")],
    },
    Rejected {
        name: "external broker with an http url",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"http://10.0.0.5:1883\"\n")],
        expect: &[at("broker.url", 49, "mqtt://HOST:PORT")],
    },
    Rejected {
        name: "external broker url with a bad port",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"mqtt://10.0.0.5:99999\"\n")],
        expect: &[at("broker.url", 49, "mqtt://HOST:PORT")],
    },
    Rejected {
        name: "embedded broker listen without port",
        edits: &[Append("\n[broker]\nlisten = \"127.0.0.1\"\n")],
        expect: &[at("broker.listen", 48, "HOST:PORT")],
    },
    Rejected {
        name: "server listen with a host name",
        edits: &[Append("\n[server]\nlisten = \"localhost:8080\"\n")],
        expect: &[at("server.listen", 48, "HOST:PORT with an IP address")],
    },
    Rejected {
        name: "server listen without host",
        edits: &[Append("\n[server]\nlisten = \"8080\"\n")],
        expect: &[at("server.listen", 48, "HOST:PORT")],
    },
    Rejected {
        name: "server urls and body limit",
        edits: &[Append(
            "\n[server]\ndatabase_url = \"mysql://db/hallq\"\npublic_base_url = \"hall.example.org\"\nmax_body_bytes = 512\n",
        )],
        expect: &[
            at("server.database_url", 48, "sqlite: or postgres://"),
            at("server.public_base_url", 49, "http:// or https://"),
            at("server.max_body_bytes", 50, "at least 1024"),
        ],
    },
    Rejected {
        name: "broker accounts: duplicate user name, bad hash, button without window",
        edits: &[Append(concat!(
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"display\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"\n",
            "role = \"button\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"button-9\"\n",
            "password_sha256 = \"4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"button\"\n",
            "window = \"w9\"\n",
        ))],
        expect: &[
            at("broker.accounts[1].username", 53, "duplicate user name \"tv\""),
            at("broker.accounts[1].password_sha256", 54, "64 lowercase hex digits"),
            at("broker.accounts[1].window", 52, "a button needs the window"),
            at("broker.accounts[2].window", 61, "unknown window \"w9\""),
        ],
    },
    // ---- several semantic problems at once ----
    Rejected {
        name: "many problems, each on its own line",
        edits: &[
            After("name = \"测试大厅\"", "time_zone = \"Mars/Olympus\""),
            Replace("close = \"17:30\"", "close = \"07:00\""),
            Replace("prefix = \"B\"", "prefix = \"A\""),
            Replace("daily_cap = 100", "daily_cap = 0"),
            Replace("id = \"w2\"", "id = \"w1\""),
            Replace("services = [\"adoption\"]", "services = [\"adoption\", \"births\"]"),
            Replace("window = \"w1\"", "window = \"w2\""),
            Replace("\"2aaaaaaaaa", "\"2aaaaaaaa"),
            Append("\n[server]\nlisten = \"*:8080\"\n"),
        ],
        expect: &[
            at("hall.time_zone", 4, "unknown time zone"),
            at("hall.hours.close", 8, "later than hours.open"),
            at("sections[0].services[1].prefix", 23, "already used"),
            at("sections[0].services[1].daily_cap", 25, "at least 1"),
            at("windows[1].id", 33, "duplicate window id"),
            at_col("windows[1].services[1]", 35, 25, "unknown service \"births\""),
            at("credentials[0].window", 40, "unknown window \"w2\""),
            at("credentials[1].token_sha256", 46, "64 lowercase hex digits"),
            at("server.listen", 49, "HOST:PORT"),
        ],
    },
];

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

#[test]
fn rejected_cases() {
    run_all(REJECTED, |c| c.name, check_rejected);
}

#[test]
fn rejected_case_names_are_unique() {
    let mut names: Vec<_> = REJECTED.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), REJECTED.len());
}

struct Accepted {
    name: &'static str,
    edits: &'static [Edit],
    check: fn(&Settings),
}

fn no_check(_: &Settings) {}

static ACCEPTED: &[Accepted] = &[
    Accepted {
        name: "base",
        edits: &[],
        check: |s| {
            assert_eq!(s.hall.id, "test-hall");
            assert_eq!(s.services().count(), 2);
            assert_eq!(s.windows.len(), 2);
            assert_eq!(s.credentials.len(), 2);
            assert_eq!(s.hall.time_zone, "Asia/Shanghai", "default time zone");
            assert_eq!(s.server.listen, "127.0.0.1:8080", "default server");
            assert_eq!(s.broker.listen, "127.0.0.1:11883", "default broker");
            let m = s.service("marriage").unwrap();
            assert_eq!((m.width, m.daily_cap), (3, None), "default width, no cap");
            assert_eq!(m.effective_cap(), 999);
            assert_eq!(s.service("adoption").unwrap().effective_cap(), 100);
            assert_eq!(s.window("w1").unwrap().floor, 1, "default floor");
        },
    },
    Accepted {
        name: "no [hall.hours]: the default hours",
        edits: &[Replace(
            "[hall.hours]\nopen = \"08:30\"\nclose = \"17:30\"\ndays = [\"mon\", \"tue\", \"wed\"]\n",
            "",
        )],
        check: |s| {
            assert_eq!((s.hall.hours.open.as_str(), s.hall.hours.close.as_str()), ("08:30", "17:30"));
            assert_eq!(s.hall.hours.days, ["mon", "tue", "wed", "thu", "fri"]);
        },
    },
    Accepted {
        name: "[hall.hours] with only days",
        edits: &[
            Remove("open = \"08:30\"\n"),
            Remove("close = \"17:30\"\n"),
            Replace("days = [\"mon\", \"tue\", \"wed\"]", "days = [\"sat\", \"sun\"]"),
        ],
        check: |s| {
            assert_eq!((s.hall.hours.open.as_str(), s.hall.hours.close.as_str()), ("08:30", "17:30"));
            assert_eq!(s.hall.hours.days, ["sat", "sun"]);
        },
    },
    Accepted {
        name: "open around the clock",
        edits: &[
            Replace("open = \"08:30\"", "open = \"00:00\""),
            Replace("close = \"17:30\"", "close = \"24:00\""),
            Replace(
                "days = [\"mon\", \"tue\", \"wed\"]",
                "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]",
            ),
        ],
        check: |s| {
            assert_eq!(hallq_config::parse_hhmm(&s.hall.hours.close), Some(24 * 60));
            assert_eq!(s.hall.hours.days.len(), 7);
        },
    },
    Accepted {
        name: "other time zone",
        edits: &[After("name = \"测试大厅\"", "time_zone = \"Asia/Urumqi\"")],
        check: |s| assert_eq!(s.tz(), chrono_tz::Asia::Urumqi),
    },
    Accepted {
        name: "[server] with only listen",
        edits: &[Append("\n[server]\nlisten = \"0.0.0.0:80\"\n")],
        check: |s| {
            assert_eq!(s.server.listen, "0.0.0.0:80");
            assert_eq!(s.server.data_dir, "data");
            assert_eq!(s.server.max_body_bytes, 16 * 1024);
            assert_eq!(s.public_base_url(), "http://0.0.0.0:80");
        },
    },
    Accepted {
        name: "[server] in full, IPv6",
        edits: &[Append(
            "\n[server]\nlisten = \"[::1]:8080\"\ndata_dir = \"/var/lib/hallq\"\ndatabase_url = \"postgres://hallq@db/hallq\"\npublic_base_url = \"https://hall.example.org/\"\nmax_body_bytes = 1024\n",
        )],
        check: |s| assert_eq!(s.public_base_url(), "https://hall.example.org"),
    },
    Accepted {
        name: "external broker with only mode and url",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"mqtt://mosquitto.local:1883\"\n")],
        check: |s| {
            assert_eq!(s.broker.mode, hallq_config::BrokerMode::External);
            assert_eq!(s.broker.url.as_deref(), Some("mqtt://mosquitto.local:1883"));
        },
    },
    Accepted {
        name: "external broker ignores a bad embedded listen",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"mqtt://10.0.0.5\"\nlisten = \"nowhere\"\n")],
        check: no_check,
    },
    Accepted {
        name: "broker accounts",
        edits: &[Append(concat!(
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"display\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"button-w2\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"button\"\n",
            "window = \"w2\"\n",
        ))],
        check: |s| assert_eq!(s.broker.accounts.len(), 2),
    },
    Accepted {
        name: "width 6 with the largest cap",
        edits: &[Replace("width = 3\ndaily_cap = 100", "width = 6\ndaily_cap = 999999")],
        check: |s| {
            let a = s.service("adoption").unwrap();
            assert_eq!(a.effective_cap(), 999_999);
            assert_eq!(a.format_number(42), "B000042");
        },
    },
    Accepted {
        name: "width 1 with cap 9",
        edits: &[Replace("width = 3\ndaily_cap = 100", "width = 1\ndaily_cap = 9")],
        check: |s| assert_eq!(s.service("adoption").unwrap().format_number(9), "B9"),
    },
    Accepted {
        name: "cap exactly what width 3 prints",
        edits: &[Replace("daily_cap = 100", "daily_cap = 999")],
        check: no_check,
    },
    Accepted {
        name: "services may repeat across windows; one service per window is enough",
        edits: &[Replace("services = [\"marriage\", \"adoption\"]", "services = [\"adoption\"]")],
        check: no_check,
    },
    Accepted {
        name: "no credentials",
        edits: &[TruncateAt("[[credentials]]\nname = \"clerk-1\"")],
        check: |s| assert!(s.credentials.is_empty()),
    },
    Accepted {
        name: "admin may name a window, kiosk may omit it",
        edits: &[Replace("role = \"clerk\"", "role = \"admin\"")],
        check: |s| assert_eq!(s.credentials[0].role, hallq_config::Role::Admin),
    },
    Accepted {
        name: "windows as inline tables",
        edits: &[
            Replace(
                "[[windows]]\nid = \"w1\"\nname = \"1号窗口\"\nservices = [\"marriage\", \"adoption\"]\n\n[[windows]]\nid = \"w2\"\nname = \"2号窗口\"\nservices = [\"adoption\"]\n\n",
                "",
            ),
            Before(
                "[hall]",
                "windows = [{ id = \"w1\", name = \"1号\", services = [\"marriage\"] }, { id = \"w2\", name = \"2号\", services = [\"adoption\"], floor = 3 }]",
            ),
        ],
        check: |s| assert_eq!(s.window("w2").unwrap().floor, 3),
    },
];

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
    for c in &s.credentials {
        assert!(demo.contains(&c.name), "{} not flagged as demo", c.name);
    }
    for a in &s.broker.accounts {
        assert!(
            demo.contains(&format!("mqtt:{}", a.username)),
            "{} not flagged",
            a.username
        );
    }
    for u in &s.staff {
        assert!(
            demo.contains(&format!("staff:{}", u.username)),
            "{} not flagged",
            u.username
        );
    }
    assert_eq!(
        demo.len(),
        s.credentials.len() + s.broker.accounts.len() + s.staff.len()
    );
    assert_eq!(s.staff.len(), 2);

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
fn diagnostic_display() {
    let d = Diagnostic {
        file: "halls/a.toml".into(),
        line: 12,
        col: 7,
        key: "windows[1].services[0]".into(),
        message: "unknown service \"x\"".into(),
    };
    assert_eq!(
        d.to_string(),
        "halls/a.toml:12:7: windows[1].services[0]: unknown service \"x\""
    );
    // A problem not tied to a key (syntax) shows "(file)" in the key's place.
    let d = Diagnostic {
        key: String::new(),
        ..d
    };
    assert_eq!(
        d.to_string(),
        "halls/a.toml:12:7: (file): unknown service \"x\""
    );
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
            "conf/hall.toml:34:13: windows[1].services[0]: unknown service \"adoptoin\"",
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
