//! `hallq`: the command line. Thin: parses arguments and calls into the crates.

mod backup;
mod config_new;
mod demand;
mod display;
mod emulate_place;
mod idcard;
mod led;
mod logs;
mod mqtt;
mod notify;
mod plan_cmd;
mod print;
mod queue_cmd;
mod run;
mod simulate;
mod simulate_hall;

/// mimalloc: many small, short-lived allocations per request and per socket message;
/// glibc malloc spent a fifth of the benchmarks' CPU in them (`hallq-bench`). Built without transparent
/// huge pages (`no_thp`): with them, a buffer of a few kilobytes that lands on memory not
/// touched before zeroes a whole 2 MB page first — measured at up to 14 ms on a KVM guest,
/// in the middle of writing a call to 10,000 phones.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use hallq_config::{check_deployment, ConfigError, Settings};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "hallq",
    version,
    about = "排队叫号与预约系统 / queue calling and appointments for service halls"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Everything for one hall: controller (+ embedded broker when configured).
    Run(RunArgs),
    /// The controller alone (for split deployments).
    Controller(RunArgs),
    /// The display-client alone: serves /screens/{id} from the broker's events.
    Display(RunArgs),
    /// Config tools.
    Config {
        #[command(subcommand)]
        cmd: ConfigCmd,
    },
    /// Prints the sha256 of a token or broker password for the config file; with
    /// `--password`, the argon2id hash of a staff password (read from stdin when left out).
    Hash {
        /// Hash a staff sign-in password with argon2id (for `[[staff]].password_argon2`).
        #[arg(long)]
        password: bool,
        /// The secret.
        secret: Option<String>,
    },
    /// LED boards: encode/decode frames, emulate a board, run the gateway.
    Led(led::LedCli),
    /// 备份 SQLite 数据库（运行中即可）/ copy a SQLite hall's database while it runs.
    Backup(backup::BackupArgs),
    /// 从备份恢复（先停止 hallq）/ put a backup in place as the hall's database (stop it first).
    Restore(backup::RestoreArgs),
    /// 票据打印机：测试票、解码、模拟 / ticket printers: test ticket, decode, emulate.
    Print(print::PrintCli),
    /// 身份证阅读器：读卡测试、模拟 / ID-card readers: read one card, emulate a reader.
    Idcard(idcard::IdcardCli),
    /// MQTT tools: the Mosquitto ACL for the config's accounts.
    Mqtt {
        #[command(subcommand)]
        cmd: mqtt::MqttCmd,
    },
    /// 排队论：Erlang C / queueing theory: the exact M/M/c figures (Erlang C).
    Queue(queue_cmd::QueueCli),
    /// 模拟：大厅或 M/M/c 排队 / simulate the hall of a config, or the plain M/M/c queue.
    Simulate(Box<simulate::SimulateArgs>),
    /// 排班建议：每小时所需窗口、预约号源、假如增开窗口 / staffing advice: windows needed per
    /// hour, appointment slot capacities, what-ifs.
    Plan(Box<plan_cmd::PlanArgs>),
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Validates a config file: one line per problem, then its warnings (demo
    /// credentials, ticket links on loopback…); exit 0 when valid, else 2.
    Check {
        /// Warnings fail the check too (exit 2): for deployment.
        #[arg(long)]
        strict: bool,
        /// The file.
        file: PathBuf,
    },
    /// Writes a short, commented config for a new hall and an env file with its ID-hash key.
    New(Box<config_new::NewArgs>),
}

#[derive(clap::Args, Clone)]
pub(crate) struct RunArgs {
    /// The hall's config file.
    #[arg(long)]
    pub(crate) config: PathBuf,
    /// HTTP address (overrides server.listen).
    #[arg(long)]
    listen: Option<String>,
    /// Data directory (overrides server.data_dir).
    #[arg(long)]
    data_dir: Option<String>,
    /// Embedded broker address (overrides broker.listen).
    #[arg(long)]
    mqtt_listen: Option<String>,
    /// `hallq display` with a city file: the hall whose screens to show (default: the
    /// first). `run` and `controller` serve every hall and refuse it.
    #[arg(long)]
    hall: Option<String>,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Config {
            cmd: ConfigCmd::Check { file, strict },
        } => check(&file, strict),
        Cmd::Config {
            cmd: ConfigCmd::New(args),
        } => config_new::run(&args),
        Cmd::Hash { password, secret } => hash(password, secret),
        Cmd::Run(args) => exit(runtime().block_on(run::run(args, true))),
        Cmd::Controller(args) => exit(runtime().block_on(run::run(args, false))),
        Cmd::Display(args) => exit(runtime().block_on(display::run(args))),
        Cmd::Led(args) => led::run(args),
        Cmd::Mqtt { cmd } => mqtt::run(cmd),
        Cmd::Backup(a) => backup::run_backup(&a),
        Cmd::Restore(a) => backup::run_restore(&a),
        Cmd::Print(cli) => print::run(cli),
        Cmd::Idcard(cli) => idcard::run(cli),
        Cmd::Queue(cli) => queue_cmd::run(&cli),
        Cmd::Simulate(args) => simulate::run(&args),
        Cmd::Plan(args) => plan_cmd::run(&args),
    }
}

fn hash(password: bool, secret: Option<String>) -> std::process::ExitCode {
    let secret = match secret {
        Some(s) => s,
        None => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("hallq: cannot read the secret from stdin");
                return std::process::ExitCode::FAILURE;
            }
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if secret.is_empty() {
        eprintln!("hallq: the secret is empty");
        return std::process::ExitCode::from(2);
    }
    if password {
        println!("{}", hallq_config::staff::hash_password(&secret));
    } else {
        println!("{}", hallq_config::secret::sha256_hex(&secret));
    }
    std::process::ExitCode::SUCCESS
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn exit(r: anyhow::Result<()>) -> std::process::ExitCode {
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hallq: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `hallq config check [--strict] FILE`: errors, then warnings, one per line (each names
/// the file it is in: a city file checks every hall file it names); the ok line counts the
/// warnings. Exit 2 on errors, and with `--strict` on warnings too.
fn check(file: &std::path::Path, strict: bool) -> std::process::ExitCode {
    match check_deployment(file) {
        Ok((deployment, warnings)) => {
            for w in &warnings {
                println!("{w}");
            }
            let counted = match warnings.len() {
                0 => String::new(),
                1 => ", 1 warning".into(),
                n => format!(", {n} warnings"),
            };
            let count = |cfg: &Settings| {
                format!(
                    "{} sections, {} services, {} windows",
                    cfg.sections.len(),
                    cfg.services().count(),
                    cfg.windows.len()
                )
            };
            if deployment.city.is_some() {
                let halls: Vec<String> = deployment
                    .halls
                    .iter()
                    .map(|h| format!("{}: {}", h.hall.id, count(h)))
                    .collect();
                println!(
                    "{}: ok ({} halls{counted}) — {}",
                    file.display(),
                    halls.len(),
                    halls.join("; ")
                );
            } else {
                let summary = count(deployment.first());
                println!("{}: ok ({summary}{counted})", file.display());
            }
            if strict && !warnings.is_empty() {
                println!("{}: --strict: warnings fail the check", file.display());
                std::process::ExitCode::from(2)
            } else {
                std::process::ExitCode::SUCCESS
            }
        }
        Err(ConfigError::Invalid(problems)) => {
            for p in problems {
                println!("{p}");
            }
            std::process::ExitCode::from(2)
        }
        Err(e) => {
            println!("{e}");
            std::process::ExitCode::from(2)
        }
    }
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
    tokio::time::sleep(Duration::from_millis(10)).await;
}
