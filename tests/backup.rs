//! `hallq backup` while the hall runs, `hallq restore` into a fresh data dir: the hall goes
//! on with the next number; damaged files and existing databases are refused.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn hallq(args: &[&str], config: &Path, data_dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn a_backup_taken_while_running_restores_and_the_hall_goes_on() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("hall-backup.db");
    let file_s = file.display().to_string();

    let mut hall = Hall::start(HallOpts::default()).await;
    let keep = hall.take_dir().unwrap();
    for _ in 0..3 {
        hall.ticket("property").await;
    }
    let (code, out) = hallq(&["backup", "--out", &file_s], &hall.config, &hall.dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 张票 / tickets"), "{out}");
    // Written after the backup: not in it.
    assert_eq!(hall.ticket("property").await["number"], "A004");
    let (code, out) = hallq(&["backup", "--out", &file_s], &hall.config, &hall.dir);
    assert_eq!(code, 2, "an existing file is not overwritten: {out}");
    let (code, out) = hallq(
        &["restore", "--force", "--from", &file_s],
        &hall.config,
        &hall.dir,
    );
    assert_eq!(code, 2, "a running hall's database is not replaced: {out}");
    assert!(out.contains("stop hallq first"), "{out}");
    assert_eq!(
        hall.ticket("property").await["number"],
        "A005",
        "the hall goes on"
    );
    let (config, hall_id, ports) = (
        hall.config.clone(),
        hall.hall_id.clone(),
        (hall.http_port, hall.mqtt_port),
    );
    hall.kill9();
    drop(hall);

    let fresh = tempfile::tempdir().unwrap();
    std::fs::copy(&config, fresh.path().join("hall.toml")).unwrap();
    let (code, out) = hallq(&["restore", "--from", &file_s], &config, fresh.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("已恢复 / restored: 3 张票"), "{out}");
    let (code, out) = hallq(&["restore", "--from", &file_s], &config, fresh.path());
    assert_eq!(code, 2, "an existing database needs --force: {out}");
    assert!(out.contains("--force"), "{out}");

    let junk = scratch.path().join("junk.db");
    std::fs::write(&junk, b"SQLite format 3\0 but not really").unwrap();
    let (code, out) = hallq(
        &["restore", "--force", "--from", &junk.display().to_string()],
        &config,
        fresh.path(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("不是可用的 hallq 数据库"), "{out}");

    let hall = Hall::start(HallOpts {
        dir: Some(fresh.path().to_path_buf()),
        hall_id: Some(hall_id),
        ports: Some(ports),
        ..Default::default()
    })
    .await;
    assert_eq!(
        hall.ticket("property").await["number"],
        "A004",
        "the restored hall goes on after the backup's last number"
    );
    drop(keep);
}
