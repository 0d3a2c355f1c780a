//! What becomes of the data in an assertion: the keyed hash of the ID number, its key,
//! nothing showing the clear number, and the development provider's signing.

use super::*;

#[test]
fn the_hash_is_stable_and_keyed() {
    let a = identity();
    let h = a.hash_id(ID).unwrap();
    assert_eq!(h.len(), 64);
    assert!(h
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(h, identity().hash_id(ID).unwrap(), "same key, same hash");
    assert_eq!(h, a.hash_id(&ID.to_lowercase()).unwrap());
    let b = identity_with(r#"id_hash_key = "test-key-2""#);
    assert_ne!(h, b.hash_id(ID).unwrap(), "another key, another hash");
    assert_ne!(
        a.hash_id(ID).unwrap(),
        a.hash_id("440524198001010013").unwrap()
    );
    assert!(!h.contains("11010519"));
}

#[test]
fn the_key_may_come_from_the_environment() {
    // Cargo sets CARGO_PKG_NAME for the test process; the variable wins over id_hash_key.
    let Ok(value) = std::env::var("CARGO_PKG_NAME") else {
        return;
    };
    let from_env = identity_with(
        r#"id_hash_key_env = "CARGO_PKG_NAME"
id_hash_key = "ignored""#,
    );
    let direct = identity_with(&format!("id_hash_key = {value:?}"));
    assert_eq!(from_env.hash_id(ID).unwrap(), direct.hash_id(ID).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(r#"id_hash_key_env = "HALLQ_TEST_SURELY_UNSET_ID_KEY_5E1B""#);
    match Identity::from_config(&cfg, dir.path()) {
        Err(IdentityError::Config(m)) => {
            assert!(m.contains("HALLQ_TEST_SURELY_UNSET_ID_KEY_5E1B"), "{m}")
        }
        other => panic!("expected a config error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn bad_provider_keys_fail_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        hall(r#"id_hash_key = "k""#).replacen("algorithm = \"EdDSA\"", "algorithm = \"ES256\"", 1);
    let cfg = hallq_config::load_str("t.toml", &text).unwrap();
    let e = Identity::from_config(&cfg, dir.path()).err().unwrap();
    assert!(
        matches!(&e, IdentityError::Config(m) if m.contains("city")),
        "{e:?}"
    );
    let text = hall(r#"id_hash_key = "k""#).replace("es256.jwks.json", "missing.jwks.json");
    let cfg = hallq_config::load_str("t.toml", &text).unwrap();
    let e = Identity::from_config(&cfg, dir.path()).err().unwrap();
    assert!(
        matches!(&e, IdentityError::Config(m) if m.contains("missing.jwks.json")),
        "{e:?}"
    );
}

#[test]
fn nothing_shows_the_clear_number() {
    let id = identity();
    let c = id.verify(&city(&claims(CITY, "face")), NOW).unwrap();
    let shown = format!("{c:?} {id:?}");
    for secret in ["11010519491231", "13800000000", "张三丰", "test-key-1"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    for r in [
        id.verify(
            &city(&with(
                claims(CITY, "face"),
                "id_number",
                json!("110105194912310021"),
            )),
            NOW,
        ),
        id.verify(
            &city(&with(claims(CITY, "face"), "phone", json!("12345678901"))),
            NOW,
        ),
        id.verify(&city(&claims("x", "face")), NOW),
    ] {
        let e = r.unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(
            !text.contains("11010519491231") && !text.contains("12345678901"),
            "{text}"
        );
    }
}

pub(crate) fn dev_identity(dir: &Path) -> Identity {
    let cfg = settings(
        r#"id_hash_key = "test-key-1"
dev_provider = true"#,
    );
    Identity::from_config(&cfg, dir).unwrap()
}

#[test]
fn dev_sign_round_trip_and_key_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let first = dev_identity(dir.path());
    assert!(first.dev_enabled());
    let jwt = first
        .dev_sign(
            "李四",
            "11010519491231002x",
            "+86 138 0000 0000",
            Some("mps_eid"),
            NOW,
        )
        .unwrap();
    let c = first.verify(&jwt, NOW).unwrap();
    assert_eq!(
        (
            c.channel.as_str(),
            c.method.as_str(),
            c.name_masked.as_str()
        ),
        ("dev", "mps_eid", "李*")
    );
    assert_eq!(c.id_hash, first.hash_id(ID).unwrap());
    assert_eq!(c.phone_masked, "138****0000");
    // Valid for the lifetime cap (identity.max_assertion_minutes, 30 by default).
    assert_eq!(first.dev_lifetime_s(), 30 * 60);
    assert!(first.verify(&jwt, NOW + 30 * 60).is_ok());
    rejected(first.verify(&jwt, NOW + 30 * 60 + 61), "expired");
    // Method defaults to face.
    let jwt2 = first.dev_sign("李四", ID, PHONE, None, NOW).unwrap();
    assert_eq!(first.verify(&jwt2, NOW).unwrap().method, "face");

    let key_file = dir.path().join(hallq_controller::identity::DEV_KEY_FILE);
    let pem = std::fs::read_to_string(&key_file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A restart with the same data dir keeps the key: old assertions still verify.
    let second = dev_identity(dir.path());
    assert_eq!(second.verify(&jwt, NOW).unwrap(), c);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), pem);
    // Another data dir, another key.
    let other = tempfile::tempdir().unwrap();
    rejected(
        dev_identity(other.path()).verify(&jwt, NOW),
        "bad signature",
    );
    // Without the dev provider, its assertions come from an untrusted issuer.
    rejected(identity().verify(&jwt, NOW), "untrusted issuer");
}

#[test]
fn dev_sign_validates_first() {
    let dir = tempfile::tempdir().unwrap();
    let id = dev_identity(dir.path());
    let err = |r: Result<String, IdentityError>| match r {
        Err(IdentityError::BadData(m)) => m,
        other => panic!("expected BadData, got {other:?}"),
    };
    assert!(err(id.dev_sign("李四", "110105194912310021", PHONE, None, NOW)).contains("校验位"));
    assert!(err(id.dev_sign("李四", ID, "1234", None, NOW)).contains("手机"));
    assert!(err(id.dev_sign("", ID, PHONE, None, NOW)).contains("姓名"));
    assert!(err(id.dev_sign("李四", ID, PHONE, Some("telepathy"), NOW)).contains("telepathy"));
    assert!(matches!(
        identity().dev_sign("李四", ID, PHONE, None, NOW),
        Err(IdentityError::Config(_))
    ));
}
