//! `hallq backup` / `hallq restore`: a SQLite hall's database copied while the hall runs,
//! and put back into a (stopped) hall's data dir. PostgreSQL halls use `pg_dump`.

use hallq_controller::app::database_url;
use hallq_controller::store::backup::{self, BackupError, Summary};
use std::path::PathBuf;
use std::process::ExitCode;

/// `hallq backup` arguments.
#[derive(clap::Args)]
pub(crate) struct BackupArgs {
    /// The hall's config file (its database is backed up).
    #[arg(long)]
    config: PathBuf,
    /// Data directory (overrides server.data_dir).
    #[arg(long)]
    data_dir: Option<String>,
    /// The backup file to write (must not exist).
    #[arg(long)]
    out: PathBuf,
}

/// `hallq restore` arguments.
#[derive(clap::Args)]
pub(crate) struct RestoreArgs {
    /// The hall's config file (its database is replaced). Stop the hall first.
    #[arg(long)]
    config: PathBuf,
    /// Data directory (overrides server.data_dir).
    #[arg(long)]
    data_dir: Option<String>,
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// Replace an existing database.
    #[arg(long)]
    force: bool,
}

fn url(config: &std::path::Path, data_dir: Option<&String>) -> Result<String, String> {
    // A city's halls share one database: the first hall's settings name it.
    let mut cfg = hallq_config::load_hall(config, None)?;
    if let Some(d) = data_dir {
        cfg.server.data_dir.clone_from(d);
    }
    database_url(&cfg).map_err(|e| e.to_string())
}

fn report(what: &str, s: &Summary) {
    println!(
        "{what}: {} 张票 / tickets, {} 个预约 / bookings, schema {}",
        s.tickets, s.appointments, s.schema_version
    );
}

fn finish(r: Result<Summary, BackupError>, what: &str) -> ExitCode {
    match r {
        Ok(s) => {
            report(what, &s);
            ExitCode::SUCCESS
        }
        Err(e @ (BackupError::NotSqlite | BackupError::Exists(_) | BackupError::InUse(_))) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `hallq backup`.
pub(crate) fn run_backup(a: &BackupArgs) -> ExitCode {
    let url = match url(&a.config, a.data_dir.as_ref()) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let r = crate::runtime().block_on(backup::backup(&url, &a.out));
    finish(r, &format!("已备份到 / backed up to {}", a.out.display()))
}

/// Runs `hallq restore`.
pub(crate) fn run_restore(a: &RestoreArgs) -> ExitCode {
    let url = match url(&a.config, a.data_dir.as_ref()) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let r = crate::runtime().block_on(backup::restore(&url, &a.from, a.force));
    finish(r, "已恢复 / restored")
}
