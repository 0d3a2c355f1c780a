//! The benchmark binary as an operator meets it: `--help` names every mode, and the quickest
//! mode runs end to end against a real in-process controller and prints its figures.

use std::process::Command;

fn bench() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hallq-bench"));
    // Modes read the demo config by a path relative to the workspace root.
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    c
}

/// Runs `c`, which must succeed; its standard output.
fn succeeds(c: &mut Command) -> String {
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
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
        "day",
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
    let text = succeeds(bench().args(["tickets", "--clients", "4", "--seconds", "1"]));
    assert!(text.contains("tickets/s"), "{text}");
}

/// The shortest working day (3 minutes) against the real `hallq` binary and a Mosquitto of
/// its own, with the broker restart and the controller kill: no growth, every rule kept.
#[test]
fn a_short_day_keeps_every_rule() {
    let hallq = std::path::Path::new(env!("CARGO_BIN_EXE_hallq-bench")).with_file_name("hallq");
    if !hallq.exists() {
        println!("skipped: no hallq binary next to hallq-bench (cargo build -p hallq)");
        return;
    }
    let mosquitto = [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto",
        "/usr/local/sbin/mosquitto",
    ];
    if !mosquitto.iter().any(|p| std::path::Path::new(p).exists()) {
        println!("skipped: no mosquitto binary (the day restarts its broker)");
        return;
    }
    let out_dir = tempfile::tempdir().unwrap();
    let text = succeeds(
        bench()
            .args([
                "day",
                "--minutes",
                "3",
                "--tickets",
                "1200",
                "--people",
                "40",
            ])
            .args(["--phones", "20", "--screens", "2", "--out"])
            .arg(out_dir.path()),
    );
    assert!(
        text.contains("verdict: nothing grows without bound, every rule kept"),
        "{text}"
    );
    let svg = std::fs::read_to_string(out_dir.path().join("day-sqlite.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("outbox backlog"),
        "{svg}"
    );
    let csv = std::fs::read_to_string(out_dir.path().join("day-sqlite.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and 3 minutes: {csv}");
}
