//! Refused MQTT logins, as the front logs them: why (a [`Refusal`], more precise than the
//! CONNACK code the client gets) and how often, once per (user, peer address, reason) with
//! [`Repeats`]: the first at once, then at most once a minute with the count, so a
//! misconfigured button retrying every second leaves one line a minute, not sixty.
//!
//! Bounded: at most [`MAX_TRACKED`] (user, address, reason) triples are remembered (a flood
//! of made-up user names cannot grow memory; when full, the memory starts over and each
//! triple is reported once more), and user names are cut to [`MAX_USER_CHARS`] characters
//! and printed escaped.

use hallq_mqtt::repeats::Repeats;
use rumqttc::mqttbytes::v4::ConnectReturnCode;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// (user, address, reason) triples remembered at once.
pub const MAX_TRACKED: usize = 1024;
/// Characters of a user name kept and logged.
pub const MAX_USER_CHARS: usize = 64;

/// Why a CONNECT was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Not MQTT 3.1.1.
    Protocol,
    /// An empty client id.
    NoClientId,
    /// No user name and password.
    NoLogin,
    /// A user name that is not a configured account.
    UnknownUser,
    /// The account's password does not match.
    WrongPassword,
    /// A last will on a topic the account may not publish.
    WillNotAllowed,
}

impl Refusal {
    /// The CONNACK code the client is sent (an unknown user and a wrong password get the
    /// same, so the answer does not tell which accounts exist).
    pub const fn code(self) -> ConnectReturnCode {
        match self {
            Self::Protocol => ConnectReturnCode::RefusedProtocolVersion,
            Self::NoClientId => ConnectReturnCode::BadClientId,
            Self::NoLogin | Self::WillNotAllowed => ConnectReturnCode::NotAuthorized,
            Self::UnknownUser | Self::WrongPassword => ConnectReturnCode::BadUserNamePassword,
        }
    }

    /// In plain words, Chinese / English.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::Protocol => "协议版本不支持 / not MQTT 3.1.1",
            Self::NoClientId => "没有客户端 ID / no client id",
            Self::NoLogin => "没有用户名和密码 / no user name and password",
            Self::UnknownUser => "未知用户 / unknown user",
            Self::WrongPassword => "密码错误 / wrong password",
            Self::WillNotAllowed => {
                "遗嘱主题不允许 / last will on a topic the account may not publish"
            }
        }
    }
}

type Key = (Option<String>, IpAddr, Refusal);

/// The refusals seen, per (user, address, reason).
#[derive(Debug, Default)]
pub struct Refusals {
    seen: Mutex<HashMap<Key, Repeats>>,
}

impl Refusals {
    /// Notes a refusal; `Some(line)` when it is to be logged now.
    pub fn note(&self, user: Option<&str>, peer: IpAddr, why: Refusal) -> Option<String> {
        let user = user.map(|u| u.chars().take(MAX_USER_CHARS).collect::<String>());
        let n = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let key = (user.clone(), peer, why);
            if seen.len() >= MAX_TRACKED && !seen.contains_key(&key) {
                seen.clear();
            }
            seen.entry(key).or_insert_with(Repeats::per_minute).note()?
        };
        let who = user.map_or_else(|| "no user".to_string(), |u| format!("user {u:?}"));
        let times = if n > 1 {
            format!("（一分钟内 {n} 次 / {n} times in the last minute）")
        } else {
            String::new()
        };
        Some(format!(
            "MQTT 登录被拒绝 / MQTT login refused: {}; {who} from {peer}{times}",
            why.reason()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_user_address_and_reason() {
        let r = Refusals::default();
        let ip: IpAddr = [10, 0, 0, 7].into();
        let line = r
            .note(Some("button-1"), ip, Refusal::WrongPassword)
            .unwrap();
        assert_eq!(
            line,
            "MQTT 登录被拒绝 / MQTT login refused: 密码错误 / wrong password; user \"button-1\" from 10.0.0.7"
        );
        assert_eq!(r.note(Some("button-1"), ip, Refusal::WrongPassword), None);
        // Another reason, address or user is another line.
        assert!(r
            .note(Some("button-1"), ip, Refusal::WillNotAllowed)
            .is_some());
        assert!(r
            .note(
                Some("button-1"),
                [10, 0, 0, 8].into(),
                Refusal::WrongPassword
            )
            .is_some());
        assert!(r
            .note(None, ip, Refusal::NoLogin)
            .unwrap()
            .contains("no user from"));
    }

    #[test]
    fn names_are_cut_and_escaped_and_memory_is_bounded() {
        let r = Refusals::default();
        let ip: IpAddr = [10, 0, 0, 7].into();
        let long = format!("evil\n{}", "x".repeat(500));
        let line = r.note(Some(&long), ip, Refusal::UnknownUser).unwrap();
        assert!(
            line.contains("\"evil\\nxxx") && !line.contains('\n'),
            "{line}"
        );
        assert!(line.len() < 200, "{line}");
        for i in 0..(MAX_TRACKED * 3) {
            let _ = r.note(Some(&format!("u{i}")), ip, Refusal::UnknownUser);
        }
        assert!(r.seen.lock().unwrap().len() <= MAX_TRACKED);
    }

    #[test]
    fn the_client_cannot_tell_an_unknown_user_from_a_wrong_password() {
        assert_eq!(Refusal::UnknownUser.code(), Refusal::WrongPassword.code());
    }
}
