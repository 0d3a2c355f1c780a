//! The one subscribe loop: connect, subscribe on every (re)connect, hand each message to
//! the caller, reconnect with backoff after any failure.

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::future::Future;
use std::time::Duration;

/// What a subscriber's caller is told.
#[derive(Debug)]
pub enum Feed<'a> {
    /// The broker confirmed the subscriptions (after every (re)connect).
    Subscribed,
    /// A message on one of the filters: its topic below the root, and its payload.
    Message {
        /// Topic below the root (`windows/3`).
        topic: &'a str,
        /// Payload bytes, as published.
        payload: &'a [u8],
    },
    /// The connection failed or was lost; the loop waits, then reconnects.
    Down {
        /// What went wrong.
        error: &'a str,
        /// Failures in a row (1 for the first after a working connection).
        failures: u32,
    },
}

/// A subscription to topics under one hall's root.
pub struct Subscriber {
    /// Client options (see [`crate::Endpoint::options`]).
    pub options: MqttOptions,
    /// The topic root (`hallq/v1/{hall}/`, see [`crate::topic_root`]).
    pub root: String,
    /// Filters below the root (`calls`, `windows/+`, `#`).
    pub filters: Vec<String>,
    /// Who is subscribing, for the log.
    pub label: &'static str,
}

const FIRST_RETRY: Duration = Duration::from_millis(200);
const LAST_RETRY: Duration = Duration::from_secs(1);

impl Subscriber {
    /// Runs until `until` resolves (forever with `std::future::pending()`), then
    /// disconnects. `on` is called for every [`Feed`], in order, on this task: keep it short
    /// (hand long work to another task).
    pub async fn run(self, until: impl Future<Output = ()>, mut on: impl FnMut(Feed<'_>)) {
        let (host, port) = self.options.broker_address();
        let (client, mut events) = AsyncClient::new(self.options, 64);
        let mut failures = 0u32;
        let mut retry = FIRST_RETRY;
        // Whether this connection's subscriptions were confirmed (logged once each time).
        let mut subscribed = false;
        tokio::pin!(until);
        loop {
            let event = tokio::select! {
                e = events.poll() => e,
                () = &mut until => break,
            };
            match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    subscribed = false;
                    if failures > 0 {
                        tracing::info!("{}: reconnected to mqtt://{host}:{port}", self.label);
                    }
                    failures = 0;
                    retry = FIRST_RETRY;
                    for f in &self.filters {
                        let filter = format!("{}{f}", self.root);
                        if let Err(e) = client.try_subscribe(filter, QoS::AtLeastOnce) {
                            tracing::warn!("{}: cannot subscribe: {e}", self.label);
                        }
                    }
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if !subscribed {
                        subscribed = true;
                        let filters = self.filters.join(", ");
                        tracing::info!(
                            "{} subscribed to mqtt://{host}:{port}/{}{{{filters}}}",
                            self.label,
                            self.root
                        );
                    }
                    on(Feed::Subscribed)
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if let Some(topic) = p.topic.strip_prefix(&self.root) {
                        on(Feed::Message {
                            topic,
                            payload: &p.payload,
                        });
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    failures += 1;
                    let error = e.to_string();
                    if failures == 1 {
                        tracing::warn!(
                            "{}: broker mqtt://{host}:{port} unreachable or lost: {error}; retrying",
                            self.label
                        );
                    }
                    on(Feed::Down {
                        error: &error,
                        failures,
                    });
                    tokio::select! {
                        () = tokio::time::sleep(retry) => {}
                        () = &mut until => break,
                    }
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
        }
        let _ = client.try_disconnect();
    }
}
