//! The benchmark binary as an operator meets it: `--help` names every mode, and the quickest
//! mode runs end to end against a real in-process controller and prints its figures.

use std::process::Command;

fn bench() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hallq-bench"));
    // Modes read the demo config by a path relative to the workspace root.
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    c
}

#[test]
fn help_lists_every_mode() {
    let out = bench().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for mode in [
        "tickets",
        "calls",
        "bookings",
        "fanout",
        "watchers",
        "floor-server",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(mode)),
            "{mode} missing from:\n{text}"
        );
    }
}

#[test]
fn an_unknown_mode_is_refused_with_the_list() {
    let out = bench().arg("tickts").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tickets"), "{err}");
}

#[test]
fn a_short_tickets_run_reports_its_throughput() {
    let out = bench()
        .args(["tickets", "--clients", "4", "--seconds", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("tickets/s"), "{text}");
}
