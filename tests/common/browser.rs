//! Headless Chromium driven over WebDriver (Debian's `chromium` + `chromium-driver`),
//! with a few JSON calls and no extra crate.

use base64::Engine;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A chromedriver process with one browser session.
pub struct Browser {
    driver: Child,
    base: String,
    _profile: tempfile::TempDir,
}

fn find(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium (1920×1080), or `None` with a printed
    /// notice when they are not installed.
    pub async fn start() -> Option<Self> {
        Self::start_with(None).await
    }

    /// Like [`Browser::start`], with the browser process in time zone `tz` (`TZ=tz`).
    pub async fn start_in_zone(tz: &str) -> Option<Self> {
        Self::start_with(Some(tz)).await
    }

    async fn start_with(tz: Option<&str>) -> Option<Self> {
        let (Some(driver_bin), Some(chrome)) = (
            find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
            find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
        ) else {
            println!("skipped: chromium / chromium-driver not installed (browser test)");
            return None;
        };
        let port = super::free_port();
        let mut cmd = Command::new(driver_bin);
        if let Some(tz) = tz {
            cmd.env("TZ", tz);
        }
        let driver = cmd
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut b = Self {
            driver,
            base,
            _profile: profile,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while client
            .get(format!("{}/status", b.base))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-dev-shm-usage".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
            "--window-size=1920,1080".into(),
            format!("--user-data-dir={}", b._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": {"binary": chrome, "args": args}}}});
        let r: Value = client
            .post(format!("{}/session", b.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        b.base = format!("{}/session/{id}", b.base);
        Some(b)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let r: Value = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["value"].clone()
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    /// Resizes the window (CSS pixels), e.g. a portrait kiosk or a phone.
    pub async fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await;
    }

    /// Runs JavaScript (`return …;`) in the page.
    pub async fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Types `text` as real key presses to whatever has the focus, one key after another
    /// as fast as the browser takes them (a keyboard-wedge scanner); `\n` is Enter.
    pub async fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for c in text.chars() {
            let key = if c == '\n' {
                "\u{E007}".to_string()
            } else {
                c.to_string()
            };
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "scanner", "actions": actions}]}),
        )
        .await;
    }

    /// Types `text` into the element `css` as a keyboard would (real key events, so a
    /// final `\u{E007}` — WebDriver's Enter — submits the form the way a keyboard-wedge
    /// card or QR reader does).
    pub async fn type_keys(&self, css: &str, text: &str) {
        let el = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        let id = el
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {el}"))
            .to_string();
        self.post(&format!("/element/{id}/value"), json!({"text": text}))
            .await;
    }

    /// Polls `script` until it returns `want` or `timeout` passes; returns the time taken.
    pub async fn wait_for(
        &self,
        script: &str,
        want: &Value,
        timeout: Duration,
    ) -> Option<Duration> {
        let t0 = Instant::now();
        while t0.elapsed() < timeout {
            if &self.js(script).await == want {
                return Some(t0.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Waits for the staff sign-in form (`/clerk`, `/admin`); panics after 10 s.
    pub async fn sign_in_form_shown(&self) {
        self.wait_for(
            "return !!document.getElementById('hq-user')",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("staff sign-in form shown");
    }

    /// Fills the staff sign-in form and submits it (`window` for a clerk).
    pub async fn submit_sign_in(&self, user: &str, password: &str, window: Option<&str>) {
        let window = window.map_or(String::new(), |w| {
            format!("document.getElementById('hq-window').value = '{w}'; ")
        });
        self.js(&format!(
            "document.getElementById('hq-user').value = '{user}'; \
             document.getElementById('hq-pass').value = '{password}'; {window}\
             document.querySelector('#hq-signin form').requestSubmit(); return 1"
        ))
        .await;
    }

    /// Opens `hall`'s `/admin`, signs in as the demo admin and waits for the statistics.
    pub async fn open_admin(&self, hall: &super::Hall) {
        self.goto(&format!("http://127.0.0.1:{}/admin", hall.http_port))
            .await;
        self.sign_in_form_shown().await;
        self.submit_sign_in("admin", "demo-admin", None).await;
        self.wait_for(
            "return window.hallqAdminStats === true",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("admin statistics shown");
    }

    /// Opens `hall`'s `/book` with a fresh assertion from the demo identity provider and
    /// waits for the sections.
    pub async fn open_booking(&self, hall: &super::Hall) {
        let body = json!({"name": "张三", "id_number": "11010519491231002X",
            "phone": "13800000000", "method": "face"});
        let (st, a) = hall.req("POST", "/dev/identity", None, Some(body)).await;
        assert_eq!(st, 200, "{a}");
        let token = a["assertion"].as_str().expect("assertion");
        self.goto(&format!(
            "http://127.0.0.1:{}/book#assertion={token}",
            hall.http_port
        ))
        .await;
        self.wait_for(
            "return !!document.querySelector('[data-section]')",
            &json!(true),
            Duration::from_secs(10),
        )
        .await
        .expect("booking sections shown");
    }

    /// Saves a PNG screenshot under `target/test-artifacts/`.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let v: Value = reqwest::get(format!("{}/screenshot", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap())
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the WebDriver session first, so Chromium exits with it; then the driver.
        if let Some((host, path)) = self
            .base
            .strip_prefix("http://")
            .and_then(|r| r.split_once('/'))
        {
            if let Ok(mut s) = std::net::TcpStream::connect(host) {
                use std::io::{Read, Write};
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let req = format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = s.write_all(req.as_bytes());
                let _ = s.read(&mut [0u8; 1024]);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
