//! Unit tests of the answers' short forms, times and addresses.

use super::*;

#[test]
fn short_forms() {
    assert_eq!(
        service("general:consult:a:综合 咨询").unwrap(),
        Service {
            section: "general".into(),
            id: "consult".into(),
            prefix: 'A',
            name: "综合 咨询".into()
        }
    );
    assert!(service("general:consult:AB:x").unwrap_err().contains("A–Z"));
    assert!(service("general:consult:A")
        .unwrap_err()
        .contains("SECTION:ID"));
    let w = window("3:a,b").unwrap();
    assert_eq!((w.name.as_str(), w.services.len()), ("3号窗口", 2));
    assert!(clerk("zhang:*").unwrap().windows.is_empty());
    assert_eq!(clerk("li:1,2:李四").unwrap().name.as_deref(), Some("李四"));
    assert!(clerk("li si:1").is_err());
    assert!(section("x y:名称").is_err());
    assert_eq!(admin("boss:主任").unwrap().username, "boss");
}

#[test]
fn times_and_days() {
    assert!(periods("9:00-12:00").unwrap_err().contains("HH:MM-HH:MM"));
    assert_eq!(
        periods(" 09:00-12:00 , 14:30-17:30").unwrap(),
        ["09:00-12:00", "14:30-17:30"]
    );
    assert_eq!(periods("00:00-24:00").unwrap(), ["00:00-24:00"]);
    assert!(periods("12:00-09:00").is_err());
    assert!(periods("09:00-12:00,11:00-13:00")
        .unwrap_err()
        .contains("starts before the previous period ends"));
    assert!(time_zone("Mars/Base")
        .unwrap_err()
        .contains("unknown time zone \"Mars/Base\""));
    assert_eq!(time_zone(" Asia/Urumqi ").unwrap(), "Asia/Urumqi");
    assert_eq!(days("Mon,fri").unwrap(), ["mon", "fri"]);
    assert!(days("monday").is_err());
    assert!(env_name("HALLQ_ID_HASH_KEY").is_ok());
    assert!(env_name("1KEY").is_err() && env_name("key").is_err());
}

#[test]
fn addresses() {
    let a = address(None, Some("http://192.168.1.10:8080/")).unwrap();
    assert_eq!(a.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(
        a.public_base_url.as_deref(),
        Some("http://192.168.1.10:8080")
    );
    assert_eq!(
        address(None, None).unwrap().listen.to_string(),
        "127.0.0.1:8080"
    );
    assert!(address(Some("0.0.0.0:8080"), None).is_err());
    assert!(address(Some("0.0.0.0:8080"), Some("http://127.0.0.1:8080")).is_err());
    assert_eq!(listen_of(None, "http://localhost:9000"), "127.0.0.1:9000");
    assert!(address(None, Some("ftp://x")).is_err());
    assert!(address(None, Some("http://x:80/path")).is_err());
    // hallq speaks plain HTTP: behind an https address, its own listener is asked for.
    assert!(address(None, Some("https://hall.example.org")).is_err());
    assert_eq!(
        listen_of(Some("127.0.0.1:8080"), "https://hall.example.org"),
        "127.0.0.1:8080"
    );
    // A loopback URL is listened on as written; the unspecified address is no link.
    assert_eq!(listen_of(None, "http://[::1]:8080"), "[::1]:8080");
    assert!(address(None, Some("http://0.0.0.0:8080")).is_err());
    assert!(address(Some("0.0.0.0:8080"), Some("http://[::]:8080")).is_err());
}

/// The listener `address` settles on for `listen` and `url`.
fn listen_of(listen: Option<&str>, url: &str) -> String {
    address(listen, Some(url)).unwrap().listen.to_string()
}
