//! The TV's layout at common sizes: every row shown is whole, inside the viewport and not
//! clipped by an `overflow: hidden` box; text never spills out of its box (a long text ends
//! in "…" with the whole of it in `title`); a screenshot per size, checked non-blank.

use crate::common::browser::Browser;
use crate::common::Hall;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// TVs (16:9 from 1366×768 to 4K), browser windows with their chrome taken off
/// (1366×625, 1920×937: the issue's cut rows) and a portrait column display.
pub const SIZES: &[(u32, u32)] = &[
    (1366, 768),
    (1366, 625),
    (1920, 1080),
    (1920, 937),
    (2560, 1440),
    (3840, 2160),
    (1080, 1920),
];

/// Every window working, one paused with a long reason, and more calls than the recent
/// list holds, so every part of the screen is full.
pub async fn fill_the_screen(hall: &Hall) {
    for s in [
        "property",
        "tax-housing",
        "household",
        "social-security",
        "housing-fund",
    ] {
        hall.tickets(s, 3).await;
    }
    hall.tickets("business-startup", 1).await;
    hall.tickets("consult", 2).await;
    for w in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"] {
        let (st, b) = hall.act(w, "call-next", None).await;
        assert_eq!(st, 200, "call-next at {w}: {b}");
    }
    let reason = json!({"reason": "系统维护，请到2号窗口办理，给您带来不便敬请谅解"});
    let (st, b) = hall.act("7", "pause", Some(reason)).await;
    assert_eq!(st, 200, "{b}");
}

/// For every row shown: whether it lies inside the viewport and inside every ancestor
/// that clips; every element whose text is wider than its box must end in an ellipsis and
/// carry its whole text in `title`.
const CHECK: &str = r#"
const vw = innerWidth, vh = innerHeight, bad = [], eps = 0.5;
const rows = Array.from(document.querySelectorAll('#recent li, #windows .win, #queues .q, #current .number, #current .to'))
  .filter((e) => e.offsetParent !== null);
const name = (e) => e.dataset.call || e.dataset.window || e.dataset.service || e.className;
for (const e of rows) {
  const r = e.getBoundingClientRect();
  if (r.left < -eps || r.top < -eps || r.right > vw + eps || r.bottom > vh + eps) bad.push(`${name(e)} outside the viewport`);
  for (let a = e.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    // A box without its own (display: contents) clips nothing.
    if (s.display === 'contents' || s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const b = a.getBoundingClientRect();
    if (r.left < b.left - eps || r.top < b.top - eps || r.right > b.right + eps || r.bottom > b.bottom + eps) {
      bad.push(`${name(e)} clipped by ${a.tagName}.${a.className}`);
    }
  }
  for (const t of [e].concat(Array.from(e.querySelectorAll('*')))) {
    if (t.offsetParent === null || !t.textContent) continue;
    if (t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1 && t.clientHeight > 0 && getComputedStyle(t).overflowY !== 'visible') {
      const ellipsis = getComputedStyle(t).textOverflow === 'ellipsis' && t.title === t.textContent;
      if (!ellipsis) bad.push(`${name(e)}: text ${JSON.stringify(t.textContent)} overflows its box`);
    }
  }
}
return {bad, vw, vh,
  recent: document.querySelectorAll('#recent li:not([hidden])').length,
  windows: document.querySelectorAll('#windows .win:not([hidden])').length,
  queues: document.querySelectorAll('#queues .q:not([hidden])').length};
"#;

/// Whether the PNG (base64) decodes and shows more than one colour (a rendered page).
const NON_BLANK: &str = r#"
return new Promise((done) => {
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data, colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    done({w: img.width, h: img.height, colours: colours.size});
  };
  img.onerror = () => done({w: 0, h: 0, colours: 0});
  img.src = 'data:image/png;base64,PNG64';
});
"#;

/// Sets the viewport to `w`×`h` CSS pixels (the window's outer size corrected by the
/// browser's own frame, if any).
async fn viewport(b: &Browser, w: u32, h: u32) {
    b.resize(w, h).await;
    let inner = b.js("return [innerWidth, innerHeight]").await;
    let (iw, ih) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    if (iw, ih) != (w, h) {
        b.resize(2 * w - iw, 2 * h - ih).await;
    }
    let want = json!([w, h]);
    b.wait_for(
        "return [innerWidth, innerHeight]",
        &want,
        Duration::from_secs(5),
    )
    .await
    .unwrap_or_else(|| panic!("no {w}×{h} viewport"));
}

/// Saves a screenshot named `name` (in `target/test-artifacts`) and returns its bytes.
pub async fn shot(b: &Browser, name: &str) -> Vec<u8> {
    let path = b.screenshot(name).await;
    std::fs::read(path).unwrap()
}

/// Checks the layout at `w`×`h`; the screenshot is copied into `dir`.
pub async fn check_size(b: &Browser, w: u32, h: u32, dir: &Path) {
    viewport(b, w, h).await;
    // The page fits itself on resize; let it settle (two frames).
    let settle =
        "return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))";
    b.js(settle).await;
    let v = b.js(CHECK).await;
    assert_eq!(v["bad"], json!([]), "at {w}×{h}: {v}");
    assert_eq!(v["windows"], 10, "every window shown at {w}×{h}: {v}");
    assert_eq!(v["queues"], 8, "every queue shown at {w}×{h}: {v}");
    assert!(
        v["recent"].as_u64() >= Some(2),
        "recent calls shown at {w}×{h}: {v}"
    );
    println!("{w}×{h}: {} recent calls shown", v["recent"]);
    let png = shot(b, &format!("screens-truth-{w}x{h}")).await;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG at {w}×{h}");
    let file = dir.join(format!("tv-{w}x{h}.png"));
    std::fs::write(&file, &png).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png);
    let img: Value = b.js(&NON_BLANK.replace("PNG64", &b64)).await;
    assert!(
        img["w"].as_u64() >= Some(u64::from(w)),
        "screenshot size at {w}×{h}: {img}"
    );
    assert!(
        img["colours"].as_u64() > Some(3),
        "blank screenshot at {w}×{h}: {img}"
    );
}
