//! `hallq config check [--strict] FILE` on the real binary: errors first, then warnings
//! (`FILE:LINE:COL: key: warning: …`), the ok line counting the warnings; exit 0 with only
//! warnings, 2 with errors, and 2 with warnings under `--strict` (for deployment). The demo
//! config warns of its demo credentials and has no errors. `hallq run` logs the same
//! warnings, and its banner carries `?token=demo-kiosk` only while that token works.

mod common;

use common::{Hall, HallOpts};
use std::path::Path;
use std::process::{Command, Output};

/// A small hall with no demo credential, listening on loopback.
const CLEAN: &str = r#"[hall]
id = "t"
name = "测试大厅"

[[sections]]
id = "civil"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
prefix = "A"

[[windows]]
id = "w1"
name = "1号窗口"
services = ["marriage"]
"#;

fn check(args: &[&str], file: &Path, env: &[(&str, &str)]) -> (Option<i32>, Vec<String>) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["config", "check"])
        .args(args)
        .arg(file)
        .env_remove("HALLQ_TEST_ID_KEY")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (out.status.code(), text.lines().map(String::from).collect())
}

fn write(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("hall.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn is_warning(line: &str) -> bool {
    line.contains(": warning: ")
}

#[test]
fn the_demo_config_warns_but_has_no_errors_and_strict_fails_it() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/examples/demo-hall.toml");
    let (code, lines) = check(&[], &demo, &[]);
    assert_eq!(code, Some(0), "{lines:#?}");
    let (ok, problems) = lines.split_last().unwrap();
    assert!(!problems.is_empty(), "the demo's credentials are warned of");
    let name = demo.display().to_string();
    for l in problems {
        assert!(l.starts_with(&format!("{name}:")), "{l}");
        assert!(is_warning(l), "only warnings: {l}");
        assert!(l.contains("replace before real use"), "{l}");
    }
    assert!(
        problems
            .iter()
            .any(|l| l.contains("credentials[0].token_sha256: warning: credential \"kiosk-lobby\" is the published demo token \"demo-kiosk\"")),
        "{problems:#?}"
    );
    assert_eq!(
        *ok,
        format!(
            "{name}: ok (4 sections, 8 services, 10 windows, {} warnings)",
            problems.len()
        )
    );
    // Warnings come in file order.
    let line_of = |l: &str| -> usize {
        l[name.len() + 1..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let order: Vec<usize> = problems.iter().map(|l| line_of(l)).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted);

    let (code, strict) = check(&["--strict"], &demo, &[]);
    assert_eq!(code, Some(2), "{strict:#?}");
    assert_eq!(strict[..problems.len()], *problems);
}

#[test]
fn the_demo_city_checks_every_hall_file_with_warnings_only() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/examples");
    let city = examples.join("demo-city.toml");
    let (code, lines) = check(&[], &city, &[]);
    assert_eq!(code, Some(0), "{lines:#?}");
    let (ok, problems) = lines.split_last().unwrap();
    let files = [
        city.display().to_string(),
        examples.join("demo-hall.toml").display().to_string(),
        examples
            .join("demo-city/longhua.toml")
            .display()
            .to_string(),
    ];
    for l in problems {
        assert!(is_warning(l), "only warnings: {l}");
        assert!(files.iter().any(|f| l.starts_with(&format!("{f}:"))), "{l}");
    }
    for (file, secret) in files
        .iter()
        .zip(["demo-admin", "demo-kiosk", "demo-kiosk-longhua"])
    {
        assert!(
            problems
                .iter()
                .any(|l| l.starts_with(&format!("{file}:")) && l.contains(&format!("{secret:?}"))),
            "{file}: {secret}: {problems:#?}"
        );
    }
    assert_eq!(
        *ok,
        format!(
            "{}: ok (2 halls, {} warnings) — haikou: 4 sections, 8 services, 10 windows; \
             longhua: 3 sections, 5 services, 4 windows",
            files[0],
            problems.len()
        )
    );
    let (code, _) = check(&["--strict"], &city, &[]);
    assert_eq!(code, Some(2));
}

#[test]
fn a_city_naming_a_missing_hall_file_fails_at_that_entry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), CLEAN).unwrap();
    let city = dir.path().join("city.toml");
    std::fs::write(
        &city,
        "[city]\nid = \"c\"\nname = \"测试市\"\nhalls = [\"a.toml\", \"b.toml\"]\n",
    )
    .unwrap();
    let (code, lines) = check(&[], &city, &[]);
    assert_eq!(code, Some(2), "{lines:#?}");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}:4:20: city.halls[1]: 读不到大厅文件 {}",
            city.display(),
            dir.path().join("b.toml").display()
        )),
        "{lines:#?}"
    );
}

#[test]
fn a_clean_config_passes_strict() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, CLEAN);
    for args in [&[][..], &["--strict"][..]] {
        let (code, lines) = check(args, &file, &[]);
        assert_eq!(code, Some(0), "{args:?}: {lines:#?}");
        assert_eq!(
            lines,
            [format!(
                "{}: ok (1 sections, 1 services, 1 windows)",
                file.display()
            )]
        );
    }
}

#[test]
fn a_warning_has_its_place_and_only_strict_fails_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        &format!("{CLEAN}\n[server]\nlisten = \"0.0.0.0:8080\"\n"),
    );
    let (code, lines) = check(&[], &file, &[]);
    assert_eq!(code, Some(0), "{lines:#?}");
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}:20:1: server.listen: warning: server.listen 0.0.0.0:8080 serves the hall's network but public_base_url is not set",
            file.display()
        )),
        "{lines:#?}"
    );
    assert!(lines[1].ends_with("ok (1 sections, 1 services, 1 windows, 1 warning)"));
    let (code, strict) = check(&["--strict"], &file, &[]);
    assert_eq!(code, Some(2));
    assert_eq!(strict[0], lines[0]);
}

#[test]
fn the_id_hash_key_variable_is_read_where_the_check_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        &format!("{CLEAN}\n[identity]\nid_hash_key_env = \"HALLQ_TEST_ID_KEY\"\n"),
    );
    let (code, lines) = check(&["--strict"], &file, &[]);
    assert_eq!(code, Some(2), "{lines:#?}");
    assert!(
        lines[0].contains("identity.id_hash_key_env: warning: environment variable HALLQ_TEST_ID_KEY (identity.id_hash_key_env) is not set"),
        "{lines:#?}"
    );
    assert!(lines[0].contains("`openssl rand -hex 32`"), "{lines:#?}");
    let key = "5c".repeat(32);
    let (code, lines) = check(&["--strict"], &file, &[("HALLQ_TEST_ID_KEY", &key)]);
    assert_eq!(code, Some(0), "{lines:#?}");
}

#[test]
fn errors_come_first_then_warnings_and_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{CLEAN}\n[server]\nlisten = \"0.0.0.0:8080\"\n")
        .replace("services = [\"marriage\"]", "services = [\"婚姻登记\"]");
    let file = write(&dir, &text);
    let (code, lines) = check(&[], &file, &[]);
    assert_eq!(code, Some(2), "{lines:#?}");
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(
        lines[0],
        format!(
            "{}:17:13: windows[0].services[0]: unknown service \"婚姻登记\": list service ids here — did you mean \"marriage\" (婚姻登记)?",
            file.display()
        )
    );
    assert!(is_warning(&lines[1]), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains(": ok (")));
}

#[test]
fn a_syntax_error_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, &format!("{CLEAN}\n[hall.hours]\nopen = 09:00\n"));
    let (code, lines) = check(&[], &file, &[]);
    assert_eq!(code, Some(2), "{lines:#?}");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with(&format!("{}:20:", file.display()))
            && lines[0].ends_with(": (file): times must be in quotes: open = \"09:00\""),
        "{lines:#?}"
    );
}

#[tokio::test]
async fn run_logs_the_same_warnings_and_links_only_a_working_demo_token() {
    let hall = Hall::start(HallOpts::default()).await;
    let log = hall.log();
    assert!(log.contains("/kiosk?token=demo-kiosk\n"), "{log}");
    assert!(log.contains("(sign in: clerk / demo-clerk)"), "{log}");
    let config = hall.config.display().to_string();
    let warned = |l: &&str| l.contains(&format!("{config}:")) && l.contains(": warning: ");
    let demo = log.lines().filter(warned).count();
    assert!(demo > 0, "{log}");
    assert!(
        !log.contains("DEMO CREDENTIALS ACTIVE"),
        "one list of warnings: {log}"
    );
    drop(hall);

    // The kiosk's token replaced: the banner no longer offers it, one warning fewer.
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "49d6cc27f1e3b72fb829ac8ec864fc2045e8684b5bfb2b46b0a922330c84d6ea",
            "0".repeat(64),
        )],
        ..HallOpts::default()
    })
    .await;
    let log = hall.log();
    assert!(!log.contains("?token=demo-kiosk"), "{log}");
    assert!(log.contains("/kiosk\n"), "{log}");
    assert!(log.contains("(sign in: clerk / demo-clerk)"), "{log}");
    let config = hall.config.display().to_string();
    let warned = |l: &&str| l.contains(&format!("{config}:")) && l.contains(": warning: ");
    assert_eq!(log.lines().filter(warned).count(), demo - 1, "{log}");
    assert!(!log.contains("\"demo-kiosk\""), "{log}");
}
