//! ES2017 at most in every page's script, as served by the running binary: the TV screen,
//! kiosk, status, booking, clerk, admin, dev identity, the shared scripts (sign-in, hall
//! clock, DOM helper, announcements) and the vendored chart library. Each script is parsed
//! with acorn (vendored in tests/vendor, run with `node`) at `ecmaVersion: 2017` as a
//! classic script, so an old Android TV box or kiosk WebView can run it; a failure names
//! file and line. No page uses module scripts or post-2017 library calls.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::process::Command;

/// The checker run by node: reads the manifest `[{name, file}]`, prints one line
/// per script that does not parse (`name:line:column message`).
const CHECK: &str = r#"
const fs = require("fs");
const acorn = require(process.argv[2]);
const list = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
let bad = 0;
for (const s of list) {
  const src = fs.readFileSync(s.file, "utf8");
  try {
    acorn.parse(src, { ecmaVersion: 2017, sourceType: "script" });
  } catch (e) {
    bad++;
    const line = e.loc ? e.loc.line : 0, col = e.loc ? e.loc.column : 0;
    const text = src.split("\n")[line - 1] || "";
    console.log(`${s.name}:${line}:${col + 1}: ${e.message}\n    ${text.trim().slice(0, 160)}`);
  }
}
console.log(`${list.length} scripts checked, ${bad} not ES2017`);
"#;

/// Library calls from after ES2017 that old WebViews lack (the vendored chart library,
/// which tests for what it uses, is not searched).
const NEWER_CALLS: [&str; 8] = [
    ".replaceAll(",
    "Object.fromEntries(",
    ".flatMap(",
    ".flat(",
    ".matchAll(",
    "Promise.allSettled(",
    "structuredClone(",
    ".at(-",
];

/// One `<script>` element: its attributes and its inline text.
struct Tag {
    attrs: String,
    body: String,
}

fn script_tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<script") {
        rest = &rest[i + 7..];
        let Some(end) = rest.find('>') else { break };
        let attrs = rest[..end].to_string();
        rest = &rest[end + 1..];
        let Some(close) = rest.find("</script>") else {
            break;
        };
        out.push(Tag {
            attrs,
            body: rest[..close].to_string(),
        });
        rest = &rest[close + 9..];
    }
    out
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let at = attrs.find(&format!("{name}=\""))? + name.len() + 2;
    let len = attrs[at..].find('"')?;
    Some(attrs[at..at + len].to_string())
}

/// Every script of `pages`, inline ones named after their page: name → source.
async fn collect(base: &str, pages: &[String]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut files = Vec::new();
    for page in pages {
        let r = reqwest::get(format!("{base}{page}")).await.unwrap();
        assert_eq!(r.status(), 200, "{page}");
        let html = r.text().await.unwrap();
        let tags = script_tags(&html);
        assert!(!tags.is_empty(), "{page} has no script");
        for (n, t) in tags.iter().enumerate() {
            let kind = attr(&t.attrs, "type").unwrap_or_default();
            // Module scripts need Chrome 61: an older TV WebView would skip them whole.
            assert_ne!(kind, "module", "{page}: old WebViews ignore module scripts");
            if kind.contains("json") {
                continue;
            }
            match attr(&t.attrs, "src") {
                // Relative sources (the screens': `assets/screen.js`) resolve against the page.
                Some(src) => files.push(
                    reqwest::Url::parse(&format!("{base}{page}"))
                        .and_then(|u| u.join(&src))
                        .expect("script URL")
                        .path()
                        .to_string(),
                ),
                None => {
                    found.insert(format!("{page} (inline script {})", n + 1), t.body.clone());
                }
            }
        }
    }
    for path in files {
        if let std::collections::btree_map::Entry::Vacant(slot) = found.entry(path) {
            let r = reqwest::get(format!("{base}{}", slot.key())).await.unwrap();
            assert_eq!(r.status(), 200, "{}", slot.key());
            slot.insert(r.text().await.unwrap());
        }
    }
    found
}

/// Runs the checker over `scripts`: its report and whether all parsed.
fn check(scripts: &BTreeMap<String, String>) -> (String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = Vec::new();
    for (i, (name, src)) in scripts.iter().enumerate() {
        let file = dir.path().join(format!("{i}.js"));
        std::fs::write(&file, src).unwrap();
        manifest.push(serde_json::json!({"name": name, "file": file}));
    }
    let list = dir.path().join("scripts.json");
    std::fs::write(&list, serde_json::Value::from(manifest).to_string()).unwrap();
    let checker = dir.path().join("check.js");
    std::fs::write(&checker, CHECK).unwrap();
    let acorn = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vendor/acorn.js");
    let out = Command::new("node")
        .arg(&checker)
        .arg(acorn)
        .arg(&list)
        .output()
        .expect("run node");
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (
        report.clone(),
        out.status.success() && report.contains(", 0 not ES2017"),
    )
}

#[tokio::test]
async fn every_served_script_is_es2017() {
    if Command::new("node").arg("--version").output().is_err() {
        println!("skipped: node (not installed; the syntax check runs acorn under node)");
        return;
    }
    let hall = Hall::start(HallOpts::default()).await;
    let t = hall.ticket("property").await;
    let token = t["token"].as_str().expect("ticket token");
    let base = format!("http://127.0.0.1:{}", hall.http_port);
    let pages: Vec<String> = [
        "/screens/lobby",
        "/kiosk",
        "/book",
        "/clerk",
        "/admin",
        "/admin/staffing",
        "/desk",
        "/dev/identity",
    ]
    .iter()
    .map(|p| p.to_string())
    .chain([format!("/t/{token}")])
    .collect();
    let scripts = collect(&base, &pages).await;
    for must in [
        "/screens/assets/screen.js",
        "/screens/assets/announce.js",
        "/screens/assets/hallclock.js",
        "/staff/signin.js",
        "/assets/hallclock.js",
        "/assets/echarts-6.1.0.min.js",
        "/assets/desk.js",
        "/assets/clerk.js",
    ] {
        assert!(
            scripts.contains_key(must),
            "{must} not found among {:?}",
            scripts.keys()
        );
    }
    let inline = scripts.keys().filter(|k| k.contains("inline")).count();
    assert!(inline >= 6, "inline scripts: {:?}", scripts.keys());
    let (report, ok) = check(&scripts);
    println!("{report}");
    assert!(ok, "scripts newer than ES2017:\n{report}");
    // Library calls newer than ES2017 parse fine but throw on an old WebView.
    for (name, src) in scripts.iter().filter(|(n, _)| !n.contains("echarts")) {
        for newer in NEWER_CALLS {
            assert!(!src.contains(newer), "{name} calls {newer} (after ES2017)");
        }
    }

    // The check bites: newer syntax is refused, with its line.
    let mut newer = BTreeMap::new();
    for (name, src) in [
        ("nullish", "var a = null;\nvar b = a ?? 1;"),
        ("optional", "var a = {};\nvar b = a?.b;"),
        ("class-field", "class A { x = 1 }"),
        ("spread-object", "var a = { ...{} };"),
    ] {
        newer.insert(name.to_string(), src.to_string());
    }
    let (report, ok) = check(&newer);
    assert!(!ok, "{report}");
    assert!(
        report.contains("4 scripts checked, 4 not ES2017"),
        "{report}"
    );
    assert!(report.contains("nullish:2:"), "{report}");
}
