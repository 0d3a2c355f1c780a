//! The demo city (haikou and longhua) served in this process as `hallq run` serves it: each
//! hall's API under `/api/v1/halls/{hall}` and its pages under `/halls/{hall}`, the city's
//! routes (`GET /api/v1/halls`, the city booking page `/book`, the city dashboard `/city`)
//! at the root. Over HTTP: the halls' list with each hall's waiting count and windows; in
//! Chromium (skipped without it): the city booking page lists both halls and goes on to the
//! chosen hall's booking flow with the identity carried over, longhua's kiosk issues its
//! ticket through longhua's API, a staff session is kept per hall, and the city dashboard
//! shows both halls' waiting counts.

mod common;
use common::browser::Browser;
use serde_json::{json, Value};
use std::time::Duration;

#[path = "city_pages/harness.rs"]
mod harness;
use harness::{axe, kiosk_token, City};

/// Longhua's first clerk (window 1).
const LONGHUA_CLERK: &str = "demo-clerk-longhua-1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_halls_list_gives_each_halls_waiting_count_windows_and_paths() {
    let city = City::demo().await;
    for _ in 0..2 {
        city.ticket("haikou", "property").await;
    }
    city.ticket("longhua", "property").await;
    let clerk = Some(LONGHUA_CLERK);
    let (st, w) = city
        .req("longhua", "POST", "/windows/1/resume", clerk, None)
        .await;
    assert_eq!(st, 200, "{w}");

    let v = city.halls().await;
    let name_en = "Haikou Government Services";
    assert_eq!(
        v["city"],
        json!({"id": "haikou", "name": "海口市政务服务中心", "name_en": name_en})
    );
    let halls = v["halls"].as_array().unwrap();
    let ids: Vec<_> = halls.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["haikou", "longhua"], "config order");
    assert_eq!(halls[0]["name"], "海口市政务服务中心");
    assert_eq!(halls[1]["name"], "龙华区政务服务中心");
    assert_eq!(
        halls[1]["name_en"],
        "Longhua District Government Service Center"
    );
    assert_eq!(
        halls[1]["address"],
        "海口市龙华区滨海大道 88 号（演示地址）"
    );
    assert_eq!(halls[0]["address"], Value::Null, "the demo hall has none");
    assert_eq!(halls[0]["waiting"], 2, "{v}");
    assert_eq!(halls[1]["waiting"], 1, "{v}");
    assert_eq!(halls[0]["windows_open"], 0, "{v}");
    assert_eq!(halls[1]["windows_open"], 1, "{v}");
    for (i, h) in city.halls.iter().enumerate() {
        assert_eq!(halls[i]["windows"], h.cfg.windows.len() as i64);
    }
    assert_ne!(halls[0]["windows"], halls[1]["windows"]);
    assert_eq!(halls[0]["api"], "/api/v1/halls/haikou");
    assert_eq!(halls[0]["pages"], "/halls/haikou");
    assert_eq!(halls[1]["api"], "/api/v1/halls/longhua");
    assert_eq!(halls[1]["pages"], "/halls/longhua");

    // A ticket called is no longer waiting.
    let (st, c) = city
        .req("longhua", "POST", "/windows/1/call-next", clerk, None)
        .await;
    assert_eq!(st, 200, "{c}");
    let v = city.halls().await;
    assert_eq!(
        (
            v["halls"][0]["waiting"].clone(),
            v["halls"][1]["waiting"].clone()
        ),
        (json!(2), json!(0))
    );

    // Every hall's pages talk to their hall's API.
    let page = reqwest::get(format!("{}/halls/longhua/kiosk", city.root))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"data-api="/api/v1/halls/longhua" data-pages="/halls/longhua""#),
        "{}",
        &page[..200]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_of_one_hall_is_served_at_the_root() {
    let city = City::one().await;
    city.ticket("haikou", "property").await;
    let v = city.halls().await;
    assert_eq!(v["city"], Value::Null);
    assert_eq!(v["halls"][0]["api"], "/api/v1");
    assert_eq!(v["halls"][0]["pages"], "");
    assert_eq!(v["halls"][0]["waiting"], 1);
    // Its /book is the hall's own booking page, not the choice of halls.
    let page = reqwest::get(format!("{}/book", city.root))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/assets/book.js"), "{page}");
    assert!(page.contains(r#"data-api="/api/v1" data-pages="""#));
}

/// A fresh identity assertion from haikou's development provider.
async fn assertion(city: &City) -> String {
    let body = json!({"name": "张三", "id_number": "11010519491231002X",
        "phone": "13800000000", "method": "face"});
    let (st, a) = city
        .req("haikou", "POST", "/dev/identity", None, Some(body))
        .await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(
        a["book_url"].as_str().unwrap(),
        format!(
            "/halls/haikou/book#assertion={}",
            a["assertion"].as_str().unwrap()
        )
    );
    a["assertion"].as_str().unwrap().to_string()
}

async fn until(b: &Browser, script: &str, want: Value, what: &str) {
    if b.wait_for(script, &want, Duration::from_secs(10))
        .await
        .is_none()
    {
        let got = b.js(script).await;
        let path = b.screenshot(what).await;
        panic!("{what}: {script} gave {got}, not {want} (screenshot {path:?})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_booking_page_lists_the_halls_and_goes_on_to_the_chosen_one() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let city = City::demo().await;
    for _ in 0..3 {
        city.ticket("longhua", "property").await;
    }
    let a = assertion(&city).await;
    b.resize(420, 900).await;
    b.goto(&format!("{}/book#assertion={a}", city.root)).await;
    until(
        &b,
        "return document.querySelectorAll('#halls [data-hall]').length",
        json!(2),
        "city-book-halls",
    )
    .await;
    let text = |hall: &str, css: &str| {
        format!("var e = document.querySelector('[data-hall=\"{hall}\"] {css}'); return e ? e.textContent : null")
    };
    assert_eq!(b.js(&text("haikou", ".name")).await, "海口市政务服务中心");
    assert_eq!(b.js(&text("longhua", ".name")).await, "龙华区政务服务中心");
    assert_eq!(b.js(&text("longhua", ".waiting")).await, "3");
    assert_eq!(b.js(&text("haikou", ".waiting")).await, "0");
    assert_eq!(
        b.js(&text("longhua", ".addr")).await,
        "地址：海口市龙华区滨海大道 88 号（演示地址）"
    );
    assert_eq!(b.js(&text("haikou", ".addr")).await, Value::Null);
    // The assertion left the address bar for the tab's storage.
    assert_eq!(b.js("return location.hash").await, "");
    b.screenshot("city-book").await;
    let found = axe(&b).await;
    assert!(found.is_empty(), "city booking page: {found:?}");

    b.js("document.querySelector('[data-hall=\"longhua\"]').click(); return 1")
        .await;
    until(
        &b,
        "return location.pathname",
        json!("/halls/longhua/book"),
        "city-book-to-longhua",
    )
    .await;
    // Longhua's sections (three; its social section's own name), loaded from longhua's
    // API with the identity carried over.
    until(
        &b,
        "var e = document.querySelector('[data-section=\"social\"] .name'); return e ? e.textContent : null",
        json!("人社服务"),
        "longhua-sections",
    )
    .await;
    assert_eq!(
        b.js("return document.querySelectorAll('[data-section]').length")
            .await,
        3
    );
    assert_eq!(
        b.js("return document.querySelector('.bar .hall').textContent")
            .await,
        "龙华区政务服务中心"
    );
    // On to the service and its slots: the flow goes on at longhua.
    b.js("document.querySelector('[data-section=\"property-tax\"]').click(); return 1")
        .await;
    until(
        &b,
        "return !!document.querySelector('[data-service]')",
        json!(true),
        "longhua-services",
    )
    .await;
    assert_eq!(
        b.js("return document.body.getAttribute('data-view')").await,
        "section"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn longhuas_kiosk_issues_through_longhuas_api() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let city = City::demo().await;
    b.resize(540, 960).await;
    b.goto(&format!(
        "{}/halls/longhua/kiosk?token={}",
        city.root,
        kiosk_token("longhua")
    ))
    .await;
    until(
        &b,
        "return !!document.querySelector('[data-section=\"property-tax\"]')",
        json!(true),
        "longhua-kiosk",
    )
    .await;
    b.js("document.querySelector('[data-section=\"property-tax\"]').click(); return 1")
        .await;
    until(
        &b,
        "return !!document.querySelector('[data-service=\"property\"]')",
        json!(true),
        "longhua-kiosk-services",
    )
    .await;
    b.js("document.querySelector('[data-service=\"property\"]').click(); return 1")
        .await;
    until(
        &b,
        "return window.hallqTicket ? window.hallqTicket.number : null",
        json!("A001"),
        "longhua-kiosk-ticket",
    )
    .await;
    assert_eq!(city.waiting("longhua", "property").await, 1);
    assert_eq!(city.waiting("haikou", "property").await, 0);
    // Its QR code comes from longhua's API; its token is kept for longhua only.
    let src = b
        .js("return document.querySelector('#ticket img').getAttribute('src')")
        .await;
    assert!(
        src.as_str()
            .unwrap()
            .starts_with("/api/v1/halls/longhua/tickets/"),
        "{src}"
    );
    assert_eq!(
        b.js("return [localStorage.getItem('hallq-kiosk-token@/api/v1/halls/longhua'), localStorage.getItem('hallq-kiosk-token')]")
            .await,
        json!([kiosk_token("longhua"), null])
    );

    // The phone's status page of that ticket follows it on longhua's API.
    let token = b.js("return window.hallqTicket.token").await;
    b.goto(&format!(
        "{}/halls/longhua/t/{}",
        city.root,
        token.as_str().unwrap()
    ))
    .await;
    until(
        &b,
        "return window.hallqStatus ? window.hallqStatus.number : null",
        json!("A001"),
        "longhua-status",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_session_is_kept_per_hall() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let city = City::demo().await;
    b.goto(&format!("{}/halls/haikou/admin", city.root)).await;
    b.sign_in_form_shown().await;
    b.submit_sign_in("admin", "demo-admin", None).await;
    until(
        &b,
        "return window.hallqAdminStats === true",
        json!(true),
        "haikou-admin",
    )
    .await;
    assert_eq!(
        b.js("return !!sessionStorage.getItem('hallq-admin-token@/api/v1/halls/haikou')")
            .await,
        true
    );
    // Longhua's admin page does not take haikou's session: it asks for a sign-in.
    b.goto(&format!("{}/halls/longhua/admin", city.root)).await;
    b.sign_in_form_shown().await;
    assert_eq!(
        b.js("return sessionStorage.getItem('hallq-admin-token@/api/v1/halls/longhua')")
            .await,
        Value::Null
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_dashboard_shows_every_halls_waiting() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let city = City::demo().await;
    for _ in 0..3 {
        city.ticket("haikou", "property").await;
    }
    city.ticket("longhua", "property").await;
    let (st, _) = city
        .req(
            "longhua",
            "POST",
            "/windows/1/pause",
            Some(LONGHUA_CLERK),
            Some(json!({"reason": "午休"})),
        )
        .await;
    assert_eq!(st, 200, "pause");
    b.goto(&format!("{}/city?token=demo-admin", city.root))
        .await;
    until(
        &b,
        "return window.hallqCityStats === true",
        json!(true),
        "city-dashboard",
    )
    .await;
    let text = |hall: &str, css: &str| {
        format!("var e = document.querySelector('#halls [data-hall=\"{hall}\"] {css}'); return e ? e.textContent : null")
    };
    assert_eq!(b.js(&text("haikou", ".waiting")).await, "3");
    assert_eq!(b.js(&text("longhua", ".waiting")).await, "1");
    assert_eq!(
        b.js(&text("haikou", "[data-service=\"property\"] .num"))
            .await,
        "3 人"
    );
    // Statistics per hall and over the city.
    assert_eq!(
        b.js(
            "return document.querySelector('#per-hall [data-hall=\"haikou\"] .total').textContent"
        )
        .await,
        "3"
    );
    assert_eq!(
        b.js("return document.querySelector('#kpis-stats .kpi b').textContent")
            .await,
        "4"
    );
    // Longhua's paused window, haikou's windows all closed.
    assert_eq!(
        b.js(&text("longhua", "[data-state=\"paused\"]")).await,
        "暂停 1"
    );
    assert_eq!(
        b.js(&text("haikou", "[data-state=\"open\"]")).await,
        "开放 0"
    );
    b.screenshot("city-dashboard").await;
    let found = axe(&b).await;
    assert!(found.is_empty(), "city dashboard: {found:?}");

    // A ticket issued at longhua shows at the next refresh.
    city.ticket("longhua", "property").await;
    if b.wait_for(
        &text("longhua", ".waiting"),
        &json!("2"),
        Duration::from_secs(12),
    )
    .await
    .is_none()
    {
        panic!(
            "longhua's new ticket not shown: {}",
            b.js(&text("longhua", ".waiting")).await
        );
    }
    assert_eq!(b.js(&text("haikou", ".waiting")).await, "3");
}

/// The city pages' scripts parse as ES2017 (old WebViews), as tests/page_syntax.rs checks
/// the hall's: acorn (tests/vendor) under node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_pages_scripts_are_es2017() {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped: node (not installed; the syntax check runs acorn under node)");
        return;
    }
    let city = City::demo().await;
    let get = |path: &str| {
        let url = format!("{}{path}", city.root);
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let mut scripts = vec![("/assets/city.js".to_string(), get("/assets/city.js").await)];
    for page in ["/book", "/city"] {
        let html = get(page).await;
        // Inline scripts: those without src and not JSON.
        for (n, part) in html.split("<script").skip(1).enumerate() {
            let (attrs, rest) = part.split_once('>').unwrap();
            if attrs.contains("src=") || attrs.contains("json") {
                continue;
            }
            let body = rest.split("</script>").next().unwrap();
            scripts.push((format!("{page} inline {n}"), body.to_string()));
        }
    }
    assert!(
        scripts.len() >= 3,
        "{:?}",
        scripts.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
    let dir = tempfile::tempdir().unwrap();
    let acorn = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vendor/acorn.js");
    for (i, (name, src)) in scripts.iter().enumerate() {
        let file = dir.path().join(format!("{i}.js"));
        std::fs::write(&file, src).unwrap();
        let check = format!(
            "require({:?}).parse(require('fs').readFileSync({:?}, 'utf8'), {{ecmaVersion: 2017, sourceType: 'script'}})",
            acorn,
            file.display().to_string()
        );
        let out = std::process::Command::new("node")
            .arg("-e")
            .arg(&check)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} is not ES2017: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The check bites.
    let file = dir.path().join("newer.js");
    std::fs::write(&file, "var a = null; var b = a ?? 1;").unwrap();
    let check = format!(
        "require({acorn:?}).parse(require('fs').readFileSync({:?}, 'utf8'), {{ecmaVersion: 2017}})",
        file.display().to_string()
    );
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(&check)
        .output()
        .unwrap();
    assert!(!out.status.success(), "?? must be refused");
}
