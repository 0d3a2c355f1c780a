//! Runs the announcement queue's JavaScript unit tests with Node's test runner.

use std::process::Command;

#[test]
fn announcement_queue_rules() {
    let Ok(out) = Command::new("node").arg("--version").output() else {
        println!("skipped: node not installed (announcement queue JS tests)");
        return;
    };
    assert!(out.status.success());
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/announce.test.mjs");
    let out = Command::new("node")
        .args(["--test", file])
        .output()
        .expect("run node --test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "node tests failed:\n{text}");
    assert!(
        text.contains("# pass 6"),
        "expected 6 passing JS tests:\n{text}"
    );
}
