//! The logins other parts of hallq use on the hall's broker — `[display]` (a
//! display-client on its own) and `[led] mqtt_username` / `mqtt_password` (the LED gateway
//! on its own) — must be accounts of `[[broker.accounts]]` with that very password, or
//! the broker refuses them. Checked wherever hallq knows the broker's accounts: always on
//! the embedded broker, and on an external one when the accounts are listed
//! (`hallq mqtt acl` writes them for Mosquitto).

use crate::locate::Seg;
use crate::schema::{BrokerMode, Role, Settings};

/// One login to check.
struct Login<'a> {
    table: &'a str,
    user_key: &'a str,
    pass_key: &'a str,
    user: Option<&'a str>,
    pass: Option<&'a str>,
    role: Role,
}

/// Rule violations of the broker logins in `[display]` and `[led]`.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    if s.broker.mode == BrokerMode::External && s.broker.accounts.is_empty() {
        return;
    }
    login(
        s,
        &Login {
            table: "display",
            user_key: "username",
            pass_key: "password",
            user: s.display.username.as_deref(),
            pass: s.display.password.as_deref(),
            role: Role::Display,
        },
        p,
    );
    login(
        s,
        &Login {
            table: "led",
            user_key: "mqtt_username",
            pass_key: "mqtt_password",
            user: s.led.mqtt_username.as_deref(),
            pass: s.led.mqtt_password.as_deref(),
            role: Role::Gateway,
        },
        p,
    );
}

fn login(s: &Settings, l: &Login<'_>, p: &mut Vec<(Vec<Seg>, String)>) {
    let Some(user) = l.user else { return };
    if l.pass.is_none() && l.table == "led" {
        return; // `[led]` refuses a user name without a password by itself
    }
    let at = |key: &str| vec![Seg::Key(l.table.into()), Seg::Key(key.into())];
    let role = l.role.as_str();
    let found = s
        .broker
        .accounts
        .iter()
        .enumerate()
        .find(|(_, a)| a.username == user);
    let Some((n, account)) = found else {
        let known: Vec<&str> = s
            .broker
            .accounts
            .iter()
            .filter(|a| a.role == l.role)
            .map(|a| a.username.as_str())
            .collect();
        let hint = match known.as_slice() {
            [] => String::new(),
            names => format!(" (its {role} accounts: {})", names.join(", ")),
        };
        p.push((
            at(l.user_key),
            format!(
                "the broker has no account {user:?}, so it refuses this login{hint}: add \
                 [[broker.accounts]] with username = {user:?}, role = {role:?} and \
                 password_sha256 = the output of `hallq hash` of {}.{}",
                l.table, l.pass_key
            ),
        ));
        return;
    };
    if account.role != l.role {
        p.push((
            at(l.user_key),
            format!(
                "broker.accounts[{n}] ({user:?}) has role {:?}: this login needs an account \
                 with role = {role:?}",
                account.role.as_str()
            ),
        ));
    }
    match l.pass {
        None => p.push((
            at(l.user_key),
            format!(
                "set {}.{} too: the broker refuses {user:?} without its password",
                l.table, l.pass_key
            ),
        )),
        Some(pw) if crate::secret::sha256_hex(pw) != account.password_sha256 => p.push((
            at(l.pass_key),
            format!(
                "does not match broker.accounts[{n}].password_sha256 ({user:?}), so the broker \
                 refuses this login: correct the password, or set password_sha256 to what \
                 `hallq hash` prints for it"
            ),
        )),
        _ => {}
    }
}
