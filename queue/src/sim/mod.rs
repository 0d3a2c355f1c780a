//! The hall simulator: discrete-event days of a hall's real windows (each with its services
//! in its priority order) calling by the production policy ([`crate::policy::pick_next`]),
//! under a [`Profile`]'s demand.
//!
//! - [`HallModel`]: the windows and services, from the hall's config;
//! - [`run`]: simulates the days ([`day`] plays one), measuring waits, windows' utilisation
//!   and both estimators at every ticket's issue ([`report`] turns it into a [`SimReport`]).

mod day;
pub mod report;

use crate::profile::Profile;
pub use report::{Accuracy, ServiceReport, SimReport, WaitSample, WindowReport};
use serde::Serialize;

/// A hall as the simulator sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HallModel {
    /// Service ids, in the config's order.
    pub services: Vec<String>,
    /// Windows.
    pub windows: Vec<WindowModel>,
}

/// One window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowModel {
    /// Window id.
    pub id: String,
    /// Services it calls, in its priority order.
    pub services: Vec<String>,
    /// Local seconds after midnight it opens, and closes (for what-if windows; `None` =
    /// the hall's day).
    pub hours: Option<(i64, i64)>,
}

impl HallModel {
    /// The hall of a config.
    pub fn of(cfg: &hallq_config::Settings) -> Self {
        Self {
            services: cfg
                .sections
                .iter()
                .flat_map(|s| s.services.iter().map(|v| v.id.clone()))
                .collect(),
            windows: cfg
                .windows
                .iter()
                .map(|w| WindowModel {
                    id: w.id.clone(),
                    services: w.services.clone(),
                    hours: None,
                })
                .collect(),
        }
    }

    /// The same hall with `count` more windows serving `services` (every service when
    /// empty, in the config's order) from `from_s` to `to_s` (local seconds): a what-if.
    pub fn with_extra(&self, count: u32, services: &[String], from_s: i64, to_s: i64) -> Self {
        let mut out = self.clone();
        let services = if services.is_empty() {
            self.services.clone()
        } else {
            services.to_vec()
        };
        for n in 1..=count {
            out.windows.push(WindowModel {
                id: format!("+{n}"),
                services: services.clone(),
                hours: Some((from_s, to_s)),
            });
        }
        out
    }
}

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Days simulated (the profile's days in turn).
    pub days: u32,
    /// Random seed: the same seed, the same run.
    pub seed: u64,
}

/// Simulates `opts.days` days of `hall` under `profile`.
pub fn run(hall: &HallModel, profile: &Profile, opts: &SimOptions) -> SimReport {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed);
    let mut log = report::Log::default();
    let mut known = day::Known::new(hall, profile);
    for d in 0..opts.days {
        let weekday = profile
            .days
            .get(d as usize % profile.days.len().max(1))
            .and_then(|w| crate::profile::weekday_index(w))
            .unwrap_or(0);
        day::play(hall, profile, d, weekday, &mut rng, &mut known, &mut log);
    }
    report::summarise(hall, opts, log)
}
