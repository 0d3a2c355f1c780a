//! The embedded MQTT broker for one-box halls: MQTT 3.1.1, every client signs in, and every
//! account may do only what `hallq_mqtt::acl` grants its role.
//!
//! rumqttd 0.19 has no per-topic ACL, so it listens only on a private loopback port (picked
//! at random at start) and hallq's authorizing [`front`] serves `broker.listen`: it checks
//! every CONNECT, PUBLISH and SUBSCRIBE of the configured accounts (password stored as
//! SHA-256) and forwards what is allowed. rumqttd accepts two logins only: the controller's
//! own (random per start, used by the relay, the status watchers and the button handler,
//! which connect to the private port directly) and the front's (random per start, which the
//! front puts in every CONNECT it forwards).

pub mod front;
pub mod refusals;

use hallq_config::secret::constant_time_eq;
use hallq_config::BrokerAccount;
use hallq_mqtt::acl::Account;
use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where and how the controller's own clients sign in to the embedded broker.
#[derive(Clone)]
pub struct InternalLogin {
    /// rumqttd's private address (loopback).
    pub addr: SocketAddr,
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

/// Starts rumqttd on a private loopback port in its own threads, waits until it accepts
/// connections, then serves `addr` with the authorizing front (on the current Tokio
/// runtime) for each hall's `accounts` (an account acts in its own hall only; a user name
/// two halls declare keeps the first hall's account, and the clash is logged).
///
/// # Errors
/// When `addr` cannot be bound or the broker does not come up within 10 s.
///
/// # Panics
/// Outside a Tokio runtime.
pub fn start(
    addr: SocketAddr,
    halls: &[(&str, &[BrokerAccount])],
) -> Result<InternalLogin, BrokerError> {
    let public =
        std::net::TcpListener::bind(addr).map_err(|source| BrokerError::Bind { addr, source })?;
    let private = private_addr().map_err(|source| BrokerError::Bind {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        source,
    })?;
    let login = InternalLogin {
        addr: private,
        username: "hallq-internal".into(),
        password: hex::encode(rand::random::<[u8; 16]>()),
    };
    let secret = hex::encode(rand::random::<[u8; 16]>());
    let (internal, front_pw) = (login.clone(), secret.clone());
    let auth = move |_client: String, user: String, pass: String| -> bool {
        if user == internal.username {
            return constant_time_eq(&pass, &internal.password);
        }
        // Every other client comes through the front, which checked its account.
        constant_time_eq(&pass, &front_pw)
    };
    let config = config(private, Arc::new(auth));
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
    loop {
        if std::net::TcpStream::connect_timeout(&private, Duration::from_millis(200)).is_ok() {
            break;
        }
        if Instant::now() >= deadline {
            return Err(BrokerError::NotReady(private));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut members = std::collections::HashMap::new();
    for (hall, accounts) in halls {
        for a in accounts.iter() {
            let Some(grants) = Account::of(a).map(|acc| acc.grants(hall)) else {
                continue;
            };
            if members.contains_key(&a.username) {
                tracing::warn!(user = %a.username, hall, "MQTT account declared by two halls: the first hall's is used");
                continue;
            }
            let member = front::Member {
                password_sha256: a.password_sha256.clone(),
                grants,
            };
            members.insert(a.username.clone(), member);
        }
    }
    let front = Arc::new(front::Front {
        accounts: members,
        upstream: private,
        secret,
        refused: refusals::Refusals::default(),
    });
    public
        .set_nonblocking(true)
        .map_err(|source| BrokerError::Bind { addr, source })?;
    let listener = tokio::net::TcpListener::from_std(public)
        .map_err(|source| BrokerError::Bind { addr, source })?;
    tokio::spawn(front::serve(listener, front));
    Ok(login)
}

/// A loopback address with a port nobody listens on now (rumqttd cannot report the port
/// it got for port 0).
fn private_addr() -> std::io::Result<SocketAddr> {
    std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()
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
