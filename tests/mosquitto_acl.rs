//! Broker accounts and ACL against a real Mosquitto (issue 7).
//!
//! Each test starts its own Mosquitto on a free loopback port, configured from the shipped
//! `deploy/mosquitto/mosquitto.conf` (port and file paths swapped for temporary ones, plus
//! `persistence false`), with the password file and ACL built by the shipped
//! `deploy/mosquitto/make-passwd.sh` (which runs `mosquitto_passwd -b`). Real rumqttc
//! clients (MQTT 3.1.1) then sign in as the controller, the LED gateway, a display and the
//! call buttons of windows 3 and 4.
//!
//! Mosquitto drops a publish its ACL denies without telling an MQTT 3.1.1 client (a QoS 1
//! publish is still PUBACKed). So a denial is proven by ordering: the denied publishes are
//! PUBACKed, a subscriber that may read everything sees nothing for a second, and then a
//! control message published afterwards on an allowed topic does arrive — and is the first
//! thing that arrives.
//!
//! Skips with a printed notice when `mosquitto` or `mosquitto_passwd` is not installed.

mod common;
use common::*;
use rumqttc::{AsyncClient, ConnectReturnCode, ConnectionError, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/mosquitto");
const ROOT: &str = "hallq/v1/haikou/";

const CONTROLLER: (&str, &str) = ("hallq-controller", "test-controller-pw");
const GATEWAY: (&str, &str) = ("gateway", "test-gateway-pw");
const DISPLAY: (&str, &str) = ("display", "test-display-pw");
const BUTTON_3: (&str, &str) = ("button-3", "test-button-3-pw");
const BUTTON_4: (&str, &str) = ("button-4", "test-button-4-pw");

/// `mosquitto_passwd`, from the usual places or `PATH`.
fn passwd_bin() -> Option<String> {
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

fn skip(why: &str) {
    println!("skipped: {why} (ACL test)");
    eprintln!("skipped: {why} (ACL test)");
}

/// Our own Mosquitto with the hallq accounts and ACL.
struct Broker {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// Where make-passwd.sh takes the accounts from.
enum Accounts {
    /// The standard accounts and the call buttons of windows 3 and 4.
    Windows,
    /// The demo config's accounts, through `hallq mqtt acl --config`.
    DemoConfig,
}

impl Broker {
    /// Builds passwd + acl with make-passwd.sh for windows 3 and 4, then starts Mosquitto
    /// on a free port (a new one if another process took the first between pick and bind).
    async fn start() -> Option<Self> {
        Self::start_with(Accounts::Windows).await
    }

    /// As [`Broker::start`], with the accounts from `accounts`.
    async fn start_with(accounts: Accounts) -> Option<Self> {
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

    async fn sub(&self, login: (&str, &str), filter: &str) -> Sub {
        Sub::connect("127.0.0.1", self.port, Some(login), filter).await
    }

    async fn device(&self, login: (&str, &str)) -> Device {
        Device::connect(self.port, login).await
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The shipped snippet with the listener moved to `127.0.0.1:port` and the files in `dir`.
fn test_conf(snippet: &str, port: u16, dir: &Path) -> String {
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
struct Device {
    user: String,
    client: AsyncClient,
    events: mpsc::UnboundedReceiver<Result<u16, String>>,
    task: tokio::task::JoinHandle<()>,
}

impl Device {
    async fn connect(port: u16, (user, pass): (&str, &str)) -> Self {
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
    async fn publish(&mut self, sub_topic: &str, payload: Value) {
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
async fn nothing_then_control(
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
async fn login(port: u16, creds: Option<(&str, &str)>) -> Result<(), ConnectionError> {
    let mut o = MqttOptions::new(format!("acl-login-{}", hex_id()), "127.0.0.1", port);
    if let Some((u, p)) = creds {
        o.set_credentials(u, p);
    }
    let (_client, mut ev) = AsyncClient::new(o, 10);
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    })
    .await
    .expect("CONNACK within 5 s")
}

fn assert_refused(r: Result<(), ConnectionError>, what: &str) {
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

#[tokio::test]
async fn a_call_button_publishes_only_its_own_window_topic() {
    let Some(broker) = Broker::start().await else {
        return;
    };
    // The controller may read everything, so it sees any publish that gets through.
    let mut watch = broker.sub(CONTROLLER, "hallq/v1/#").await;
    let mut b3 = broker.device(BUTTON_3).await;

    b3.publish(
        "buttons/3",
        json!({"action": "call_next", "press_id": "p1"}),
    )
    .await;
    let (topic, _, v) = watch
        .wait(5, |_, _| true)
        .await
        .expect("button-3's own publish delivered");
    assert_eq!(topic, format!("{ROOT}buttons/3"));
    assert_eq!(v, json!({"action": "call_next", "press_id": "p1"}));

    // Everything else is dropped: another window's button, a deeper topic, the
    // controller's topics (a button must not fake calls or window state).
    for t in [
        "buttons/4",
        "buttons/3/x",
        "buttons/34",
        "calls",
        "windows/3",
    ] {
        b3.publish(t, json!({"action": "call_next", "press_id": "denied"}))
            .await;
    }
    nothing_then_control(&mut watch, "button-3", &mut b3, "buttons/3", "control-1").await;

    // The other button has its own topic.
    let mut b4 = broker.device(BUTTON_4).await;
    b4.publish(
        "buttons/3",
        json!({"action": "call_next", "press_id": "denied"}),
    )
    .await;
    nothing_then_control(&mut watch, "button-4", &mut b4, "buttons/4", "control-2").await;
}

#[tokio::test]
async fn displays_and_the_gateway_subscribe_but_cannot_publish() {
    let Some(broker) = Broker::start().await else {
        return;
    };
    let mut watch = broker.sub(CONTROLLER, "hallq/v1/#").await;
    let mut display_sub = broker.sub(DISPLAY, &format!("{ROOT}#")).await;
    let mut gateway_sub = broker.sub(GATEWAY, "hallq/v1/+/calls").await;
    // A button has no read rule: subscribing gets it nothing.
    let mut button_sub = broker.sub(BUTTON_3, "hallq/v1/#").await;

    let mut display = broker.device(DISPLAY).await;
    let mut gateway = broker.device(GATEWAY).await;
    let call = json!({"number": "A001", "window": "3", "press_id": "fake"});
    display.publish("calls", call.clone()).await;
    display.publish("buttons/3", call.clone()).await;
    gateway.publish("calls", call.clone()).await;
    gateway.publish("windows/3", call).await;

    let mut controller = broker.device(CONTROLLER).await;
    nothing_then_control(
        &mut watch,
        "display/gateway publish",
        &mut controller,
        "calls",
        "control",
    )
    .await;

    // The controller's call reaches both read-only accounts, and nothing before it.
    for (who, sub) in [("display", &mut display_sub), ("gateway", &mut gateway_sub)] {
        let (topic, _, v) = sub
            .wait(5, |_, _| true)
            .await
            .unwrap_or_else(|| panic!("{who} receives the call"));
        assert_eq!(topic, format!("{ROOT}calls"), "{who}");
        assert_eq!(
            v["press_id"], "control",
            "{who} sees the controller's call, nothing of the denied ones"
        );
    }
    let leaked = button_sub.drain(500).await;
    assert!(leaked.is_empty(), "a button reads nothing: {leaked:?}");
}

#[tokio::test]
async fn anonymous_and_wrong_password_logins_are_refused() {
    let Some(broker) = Broker::start().await else {
        return;
    };
    let port = broker.port;
    assert_refused(login(port, None).await, "anonymous");
    assert_refused(
        login(port, Some(("display", "wrong"))).await,
        "display with a wrong password",
    );
    assert_refused(
        login(port, Some(("button-4", BUTTON_3.1))).await,
        "button-4 with button-3's password",
    );
    assert_refused(
        login(port, Some(("button-9", BUTTON_3.1))).await,
        "an account that does not exist",
    );
    assert_refused(
        login(port, Some(("hallq-controller", ""))).await,
        "an empty password",
    );
    for who in [CONTROLLER, GATEWAY, DISPLAY, BUTTON_3, BUTTON_4] {
        assert!(login(port, Some(who)).await.is_ok(), "{} signs in", who.0);
    }
}

/// The read-only accounts never receive a button press, whatever they subscribe to;
/// the calls the controller publishes still reach them.
async fn presses_reach_the_controller_only(broker: &Broker, button: (&str, &str), window: &str) {
    let mut watch = broker.sub(CONTROLLER, "hallq/v1/#").await;
    let mut display_all = broker.sub(DISPLAY, "hallq/v1/#").await;
    let mut display_buttons = broker.sub(DISPLAY, "hallq/v1/+/buttons/+").await;
    let mut b = broker.device(button).await;
    let press = format!("buttons/{window}");
    b.publish(&press, json!({"action": "call_next", "press_id": "p1"}))
        .await;
    let (topic, _, _) = watch
        .wait(5, |_, _| true)
        .await
        .expect("the controller reads the press");
    assert_eq!(topic, format!("{ROOT}{press}"));
    let mut controller = broker.device(CONTROLLER).await;
    controller
        .publish("calls", json!({"number": "A001", "press_id": "control"}))
        .await;
    let (topic, _, v) = display_all
        .wait(5, |_, _| true)
        .await
        .expect("the display receives the call");
    assert_eq!(
        (topic, v["press_id"].clone()),
        (format!("{ROOT}calls"), json!("control")),
        "the call is the first thing a display receives, no press before it"
    );
    let leaked = display_buttons.drain(500).await;
    assert!(leaked.is_empty(), "a display read a press: {leaked:?}");
}

#[tokio::test]
async fn displays_never_read_button_presses() {
    let Some(broker) = Broker::start().await else {
        return;
    };
    presses_reach_the_controller_only(&broker, BUTTON_3, "3").await;
}

/// `make-passwd.sh OUT --config demo-hall.toml`: the accounts and ACL come from the
/// config (through `hallq mqtt acl`), with the same rules.
#[tokio::test]
async fn the_acl_generated_from_the_config_holds_the_same_rules() {
    let Some(broker) = Broker::start_with(Accounts::DemoConfig).await else {
        return;
    };
    presses_reach_the_controller_only(&broker, BUTTON_3, "3").await;
    let mut watch = broker.sub(CONTROLLER, "hallq/v1/#").await;
    let mut b3 = broker.device(BUTTON_3).await;
    let mut display = broker.device(DISPLAY).await;
    b3.publish(
        "buttons/4",
        json!({"action": "call_next", "press_id": "denied"}),
    )
    .await;
    b3.publish("calls", json!({"press_id": "denied"})).await;
    display
        .publish("calls", json!({"press_id": "denied"}))
        .await;
    display
        .publish("windows/1", json!({"press_id": "denied"}))
        .await;
    nothing_then_control(
        &mut watch,
        "config accounts",
        &mut b3,
        "buttons/3",
        "control-3",
    )
    .await;
    assert_refused(
        login(broker.port, Some(("gateway", GATEWAY.1))).await,
        "an account the config does not have",
    );
}
