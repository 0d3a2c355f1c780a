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

#[path = "mosquitto_acl/broker.rs"]
mod broker;
mod common;
use broker::*;
use serde_json::json;

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
        login(broker.port, Some(("button-11", BUTTON_3.1))).await,
        "an account the config does not have",
    );
}
