//! `hallq print …`: ticket printer tools (see ticket-print).

use std::process::ExitCode;

/// `hallq print` arguments.
#[derive(clap::Args)]
pub(crate) struct PrintCli {
    #[command(subcommand)]
    cmd: PrintCmd,
}

#[derive(clap::Subcommand)]
enum PrintCmd {}

/// Runs one `hallq print` command.
pub(crate) fn run(cli: PrintCli) -> ExitCode {
    match cli.cmd {}
}
