//! `hallq idcard …`: ID-card reader tools (see idcard-reader).

use std::process::ExitCode;

/// `hallq idcard` arguments.
#[derive(clap::Args)]
pub(crate) struct IdcardCli {
    #[command(subcommand)]
    cmd: IdcardCmd,
}

#[derive(clap::Subcommand)]
enum IdcardCmd {}

/// Runs one `hallq idcard` command.
pub(crate) fn run(cli: IdcardCli) -> ExitCode {
    match cli.cmd {}
}
