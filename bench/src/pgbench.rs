//! PostgreSQL against its own limit: `pgbench` runs the writes of one ticket (the counter
//! upsert, the people-ahead count, the ticket row with its triggers, the queue event) on
//! the same scratch database right after hallq's run: with the same number of clients, one
//! ticket per transaction; and batched as hallq's group commit does, `batch` tickets per
//! transaction over a few connections, the best of which is PostgreSQL's ceiling for these
//! writes. `tickets --postgres` prints hallq's rate as a share of both.

use anyhow::Context;
use std::path::PathBuf;
use std::process::Command;

/// `pgbench` on PATH or in the server's directory.
fn pgbench() -> Option<PathBuf> {
    if Command::new("pgbench").arg("--version").output().is_ok() {
        return Some("pgbench".into());
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin/pgbench")))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop()
}

/// The transaction script: one walk-in ticket, or `batch` of them as hallq's group commit
/// writes them (each ticket its counter and row, prio 2 as a walk-in; the people-ahead
/// count — a walk-in's, from the trigger-kept `waiting_counts` — and the queue event once
/// for each service of the batch), services picked at random among `services` (hallq's
/// kiosks take them round robin), on a day of its own.
fn script(services: &[String], batch: usize) -> String {
    let list = services
        .iter()
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",");
    // One ticket of the service `svc` (an SQL expression). A batch takes the services in
    // turn, so every batch locks the counters in the same order (concurrent batches wait,
    // never deadlock), as one writer's batches never meet; its services are literals, as
    // hallq knows each ticket's service.
    let ticket = |svc: &str| {
        format!(
            "\\set now random(1, 1000000000)\n\
             INSERT INTO counters (service, day, last) VALUES ({svc}, '2099-12-31', 1) \
             ON CONFLICT (hall, service, day) DO UPDATE SET last = counters.last + 1 \
             WHERE counters.last < 999999999 RETURNING last \\gset\n\
             INSERT INTO tickets (token, number, origin_service, service, day, seq, kind, prio, \
             status, slot_start, arrived_at, issued_at, person, person_key_version) VALUES \
             ('pgb-' || {svc} || '-' || :last, 'P' || :last, {svc}, {svc}, '2099-12-31', :last, \
             'walk_in', 2, 'waiting', NULL, :now, :now, NULL, NULL);\n"
        )
    };
    let n = services.len();
    let quoted: Vec<&str> = list.split(',').collect();
    let tickets: String = if batch <= 1 {
        format!(
            "\\set s random(1, {n})\nSELECT (ARRAY[{list}])[:s] AS svc \\gset\n{}",
            ticket(":svc")
        )
    } else {
        let mut order: Vec<usize> = (0..batch).map(|k| k % n.max(1)).collect();
        order.sort_unstable();
        order.into_iter().map(|i| ticket(quoted[i])).collect()
    };
    let per_service = |svc: &str| {
        format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM waiting_counts \
             WHERE day = '2099-12-31' AND service = {svc} AND targeted = 0 AND prio >= 0 \
             AND prio <= 2;\n\
             INSERT INTO outbox (kind, subject, payload, created_at) VALUES ('queue', {svc}, '', :now);\n"
        )
    };
    let once: String = if batch <= 1 {
        per_service(":svc")
    } else {
        quoted.iter().map(|s| per_service(s)).collect()
    };
    format!("BEGIN;\n{tickets}{once}END;\n")
}

/// Tickets per second PostgreSQL itself reaches with `clients` connections, `batch` tickets
/// per transaction, or None (with the reason printed) where pgbench is missing.
pub(crate) fn same_writes(
    url: &str,
    services: &[String],
    clients: usize,
    batch: usize,
    seconds: u64,
) -> anyhow::Result<Option<f64>> {
    let Some(bin) = pgbench() else {
        println!("pgbench: not found (PostgreSQL's client programs); no comparison");
        return Ok(None);
    };
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("ticket.sql");
    std::fs::write(&file, script(services, batch))?;
    let out = Command::new(bin)
        .args(["-n", "-M", "prepared", "-j", "2"])
        .args(["-c", &clients.to_string(), "-T", &seconds.to_string()])
        .arg("-f")
        .arg(&file)
        .arg(url)
        .output()
        .context("run pgbench")?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "pgbench failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tps: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .context("no tps line in pgbench's output")?;
    Ok(Some(tps * batch.max(1) as f64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_batch_is_one_transaction_of_tickets() {
        let s = super::script(&["property".into()], 3);
        assert_eq!(s.matches("BEGIN;").count(), 1);
        assert_eq!(s.matches("END;").count(), 1);
        assert_eq!(s.matches("INSERT INTO tickets").count(), 3);
        assert_eq!(s.matches("INSERT INTO outbox").count(), 1);
        // Services in the same order in every batch: a, a, b, b — never b before a.
        let two = super::script(&["a".into(), "b".into()], 4);
        let picks: Vec<&str> = two
            .lines()
            .filter(|l| l.starts_with("INSERT INTO counters"))
            .filter_map(|l| l.split("VALUES (").nth(1).map(|r| &r[..3]))
            .collect();
        assert_eq!(picks, ["'a'", "'a'", "'b'", "'b'"], "{two}");
        let one = super::script(&["a".into(), "b".into()], 1);
        assert_eq!(one.matches("INSERT INTO outbox").count(), 1);
        assert!(one.contains("service = :svc") && one.contains("\\set s random(1, 2)"));
        assert!(one.contains("FROM waiting_counts") && !one.contains("COUNT(*)"));
    }
}
