//! Identity assertions end to end: a hall config with one provider per algorithm (PEM and
//! JWKS keys from `tests/fixtures/identity/`, made once with openssl), assertions signed
//! here with the matching private keys, and what `Identity::verify` makes of them; the
//! development provider's key, its HTTP route and page; the `Citizen` extractor.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use hallq_controller::api::AppState;
use hallq_controller::identity::{dev, Citizen, Identity, IdentityError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

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

/// A small hall with one bookable service and four providers.
fn hall(identity_extra: &str) -> String {
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
algorithm = "EdDSA"
public_key_pem = '''
{ed}'''
methods = ["face", "mps_eid"]

[[identity.providers]]
id = "wechat"
channel = "wechat-12345"
issuer = "{WECHAT}"
algorithm = "ES256"
jwks_file = "{es_jwks}"
methods = ["face", "alipay_face"]

[[identity.providers]]
id = "bank"
channel = "unionpay"
issuer = "{BANK}"
algorithm = "RS256"
public_key_pem = '''
{rsa}'''
methods = ["unionpay"]

[[identity.providers]]
id = "rsa-jwks"
channel = "rsa-app"
issuer = "{RSA_JWKS}"
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
        "iss": iss, "iat": NOW - 10, "exp": NOW + 600,
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
    // iat is optional.
    assert!(id.verify(&city(&without(base.clone(), "iat")), NOW).is_ok());

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

fn dev_identity(dir: &Path) -> Identity {
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
    // Valid for 24 hours.
    assert!(first.verify(&jwt, NOW + 24 * 3600).is_ok());
    rejected(first.verify(&jwt, NOW + 24 * 3600 + 61), "expired");
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

// ---- HTTP: the dev routes and the extractor ----

async fn state(dev_provider: bool) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let extra = format!("id_hash_key = \"test-key-1\"\ndev_provider = {dev_provider}");
    let cfg = Arc::new(settings(&extra));
    let identity = Arc::new(Identity::from_config(&cfg, dir.path()).unwrap());
    let url = format!("sqlite://{}", dir.path().join("hallq.db").display());
    let store = hallq_controller::store::Store::connect(&url).await.unwrap();
    (AppState::new(cfg, store, identity), dir)
}

async fn whoami(c: Citizen) -> Json<Value> {
    Json(json!({"channel": c.channel, "method": c.method, "id": c.id_masked}))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/whoami", get(whoami))
        .merge(dev::dev_routes())
        .with_state(state)
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Value, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

fn post(body: &Value) -> Request<Body> {
    Request::post("/api/v1/dev/identity")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn whoami_req(auth: Option<&str>) -> Request<Body> {
    let mut r = Request::get("/api/v1/whoami");
    if let Some(a) = auth {
        r = r.header(header::AUTHORIZATION, a);
    }
    r.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn dev_route_issues_assertions_the_extractor_accepts() {
    let (st, _dir) = state(true).await;
    let app = app(st);
    let body = json!({"name": "张三", "id_number": ID, "phone": PHONE, "method": "unionpay"});
    let (status, v, _) = call(&app, post(&body)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let jwt = v["assertion"].as_str().unwrap().to_string();
    assert_eq!(v["book_url"], format!("/book#assertion={jwt}"));

    let (status, v, _) = call(&app, whoami_req(Some(&format!("Bearer {jwt}")))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"channel": "dev", "method": "unionpay", "id": "1101**********002X"})
    );

    let (status, v, _) = call(&app, whoami_req(None)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("identity_required"))
    );
    let (status, v, _) = call(&app, whoami_req(Some("Basic abc"))).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("identity_required"))
    );
    let (status, v, _) = call(&app, whoami_req(Some("Bearer not.a.jwt"))).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("identity_rejected"))
    );
    let expired = city(&with(claims(CITY, "face"), "exp", json!(1_000_000)));
    let (status, v, _) = call(&app, whoami_req(Some(&format!("Bearer {expired}")))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(v["message"].as_str().unwrap().contains("已过期"), "{v}");
    // Signed, but the number inside is wrong: 422.
    let far = chrono::Utc::now().timestamp() + 600;
    let bad = city(&with(
        with(
            claims(CITY, "face"),
            "id_number",
            json!("110105194912310021"),
        ),
        "exp",
        json!(far),
    ));
    let (status, v, text) = call(&app, whoami_req(Some(&format!("Bearer {bad}")))).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_identity_data")
        )
    );
    assert!(!text.contains("110105194912310021"));
}

#[tokio::test]
async fn dev_route_refuses_bad_data_with_codes() {
    let (st, _dir) = state(true).await;
    let app = app(st);
    let base = json!({"name": "张三", "id_number": ID, "phone": PHONE});
    let cases = [
        (
            with(base.clone(), "id_number", json!("110105194912310021")),
            "invalid_id_number",
        ),
        (
            with(base.clone(), "id_number", json!(110105194912310021_u64)),
            "invalid_id_number",
        ),
        (without(base.clone(), "id_number"), "invalid_id_number"),
        (
            with(base.clone(), "phone", json!("12800000000")),
            "invalid_phone",
        ),
        (with(base.clone(), "name", json!("")), "invalid_name"),
        (
            with(base.clone(), "method", json!("telepathy")),
            "invalid_method",
        ),
        (json!([1, 2]), "invalid_body"),
    ];
    for (body, code) in cases {
        let (status, v, text) = call(&app, post(&body)).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{body}"
        );
        assert!(!text.contains("11010519491231"), "{text}");
        assert!(!text.contains("12800000000"), "{text}");
    }
    let (status, _, html) = call(
        &app,
        Request::get("/dev/identity").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("仅供演示 / for demonstration only"));
    assert!(html.contains("/api/v1/dev/identity") && html.contains("/book#assertion="));
    assert!(html.contains("测试大厅"));
}

#[tokio::test]
async fn dev_routes_are_404_when_disabled() {
    let (st, _dir) = state(false).await;
    let app = app(st);
    let body = json!({"name": "张三", "id_number": ID, "phone": PHONE});
    let (status, v, _) = call(&app, post(&body)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _, _) = call(
        &app,
        Request::get("/dev/identity").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The real router: the dev routes exist only when the config enables them.
#[tokio::test]
async fn the_api_router_has_dev_routes_only_when_enabled() {
    let body = json!({"name": "张三", "id_number": ID, "phone": PHONE});
    let page = || Request::get("/dev/identity").body(Body::empty()).unwrap();
    let (on, _d1) = state(true).await;
    let on = hallq_controller::api::router(on);
    let (status, v, _) = call(&on, post(&body)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(call(&on, page()).await.0, StatusCode::OK);
    let (off, _d2) = state(false).await;
    let off = hallq_controller::api::router(off);
    let (status, v, _) = call(&off, post(&body)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(call(&off, page()).await.0, StatusCode::NOT_FOUND);
}
