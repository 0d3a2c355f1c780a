//! No answer leaves before its transaction is on the disk: the controller runs under
//! `strace`, and for every ticket acknowledged (201) the trace must show a sync of
//! SQLite's write-ahead log after the request was read and before the answer was written.
//! The same check on `sqlite_synchronous = "normal"` must find answers without a sync:
//! that is what a power cut would lose, and it shows the check can fail.

mod common;
use common::*;
use std::collections::HashMap;

/// What the trace says about acknowledged tickets.
#[derive(Debug, Default)]
struct Verdict {
    acknowledged: usize,
    synced: usize,
}

/// Reads an `strace -f -yy` log in order. A request is the read of `POST /api/v1/tickets`
/// on a TCP connection; a sync is an fsync/fdatasync of the `-wal` file (counted when it
/// returned); an answer is a write of `HTTP/1.1 201` on that connection.
fn judge(trace: &str) -> Verdict {
    // Connection fd → whether a WAL sync returned since its request was read.
    let mut open: HashMap<String, bool> = HashMap::new();
    // Calls strace printed as `<unfinished ...>`, by thread: joined with their
    // `<... NAME resumed>` line into one.
    let mut unfinished: HashMap<&str, &str> = HashMap::new();
    let mut v = Verdict::default();
    for raw in trace.lines() {
        // `PID  call(…)`: strace pads the pid column.
        let (pid, rest) = raw.split_once(' ').unwrap_or(("", raw));
        let rest = rest.trim_start();
        if let Some(start) = rest.strip_suffix(" <unfinished ...>") {
            unfinished.insert(pid, start);
            continue;
        }
        let joined;
        let line = match rest.split_once(" resumed>") {
            Some((_, tail)) if rest.starts_with("<... ") => {
                joined = format!("{}{tail}", unfinished.remove(pid).unwrap_or_default());
                joined.as_str()
            }
            _ => rest,
        };
        let sync = line.starts_with("fsync(") || line.starts_with("fdatasync(");
        if sync && line.contains("-wal>") && line.ends_with("= 0") {
            open.values_mut().for_each(|s| *s = true);
            continue;
        }
        let Some(fd) = tcp_fd(line) else { continue };
        if line.contains("\"POST /api/v1/tickets") {
            open.insert(fd, false);
        } else if line.contains("HTTP/1.1 201") {
            if let Some(synced) = open.remove(&fd) {
                v.acknowledged += 1;
                v.synced += usize::from(synced);
            }
        }
    }
    v
}

/// `recvfrom(12<TCP:[127.0.0.1:8080->127.0.0.1:5555]>, …` → `12`, for TCP fds only.
fn tcp_fd(line: &str) -> Option<String> {
    let open = line.find('(')?;
    let rest = &line[open + 1..];
    let lt = rest.find('<')?;
    rest[lt..]
        .starts_with("<TCP")
        .then(|| rest[..lt].to_string())
}

/// Starts the demo hall under strace with `mode`, takes `n` tickets one after another.
async fn traced(mode: &str, n: usize) -> Option<Verdict> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("strace.log");
    let wrapper = [
        "strace",
        "-f",
        "-qq",
        "-yy",
        "-s",
        "48",
        "-e",
        "trace=read,recvfrom,recvmsg,write,writev,sendto,sendmsg,fsync,fdatasync",
        "-o",
    ]
    .iter()
    .map(ToString::to_string)
    .chain([log.display().to_string()])
    .collect();
    let hall = Hall::start(HallOpts {
        edits: vec![(
            "# sqlite_synchronous = \"full\"",
            format!("sqlite_synchronous = \"{mode}\""),
        )],
        wrapper,
        ..Default::default()
    })
    .await;
    for _ in 0..n {
        hall.ticket("property").await;
    }
    // The hall runs under strace: stop hallq itself (a killed strace would leave it running).
    let tracer = hall.child.id();
    let children = std::fs::read_to_string(format!("/proc/{tracer}/task/{tracer}/children"))
        .unwrap_or_default();
    for pid in children.split_whitespace() {
        let _ = std::process::Command::new("kill")
            .args(["-9", pid])
            .stderr(std::process::Stdio::null())
            .status();
    }
    // strace ends by itself once its tracee is gone, and writes out what it holds.
    let mut hall = hall;
    for _ in 0..100 {
        if hall.child.try_wait().ok().flatten().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    drop(hall);
    let trace = std::fs::read_to_string(&log).ok()?;
    Some(judge(&trace))
}

#[tokio::test]
async fn every_acknowledged_ticket_was_synced_before_its_answer() {
    let usable = std::process::Command::new("strace")
        .args(["-qq", "-e", "trace=none", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        println!("skipped: strace is missing or may not trace here (ptrace refused)");
        return;
    }
    let full = traced("full", 25).await.expect("a trace");
    assert_eq!(
        full.acknowledged, 25,
        "every 201 found in the trace: {full:?}"
    );
    assert_eq!(
        full.synced, full.acknowledged,
        "an answer left before its WAL sync: {full:?}"
    );

    println!("synchronous=full: {full:?}");
    // The control: with synchronous=NORMAL, commits do not sync the WAL, and answers
    // leave with nothing on the disk yet.
    let normal = traced("normal", 25).await.expect("a trace");
    assert_eq!(normal.acknowledged, 25, "{normal:?}");
    assert!(
        normal.synced < normal.acknowledged / 2,
        "synchronous=normal should leave answers unsynced: {normal:?}"
    );
    println!("synchronous=normal: {normal:?}");
}
