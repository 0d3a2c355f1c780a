//! `hallq mqtt acl --config FILE`: the Mosquitto ACL (or, with `--users`, the user names)
//! for a config's broker accounts, from the same policy the embedded broker's front
//! enforces (`hallq_mqtt::acl`). A city file gives every hall's accounts, each granted in
//! its own hall, and the controller's login in every hall.

use hallq_config::load_deployment;
use hallq_mqtt::acl::{accounts_of, mosquitto_acl_halls};
use std::path::PathBuf;
use std::process::ExitCode;

/// `hallq mqtt …`.
#[derive(clap::Subcommand)]
pub(crate) enum MqttCmd {
    /// Prints a Mosquitto acl_file for the config's accounts (the controller's
    /// `broker.username`, else hallq-controller, and every `[[broker.accounts]]`).
    Acl {
        /// The hall's config file, or a city file.
        #[arg(long)]
        config: PathBuf,
        /// Print only the user names, one a line (for building the password file).
        #[arg(long)]
        users: bool,
    },
}

pub(crate) fn run(cmd: MqttCmd) -> ExitCode {
    let MqttCmd::Acl { config, users } = cmd;
    let dep = match load_deployment(&config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hallq: invalid config:\n{e}");
            return ExitCode::from(2);
        }
    };
    let halls: Vec<_> = dep
        .halls
        .iter()
        .map(|cfg| (cfg.hall.id.clone(), accounts_of(cfg)))
        .collect();
    if users {
        // The controller's login is every hall's: one line per user name.
        let mut seen = std::collections::HashSet::new();
        for (user, _) in halls.iter().flat_map(|(_, a)| a) {
            if seen.insert(user) {
                println!("{user}");
            }
        }
    } else {
        print!("{}", mosquitto_acl_halls(&halls));
    }
    ExitCode::SUCCESS
}
