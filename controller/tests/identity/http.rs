//! The development provider's HTTP routes and the identity extractor, through the router.

use super::*;

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
}

/// Assertions of a real provider through the extractor (a hall without the development
/// provider: the config never allows both).
#[tokio::test]
async fn extractor_refuses_expired_and_bad_data() {
    let (st, _dir) = state(false).await;
    let app = app(st);
    let expired = city(&with(claims(CITY, "face"), "exp", json!(1_000_000)));
    let (status, v, _) = call(&app, whoami_req(Some(&format!("Bearer {expired}")))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(v["message"].as_str().unwrap().contains("已过期"), "{v}");
    // Signed, but the number inside is wrong: 422.
    let far = chrono::Utc::now().timestamp() + 600;
    let bad = city(&with(
        with(
            with(
                claims(CITY, "face"),
                "id_number",
                json!("110105194912310021"),
            ),
            "exp",
            json!(far),
        ),
        "iat",
        json!(far - 600),
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
    // It posts to its hall's API and links to its hall's booking page (`data-api`,
    // `data-pages`: the root for a single hall).
    assert!(html.contains(r#"data-api="/api/v1" data-pages="""#));
    assert!(html.contains(r#"API + "/dev/identity""#));
    assert!(html.contains(r#"PAGES + "/book#assertion=""#));
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
