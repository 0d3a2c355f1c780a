//! The OpenAPI document, seen from outside the running binary (issue 14):
//! - it is OpenAPI 3.1 and lists exactly the routes of `/api/v1` (the table below), each
//!   answered by a real handler, with no other method hidden on a documented path;
//! - every error answer carries the contract's error body, every security requirement
//!   names a declared scheme, and the development identity route appears only when the
//!   config enables it;
//! - `/api/v1/docs` shows it in Swagger UI from the binary alone (Chromium, when present);
//! - schemathesis (when installed) fuzzes the demo hall with the demo credentials and
//!   finds no server error, no schema violation, no undocumented status, and no
//!   schema-valid request refused (`tests/openapi/schemathesis.toml` lists the narrow
//!   exceptions and why).

mod common;

use common::browser::Browser;
use common::{Hall, HallOpts};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

/// Every route of `/api/v1` in the demo hall (paths relative to `/api/v1`).
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/services"),
    ("GET", "/snapshot"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/swagger-ui-bundle.js"),
    ("GET", "/docs/swagger-ui.css"),
    ("POST", "/tickets"),
    ("GET", "/tickets/{token}"),
    ("GET", "/tickets/{token}/events"),
    ("GET", "/tickets/{token}/ws"),
    ("GET", "/tickets/{token}/qr.png"),
    ("GET", "/tickets/{token}/ticket.png"),
    ("GET", "/tickets/{token}/escpos"),
    ("POST", "/tickets/{token}/reprint"),
    ("POST", "/windows/{w}/call-next"),
    ("POST", "/windows/{w}/recall"),
    ("POST", "/windows/{w}/call"),
    ("POST", "/windows/{w}/no-show"),
    ("POST", "/windows/{w}/start"),
    ("POST", "/windows/{w}/finish"),
    ("POST", "/windows/{w}/pause"),
    ("POST", "/windows/{w}/resume"),
    ("POST", "/windows/{w}/transfer"),
    ("GET", "/windows/{w}/desk"),
    ("POST", "/windows/{w}/false-info"),
    ("POST", "/windows/{w}/verify-id"),
    ("GET", "/appointments/slots"),
    ("POST", "/appointments"),
    ("DELETE", "/appointments/{code}"),
    ("GET", "/appointments/{code}/qr.png"),
    ("GET", "/me/appointments"),
    ("POST", "/checkins"),
    ("GET", "/kiosk/events"),
    ("GET", "/me"),
    ("GET", "/staff/events"),
    ("POST", "/auth/sign-in"),
    ("POST", "/auth/sign-out"),
    ("GET", "/admin/sessions"),
    ("POST", "/admin/sessions/{id}/end"),
    ("GET", "/admin/bans"),
    ("POST", "/admin/bans"),
    ("POST", "/admin/bans/{id}/lift"),
    ("POST", "/admin/reload"),
    ("GET", "/admin/stats"),
    ("GET", "/admin/stats.csv"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/live"),
    ("GET", "/admin/estimates"),
    ("GET", "/admin/staffing"),
    ("GET", "/admin/closures"),
    ("POST", "/admin/closures"),
    ("GET", "/desk/appointments"),
    ("POST", "/desk/checkins"),
    ("GET", "/desk/day"),
    ("POST", "/dev/identity"),
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// (method, path) of every operation in the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if METHODS.contains(&method.to_uppercase().as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// The path with its parameters filled with values that name nothing.
fn concrete(path: &str) -> String {
    path.replace("{token}", "00000000000000000000000000000000")
        .replace("{w}", "1")
        .replace("{code}", "NOSUCHCODE")
        .replace("{id}", "999999")
}

/// Whether an answer came from the router's fallbacks rather than from a handler.
fn from_fallback(status: u16, body: &Value) -> bool {
    (status == 404 && body["message"] == "没有这个地址 / no such route")
        || (status == 405 && body["error"] == "method_not_allowed")
}

async fn fetch(hall: &Hall, method: &str, path: &str) -> (u16, Value) {
    let client = reqwest::Client::new();
    let r = client
        .request(method.parse().unwrap(), format!("{}{path}", hall.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn document_lists_every_route_and_only_routes() {
    let hall = Hall::start(HallOpts::default()).await;
    let (st, doc) = hall.req("GET", "/openapi.json", None, None).await;
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");

    let documented = operations(&doc);
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "undocumented routes: {missing:?}; documented but not in the route table: {extra:?}"
    );

    let mut gaps = Vec::new();
    let mut ids = BTreeSet::new();
    for (method, path) in &documented {
        let id = &doc["paths"][path.as_str()][method.to_lowercase()]["operationId"];
        if !id.as_str().is_some_and(|i| ids.insert(i.to_string())) {
            gaps.push(format!(
                "{method} {path}: operationId {id} missing or not unique"
            ));
        }
        // A handler answers each documented operation (401, 404 ticket_not_found, … but
        // not the router's fallback).
        let (st, body) = fetch(&hall, method, &concrete(path)).await;
        if from_fallback(st, &body) {
            gaps.push(format!("{method} {path}: no handler ({st} {body})"));
        }
        // No other method is served on a documented path.
        let item = &doc["paths"][path.as_str()];
        for other in METHODS {
            if item.get(other.to_lowercase()).is_some() {
                continue;
            }
            let (st, body) = fetch(&hall, other, &concrete(path)).await;
            if st != 405 {
                gaps.push(format!(
                    "{other} {path}: undocumented, answered {st} {body}"
                ));
            }
        }
        // Every error answer has the contract's error body; every requirement a scheme.
        let op = &item[method.to_lowercase()];
        for (status, answer) in op["responses"].as_object().expect("responses") {
            let error = status.starts_with('4') || status.starts_with('5');
            let schema = &answer["content"]["application/json"]["schema"]["$ref"];
            if error && schema != "#/components/schemas/ErrorBody" {
                gaps.push(format!("{method} {path} {status}: no error body"));
            }
        }
        for req in op["security"].as_array().into_iter().flatten() {
            for scheme in req.as_object().expect("requirement").keys() {
                if doc["components"]["securitySchemes"][scheme].is_null() {
                    gaps.push(format!("{method} {path}: unknown scheme {scheme}"));
                }
            }
        }
    }
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));

    // The three ways to authenticate, and the hall's ids in the schemas.
    let schemes = &doc["components"]["securitySchemes"];
    for s in ["device_token", "staff_session", "identity_assertion"] {
        assert_eq!(schemes[s]["scheme"], "bearer", "{s}: {schemes}");
    }
    assert_eq!(schemes["query_token"]["in"], "query");
    let services = &doc["components"]["schemas"]["ServiceId"]["enum"];
    assert!(
        services.as_array().unwrap().contains(&json!("property")),
        "{services}"
    );
    assert_eq!(doc["components"]["schemas"]["WindowId"]["enum"][0], "1");
    let ops = &doc["paths"]["/tickets"]["post"];
    assert_eq!(ops["security"], json!([{"device_token": []}]));
    assert!(ops["requestBody"]["content"]["application/json"]["schema"]["$ref"].is_string());
}

#[tokio::test]
async fn development_identity_route_only_when_enabled() {
    let hall = Hall::start(HallOpts {
        // Outside the demo the ID hash key comes from the environment.
        edits: vec![
            ("dev_provider = true", "dev_provider = false".to_string()),
            common::identity_provider_edit(),
            (
                "id_hash_key = \"demo-only-id-hash-key\"",
                "id_hash_key_env = \"HALLQ_ID_HASH_KEY\"".to_string(),
            ),
        ],
        env: vec![("HALLQ_ID_HASH_KEY", "7f".repeat(32))],
        ..HallOpts::default()
    })
    .await;
    let (_, doc) = hall.req("GET", "/openapi.json", None, None).await;
    let ops = operations(&doc);
    assert!(
        !ops.contains(&("POST".into(), "/dev/identity".into())),
        "documented while disabled"
    );
    assert_eq!(ops.len(), ROUTES.len() - 1);
    let (st, body) = hall
        .req("POST", "/dev/identity", None, Some(json!({})))
        .await;
    assert!(from_fallback(st, &body), "{st} {body}");
}

#[tokio::test]
async fn docs_page_shows_the_document_from_the_binary_alone() {
    let hall = Hall::start(HallOpts::default()).await;
    let root = format!("http://127.0.0.1:{}", hall.http_port);
    let page = reqwest::get(format!("{root}/api/v1/docs"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for external in ["http://", "https://", "//cdn", "unpkg", "jsdelivr"] {
        assert!(!page.contains(external), "docs page names {external}");
    }
    for (path, ctype) in [
        ("/api/v1/docs/swagger-ui-bundle.js", "text/javascript"),
        ("/api/v1/docs/swagger-ui.css", "text/css"),
    ] {
        let r = reqwest::get(format!("{root}{path}")).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(ctype), "{path}: {ct}");
    }

    validate_independently(&hall).await;

    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{root}/api/v1/docs")).await;
    let shown = browser
        .wait_for(
            &format!(
                "return document.querySelectorAll('.opblock').length >= {}",
                ROUTES.len()
            ),
            &json!(true),
            Duration::from_secs(20),
        )
        .await;
    let count = browser
        .js("return document.querySelectorAll('.opblock').length")
        .await;
    assert!(shown.is_some(), "Swagger UI shows {count} operations");
    let title = browser
        .js("return (document.querySelector('.info .title') || {}).textContent || ''")
        .await;
    assert!(
        title.as_str().unwrap_or_default().contains("hallq"),
        "{title}"
    );
    // Everything the page loaded came from the hall's own server.
    let foreign = browser
        .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))")
        .await;
    assert_eq!(foreign, json!([]), "loaded from elsewhere");
    let path = browser.screenshot("api-docs").await;
    println!("screenshot: {}", path.display());
}

/// The document checked by another implementation of the OpenAPI 3.1 rules
/// (`openapi-spec-validator`, Python), when it is installed.
async fn validate_independently(hall: &Hall) {
    let present = Command::new("openapi-spec-validator")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        println!(
            "skipped: openapi-spec-validator (not installed: pip install openapi-spec-validator)"
        );
        return;
    }
    let (_, doc) = hall.req("GET", "/openapi.json", None, None).await;
    let file = hall.dir.join("openapi.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = Command::new("openapi-spec-validator")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Examples per operation (more find more; the default keeps the run near a minute).
fn examples() -> String {
    std::env::var("HALLQ_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "25".into())
}

#[tokio::test]
async fn schemathesis_finds_nothing() {
    let version = Command::new("schemathesis").arg("--version").output().ok();
    let Some(version) = version.filter(|o| o.status.success()) else {
        println!("skipped: schemathesis (not installed: pip install schemathesis)");
        return;
    };
    println!("{}", String::from_utf8_lossy(&version.stdout).trim());
    // Thousands of generated requests from one address are a flood: the per-address
    // limits (`[limits]`, tested in tests/rate_limits.rs) are lifted so that the logic
    // behind them is what gets tested.
    let lifted = |key: &str| format!("{key} = {{ max = 1000000, per_secs = 1 }}");
    let hall = Hall::start(HallOpts {
        edits: vec![
            (
                "sign_in_failures = { max = 10, per_secs = 300 }",
                lifted("sign_in_failures"),
            ),
            (
                "code_lookups = { max = 30, per_secs = 60 }",
                lifted("code_lookups"),
            ),
            (
                "bookings = { max = 20, per_secs = 3600 }",
                lifted("bookings"),
            ),
            (
                "dev_identities = { max = 30, per_secs = 60 }",
                lifted("dev_identities"),
            ),
        ],
        ..HallOpts::default()
    })
    .await;
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/openapi/schemathesis.toml"
    );
    let seed = std::env::var("HALLQ_SCHEMATHESIS_SEED").unwrap_or_else(|_| "14".into());
    let out = tokio::task::spawn_blocking({
        let (base, dir) = (hall.base.clone(), hall.dir.clone());
        move || {
            Command::new("schemathesis")
                // Its cache of crashes goes to the working directory: the hall's temp dir.
                .current_dir(dir)
                .args(["--no-color", "--config-file", config, "run"])
                .arg(format!("{base}/openapi.json"))
                .args(["--url", &base])
                .args(["--max-examples", &examples(), "--seed", &seed])
                .args(["--workers", "1"])
                .output()
                .expect("run schemathesis")
        }
    })
    .await
    .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let summary: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect();
    println!("{}", summary.join("\n"));
    assert!(
        out.status.success(),
        "schemathesis found problems (exit {:?}):\n{text}\n--- hallq log ---\n{}",
        out.status.code(),
        hall.log()
    );
    assert!(text.contains(" passed"), "no test ran:\n{text}");
}
