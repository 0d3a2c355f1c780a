//! Logins on the default embedded broker, as the installer reads them in hallq's log
//! (issue 20), against the real `hallq run` of the demo hall:
//! - a refused login (wrong password, unknown user, no client id, no login) is logged with
//!   its reason, the user and the peer address, once however often the client retries
//!   (then at most once a minute with a count: `controller/src/broker/refusals.rs`);
//! - normal clients that sign in and leave, cleanly or by dropping the connection, leave
//!   no ERROR line (rumqttd's "no-connection id N is already gone" is filtered out).

mod common;
use common::*;
use rumqttc::mqttbytes::v4;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends a CONNECT and returns the CONNACK's return code.
async fn connect_raw(hall: &Hall, client_id: &str, login: Option<(&str, &str)>) -> u8 {
    let mut connect = v4::Connect::new(client_id);
    if let Some((user, pass)) = login {
        connect.set_login(user, pass);
    }
    let mut out = bytes::BytesMut::new();
    connect.write(&mut out).unwrap();
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", hall.mqtt_port))
        .await
        .unwrap();
    s.write_all(&out).await.unwrap();
    let mut answer = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut answer))
        .await
        .expect("CONNACK within 5 s")
        .unwrap();
    assert_eq!(answer[..3], [0x20, 2, 0], "a CONNACK: {answer:?}");
    answer[3]
}

/// Lines of the log containing `what`.
fn lines_with(hall: &Hall, what: &str) -> Vec<String> {
    hall.log()
        .lines()
        .filter(|l| l.contains(what))
        .map(str::to_string)
        .collect()
}

/// Waits up to 5 s for a log line containing `what`.
async fn logged(hall: &Hall, what: &str) {
    for _ in 0..100 {
        if !lines_with(hall, what).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no log line with {what:?}:\n{}", hall.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_logins_are_logged_once_with_their_reason() {
    let hall = Hall::start(HallOpts::default()).await;
    const SECRET: &str = "not-the-password-4711";
    for _ in 0..5 {
        let code = connect_raw(&hall, "btn-1", Some(("button-1", SECRET))).await;
        assert_eq!(code, 4, "bad user name or password");
    }
    for _ in 0..3 {
        let code = connect_raw(&hall, "x", Some(("nobody", SECRET))).await;
        assert_eq!(code, 4, "the same answer as a wrong password");
        let code = connect_raw(&hall, "", Some(("button-2", "demo-button"))).await;
        assert_eq!(code, 2, "identifier rejected");
        let code = connect_raw(&hall, "anon", None).await;
        assert_eq!(code, 5, "not authorized");
    }
    let expected = [
        "MQTT login refused: 密码错误 / wrong password; user \"button-1\" from 127.0.0.1",
        "MQTT login refused: 未知用户 / unknown user; user \"nobody\" from 127.0.0.1",
        "MQTT login refused: 没有客户端 ID / no client id; user \"button-2\" from 127.0.0.1",
        "MQTT login refused: 没有用户名和密码 / no user name and password; no user from 127.0.0.1",
    ];
    for line in expected {
        logged(&hall, line).await;
    }
    // A little later: still one line each, and no password in the log.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for line in expected {
        let found = lines_with(&hall, line);
        assert_eq!(found.len(), 1, "{line}: {found:#?}");
        assert!(found[0].contains("WARN"), "{found:?}");
    }
    assert_eq!(
        lines_with(&hall, "MQTT login refused").len(),
        4,
        "{}",
        hall.log()
    );
    assert!(!hall.log().contains(SECRET), "a password reached the log");

    // A display that signs in is not refused.
    let mut o = MqttOptions::new("ok-display", "127.0.0.1", hall.mqtt_port);
    o.set_credentials("display", "demo-display");
    assert!(connack(o).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normal_clients_that_come_and_go_leave_no_errors() {
    let hall = Hall::start(HallOpts::default()).await;
    for i in 0..6 {
        let mut o = MqttOptions::new(format!("short-{i}"), "127.0.0.1", hall.mqtt_port);
        o.set_credentials("display", "demo-display");
        o.set_keep_alive(Duration::from_secs(5));
        let (client, mut ev) = AsyncClient::new(o, 10);
        client
            .subscribe(format!("{}calls", hall.root()), QoS::AtLeastOnce)
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if let Ok(Event::Incoming(Packet::SubAck(_))) = ev.poll().await {
                    return;
                }
            }
        })
        .await
        .expect("SUBACK within 5 s");
        if i % 2 == 0 {
            // Clean: DISCONNECT, then the socket closes.
            client.disconnect().await.unwrap();
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                while ev.poll().await.is_ok() {}
            })
            .await;
        }
        // Odd ones just drop the connection.
        drop(ev);
    }
    // Buttons' short visits: sign in and leave at once.
    for i in 0..6 {
        let code = connect_raw(
            &hall,
            &format!("btn-{i}"),
            Some(("button-1", "demo-button")),
        )
        .await;
        assert_eq!(code, 0);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let log = hall.log();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
    assert!(errors.is_empty(), "ERROR lines: {errors:#?}");
    assert!(!log.contains("MQTT login refused"), "{log}");
}
