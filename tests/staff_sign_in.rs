//! Staff sign-in against the real binary (issue 7): username + password give an expiring
//! session bound to one window; wrong passwords (and unknown users) get the same 401;
//! guessing locks the account, a concurrent burst included; a session acts only for its
//! window and role; sign-out and an admin's "end session" stop it at once; a disabled
//! account cannot sign in; every step lands in the audit log with where it came from.

mod common;

use common::{Hall, HallOpts};
use serde_json::{json, Value};

const MARKER: &str = "# ---- Staff sign-in";

fn opts() -> HallOpts {
    let only_1 = hallq_config::staff::hash_password("pw-of-wang");
    let gone = hallq_config::staff::hash_password("pw-of-zhao");
    HallOpts {
        edits: vec![(
            MARKER,
            format!(
                "[[staff]]\nusername = \"wang\"\nname = \"王五\"\nrole = \"clerk\"\nwindows = [\"1\"]\n\
                 password_argon2 = \"{only_1}\"\n\n\
                 [[staff]]\nusername = \"zhao\"\nrole = \"clerk\"\ndisabled = true\n\
                 password_argon2 = \"{gone}\"\n\n{MARKER}"
            ),
        )],
        ..HallOpts::default()
    }
}

async fn sign_in(hall: &Hall, body: Value) -> (u16, Value) {
    hall.req("POST", "/auth/sign-in", None, Some(body)).await
}

async fn session(hall: &Hall, user: &str, password: &str, window: Option<&str>) -> String {
    let (st, b) = sign_in(
        hall,
        json!({"username": user, "password": password, "window": window}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    b["token"].as_str().expect("token").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_sign_in_sessions_and_lockout() {
    let hall = Hall::start(opts()).await;

    // A clerk signs in at a window; the answer says who, where and until when.
    let (st, b) = sign_in(
        &hall,
        json!({"username": "clerk", "password": "demo-clerk", "window": "2"}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["role"], "clerk");
    assert_eq!(b["window"], "2");
    assert_eq!(b["name"], "演示窗口人员");
    let expires = chrono::DateTime::parse_from_rfc3339(b["expires_at"].as_str().unwrap()).unwrap();
    let hours = (expires.timestamp() - chrono::Utc::now().timestamp()) as f64 / 3600.0;
    assert!((11.9..=12.0).contains(&hours), "12 h session, got {hours}");
    let clerk2 = b["token"].as_str().unwrap().to_string();

    // The session acts for its own window and nothing else.
    let (st, b) = hall.req("GET", "/me", Some(&clerk2), None).await;
    assert_eq!((st, b["window"].clone()), (200, json!("2")), "{b}");
    let (st, b) = hall
        .req(
            "POST",
            "/windows/2/pause",
            Some(&clerk2),
            Some(json!({"reason": "午休"})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let (st, _) = hall
        .req("POST", "/windows/1/pause", Some(&clerk2), None)
        .await;
    assert_eq!(st, 403);
    let (st, _) = hall.req("GET", "/admin/audit", Some(&clerk2), None).await;
    assert_eq!(st, 403);
    let (st, _) = hall
        .req(
            "POST",
            "/tickets",
            Some(&clerk2),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!(st, 403);

    // Refusals: wrong password and unknown user read the same; a clerk needs a window,
    // a known one, one they may use; a disabled account cannot sign in.
    let wrong = sign_in(
        &hall,
        json!({"username": "clerk", "password": "x", "window": "1"}),
    )
    .await;
    let nobody = sign_in(
        &hall,
        json!({"username": "nobody", "password": "x", "window": "1"}),
    )
    .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, nobody, "unknown users look like wrong passwords");
    let (st, b) = sign_in(
        &hall,
        json!({"username": "clerk", "password": "demo-clerk"}),
    )
    .await;
    assert_eq!(
        (st, b["error"].clone()),
        (422, json!("window_required")),
        "{b}"
    );
    let (st, b) = sign_in(
        &hall,
        json!({"username": "clerk", "password": "demo-clerk", "window": "99"}),
    )
    .await;
    assert_eq!(
        (st, b["error"].clone()),
        (422, json!("unknown_window")),
        "{b}"
    );
    let (st, b) = sign_in(
        &hall,
        json!({"username": "wang", "password": "pw-of-wang", "window": "2"}),
    )
    .await;
    assert_eq!(st, 403, "wang may only use window 1: {b}");
    let wang = session(&hall, "wang", "pw-of-wang", Some("1")).await;
    let (st, b) = hall.req("GET", "/me", Some(&wang), None).await;
    assert_eq!((st, b["display_name"].clone()), (200, json!("王五")));
    let (st, _) = sign_in(
        &hall,
        json!({"username": "zhao", "password": "pw-of-zhao", "window": "1"}),
    )
    .await;
    assert_eq!(st, 401, "disabled account");
    let (st, b) = hall
        .req(
            "POST",
            "/auth/sign-in",
            None,
            Some(json!({"username": "clerk"})),
        )
        .await;
    assert_eq!(st, 422, "{b}");
    assert!(b["error"].is_string() && b["message"].is_string());

    // The admin signs in (no window) and sees both live clerk sessions.
    let admin = session(&hall, "admin", "demo-admin", None).await;
    let (st, b) = hall.req("GET", "/admin/sessions", Some(&admin), None).await;
    assert_eq!(st, 200, "{b}");
    let users: Vec<&str> = b["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["username"].as_str().unwrap())
        .collect();
    assert_eq!(users, vec!["admin", "wang", "clerk"], "{b}");
    let (st, _) = hall
        .req("GET", "/admin/sessions", Some(&clerk2), None)
        .await;
    assert_eq!(st, 403);

    // The admin ends wang's session: it stops at once.
    let wang_id = b["sessions"][1]["id"].as_i64().unwrap();
    let (st, b) = hall
        .req(
            "POST",
            &format!("/admin/sessions/{wang_id}/end"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let (st, _) = hall.req("GET", "/me", Some(&wang), None).await;
    assert_eq!(st, 401);
    let (st, _) = hall
        .req(
            "POST",
            &format!("/admin/sessions/{wang_id}/end"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, 404, "already ended");

    // Sign-out ends the clerk's own session; device tokens have nothing to sign out.
    let (st, _) = hall
        .req("POST", "/auth/sign-out", Some(&clerk2), None)
        .await;
    assert_eq!(st, 200);
    let (st, b) = hall
        .req("POST", "/windows/2/resume", Some(&clerk2), None)
        .await;
    assert_eq!(st, 401, "{b}");
    let (st, _) = hall
        .req("POST", "/auth/sign-out", Some("demo-kiosk"), None)
        .await;
    assert_eq!(st, 422);
    let (st, _) = hall.req("POST", "/auth/sign-out", None, None).await;
    assert_eq!(st, 401);

    // Guessing: 12 wrong passwords at once. The limit is 5 attempts: at most 5 of the
    // burst get a password check (401), the rest 429 locked; further guesses are checked
    // until 5 in all, then the account is locked — the right password too.
    let mut burst = Vec::new();
    for _ in 0..12 {
        let base = hall.base.clone();
        burst.push(tokio::spawn(async move {
            common::req(
                &base,
                "POST",
                "/auth/sign-in",
                None,
                Some(json!({"username": "admin", "password": "guess"})),
            )
            .await
        }));
    }
    let mut statuses = Vec::new();
    for t in burst {
        statuses.push(t.await.unwrap().0);
    }
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    let locked = statuses.iter().filter(|&&s| s == 429).count();
    assert!(checked <= 5 && checked + locked == 12, "{statuses:?}");
    // More wrong guesses, one at a time: checked until 5 in all, then locked.
    let mut checked = checked;
    loop {
        let (st, _) = sign_in(&hall, json!({"username": "admin", "password": "guess"})).await;
        if st == 429 {
            break;
        }
        assert_eq!(st, 401);
        checked += 1;
        assert!(checked <= 5, "more than 5 guesses were checked");
    }
    assert_eq!(checked, 5);
    let (st, b) = sign_in(
        &hall,
        json!({"username": "admin", "password": "demo-admin"}),
    )
    .await;
    assert_eq!((st, b["error"].clone()), (429, json!("locked")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("15 分钟"), "{b}");
    // Other accounts are not affected; the admin's existing session still works.
    session(&hall, "clerk", "demo-clerk", Some("3")).await;
    let (st, b) = hall
        .req("GET", "/admin/audit?limit=200", Some(&admin), None)
        .await;
    assert_eq!(st, 200, "{b}");

    // The audit log tells the story, with where each step came from.
    let audit = b["audit"].as_array().unwrap();
    let count = |action: &str, actor: &str| {
        audit
            .iter()
            .filter(|a| a["action"] == action && a["actor"] == actor)
            .count()
    };
    assert_eq!(count("sign_in", "clerk"), 2);
    assert_eq!(count("sign_out", "clerk"), 1);
    assert_eq!(count("end_session", "admin"), 1);
    // Failed sign-ins name the account typed as the subject, never as the actor; the
    // refusals of a locked account are not written row by row.
    let failed = |subject: &str| {
        audit
            .iter()
            .filter(|a| a["action"] == "sign_in_failed" && a["subject"] == subject)
            .inspect(|a| assert_eq!(a["actor"], "-", "{a}"))
            .count()
    };
    assert_eq!(failed("admin"), checked);
    assert_eq!(
        (failed("clerk"), failed("nobody"), failed("zhao")),
        (1, 1, 1)
    );
    let ended = audit.iter().find(|a| a["action"] == "end_session").unwrap();
    assert_eq!(ended["detail"], "session of wang at window 1");
    assert!(
        audit.iter().all(|a| a["origin"] == "127.0.0.1"),
        "{audit:?}"
    );
}
