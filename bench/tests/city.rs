//! `hallq-bench city` as an operator runs it, smallest size: 3 halls of 2 windows on a
//! scratch PostgreSQL database, 2 `hallq controller` processes and a Mosquitto of its own.
//! It must keep every rule (numbers, seats, the city-wide daily limit, every call heard)
//! and print its figures: both phases' throughput and call → MQTT p99, the bookings, the
//! checks and the verdict.

use std::process::Command;

#[test]
fn a_short_city_run_keeps_every_rule_and_prints_its_figures() {
    let Ok(pg) = std::env::var("HALLQ_TEST_PG_URL") else {
        println!("skipped: HALLQ_TEST_PG_URL unset (the city runs on PostgreSQL)");
        return;
    };
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
        println!("skipped: no mosquitto binary (the city's broker)");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hallq-bench"))
        .args(["city", "--halls", "3", "--windows", "2", "--replicas", "2"])
        .args(["--seconds", "3", "--clients", "16", "--people", "30"])
        .args(["--postgres", &pg])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = format!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{all}");
    for figure in [
        "| tickets/s, all controllers |",
        "| tickets/s, controller 1 |",
        "| tickets/s, controller 2 |",
        "| tickets/s per controller (mean) |",
        "| call → MQTT p50 / p99 |",
        "bookings/s",
        "halls costs",
        "(budget 20 %)",
    ] {
        assert!(text.contains(figure), "{figure} missing:\n{all}");
    }
    for check in [
        "ok: 0 numbers issued twice per (hall, service, day)",
        "ok: 0 slots over capacity",
        "ok: 0 people over the city-wide daily limit",
        "ok: 0 acknowledged calls never heard on the broker",
    ] {
        assert!(text.contains(check), "{check} missing:\n{all}");
    }
    // The crowd reached the limit: somebody holds 2 bookings over the city (and nobody
    // more, by the database check above).
    let bookings = text
        .lines()
        .find(|l| l.starts_with("c. bookings:"))
        .unwrap_or_else(|| panic!("no bookings line:\n{all}"));
    let got = bookings
        .split("people by bookings got ")
        .nth(1)
        .unwrap_or_else(|| panic!("{bookings}"));
    assert!(got.contains("{2: ") || got.contains(", 2: "), "{bookings}");
    // The scratch database is gone.
    let name = text
        .split("scratch database ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no scratch database named:\n{all}"));
    let left: i64 = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&pg).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_one(&mut c)
            .await
            .unwrap()
    });
    assert_eq!(left, 0, "scratch database {name} left behind");
}
