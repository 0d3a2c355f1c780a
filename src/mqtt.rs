//! `hallq mqtt acl --config FILE`: the Mosquitto ACL (or, with `--users`, the user names)
//! for a config's broker accounts, from the same policy the embedded broker's front
//! enforces (`hallq_mqtt::acl`).

use hallq_config::load_file;
use hallq_mqtt::acl::{accounts_of, mosquitto_acl};
use std::path::PathBuf;
use std::process::ExitCode;

/// `hallq mqtt …`.
#[derive(clap::Subcommand)]
pub(crate) enum MqttCmd {
    /// Prints a Mosquitto acl_file for the config's accounts (the controller's
    /// `broker.username`, else hallq-controller, and every `[[broker.accounts]]`).
    Acl {
        /// The hall's config file.
        #[arg(long)]
        config: PathBuf,
        /// Print only the user names, one a line (for building the password file).
        #[arg(long)]
        users: bool,
    },
}

pub(crate) fn run(cmd: MqttCmd) -> ExitCode {
    let MqttCmd::Acl { config, users } = cmd;
    let cfg = match load_file(&config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hallq: invalid config:\n{e}");
            return ExitCode::from(2);
        }
    };
    let accounts = accounts_of(&cfg);
    if users {
        for (user, _) in &accounts {
            println!("{user}");
        }
    } else {
        print!("{}", mosquitto_acl(&cfg.hall.id, &accounts));
    }
    ExitCode::SUCCESS
}
