//! The authorizing front of the embedded broker: serves `broker.listen`, reads every client
//! packet with rumqttc's MQTT 3.1.1 codec and lets through only what the account may do
//! (`hallq_mqtt::acl`), to rumqttd on a private loopback port.
//!
//! - CONNECT: MQTT 3.1.1 only (else CONNACK 0x01); a configured account with its password
//!   (else 0x04, or 0x05 without a login); a last will only on a topic the account may
//!   publish (else 0x05). Each refusal is logged with its reason, once per (user, address,
//!   reason) and then once a minute with a count ([`super::refusals`]). Forwarded with the front's own password and the client id
//!   prefixed by the account (`{user}:{id}`), so no device can sign in to rumqttd beside
//!   the front or take over a session of the controller's clients.
//! - PUBLISH on a topic not granted: dropped; QoS 1 answered with PUBACK (as Mosquitto does
//!   under 3.1.1), QoS 2 closes the connection.
//! - SUBSCRIBE: each filter must lie within a granted pattern; refused filters get 0x80 in
//!   the SUBACK (the front answers alone when none is granted, else forwards the granted
//!   ones and splices the failures into rumqttd's SUBACK).
//! - Bounds: 64 KiB per client packet, 10 s to send CONNECT, [`MAX_CONNECTIONS`] at once;
//!   keep-alive stays with rumqttd. Anything that does not parse closes the connection.

use bytes::{Bytes, BytesMut};
use hallq_config::secret::{constant_time_eq, sha256_hex};
use hallq_mqtt::acl::Grants;
use rumqttc::mqttbytes::{self, v4, QoS};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};

use super::refusals::{Refusal, Refusals};

/// Largest packet a client may send (fixed header excluded).
pub const MAX_PACKET: usize = 64 * 1024;
/// Largest packet rumqttd may send a client (its payload limit plus headers).
const MAX_BROKER_PACKET: usize = 512 * 1024;
/// Time a new connection has to send its CONNECT.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Client connections served at once; more are closed at accept.
pub const MAX_CONNECTIONS: usize = 10_000;
/// Partly refused SUBSCRIBEs waiting for rumqttd's SUBACK, per connection.
const MAX_PENDING_SUBSCRIBES: usize = 32;

/// A configured account as the front knows it.
pub struct Member {
    /// SHA-256 (hex) of the password.
    pub password_sha256: String,
    /// What it may do.
    pub grants: Grants,
}

/// Everything the front needs.
pub struct Front {
    /// Accounts by user name.
    pub accounts: HashMap<String, Member>,
    /// rumqttd's private address.
    pub upstream: SocketAddr,
    /// The password the front signs in to rumqttd with, for every forwarded client.
    pub secret: String,
    /// Refused logins, for the log.
    pub refused: Refusals,
}

/// Accepts clients on `listener` forever.
pub async fn serve(listener: TcpListener, front: Arc<Front>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!("MQTT front: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "MQTT front: {MAX_CONNECTIONS} connections open, refusing");
            continue;
        };
        let front = front.clone();
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            if let Err(why) = connection(socket, peer, &front).await {
                tracing::debug!(%peer, "MQTT front: connection closed: {why}");
            }
            drop(slot);
        });
    }
}

/// Why a connection ended early.
type Closed = String;

/// Why no packet could be read.
enum ReadError {
    /// The bytes are not a valid MQTT 3.1.1 packet (or one too large).
    Codec(mqttbytes::Error),
    /// The socket failed or ended inside a packet.
    Io(String),
}

impl From<ReadError> for Closed {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Codec(e) => e.to_string(),
            ReadError::Io(e) => e,
        }
    }
}

/// Reads the next whole packet (at most `max` bytes after the fixed header): its bytes as
/// received and its parsed form; `None` at a clean end of stream.
async fn next_packet(
    from: &mut (impl AsyncRead + Unpin),
    buf: &mut BytesMut,
    max: usize,
) -> Result<Option<(Bytes, v4::Packet)>, ReadError> {
    loop {
        match mqttbytes::check(buf.iter(), max) {
            Ok(header) => {
                let raw = buf.split_to(header.frame_length());
                let packet = v4::read(&mut raw.clone(), max).map_err(ReadError::Codec)?;
                return Ok(Some((raw.freeze(), packet)));
            }
            Err(mqttbytes::Error::InsufficientBytes(_)) => {}
            Err(e) => return Err(ReadError::Codec(e)),
        }
        let n = from
            .read_buf(buf)
            .await
            .map_err(|e| ReadError::Io(e.to_string()))?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io("stream ended inside a packet".into()))
            };
        }
    }
}

fn encode(write: impl FnOnce(&mut BytesMut) -> Result<usize, mqttbytes::Error>) -> Bytes {
    let mut b = BytesMut::new();
    // Only packets this file builds from parsed, bounded ones: they always encode.
    write(&mut b).expect("encodable packet");
    b.freeze()
}

fn connack(code: v4::ConnectReturnCode) -> Bytes {
    encode(|b| v4::ConnAck::new(code, false).write(b))
}

/// Checks a CONNECT: the account's grants, or why it is refused.
fn admit<'f>(front: &'f Front, c: &v4::Connect) -> Result<(&'f str, &'f Grants), Refusal> {
    if c.protocol != mqttbytes::Protocol::V4 {
        return Err(Refusal::Protocol);
    }
    if c.client_id.is_empty() {
        return Err(Refusal::NoClientId);
    }
    let Some(login) = &c.login else {
        return Err(Refusal::NoLogin);
    };
    // Hash whatever was sent, so a wrong user name costs what a wrong password does.
    let hash = sha256_hex(&login.password);
    let Some((name, member)) = front.accounts.get_key_value(&login.username) else {
        return Err(Refusal::UnknownUser);
    };
    if !constant_time_eq(&hash, &member.password_sha256) {
        return Err(Refusal::WrongPassword);
    }
    if let Some(will) = &c.last_will {
        if !member.grants.may_publish(&will.topic) {
            return Err(Refusal::WillNotAllowed);
        }
    }
    Ok((name.as_str(), &member.grants))
}

/// Logs a refused login (see [`Refusals`]).
fn log_refusal(front: &Front, user: Option<&str>, peer: SocketAddr, why: Refusal) {
    if let Some(line) = front.refused.note(user, peer.ip(), why) {
        tracing::warn!("{line}");
    }
}

/// One client: CONNECT, then both directions until either side ends.
async fn connection(mut client: TcpStream, peer: SocketAddr, front: &Front) -> Result<(), Closed> {
    let mut buf = BytesMut::with_capacity(512);
    let first = tokio::time::timeout(
        CONNECT_TIMEOUT,
        next_packet(&mut client, &mut buf, MAX_PACKET),
    )
    .await
    .map_err(|_| "no CONNECT within 10 s".to_string())?;
    let connect = match first {
        Ok(Some((_, v4::Packet::Connect(c)))) => c,
        Ok(Some((_, other))) => return Err(format!("first packet is not CONNECT: {other:?}")),
        Ok(None) => return Ok(()),
        Err(ReadError::Codec(
            e @ (mqttbytes::Error::InvalidProtocol | mqttbytes::Error::InvalidProtocolLevel(_)),
        )) => {
            // A CONNECT of another protocol name or level (MQTT 3.1, 5): the 3.1.1 answer.
            log_refusal(front, None, peer, Refusal::Protocol);
            let refuse = connack(v4::ConnectReturnCode::RefusedProtocolVersion);
            let _ = client.write_all(&refuse).await;
            return Err(e.to_string());
        }
        Err(e) => return Err(e.into()),
    };
    let (user, grants) = match admit(front, &connect) {
        Ok(ok) => ok,
        Err(why) => {
            let user = connect.login.as_ref().map(|l| l.username.as_str());
            log_refusal(front, user, peer, why);
            let code = why.code();
            let _ = client.write_all(&connack(code)).await;
            return Err(format!("refused: {code:?}"));
        }
    };
    let mut upstream = TcpStream::connect(front.upstream)
        .await
        .map_err(|e| format!("private broker: {e}"))?;
    let _ = upstream.set_nodelay(true);
    let mut forwarded = connect;
    forwarded.client_id = format!("{user}:{}", forwarded.client_id);
    forwarded.login = Some(v4::Login::new(user, front.secret.as_str()));
    upstream
        .write_all(&encode(|b| forwarded.write(b)))
        .await
        .map_err(|e| e.to_string())?;

    let (mut client_r, mut client_w) = client.into_split();
    let (mut broker_r, mut broker_w) = upstream.into_split();
    let (to_client, mut outbox) = mpsc::channel::<Bytes>(64);
    let pending = Mutex::new(HashMap::<u16, Vec<bool>>::new());
    let session = Session {
        user,
        grants,
        pending: &pending,
    };
    let inbound = session.client_to_broker(&mut client_r, buf, &mut broker_w, to_client.clone());
    let outbound = session.broker_to_client(&mut broker_r, to_client);
    let write = async {
        while let Some(b) = outbox.recv().await {
            client_w.write_all(&b).await.map_err(|e| e.to_string())?;
        }
        Ok::<(), Closed>(())
    };
    let ended = tokio::select! {
        r = inbound => r,
        r = outbound => r,
        r = write => r,
    };
    let _ = broker_w.shutdown().await;
    let _ = client_w.shutdown().await;
    ended
}

/// A signed-in client's connection.
struct Session<'a> {
    user: &'a str,
    grants: &'a Grants,
    /// SUBSCRIBE packet id → which of its filters were granted (forwarded), for splicing
    /// the refused ones into rumqttd's SUBACK.
    pending: &'a Mutex<HashMap<u16, Vec<bool>>>,
}

impl Session<'_> {
    async fn client_to_broker(
        &self,
        from: &mut (impl AsyncRead + Unpin),
        mut buf: BytesMut,
        broker: &mut (impl tokio::io::AsyncWrite + Unpin),
        to_client: mpsc::Sender<Bytes>,
    ) -> Result<(), Closed> {
        use v4::Packet as P;
        let mut warned = false;
        while let Some((raw, packet)) = next_packet(from, &mut buf, MAX_PACKET).await? {
            let forward = match packet {
                P::Publish(p) if self.grants.may_publish(&p.topic) => Some(raw),
                P::Publish(p) => {
                    if !warned {
                        tracing::warn!(user = self.user, topic = %p.topic, "MQTT front: publish not allowed, dropped");
                        warned = true;
                    }
                    match p.qos {
                        QoS::AtMostOnce => {}
                        QoS::AtLeastOnce => {
                            let ack = encode(|b| v4::PubAck::new(p.pkid).write(b));
                            to_client.send(ack).await.map_err(|e| e.to_string())?;
                        }
                        QoS::ExactlyOnce => return Err("QoS 2 publish not allowed".into()),
                    }
                    None
                }
                P::Subscribe(s) => self.subscribe(s, raw, &to_client).await?,
                P::Disconnect => {
                    broker.write_all(&raw).await.map_err(|e| e.to_string())?;
                    return Ok(());
                }
                P::Connect(_) | P::ConnAck(_) | P::SubAck(_) | P::UnsubAck(_) | P::PingResp => {
                    return Err("a second CONNECT or a server's packet from a client".into());
                }
                _ => Some(raw),
            };
            if let Some(bytes) = forward {
                broker.write_all(&bytes).await.map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    /// Checks each filter; returns what to forward (the SUBSCRIBE, or one with only the
    /// granted filters), answering alone when nothing is granted.
    async fn subscribe(
        &self,
        s: v4::Subscribe,
        raw: Bytes,
        to_client: &mpsc::Sender<Bytes>,
    ) -> Result<Option<Bytes>, Closed> {
        let granted: Vec<bool> = s
            .filters
            .iter()
            .map(|f| self.grants.may_subscribe_single_hall(&f.path))
            .collect();
        if granted.iter().all(|g| *g) {
            return Ok(Some(raw));
        }
        let refused: Vec<&str> = s
            .filters
            .iter()
            .zip(&granted)
            .filter(|(_, g)| !**g)
            .map(|(f, _)| f.path.as_str())
            .collect();
        tracing::warn!(
            user = self.user,
            ?refused,
            "MQTT front: subscription not allowed"
        );
        if !granted.iter().any(|g| *g) {
            let codes = vec![v4::SubscribeReasonCode::Failure; granted.len()];
            let ack = encode(|b| v4::SubAck::new(s.pkid, codes).write(b));
            to_client.send(ack).await.map_err(|e| e.to_string())?;
            return Ok(None);
        }
        {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if pending.len() >= MAX_PENDING_SUBSCRIBES {
                return Err("too many subscriptions waiting for SUBACK".into());
            }
            pending.insert(s.pkid, granted.clone());
        }
        let kept = v4::Subscribe {
            pkid: s.pkid,
            filters: s
                .filters
                .into_iter()
                .zip(&granted)
                .filter(|(_, g)| **g)
                .map(|(f, _)| f)
                .collect(),
        };
        Ok(Some(encode(|b| kept.write(b))))
    }

    async fn broker_to_client(
        &self,
        from: &mut (impl AsyncRead + Unpin),
        to_client: mpsc::Sender<Bytes>,
    ) -> Result<(), Closed> {
        let mut buf = BytesMut::with_capacity(4096);
        while let Some((raw, packet)) = next_packet(from, &mut buf, MAX_BROKER_PACKET).await? {
            let out = match packet {
                v4::Packet::SubAck(ack) => self.splice(ack).unwrap_or(raw),
                _ => raw,
            };
            to_client.send(out).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// rumqttd's SUBACK for a partly refused SUBSCRIBE, with 0x80 where a filter was
    /// refused; `None` for any other SUBACK.
    fn splice(&self, ack: v4::SubAck) -> Option<Bytes> {
        let granted = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&ack.pkid)?;
        let mut answers = ack.return_codes.into_iter();
        let codes = granted
            .iter()
            .map(|g| {
                if *g {
                    answers.next().unwrap_or(v4::SubscribeReasonCode::Failure)
                } else {
                    v4::SubscribeReasonCode::Failure
                }
            })
            .collect();
        Some(encode(|b| v4::SubAck::new(ack.pkid, codes).write(b)))
    }
}
