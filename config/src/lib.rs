//! The hall's description: what an admin writes in TOML and every part of hallq reads.
//!
//! # Layout
//! - [`schema`]: the typed settings (hall, sections and services, windows, credentials,
//!   broker, server), with defaults.
//! - [`load`]: reading a file, collecting every problem (syntax, unknown keys, wrong types,
//!   semantic rules) as [`Diagnostic`]s that name file, line, column and key path.
//! - `validate`: the semantic rules, pure over [`Settings`].
//! - [`secret`]: hashing of tokens and passwords, so that config files hold no secret in
//!   clear.
//! - [`city`]: a deployment of one hall or of a city's halls ([`Deployment`]): a city
//!   file naming one file per hall, read and merged by `city_load`, the rules across files
//!   in `city_rules`.
//! - [`hours`]: `[hall.hours]`, the timetable (periods, weekday overrides, the calendar).
//! - [`clock`]: the hall's clock for the pages (UTC offsets, the browser-side script).
//! - [`staff`]: staff accounts (username + argon2id password hash) and `[sign_in]`.
//! - [`limits`]: `[limits]`, per-address rate limits and status socket caps.
//! - [`notice`]: the hall-wide booking notice (预约须知) and its rule-value placeholders;
//!   `rules_check` validates the `[appointments]` rule values, `booking_hours` each
//!   service's booking hours against the hall's timetable.
//! - [`notifiers`]: `[[notifiers]]` (citizens' notifications) and the reminder lead times.
//! - `warnings` and `demo`: what works but should not run in a real hall (published demo
//!   credentials, ticket links on loopback, an unusable ID hash key variable), returned by
//!   [`check_file`] / [`check_str`] as [`Severity::Warning`] diagnostics.
//! - `suggest`, `known_keys`, `syntax`: "did you mean" for ids and keys (the keys read off
//!   the types), TOML mistakes in an admin's words; `broker_logins`: `[display]` and
//!   `[led]` logins checked against the broker's accounts.
//!
//! Nothing here does network IO; loading only reads the file it is given, a city file the
//! hall files it names (and [`check_file`] / [`check_deployment`] the environment
//! variables the config names).

pub mod booking;
mod booking_hours;
mod broker_logins;
pub mod city;
mod city_load;
mod city_rules;
pub mod clock;
mod demo;
pub mod hours;
pub mod identity;
pub mod led;
pub mod limits;
pub mod load;
pub mod notice;
pub mod notifiers;
pub mod printers;
mod rules_check;
pub mod schema;
pub mod screens;
pub mod secret;
pub mod staff;
mod validate;

mod known_keys;
mod locate;
pub mod schema_url;
mod suggest;
mod syntax;
mod warnings;

pub use booking::Scope;
pub use city::{
    check_deployment, check_deployment_env, load_deployment, load_hall, City, Deployment,
};
pub use demo::DemoCredential;
pub use hours::{Hours, Period};
pub use load::{check_file, check_str, load_file, load_str, ConfigError, Diagnostic, Severity};
pub use schema::*;
pub use validate::{parse_hhmm, weekday};
pub use warnings::public_base_url_warning;
