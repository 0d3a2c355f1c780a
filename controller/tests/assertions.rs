//! What an identity assertion must say to be accepted, through the real router and a
//! real SQLite store: the audience the provider names in the config (`aud` required), a
//! lifetime (`exp - iat`) under the cap, and — for a provider that declares it — a `jti`
//! used once per purpose. Refusals carry the contract's error body. Signed here with the
//! Ed25519 fixture key of `tests/fixtures/identity/`.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hallq_controller::api::AppState;
use hallq_controller::identity::Identity;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const ISSUER: &str = "https://city.example/idp";
const AUDIENCE: &str = "haikou-hall";
const ID: &str = "11010519491231002X";

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/identity")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

/// A hall open every day with one bookable service and one provider, single-use for
/// `single_use`.
fn settings(single_use: &str) -> hallq_config::Settings {
    settings_with(single_use, r#"id_hash_key = "test-key-1""#)
}

fn settings_with(single_use: &str, key_lines: &str) -> hallq_config::Settings {
    let toml = format!(
        r#"[hall]
id = "test-hall"
name = "测试大厅"

[hall.hours]
open = "00:00"
close = "24:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

[[sections]]
id = "civil"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
prefix = "A"

[sections.services.booking]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
open = "08:00"
close = "18:00"
capacity = 5

[[windows]]
id = "w1"
name = "1号窗口"
services = ["marriage"]

[appointments]
daily_limit = 5

[identity]
{key_lines}

[[identity.providers]]
id = "city"
channel = "city-app"
issuer = "{ISSUER}"
audience = "{AUDIENCE}"
algorithm = "EdDSA"
public_key_pem = '''
{ed}'''
methods = ["face"]
single_use = {single_use}
"#,
        ed = fixture("ed25519.pub.pem"),
    );
    hallq_config::load_str("test.toml", &toml).unwrap_or_else(|e| panic!("config: {e}"))
}

async fn app(single_use: &str) -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (app_in(&dir, settings(single_use)).await, dir)
}

/// The router over the SQLite file in `dir` (kept across "restarts").
async fn app_in(dir: &tempfile::TempDir, cfg: hallq_config::Settings) -> axum::Router {
    let cfg = Arc::new(cfg);
    let identity = Arc::new(Identity::from_config(&cfg, dir.path()).unwrap());
    let url = format!("sqlite://{}", dir.path().join("hallq.db").display());
    let store = hallq_controller::store::Store::connect(&url).await.unwrap();
    let state = AppState::new(cfg, store, identity);
    hallq_controller::api::router(state)
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims that pass every rule; tests change one thing.
fn claims() -> Value {
    let now = now_s();
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "iat": now - 5, "exp": now + 600,
        "name": "张三丰", "id_number": ID, "phone": "13800000000", "method": "face",
    })
}

fn sign(claims: &Value) -> String {
    let key = EncodingKey::from_ed_pem(fixture("ed25519.key.pem").as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &key).unwrap()
}

fn with(mut c: Value, key: &str, v: Value) -> Value {
    c[key] = v;
    c
}

fn without(mut c: Value, key: &str) -> Value {
    c.as_object_mut().unwrap().remove(key);
    c
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn mine(jwt: &str) -> Request<Body> {
    Request::get("/api/v1/me/appointments")
        .header(header::AUTHORIZATION, format!("Bearer {jwt}"))
        .body(Body::empty())
        .unwrap()
}

/// Tomorrow 10:00 in the hall's time zone (Asia/Shanghai), a bookable slot.
fn tomorrow_ten() -> String {
    let tz = chrono_tz::Asia::Shanghai;
    let day = chrono::Utc::now().with_timezone(&tz).date_naive() + chrono::Days::new(1);
    format!("{day}T10:00:00+08:00")
}

fn book(jwt: &str) -> Request<Body> {
    let body = json!({"service": "marriage", "slot_start": tomorrow_ten(), "agree_notice": true});
    Request::post("/api/v1/appointments")
        .header(header::AUTHORIZATION, format!("Bearer {jwt}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A 401 `identity_rejected` in the contract's body, its message naming `fragment`.
fn assert_rejected((status, v): (StatusCode, Value), fragment: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["error"], "identity_rejected", "{v}");
    let m = v["message"].as_str().unwrap_or_default();
    assert!(m.contains(fragment), "{m:?} lacks {fragment:?}");
    assert!(!m.contains("11010519"), "{m}");
}

#[tokio::test]
async fn audience_is_required_and_must_be_this_hall() {
    let (app, _dir) = app("[]").await;
    let (status, v) = call(&app, mine(&sign(&claims()))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A list of audiences that includes this hall is fine too (RFC 7519).
    let listed = with(claims(), "aud", json!(["other-hall", AUDIENCE]));
    assert_eq!(call(&app, mine(&sign(&listed))).await.0, StatusCode::OK);

    assert_rejected(
        call(&app, mine(&sign(&without(claims(), "aud")))).await,
        "aud",
    );
    for wrong in [json!("other-hall"), json!(["other-hall"]), json!(7)] {
        assert_rejected(
            call(&app, mine(&sign(&with(claims(), "aud", wrong)))).await,
            "audience",
        );
    }
}

#[tokio::test]
async fn lifetime_is_capped_and_iat_required() {
    let (app, _dir) = app("[]").await;
    let now = now_s();
    // Exactly the cap (30 min by default) passes; a second more does not.
    let at_cap = with(with(claims(), "iat", json!(now)), "exp", json!(now + 1800));
    assert_eq!(call(&app, mine(&sign(&at_cap))).await.0, StatusCode::OK);
    let over = with(with(claims(), "iat", json!(now)), "exp", json!(now + 1801));
    assert_rejected(call(&app, mine(&sign(&over))).await, "30 minutes");
    let day = with(
        with(claims(), "iat", json!(now - 60)),
        "exp",
        json!(now + 86_400),
    );
    assert_rejected(call(&app, mine(&sign(&day))).await, "30 minutes");
    assert_rejected(
        call(&app, mine(&sign(&without(claims(), "iat")))).await,
        "iat",
    );
}

#[tokio::test]
async fn single_use_assertion_books_once() {
    let (app, _dir) = app(r#"["book"]"#).await;
    let jwt = sign(&with(claims(), "jti", json!("once-1")));
    let (status, v) = call(&app, book(&jwt)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // The same assertion again: refused, and nothing was booked.
    assert_rejected(call(&app, book(&jwt)).await, "already used");
    // Reading one's own appointments is not a single-use purpose.
    let (status, v) = call(&app, mine(&jwt)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["appointments"].as_array().map(Vec::len), Some(1), "{v}");
    // A fresh jti books again.
    let fresh = sign(&with(claims(), "jti", json!("once-2")));
    assert_eq!(call(&app, book(&fresh)).await.0, StatusCode::CREATED);
    // Malformed jti: refused.
    let bad = sign(&with(claims(), "jti", json!("")));
    assert_rejected(call(&app, book(&bad)).await, "jti");
}

#[tokio::test]
async fn without_single_use_the_same_assertion_books_again() {
    let (app, _dir) = app("[]").await;
    let jwt = sign(&with(claims(), "jti", json!("reusable")));
    assert_eq!(call(&app, book(&jwt)).await.0, StatusCode::CREATED);
    assert_eq!(call(&app, book(&jwt)).await.0, StatusCode::CREATED);
}

#[test]
fn config_requires_an_audience_and_known_purposes() {
    let text = |single_use: &str, audience: &str| {
        let s = format!(
            "[hall]\nid='h'\nname='厅'\n[[sections]]\nid='s'\nname='s'\n[[sections.services]]\nid='v'\nname='v'\nprefix='A'\n[[windows]]\nid='w'\nname='w'\nservices=['v']\n[[identity.providers]]\nid='p'\nchannel='c'\nissuer='i'\n{audience}algorithm='EdDSA'\npublic_key_pem='x'\nmethods=['face']\nsingle_use={single_use}\n"
        );
        match hallq_config::load_str("t.toml", &s) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(text("['book', 'cancel']", "audience='a'\n"), "");
    assert!(text("[]", "").contains("audience"), "{}", text("[]", ""));
    assert!(text("[]", "audience=' '\n").contains("audience"));
    assert!(text("['pay']", "audience='a'\n").contains("unknown purpose"));
}

#[tokio::test]
async fn after_a_key_rotation_lookups_find_what_the_previous_key_stored() {
    let dir = tempfile::tempdir().unwrap();
    let jwt = sign(&claims());
    let before = app_in(
        &dir,
        settings_with("[]", r#"id_hash_key = "key-version-1""#),
    )
    .await;
    assert_eq!(call(&before, book(&jwt)).await.0, StatusCode::CREATED);
    drop(before);

    // Version 2 without the previous key: the booking is no longer found.
    let alone = app_in(
        &dir,
        settings_with(
            "[]",
            "id_hash_key = \"key-version-2\"\nid_hash_key_version = 2",
        ),
    )
    .await;
    let (_, v) = call(&alone, mine(&jwt)).await;
    assert_eq!(v["appointments"].as_array().map(Vec::len), Some(0), "{v}");
    drop(alone);

    // With the previous key: found, and it can be cancelled.
    std::env::set_var("HALLQ_TEST_ROTATION_PREVIOUS_KEY", "key-version-1");
    let rotated = app_in(
        &dir,
        settings_with(
            "[]",
            "id_hash_key = \"key-version-2\"\nid_hash_key_version = 2\n\
             id_hash_key_previous_env = \"HALLQ_TEST_ROTATION_PREVIOUS_KEY\"",
        ),
    )
    .await;
    let (status, v) = call(&rotated, mine(&jwt)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let list = v["appointments"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{v}");
    let code = list[0]["code"].as_str().unwrap().to_string();
    let cancel = Request::delete(format!("/api/v1/appointments/{code}"))
        .header(header::AUTHORIZATION, format!("Bearer {jwt}"))
        .body(Body::empty())
        .unwrap();
    let (status, v) = call(&rotated, cancel).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A new booking is stored under version 2.
    assert_eq!(call(&rotated, book(&jwt)).await.0, StatusCode::CREATED);
}
