//! `hallq led …`: LED board tools and the gateway (see led-protocol).

use hallq_config::Settings;
use hallq_controller::app::MqttEndpoint;
use std::process::ExitCode;
use std::sync::Arc;

/// `hallq led` arguments.
#[derive(clap::Args)]
pub(crate) struct LedCli {
    /// Config file (gateway mode).
    #[arg(long)]
    config: Option<std::path::PathBuf>,
}

/// Runs `hallq led …`.
pub(crate) fn run(_args: LedCli) -> ExitCode {
    eprintln!("hallq led: not yet implemented");
    ExitCode::from(2)
}

/// Starts the LED gateway inside `hallq run` when the config has boards.
pub(crate) fn start_in_run(_cfg: Arc<Settings>, _mqtt: MqttEndpoint) {}
