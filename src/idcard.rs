//! `hallq idcard …`: ID-card reader tools (see idcard-reader).
//!
//! - `test`: reads one card through the real driver and prints its fields, masked
//!   ([`test`]).
//! - `emulate`: a fake reader on a pseudo-terminal, a card laid on it and taken off by
//!   typing `swipe` and `remove` ([`emulate`]); the card from a TOML or JSON file
//!   ([`card_file`]) or the demo card.
//!
//! Exit codes: 0 done, 1 no card / no answer / a device or file problem (the reason on
//! stderr, Chinese / English), 2 usage (clap).

mod card_file;
mod emulate;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

/// `hallq idcard` arguments.
#[derive(clap::Args)]
pub(crate) struct IdcardCli {
    #[command(subcommand)]
    cmd: IdcardCmd,
}

#[derive(clap::Subcommand)]
enum IdcardCmd {
    /// 读一张身份证并显示（已打码）/ read one card and print its fields, masked.
    ///
    /// Exit 0 when a card was read; 1 when no card was laid on the reader, the reader did
    /// not answer or the port cannot be opened (the reason is printed).
    Test {
        /// The reader's serial port (e.g. /dev/ttyUSB0, /dev/serial/by-id/…).
        #[arg(long)]
        port: String,
        /// Line speed (most readers: 115200).
        #[arg(long, default_value_t = hallq_idcard::DEFAULT_BAUD)]
        baud: u32,
        /// Seconds to wait for a card.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
    },
    /// 模拟读卡器 / a fake reader on a pseudo-terminal: type `swipe` or `remove`.
    ///
    /// Prints where it is (the pty, and the link), then each change in what it answers.
    Emulate {
        /// On a new pseudo-terminal (the only place for now).
        #[arg(long, required = true)]
        pty: bool,
        /// Also make this symlink to the pty (removed again at exit): a stable path for
        /// `[[id_readers]] port`.
        #[arg(long)]
        link: Option<PathBuf>,
        /// The card, a TOML or JSON file with the card's fields (default: the demo card
        /// 张三).
        #[arg(long)]
        card: Option<PathBuf>,
    },
}

/// Runs one `hallq idcard` command.
pub(crate) fn run(cli: IdcardCli) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("无法启动 / cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.cmd {
        IdcardCmd::Test {
            port,
            baud,
            timeout,
        } => rt.block_on(test::run(
            &port,
            baud,
            std::time::Duration::from_secs(timeout),
        )),
        IdcardCmd::Emulate { pty: _, link, card } => {
            rt.block_on(emulate::run(link.as_deref(), card.as_deref()))
        }
    }
}
