//! PostgreSQL clusters of a test's own (a primary and a streaming standby) in a temporary
//! directory and on the test's own ports, made with the server's `initdb`, `pg_ctl` and
//! `pg_basebackup`; run as the `postgres` user when the test runs as root. Stopped and
//! removed on drop.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The server's programs, or None (with a printed reason) where they are missing.
pub fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").exists() && b.join("pg_basebackup").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Runs a server program (as `postgres` under root); panics with its output on failure.
fn run(bin: &Path, program: &str, args: &[&str]) {
    let exe = bin.join(program);
    let out = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&exe)
            .args(args)
            .output()
    } else {
        Command::new(&exe).args(args).output()
    }
    .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One cluster: its data directory and port.
pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    socket_dir: PathBuf,
}

impl Cluster {
    fn ctl(&self, args: &[&str]) {
        let dir = self.dir.display().to_string();
        let mut all = vec!["-D", dir.as_str()];
        all.extend_from_slice(args);
        run(&self.bin, "pg_ctl", &all);
    }

    fn start(&self) {
        let log = self.dir.with_extension("log").display().to_string();
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.socket_dir.display()
        );
        self.ctl(&["-l", &log, "-o", &opts, "-w", "start"]);
    }

    /// `postgres://postgres@127.0.0.1:PORT/DB`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// The postmaster's pid.
    pub fn pid(&self) -> i32 {
        let s = std::fs::read_to_string(self.dir.join("postmaster.pid")).unwrap_or_default();
        s.lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0)
    }

    /// `kill -9` of the postmaster and all its processes: a power cut of this server.
    /// Returns once nothing listens on its port any more.
    pub fn kill9(&self) {
        let pid = self.pid();
        assert!(pid > 0, "no postmaster.pid in {}", self.dir.display());
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        let _ = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .args(children.split_whitespace())
            .stderr(std::process::Stdio::null())
            .status();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!(
            "PostgreSQL on port {} still answers after kill -9",
            self.port
        );
    }

    /// `pg_ctl promote`: the standby becomes a primary.
    pub fn promote(&self) {
        self.ctl(&["-w", "promote"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", &dir, "-m", "immediate", "stop"])
            .output();
        let pid = self.pid();
        if pid > 0 && Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    }
}

/// A primary and a streaming standby (synchronous when `sync`), in `root`.
pub struct Pair {
    pub primary: Cluster,
    pub standby: Cluster,
}

impl Pair {
    pub fn start(root: &Path, ports: (u16, u16), sync: bool) -> Option<Self> {
        let Some(bin) = pg_bin() else {
            println!("skipped: PostgreSQL server programs (initdb, pg_basebackup) not found");
            return None;
        };
        let socket_dir = root.join("sockets");
        std::fs::create_dir_all(&socket_dir).unwrap();
        if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(root)
                .status();
        }
        let cluster = |name: &str, port| Cluster {
            dir: root.join(name),
            port,
            bin: bin.clone(),
            socket_dir: socket_dir.clone(),
        };
        let primary = cluster("primary", ports.0);
        let pdir = primary.dir.display().to_string();
        run(
            &bin,
            "initdb",
            &[
                "-D",
                &pdir,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let mut conf = String::from("fsync = on\nwal_level = replica\nmax_wal_senders = 4\n");
        if sync {
            conf.push_str("synchronous_standby_names = '*'\n");
        }
        let auto = primary.dir.join("postgresql.auto.conf");
        let old = std::fs::read_to_string(&auto).unwrap_or_default();
        std::fs::write(&auto, old + &conf).unwrap();
        primary.start();

        let standby = cluster("standby", ports.1);
        let sdir = standby.dir.display().to_string();
        let port = ports.0.to_string();
        run(
            &bin,
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                &sdir,
                "-R",
                "-X",
                "stream",
            ],
        );
        // The copy carries the primary's synchronous_standby_names; a standby ignores it
        // until it is promoted, and then must not wait for a standby it does not have.
        let auto = standby.dir.join("postgresql.auto.conf");
        let conf = std::fs::read_to_string(&auto).unwrap_or_default();
        std::fs::write(
            &auto,
            conf.replace(
                "synchronous_standby_names = '*'",
                "synchronous_standby_names = ''",
            ),
        )
        .unwrap();
        standby.start();
        Some(Self { primary, standby })
    }
}

impl Pair {
    /// Stops the standby receiving WAL (`primary_conninfo` emptied and reloaded: its WAL
    /// receiver stops) and waits until the primary lists no standby: from now on, what
    /// the primary commits is not on the standby, as with an asynchronous standby that
    /// fell behind.
    pub async fn cut_replication(&self) {
        use sqlx::Connection;
        let mut standby = sqlx::PgConnection::connect(&self.standby.url("postgres"))
            .await
            .unwrap();
        for sql in [
            "ALTER SYSTEM SET primary_conninfo = ''",
            "SELECT pg_reload_conf()",
        ] {
            sqlx::query(sql).execute(&mut standby).await.unwrap();
        }
        let mut primary = sqlx::PgConnection::connect(&self.primary.url("postgres"))
            .await
            .unwrap();
        for _ in 0..200 {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_replication")
                .fetch_one(&mut primary)
                .await
                .unwrap();
            if n == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the primary still streams to the standby 10 s after the cut");
    }
}
