//! Identity assertions end to end: a hall config with one provider per algorithm (PEM and
//! JWKS keys from `tests/fixtures/identity/`, made once with openssl), assertions signed
//! here with the matching private keys, and what `Identity::verify` makes of them; the
//! development provider's key, its HTTP route and page; the `Citizen` extractor.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use hallq_controller::api::dev_identity as dev;
use hallq_controller::api::AppState;
use hallq_controller::identity::{Citizen, Identity, IdentityError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

#[path = "identity/data.rs"]
mod data;
#[path = "identity/http.rs"]
mod http;

/// 2026-03-02T09:00:00+08:00.
const NOW: i64 = 1_772_413_200;
const ID: &str = "11010519491231002X";
const PHONE: &str = "13800000000";

const CITY: &str = "https://city.example/idp";
const WECHAT: &str = "wechat-12345-idp";
const BANK: &str = "unionpay-idp";
const RSA_JWKS: &str = "rsa-jwks-idp";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/identity")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// A small hall with one bookable service and four providers (none when the extra
/// lines enable the development provider: the config never allows both).
fn hall(identity_extra: &str) -> String {
    let hall = providers(identity_extra);
    if identity_extra.contains("dev_provider = true") {
        hall[..hall.find("[[identity.providers]]").unwrap()].to_string()
    } else {
        hall
    }
}

fn providers(identity_extra: &str) -> String {
    format!(
        r#"[hall]
id = "test-hall"
name = "测试大厅"

[hall.hours]
open = "08:30"
close = "17:30"

[[sections]]
id = "civil"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
prefix = "A"

[sections.services.booking]
capacity = 5

[[windows]]
id = "w1"
name = "1号窗口"
services = ["marriage"]

[identity]
{identity_extra}

[[identity.providers]]
id = "city"
channel = "city-app"
issuer = "{CITY}"
audience = "test-hall"
algorithm = "EdDSA"
public_key_pem = '''
{ed}'''
methods = ["face", "mps_eid"]

[[identity.providers]]
id = "wechat"
channel = "wechat-12345"
issuer = "{WECHAT}"
audience = "test-hall"
algorithm = "ES256"
jwks_file = "{es_jwks}"
methods = ["face", "alipay_face"]

[[identity.providers]]
id = "bank"
channel = "unionpay"
issuer = "{BANK}"
audience = "test-hall"
algorithm = "RS256"
public_key_pem = '''
{rsa}'''
methods = ["unionpay"]

[[identity.providers]]
id = "rsa-jwks"
channel = "rsa-app"
issuer = "{RSA_JWKS}"
audience = "test-hall"
algorithm = "RS256"
jwks_file = "{rs_jwks}"
methods = ["face"]
"#,
        ed = read("ed25519.pub.pem"),
        rsa = read("rs256.pub.pem"),
        es_jwks = fixture("es256.jwks.json").display(),
        rs_jwks = fixture("rs256.jwks.json").display(),
    )
}

fn settings(identity_extra: &str) -> hallq_config::Settings {
    hallq_config::load_str("test.toml", &hall(identity_extra))
        .unwrap_or_else(|e| panic!("config: {e}"))
}

fn identity_with(identity_extra: &str) -> Identity {
    let dir = tempfile::tempdir().unwrap();
    Identity::from_config(&settings(identity_extra), dir.path()).unwrap()
}

fn identity() -> Identity {
    identity_with(r#"id_hash_key = "test-key-1""#)
}

/// Signs `claims` with a fixture private key.
fn sign(key: &str, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let pem = read(key);
    let key = match alg {
        Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .unwrap();
    let mut header = Header::new(alg);
    header.kid = kid.map(String::from);
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn claims(iss: &str, method: &str) -> Value {
    json!({
        "iss": iss, "aud": "test-hall", "iat": NOW - 10, "exp": NOW + 600,
        "name": "张三丰", "id_number": ID, "phone": PHONE, "method": method,
    })
}

fn with(mut c: Value, key: &str, v: Value) -> Value {
    c[key] = v;
    c
}

fn without(mut c: Value, key: &str) -> Value {
    c.as_object_mut().unwrap().remove(key);
    c
}

fn city(c: &Value) -> String {
    sign("ed25519.key.pem", Algorithm::EdDSA, None, c)
}

fn rejected(r: Result<Citizen, IdentityError>, fragment: &str) {
    match r {
        Err(IdentityError::Rejected(m)) => {
            assert!(m.contains(fragment), "{m:?} lacks {fragment:?}")
        }
        other => panic!("expected Rejected({fragment}), got {other:?}"),
    }
}

fn bad_data(r: Result<Citizen, IdentityError>, fragment: &str) {
    match r {
        Err(IdentityError::BadData(m)) => {
            assert!(m.contains(fragment), "{m:?} lacks {fragment:?}");
            assert!(!m.contains("11010519"), "{m}");
            assert!(!m.contains("1380000"), "{m}");
        }
        other => panic!("expected BadData({fragment}), got {other:?}"),
    }
}

#[test]
fn accepts_each_algorithm_and_key_source() {
    let id = identity();
    let cases = [
        (city(&claims(CITY, "face")), "city-app", "face"),
        (
            sign(
                "es256.key.pem",
                Algorithm::ES256,
                Some("k1"),
                &claims(WECHAT, "alipay_face"),
            ),
            "wechat-12345",
            "alipay_face",
        ),
        (
            // The JWKS's other key, picked by kid.
            sign(
                "es256-other.key.pem",
                Algorithm::ES256,
                Some("k2"),
                &claims(WECHAT, "face"),
            ),
            "wechat-12345",
            "face",
        ),
        (
            // No kid: every key of the set is tried.
            sign(
                "es256.key.pem",
                Algorithm::ES256,
                None,
                &claims(WECHAT, "face"),
            ),
            "wechat-12345",
            "face",
        ),
        (
            sign(
                "rs256.key.pem",
                Algorithm::RS256,
                None,
                &claims(BANK, "unionpay"),
            ),
            "unionpay",
            "unionpay",
        ),
        (
            sign(
                "rs256.key.pem",
                Algorithm::RS256,
                Some("r1"),
                &claims(RSA_JWKS, "face"),
            ),
            "rsa-app",
            "face",
        ),
    ];
    for (jwt, channel, method) in cases {
        let c = id
            .verify(&jwt, NOW)
            .unwrap_or_else(|e| panic!("{channel}: {e}"));
        assert_eq!(c.channel, channel);
        assert_eq!(c.method, method);
        assert_eq!(c.id_masked, "1101**********002X");
        assert_eq!(c.name_masked, "张*丰");
        assert_eq!(c.phone_masked, "138****0000");
        assert_eq!(c.id_hash, id.hash_id(ID).unwrap());
    }
}

#[test]
fn times_exp_required_with_leeway() {
    let id = identity();
    let base = claims(CITY, "face");
    assert!(id
        .verify(&city(&with(base.clone(), "exp", json!(NOW - 30))), NOW)
        .is_ok());
    rejected(
        id.verify(&city(&with(base.clone(), "exp", json!(NOW - 61))), NOW),
        "实名凭证已过期",
    );
    rejected(id.verify(&city(&base), NOW + 3600), "expired");
    rejected(id.verify(&city(&without(base.clone(), "exp")), NOW), "exp");
    rejected(
        id.verify(&city(&with(base.clone(), "exp", json!("tomorrow"))), NOW),
        "exp",
    );
    rejected(
        id.verify(&city(&with(base.clone(), "nbf", json!(NOW + 600))), NOW),
        "not valid yet",
    );
    rejected(
        id.verify(&city(&with(base.clone(), "iat", json!(NOW + 600))), NOW),
        "future",
    );
    // iat is required (the lifetime exp - iat is capped).
    rejected(id.verify(&city(&without(base.clone(), "iat")), NOW), "iat");

    // An assertion accepted once is remembered, but never beyond its own times: the same
    // token is refused after its expiry, and before its nbf when the clock goes back.
    let once = city(&with(base, "nbf", json!(NOW - 10)));
    let exp = NOW + 600; // as `claims` sets it
    assert!(id.verify(&once, NOW).is_ok());
    assert!(id.verify(&once, NOW).is_ok(), "accepted again from memory");
    assert!(id.verify(&once, exp + 60).is_ok(), "within the leeway");
    rejected(id.verify(&once, exp + 61), "expired");
    rejected(id.verify(&once, NOW - 100), "not valid yet");
    assert!(id.verify(&once, NOW + 1).is_ok());
}

#[test]
fn issuers_keys_and_algorithms() {
    let id = identity();
    rejected(
        id.verify(&city(&claims("https://evil.example", "face")), NOW),
        "不受信任的签发方 / untrusted issuer",
    );
    rejected(
        id.verify(&city(&without(claims(CITY, "face"), "iss")), NOW),
        "iss",
    );
    // Right issuer, someone else's key.
    let forged = sign(
        "ed25519-other.key.pem",
        Algorithm::EdDSA,
        None,
        &claims(CITY, "face"),
    );
    rejected(id.verify(&forged, NOW), "签名无效 / bad signature");
    let forged = sign(
        "es256-other.key.pem",
        Algorithm::ES256,
        Some("k1"),
        &claims(WECHAT, "face"),
    );
    rejected(id.verify(&forged, NOW), "bad signature");
    rejected(
        id.verify(
            &sign(
                "es256.key.pem",
                Algorithm::ES256,
                Some("k9"),
                &claims(WECHAT, "face"),
            ),
            NOW,
        ),
        "unknown key id",
    );
    // A valid token whose payload is swapped for another.
    let good = city(&claims(CITY, "face"));
    let other = city(&with(claims(CITY, "face"), "name", json!("李四")));
    let mut parts: Vec<&str> = good.split('.').collect();
    parts[1] = other.split('.').nth(1).unwrap();
    rejected(id.verify(&parts.join("."), NOW), "bad signature");
    // Algorithm other than the provider's.
    rejected(
        id.verify(
            &sign(
                "es256.key.pem",
                Algorithm::ES256,
                None,
                &claims(CITY, "face"),
            ),
            NOW,
        ),
        "algorithm",
    );
    rejected(
        id.verify(
            &sign(
                "rs256.key.pem",
                Algorithm::RS256,
                None,
                &claims(WECHAT, "face"),
            ),
            NOW,
        ),
        "algorithm",
    );
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(CITY, "face"),
        &EncodingKey::from_secret(read("ed25519.pub.pem").as_bytes()),
    )
    .unwrap();
    rejected(id.verify(&hs, NOW), "algorithm");
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        good.split('.').nth(1).unwrap()
    );
    rejected(id.verify(&none, NOW), "JWT");
    let none_sig = format!("{}x", none);
    rejected(id.verify(&none_sig, NOW), "algorithm");
    for junk in ["", "abc", "a.b.c", "a.b", &"x".repeat(9000)] {
        assert!(
            matches!(id.verify(junk, NOW), Err(IdentityError::Rejected(_))),
            "{junk:.20}"
        );
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn methods_must_be_accepted_by_the_provider() {
    let id = identity();
    rejected(
        id.verify(&city(&claims(CITY, "unionpay")), NOW),
        "认证方式不被接受 / method \"unionpay\" not accepted",
    );
    rejected(
        id.verify(
            &sign(
                "rs256.key.pem",
                Algorithm::RS256,
                None,
                &claims(BANK, "face"),
            ),
            NOW,
        ),
        "not accepted",
    );
    assert_eq!(
        id.verify(&city(&claims(CITY, "mps_eid")), NOW)
            .unwrap()
            .method,
        "mps_eid"
    );
}

#[test]
fn missing_claims_are_named() {
    let id = identity();
    let c = without(without(claims(CITY, "face"), "phone"), "name");
    rejected(id.verify(&city(&c), NOW), "name, phone");
    rejected(
        id.verify(&city(&without(claims(CITY, "face"), "method")), NOW),
        "method",
    );
    rejected(
        id.verify(
            &city(&with(claims(CITY, "face"), "id_number", json!(110105))),
            NOW,
        ),
        "id_number",
    );
}

#[test]
fn bad_data_is_refused_without_repeating_it() {
    let id = identity();
    let c = |k: &str, v: &str| city(&with(claims(CITY, "face"), k, json!(v)));
    bad_data(
        id.verify(&c("id_number", "110105194912310021"), NOW),
        "校验位",
    );
    // 1949-02-30 does not exist (check character recomputed so only the date is wrong).
    bad_data(
        id.verify(&c("id_number", "110105194902300020"), NOW),
        "出生日期",
    );
    bad_data(id.verify(&c("id_number", "1101051949123100"), NOW), "18");
    bad_data(id.verify(&c("phone", "12800000000"), NOW), "手机号码无效");
    bad_data(id.verify(&c("phone", "1380000000"), NOW), "手机号码无效");
    // The lower-case x is the same person.
    let lower = id
        .verify(&c("id_number", "11010519491231002x"), NOW)
        .unwrap();
    assert_eq!(lower.id_hash, id.hash_id(ID).unwrap());
    assert!(matches!(
        id.hash_id("110105194912310021"),
        Err(IdentityError::BadData(_))
    ));
}

#[test]
fn the_account_at_the_provider_is_kept_for_notifications() {
    let id = identity();
    let c = id
        .verify(
            &city(&with(claims(CITY, "face"), "sub", json!("u-88c1f0"))),
            NOW,
        )
        .unwrap();
    assert_eq!(
        (c.provider.as_str(), c.subject.as_deref()),
        ("city", Some("u-88c1f0"))
    );
    let c = id.verify(&city(&claims(CITY, "face")), NOW).unwrap();
    assert_eq!((c.provider.as_str(), c.subject), ("city", None));
    for bad in [json!("a\nb"), json!(""), json!(42), json!("x".repeat(257))] {
        rejected(
            id.verify(&city(&with(claims(CITY, "face"), "sub", bad)), NOW),
            "sub must be",
        );
    }
}
