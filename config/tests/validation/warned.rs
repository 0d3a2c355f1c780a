//! Config files that load with warnings (`check_str`): published demo credentials, ticket
//! links that only work on this machine while the hall listens on its network, an ID
//! hash key variable not usable where the check runs. Each case lists exactly the
//! warnings expected (key path, line, a fragment of the message).

use super::*;
use hallq_config::{check_str, Severity};

struct Warned {
    name: &'static str,
    edits: &'static [Edit],
    /// Environment variables the check sees (nothing else is set).
    env: &'static [(&'static str, &'static str)],
    expect: &'static [Expect],
}

const SHA_DEMO_KIOSK: &str = "49d6cc27f1e3b72fb829ac8ec864fc2045e8684b5bfb2b46b0a922330c84d6ea";
const GOOD_KEY: &str = "3f9a1c0e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a";

static WARNED: &[Warned] = &[
    Warned {
        name: "the ID hash key in the file outside the demo",
        edits: &[Append("\n[identity]\nid_hash_key = \"abc\"\n")],
        env: &[],
        expect: &[at(
            "identity.id_hash_key",
            48,
            "id_hash_key in the file is for the demo only: `hallq run` refuses to start this hall",
        )],
    },
    Warned {
        name: "the development provider on loopback",
        edits: &[Append(
            "\n[server]\nlisten = \"127.0.0.1:8080\"\n[identity]\ndev_provider = true\n",
        )],
        env: &[],
        expect: &[],
    },
    Warned {
        name: "the development provider beyond loopback",
        edits: &[Append(
            "\n[server]\nlisten = \"0.0.0.0:8080\"\npublic_base_url = \"http://192.168.1.10:8080\"\n[identity]\ndev_provider = true\n",
        )],
        env: &[],
        expect: &[at(
            "identity.dev_provider",
            51,
            "the development identity provider books in any name, so `hallq run` refuses it on the listener 0.0.0.0:8080",
        )],
    },
    Warned {
        name: "the development provider beyond loopback, allowed on purpose",
        edits: &[Append(
            "\n[server]\nlisten = \"0.0.0.0:8080\"\npublic_base_url = \"http://192.168.1.10:8080\"\n[identity]\ndev_provider = true\n",
        )],
        env: &[("HALLQ_ALLOW_DEV_IDENTITY", "1")],
        expect: &[],
    },
    Warned {
        name: "base: no warning",
        edits: &[],
        env: &[],
        expect: &[],
    },
    Warned {
        name: "the demo kiosk token",
        edits: &[Replace(
            "\"2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "\"49d6cc27f1e3b72fb829ac8ec864fc2045e8684b5bfb2b46b0a922330c84d6ea\"",
        )],
        env: &[],
        expect: &[at_col(
            "credentials[1].token_sha256",
            45,
            1,
            "credential \"kiosk\" is the published demo token \"demo-kiosk\": anyone who read the README can use it; replace before real use",
        )],
    },
    Warned {
        name: "the demo clerk token of window w1",
        edits: &[Replace(
            "\"1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "\"f974f517e16f1c2b02c089bea29ca4ed96b80fa54836d8a67f496e609d1d8492\"",
        )],
        env: &[],
        expect: &[at(
            "credentials[0].token_sha256",
            40,
            "credential \"clerk-1\" is the published demo token \"demo-clerk-w1\"",
        )],
    },
    Warned {
        name: "a demo staff password and a demo broker password",
        edits: &[Append(
            "\n[[staff]]\nusername = \"clerk\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwmtY\"\n\n\
             [[broker.accounts]]\nusername = \"button-1\"\npassword_sha256 = \"58ff98d20f5a16bc3360bd3d552a8aa57405105e0a6ef9c43fd5581565d61bbd\"\nrole = \"button\"\nwindow = \"w1\"\n",
        )],
        env: &[],
        expect: &[
            at(
                "staff[0].password_argon2",
                50,
                "staff account \"clerk\" has the published demo password \"demo-clerk\": anyone who read the README can use it; replace before real use: `hallq hash --password` hashes a new one",
            ),
            at(
                "broker.accounts[0].password_sha256",
                54,
                "broker account \"button-1\" has the published demo password \"demo-button\"",
            ),
        ],
    },
    Warned {
        name: "a LAN listener without public_base_url",
        edits: &[Append("\n[server]\nlisten = \"0.0.0.0:8080\"\n")],
        env: &[],
        expect: &[at_col(
            "server.listen",
            48,
            1,
            "server.listen 0.0.0.0:8080 serves the hall's network but public_base_url is not set, so every ticket's QR code would point at http://0.0.0.0:8080, which no phone can open: set public_base_url",
        )],
    },
    Warned {
        name: "a LAN listener with public_base_url on loopback",
        edits: &[Append(
            "\n[server]\nlisten = \"0.0.0.0:8080\"\npublic_base_url = \"http://127.0.0.1:8080\"\n",
        )],
        env: &[],
        expect: &[at(
            "server.public_base_url",
            49,
            "\"http://127.0.0.1:8080\" is this machine only, while server.listen 0.0.0.0:8080 serves the hall's network",
        )],
    },
    Warned {
        name: "a listener on a LAN address: the links use it",
        edits: &[Append("\n[server]\nlisten = \"192.168.1.10:8080\"\n")],
        env: &[],
        expect: &[],
    },
    Warned {
        name: "a LAN listener with the LAN base",
        edits: &[Append(
            "\n[server]\nlisten = \"0.0.0.0:8080\"\npublic_base_url = \"http://192.168.1.10:8080\"\n",
        )],
        env: &[],
        expect: &[],
    },
    Warned {
        name: "the ID hash key variable is not set",
        edits: &[Append("\n[identity]\nid_hash_key_env = \"HALLQ_TEST_KEY\"\n")],
        env: &[],
        expect: &[at(
            "identity.id_hash_key_env",
            48,
            "environment variable HALLQ_TEST_KEY (identity.id_hash_key_env) is not set: outside the demo the key for hashing ID numbers comes from it; a key is at least 32 random bytes, e.g. the 64 hex digits `openssl rand -hex 32` prints",
        )],
    },
    Warned {
        name: "the ID hash key is too short",
        edits: &[Append("\n[identity]\nid_hash_key_env = \"HALLQ_TEST_KEY\"\n")],
        env: &[("HALLQ_TEST_KEY", "short")],
        expect: &[at(
            "identity.id_hash_key_env",
            48,
            "environment variable HALLQ_TEST_KEY (identity.id_hash_key_env) is 5 bytes, too short",
        )],
    },
    Warned {
        name: "the ID hash key is set",
        edits: &[Append("\n[identity]\nid_hash_key_env = \"HALLQ_TEST_KEY\"\n")],
        env: &[("HALLQ_TEST_KEY", GOOD_KEY)],
        expect: &[],
    },
];

fn check_warned(case: &Warned) {
    let src = apply(case.name, case.edits);
    let env = |var: &str| {
        case.env
            .iter()
            .find(|(k, _)| *k == var)
            .map(|(_, v)| (*v).to_string())
    };
    let got = match check_str(FILE, &src, &env) {
        Ok((_, w)) => w,
        Err(e) => panic!("case {:?}: rejected:\n{e}\nsource:\n{src}", case.name),
    };
    let shown: Vec<String> = got.iter().map(ToString::to_string).collect();
    let ctx = format!(
        "case {:?}; got:\n{}\nsource:\n{src}",
        case.name,
        shown.join("\n")
    );
    assert_eq!(
        got.len(),
        case.expect.len(),
        "wrong number of warnings, {ctx}"
    );
    for (d, line) in got.iter().zip(&shown) {
        assert_eq!(d.severity, Severity::Warning, "{ctx}");
        assert!(line.contains(": warning: "), "{ctx}");
    }
    for e in case.expect {
        let Some(d) = got.iter().find(|d| d.key == e.key && d.line == e.line) else {
            panic!("no warning for {:?} on line {}, {ctx}", e.key, e.line);
        };
        assert!(
            d.message.contains(e.msg),
            "{:?}: {:?} lacks {:?}, {ctx}",
            e.key,
            d.message,
            e.msg
        );
        if let Some(col) = e.col {
            assert_eq!(d.col, col, "{:?}: column, {ctx}", e.key);
        }
    }
}

#[test]
fn warned_cases() {
    run_all(WARNED, |c| c.name, check_warned);
}

#[test]
fn the_demo_hall_warns_of_each_demo_credential_and_nothing_else() {
    let src = std::fs::read_to_string(demo_path()).unwrap();
    let (s, warnings) = check_str("demo-hall.toml", &src, &|_| None).expect("the demo loads");
    let demo = s.demo_credentials();
    assert_eq!(warnings.len(), demo.len(), "{warnings:#?}");
    assert!(warnings
        .iter()
        .all(|w| w.message.contains("replace before real use")));
    // Each at the line of its hash.
    let kiosk = warnings
        .iter()
        .find(|w| w.key.starts_with("credentials[") && w.message.contains("\"demo-kiosk\""))
        .unwrap();
    let line = src.lines().nth(kiosk.line - 1).unwrap();
    assert!(line.contains(SHA_DEMO_KIOSK), "{line}");
}

#[test]
fn warnings_follow_the_errors_of_a_file_that_breaks_rules() {
    let src = apply(
        "errors and warnings",
        &[
            Replace("daily_cap = 100", "daily_cap = 0"),
            Append("\n[server]\nlisten = \"0.0.0.0:8080\"\n"),
        ],
    );
    let Err(ConfigError::Invalid(d)) = check_str(FILE, &src, &|_| None) else {
        panic!("accepted");
    };
    let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].starts_with("hall.toml:24:1: sections[0].services[1].daily_cap: must be"));
    assert!(
        lines[1].starts_with("hall.toml:48:1: server.listen: warning: server.listen 0.0.0.0:8080")
    );
}

#[test]
fn diagnostic_display() {
    let d = Diagnostic {
        file: "halls/a.toml".into(),
        line: 12,
        col: 7,
        key: "windows[1].services[0]".into(),
        message: "unknown service \"x\"".into(),
        severity: Severity::Error,
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
    // A warning says so after the key.
    let d = Diagnostic {
        severity: Severity::Warning,
        key: "server.listen".into(),
        ..d
    };
    assert_eq!(
        d.to_string(),
        "halls/a.toml:12:7: server.listen: warning: unknown service \"x\""
    );
}
