//! Log output of `hallq run|controller|display`: the format and what is filtered out.
//!
//! Filtered out besides the level filter (`RUST_LOG` overrides the default): rumqttd's
//! ERROR lines that a client connecting and leaving normally causes inside the embedded
//! broker (its router sees the disconnect twice: "no-connection id N is already gone",
//! "Connection is already disconnected"). They are no error of anyone's, and an installer
//! reading them looks for a fault that is not there. Refused logins are logged by hallq's
//! own front (`controller/src/broker/refusals.rs`).

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The default filter.
const DEFAULT_FILTER: &str = "info,rumqttd=warn,rumqttd::server::broker=off,rumqttc=warn,sqlx=warn";

/// Installs the log subscriber (`RUST_LOG` overrides the default filter).
pub(crate) fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| DEFAULT_FILTER.into());
    tracing_subscriber::registry()
        .with(filter)
        .with(QuietBroker)
        .with(tracing_subscriber::fmt::layer())
        .init();
}

/// Drops the embedded broker's noise (see the module docs).
struct QuietBroker;

impl<S: Subscriber> Layer<S> for QuietBroker {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        if !event.metadata().target().starts_with("rumqttd") {
            return true;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        !is_broker_noise(&message.0)
    }
}

/// Whether a rumqttd message is one a normal disconnect causes.
fn is_broker_noise(message: &str) -> bool {
    message == "Connection is already disconnected"
        || (message.starts_with("no-connection id ") && message.ends_with(" is already gone"))
}

/// An event's `message` field.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_broker_noise;

    #[test]
    fn only_the_double_disconnect_is_noise() {
        assert!(is_broker_noise("no-connection id 3 is already gone"));
        assert!(is_broker_noise("Connection is already disconnected"));
        assert!(!is_broker_noise("no space for new connection"));
        assert!(!is_broker_noise("Router done!"));
    }
}
