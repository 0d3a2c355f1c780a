//! The embedded MQTT broker (rumqttd) for one-box halls: MQTT 3.1.1 on one TCP address,
//! every client signs in. Accounts come from the config (password stored as SHA-256);
//! the controller's own relay uses a random password made at start-up.
//!
//! Known limit: rumqttd has no per-topic ACL, so any account that signs in may publish
//! and subscribe on any topic. Use Mosquitto with an ACL file where that matters.

use hallq_config::secret::{constant_time_eq, sha256_hex};
use hallq_config::BrokerAccount;
use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Credentials the controller's own clients use on the embedded broker.
#[derive(Clone)]
pub struct InternalLogin {
    /// User name.
    pub username: String,
    /// Password (random per start).
    pub password: String,
}

/// Why the broker could not start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The address is taken or not ours.
    #[error(
        "cannot listen for MQTT on {addr}: {source} (is another broker there? use --mqtt-listen)"
    )]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// It did not come up in time.
    #[error("embedded MQTT broker did not start listening on {0}")]
    NotReady(SocketAddr),
}

/// Starts rumqttd on `addr` in its own threads and waits until it accepts connections.
///
/// # Errors
/// When the address cannot be bound or the broker does not come up within 10 s.
pub fn start(addr: SocketAddr, accounts: &[BrokerAccount]) -> Result<InternalLogin, BrokerError> {
    // rumqttd only logs a bind failure from its own thread: probe first for a clear error.
    drop(std::net::TcpListener::bind(addr).map_err(|source| BrokerError::Bind { addr, source })?);
    let login = InternalLogin {
        username: "hallq-internal".into(),
        password: hex::encode(rand::random::<[u8; 16]>()),
    };
    let users: HashMap<String, String> = accounts
        .iter()
        .map(|a| (a.username.clone(), a.password_sha256.clone()))
        .collect();
    let internal = login.clone();
    let auth = move |_client: String, user: String, pass: String| -> bool {
        if user == internal.username {
            return constant_time_eq(&pass, &internal.password);
        }
        users
            .get(&user)
            .is_some_and(|h| constant_time_eq(&sha256_hex(&pass), h))
    };
    let config = config(addr, Arc::new(auth));
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            let mut broker = Broker::new(config);
            if let Err(e) = broker.start() {
                tracing::error!("embedded MQTT broker stopped: {e}");
            }
        })
        .expect("spawn broker thread");
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(login);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(BrokerError::NotReady(addr))
}

fn config(addr: SocketAddr, auth: rumqttd::AuthHandler) -> Config {
    let connections = ConnectionSettings {
        connection_timeout_ms: 10_000,
        max_payload_size: 256 * 1024,
        max_inflight_count: 500,
        auth: None,
        external_auth: Some(auth),
        dynamic_filters: true,
    };
    let server = ServerSettings {
        name: "hallq-v4".into(),
        listen: addr,
        tls: None,
        next_connection_delay_ms: 0,
        connections,
    };
    Config {
        id: 0,
        router: RouterConfig {
            max_connections: 20_000,
            max_outgoing_packet_count: 1_000,
            max_segment_size: 16 * 1024 * 1024,
            max_segment_count: 10,
            ..Default::default()
        },
        v4: Some(HashMap::from([("1".to_string(), server)])),
        ..Default::default()
    }
}
