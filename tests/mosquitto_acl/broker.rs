//! The Mosquitto under test: passwd and acl from the shipped make-passwd.sh, the shipped
//! snippet on a free port, and the clients the tests sign in with.

use crate::common::*;
use rumqttc::{AsyncClient, ConnectReturnCode, ConnectionError, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

pub const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/mosquitto");
pub const ROOT: &str = "hallq/v1/haikou/";

pub const CONTROLLER: (&str, &str) = ("hallq-controller", "test-controller-pw");
pub const GATEWAY: (&str, &str) = ("gateway", "test-gateway-pw");
pub const DISPLAY: (&str, &str) = ("display", "test-display-pw");
pub const BUTTON_3: (&str, &str) = ("button-3", "test-button-3-pw");
pub const BUTTON_4: (&str, &str) = ("button-4", "test-button-4-pw");

/// `mosquitto_passwd`, from the usual places or `PATH`.
pub fn passwd_bin() -> Option<String> {
    let fixed = [
        "/usr/bin/mosquitto_passwd",
        "/usr/local/bin/mosquitto_passwd",
    ];
    if let Some(p) = fixed.iter().find(|p| Path::new(p).exists()) {
        return Some(p.to_string());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("mosquitto_passwd"))
            .find(|p| p.exists())
            .map(|p| p.display().to_string())
    })
}

pub fn skip(why: &str) {
    println!("skipped: {why} (ACL test)");
    eprintln!("skipped: {why} (ACL test)");
}

/// Our own Mosquitto with the hallq accounts and ACL.
pub struct Broker {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// Where make-passwd.sh takes the accounts from.
pub enum Accounts {
    /// The standard accounts and the call buttons of windows 3 and 4.
    Windows,
    /// The demo config's accounts, through `hallq mqtt acl --config`.
    DemoConfig,
}

impl Broker {
    /// Builds passwd + acl with make-passwd.sh for windows 3 and 4, then starts Mosquitto
    /// on a free port (a new one if another process took the first between pick and bind).
    pub async fn start() -> Option<Self> {
        Self::start_with(Accounts::Windows).await
    }

    /// As [`Broker::start`], with the accounts from `accounts`.
    pub async fn start_with(accounts: Accounts) -> Option<Self> {
        let Some(bin) = mosquitto_bin() else {
            skip("no mosquitto binary");
            return None;
        };
        let Some(pw_bin) = passwd_bin() else {
            skip("no mosquitto_passwd binary");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        // Mosquitto started as root drops to the `mosquitto` user before it reads the
        // password file; make-passwd.sh gives the files to that group, and the temp dir
        // must let it in.
        set_mode(dir.path(), 0o755);
        let mut make = Command::new("sh");
        make.arg(format!("{DEPLOY}/make-passwd.sh"))
            .arg(dir.path())
            .env("MOSQUITTO_PASSWD", &pw_bin);
        match accounts {
            Accounts::Windows => make
                .args(["3", "4"])
                .env("HALLQ_MQTT_CONTROLLER_PASSWORD", CONTROLLER.1)
                .env("HALLQ_MQTT_GATEWAY_PASSWORD", GATEWAY.1)
                .env("HALLQ_MQTT_DISPLAY_PASSWORD", DISPLAY.1)
                .env("HALLQ_MQTT_BUTTON_PASSWORD_3", BUTTON_3.1)
                .env("HALLQ_MQTT_BUTTON_PASSWORD_4", BUTTON_4.1),
            Accounts::DemoConfig => make
                .args([
                    "--config",
                    concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/config/examples/demo-hall.toml"
                    ),
                ])
                .env("HALLQ", env!("CARGO_BIN_EXE_hallq"))
                .env("HALLQ_MQTT_PASSWORD_hallq_controller", CONTROLLER.1)
                .env("HALLQ_MQTT_PASSWORD_display", DISPLAY.1)
                .env("HALLQ_MQTT_PASSWORD_button_3", BUTTON_3.1)
                .env("HALLQ_MQTT_PASSWORD_button_4", BUTTON_4.1),
        };
        let out = make.output().unwrap();
        assert!(
            out.status.success(),
            "make-passwd.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let passwd = std::fs::read_to_string(dir.path().join("passwd")).unwrap();
        let users: &[&str] = match accounts {
            Accounts::Windows => &[
                "hallq-controller",
                "gateway",
                "display",
                "button-3",
                "button-4",
            ],
            Accounts::DemoConfig => &[
                "hallq-controller",
                "display",
                "button-1",
                "button-3",
                "button-10",
            ],
        };
        for user in users {
            assert!(
                passwd.lines().any(|l| l.starts_with(&format!("{user}:$"))),
                "{user} hashed in passwd:\n{passwd}"
            );
        }
        assert!(
            !passwd.contains("test-"),
            "no clear-text password in passwd"
        );
        let acl = std::fs::read_to_string(dir.path().join("acl")).unwrap();
        match accounts {
            Accounts::Windows => {
                assert!(
                    !dir.path().join("credentials").exists(),
                    "every password was given, none generated"
                );
                assert!(
                    acl.contains("\nuser button-3\ntopic write hallq/v1/+/buttons/3\n"),
                    "{acl}"
                );
            }
            Accounts::DemoConfig => {
                // Buttons 1, 2, 5… had no password given: generated, for provisioning.
                let cred = std::fs::read_to_string(dir.path().join("credentials")).unwrap();
                assert!(
                    cred.contains("button-1 ") && !cred.contains("button-3 "),
                    "{cred}"
                );
                assert!(
                    acl.contains("\nuser button-3\ntopic write hallq/v1/haikou/buttons/3\n"),
                    "{acl}"
                );
                assert!(
                    acl.contains("\nuser display\ntopic read hallq/v1/haikou/calls\n"),
                    "{acl}"
                );
            }
        }

        let snippet = std::fs::read_to_string(format!("{DEPLOY}/mosquitto.conf")).unwrap();
        for _ in 0..4 {
            let port = free_port();
            let conf = test_conf(&snippet, port, dir.path());
            let conf_path = dir.path().join("mosquitto.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let log_path = dir.path().join(format!("mosquitto-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            let mut child = Command::new(&bin)
                .arg("-c")
                .arg(&conf_path)
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .unwrap();
            let mut exited = false;
            for _ in 0..100 {
                if child.try_wait().unwrap().is_some() {
                    exited = true;
                    break;
                }
                // Ours, not another test's broker that took the same port: ours says it
                // runs (it exits on "Address already in use" instead).
                let running =
                    std::fs::read_to_string(&log_path).is_ok_and(|l| l.contains(" running"));
                if running && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Self {
                        child,
                        port,
                        _dir: dir,
                    });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            assert!(
                exited && log.contains("Address already in use"),
                "mosquitto did not start:\n{log}"
            );
        }
        panic!("mosquitto did not start: no free port after 4 tries");
    }

    pub async fn sub(&self, login: (&str, &str), filter: &str) -> Sub {
        Sub::connect("127.0.0.1", self.port, Some(login), filter).await
    }

    pub async fn device(&self, login: (&str, &str)) -> Device {
        Device::connect(self.port, login).await
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The shipped snippet with the listener moved to `127.0.0.1:port` and the files in `dir`.
pub fn test_conf(snippet: &str, port: u16, dir: &Path) -> String {
    let mut conf = String::new();
    let (mut listener, mut files) = (0, 0);
    for line in snippet.lines() {
        let line = if line.trim() == "listener 1883" {
            listener += 1;
            format!("listener {port} 127.0.0.1")
        } else if line.contains("/etc/mosquitto/hallq/") && !line.starts_with('#') {
            files += 1;
            line.replace("/etc/mosquitto/hallq", &dir.display().to_string())
        } else {
            line.to_string()
        };
        conf.push_str(&line);
        conf.push('\n');
    }
    assert_eq!(
        (listener, files),
        (1, 2),
        "snippet has `listener 1883`, password_file and acl_file"
    );
    for needed in ["allow_anonymous false", "password_file ", "acl_file "] {
        assert!(
            conf.lines().any(|l| l.starts_with(needed)),
            "snippet sets {needed}"
        );
    }
    conf.push_str("persistence false\nlog_dest stderr\n");
    conf
}

/// A signed-in publishing client that waits for each PUBACK and notices disconnects.
pub struct Device {
    user: String,
    client: AsyncClient,
    events: mpsc::UnboundedReceiver<Result<u16, String>>,
    task: tokio::task::JoinHandle<()>,
}

impl Device {
    pub async fn connect(port: u16, (user, pass): (&str, &str)) -> Self {
        let mut o = MqttOptions::new(format!("acl-{user}-{}", hex_id()), "127.0.0.1", port);
        o.set_keep_alive(Duration::from_secs(5));
        o.set_credentials(user, pass);
        let (client, mut ev) = AsyncClient::new(o, 100);
        let (tx, mut events) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                let msg = match ev.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => Ok(0),
                    Ok(Event::Incoming(Packet::PubAck(a))) => Ok(a.pkid),
                    Ok(Event::Incoming(Packet::Disconnect)) => Err("DISCONNECT".to_string()),
                    Ok(_) => continue,
                    Err(e) => Err(e.to_string()),
                };
                let stop = msg.is_err();
                if tx.send(msg).is_err() || stop {
                    return;
                }
            }
        });
        let first = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .unwrap_or_else(|_| panic!("{user}: no CONNACK within 5 s"));
        assert_eq!(first, Some(Ok(0)), "{user} signs in");
        Self {
            user: user.to_string(),
            client,
            events,
            task,
        }
    }

    /// QoS 1 publish under the hall root; returns once the broker PUBACKed it (which it
    /// also does for a publish its ACL drops), so the broker has processed it.
    pub async fn publish(&mut self, sub_topic: &str, payload: Value) {
        self.client
            .publish(
                format!("{ROOT}{sub_topic}"),
                QoS::AtLeastOnce,
                false,
                payload.to_string(),
            )
            .await
            .unwrap();
        let ack = tokio::time::timeout(Duration::from_secs(5), self.events.recv())
            .await
            .unwrap_or_else(|_| panic!("{}: no PUBACK for {sub_topic} within 5 s", self.user));
        assert!(
            matches!(ack, Some(Ok(pkid)) if pkid > 0),
            "{}: PUBACK for {sub_topic}, connection kept; got {ack:?}",
            self.user
        );
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Asserts `sub` gets nothing for a second after the denied publishes (all PUBACKed,
/// so processed), then publishes a control message on an allowed topic through `via`
/// and asserts it is the very next thing `sub` receives: the broker delivers in order,
/// so the denied publishes were dropped, not delayed.
pub async fn nothing_then_control(
    sub: &mut Sub,
    what: &str,
    via: &mut Device,
    control_topic: &str,
    control_id: &str,
) {
    let early = sub.drain(1000).await;
    assert!(
        early.is_empty(),
        "{what}: denied publishes delivered: {early:?}"
    );
    via.publish(
        control_topic,
        json!({"action": "call_next", "press_id": control_id}),
    )
    .await;
    let next = tokio::time::timeout(Duration::from_secs(5), sub.rx.recv())
        .await
        .unwrap_or_else(|_| panic!("{what}: control message did not arrive"))
        .unwrap();
    assert_eq!(
        (next.0, next.2["press_id"].clone()),
        (format!("{ROOT}{control_topic}"), json!(control_id)),
        "{what}: the control message is the first thing delivered"
    );
}

/// CONNECT and return the outcome of the CONNACK.
pub async fn login(port: u16, creds: Option<(&str, &str)>) -> Result<(), ConnectionError> {
    let mut o = MqttOptions::new(format!("acl-login-{}", hex_id()), "127.0.0.1", port);
    if let Some((u, p)) = creds {
        o.set_credentials(u, p);
    }
    connack(o).await
}

pub fn assert_refused(r: Result<(), ConnectionError>, what: &str) {
    assert!(
        matches!(
            r,
            Err(ConnectionError::ConnectionRefused(
                ConnectReturnCode::NotAuthorized | ConnectReturnCode::BadUserNamePassword
            ))
        ),
        "{what} is refused at CONNACK; got {r:?}"
    );
}
