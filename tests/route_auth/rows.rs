//! The table of routes, each with who may call it and what everyone else gets.

use super::*;

pub(super) fn ticket_rows(rows: &mut Vec<Row>, token: &str) {
    let body = Some(json!({"service": "property"}));
    unauthenticated(rows, "POST", "/tickets", body.clone());
    for (t, why) in [
        (DISPLAY, "display may not issue"),
        (CLERK1, "clerk may not issue"),
        (BUTTON1, "button may not issue"),
        (DESK, "desk may not issue"),
    ] {
        rows.push(row(
            "POST",
            "/tickets",
            Some(t),
            body.clone(),
            Want::Refused(403),
            why,
        ));
    }
    // The role is checked before the body is read: a wrong token gets 403 whatever its body.
    rows.push(row(
        "POST",
        "/tickets",
        Some(DISPLAY),
        None,
        Want::Refused(403),
        "display, no body: role before body",
    ));
    rows.push(row(
        "POST",
        "/tickets",
        Some(KIOSK),
        body,
        Want::Ok,
        "kiosk issues",
    ));

    let reprint = format!("/tickets/{token}/reprint");
    unauthenticated(rows, "POST", &reprint, None);
    for (t, why) in [
        (DISPLAY, "display may not reprint"),
        (CLERK1, "clerk may not reprint"),
        (BUTTON1, "button may not reprint"),
        (DESK, "desk may not reprint"),
    ] {
        rows.push(row(
            "POST",
            &reprint,
            Some(t),
            None,
            Want::Refused(403),
            why,
        ));
    }
    rows.push(row(
        "POST",
        &reprint,
        Some(KIOSK),
        None,
        Want::Allowed,
        "kiosk reprints (its printer may be absent: 409, not 401/403)",
    ));

    let snapshot = "/snapshot";
    unauthenticated(rows, "GET", snapshot, None);
    // Any valid token may read the snapshot (README: "any token").
    for (t, why) in [
        (DISPLAY, "display reads snapshot"),
        (KIOSK, "kiosk reads snapshot"),
        (CLERK1, "clerk reads snapshot"),
        (ADMIN, "admin reads snapshot"),
        (DESK, "desk reads snapshot"),
    ] {
        rows.push(row("GET", snapshot, Some(t), None, Want::Ok, why));
    }

    unauthenticated(rows, "GET", "/me", None);
    unauthenticated(rows, "POST", "/auth/sign-out", None);
    rows.push(row(
        "POST",
        "/auth/sign-in",
        None,
        Some(json!({"username": "admin", "password": "not-the-password"})),
        Want::Refused(401),
        "sign-in with a wrong password",
    ));
    rows.push(row("GET", "/me", Some(CLERK1), None, Want::Ok, "clerk: me"));
    rows.push(row("GET", "/me", Some(DESK), None, Want::Ok, "desk: me"));
    rows.push(row(
        "GET",
        "/me",
        Some(DISPLAY),
        None,
        Want::Ok,
        "display: me",
    ));
}

/// Every window action with a body that is valid for it, so only the token decides.
pub(super) fn window_actions() -> Vec<(&'static str, Option<Value>, bool)> {
    // (action, body, a call button of the window may do it)
    vec![
        ("call-next", None, true),
        ("call", Some(json!({"number": "A001"})), false),
        ("recall", None, true),
        ("no-show", None, false),
        ("start", None, false),
        ("finish", None, false),
        ("pause", Some(json!({"reason": "lunch"})), false),
        ("resume", None, false),
        ("transfer", Some(json!({"service": "property"})), false),
        ("false-info", None, false),
        (
            "verify-id",
            Some(json!({"id_number": "110101199003074258"})),
            false,
        ),
    ]
}

pub(super) fn window_rows(rows: &mut Vec<Row>) {
    for (action, body, button_may) in window_actions() {
        let path = format!("/windows/1/{action}");
        unauthenticated(rows, "POST", &path, body.clone());
        for (t, why) in [
            (KIOSK, "kiosk may not act for a window"),
            (DISPLAY, "display may not act for a window"),
            (DESK, "desk may not act for a window"),
            (CLERK2, "clerk of window 2 may not act for window 1"),
        ] {
            rows.push(row(
                "POST",
                &path,
                Some(t),
                body.clone(),
                Want::Refused(403),
                why,
            ));
        }
        rows.push(row(
            "POST",
            format!("/windows/2/{action}"),
            Some(BUTTON1),
            body.clone(),
            Want::Refused(403),
            "button of window 1 may not act for window 2",
        ));
        rows.push(row(
            "POST",
            &path,
            Some(BUTTON1),
            body.clone(),
            if button_may {
                Want::Allowed
            } else {
                Want::Refused(403)
            },
            if button_may {
                "button of the window may do this"
            } else {
                "button may only call-next / recall"
            },
        ));
        rows.push(row(
            "POST",
            &path,
            Some(CLERK1),
            body.clone(),
            Want::Allowed,
            "clerk of the window",
        ));
        rows.push(row(
            "POST",
            &path,
            Some(ADMIN),
            body.clone(),
            Want::Allowed,
            "admin acts for any window",
        ));
    }
    // Role and window are checked before the body is validated, so a wrong token learns
    // nothing about what the body should look like.
    for (action, why) in [
        ("call", "kiosk, call without number: role before body"),
        (
            "transfer",
            "kiosk, transfer without target: role before body",
        ),
        (
            "verify-id",
            "kiosk, verify-id without body: role before body",
        ),
    ] {
        rows.push(row(
            "POST",
            format!("/windows/1/{action}"),
            Some(KIOSK),
            None,
            Want::Refused(403),
            why,
        ));
    }
    rows.push(row(
        "POST",
        "/windows/1/transfer",
        Some(CLERK2),
        Some(json!({"window": "3"})),
        Want::Refused(403),
        "clerk of window 2 transferring window 1's ticket",
    ));
    // The clerk's desk view: the window's clerk or an admin; a button has no screen.
    let desk = "/windows/1/desk";
    unauthenticated(rows, "GET", desk, None);
    for t in [KIOSK, DISPLAY, DESK, CLERK2, BUTTON1] {
        let why = "only the window's clerk or an admin reads its desk";
        rows.push(row("GET", desk, Some(t), None, Want::Refused(403), why));
    }
    for t in [CLERK1, ADMIN] {
        let why = "the window's clerk and admins read its desk";
        rows.push(row("GET", desk, Some(t), None, Want::Ok, why));
    }
}

pub(super) fn checkin_rows(rows: &mut Vec<Row>) {
    let body = Some(json!({"code": "NOSUCHCODE"}));
    unauthenticated(rows, "POST", "/checkins", body.clone());
    for (t, why) in [
        (DISPLAY, "display may not check in"),
        (CLERK1, "clerk may not check in"),
        (BUTTON1, "button may not check in"),
        (
            DESK,
            "desk checks in at /desk/checkins, not the kiosk's route",
        ),
    ] {
        rows.push(row(
            "POST",
            "/checkins",
            Some(t),
            body.clone(),
            Want::Refused(403),
            why,
        ));
    }
    // Role first, body after.
    rows.push(row(
        "POST",
        "/checkins",
        Some(DISPLAY),
        None,
        Want::Refused(403),
        "display, no body: role before body",
    ));
    rows.push(row(
        "POST",
        "/checkins",
        Some(KIOSK),
        body,
        Want::Allowed,
        "kiosk checks in (unknown code: 404)",
    ));
}

pub(super) fn admin_rows(rows: &mut Vec<Row>) {
    let routes: [(&'static str, &str, Option<Value>); 13] = [
        ("GET", "/admin/bans", None),
        (
            "POST",
            "/admin/bans",
            Some(
                json!({"id_number": "11010519491231002X", "reason": "test", "until": "2099-01-01"}),
            ),
        ),
        ("GET", "/admin/closures", None),
        // A past day: the admin is answered 422, nothing is closed.
        (
            "POST",
            "/admin/closures",
            Some(json!({"date": "2000-01-01", "reason": "test"})),
        ),
        ("GET", "/admin/sessions", None),
        ("POST", "/admin/sessions/999999/end", None),
        ("GET", "/admin/stats", None),
        ("GET", "/admin/stats.csv", None),
        ("GET", "/admin/audit", None),
        ("GET", "/admin/live", None),
        ("GET", "/admin/estimates", None),
        ("GET", "/admin/staffing", None),
        (
            "POST",
            "/admin/bans/999999/lift",
            Some(json!({"reason": "test"})),
        ),
    ];
    for (method, path, body) in routes {
        unauthenticated(rows, method, path, body.clone());
        for (t, why) in [
            (CLERK1, "clerk may not use admin routes"),
            (KIOSK, "kiosk may not use admin routes"),
            (DISPLAY, "display may not use admin routes"),
            (BUTTON1, "button may not use admin routes"),
            (DESK, "desk may not use admin routes"),
        ] {
            rows.push(row(
                method,
                path,
                Some(t),
                body.clone(),
                Want::Refused(403),
                why,
            ));
        }
        rows.push(row(method, path, Some(ADMIN), body, Want::Allowed, "admin"));
    }
    // An allowed reload restarts the process, so only its refusals are walked here
    // (tests/reload.rs covers the admin's reload).
    unauthenticated(rows, "POST", "/admin/reload", None);
    for (t, why) in [
        (CLERK1, "clerk may not reload"),
        (KIOSK, "kiosk may not reload"),
        (DISPLAY, "display may not reload"),
        (BUTTON1, "button may not reload"),
        (DESK, "desk may not reload"),
    ] {
        rows.push(row(
            "POST",
            "/admin/reload",
            Some(t),
            None,
            Want::Refused(403),
            why,
        ));
    }
}

/// The consult desk's routes: desk, clerk (any window) and admin; nobody else.
pub(super) fn desk_rows(rows: &mut Vec<Row>) {
    let routes: [(&'static str, &str, Option<Value>); 3] = [
        ("GET", "/desk/appointments?code=NOSUCHCODE", None),
        ("GET", "/desk/day?date=2030-01-01", None),
        (
            "POST",
            "/desk/checkins",
            Some(json!({"code": "NOSUCHCODE"})),
        ),
    ];
    for (method, path, body) in routes {
        unauthenticated(rows, method, path, body.clone());
        for (t, why) in [
            (KIOSK, "kiosk may not use the desk"),
            (DISPLAY, "display may not use the desk"),
            (BUTTON1, "button may not use the desk"),
        ] {
            rows.push(row(
                method,
                path,
                Some(t),
                body.clone(),
                Want::Refused(403),
                why,
            ));
        }
        for (t, why) in [
            (DESK, "desk"),
            (CLERK1, "clerk of window 1"),
            (CLERK2, "clerk of window 2"),
            (ADMIN, "admin"),
        ] {
            rows.push(row(method, path, Some(t), body.clone(), Want::Allowed, why));
        }
    }
    // The role is checked before the query and the body.
    rows.push(row(
        "GET",
        "/desk/appointments",
        Some(KIOSK),
        None,
        Want::Refused(403),
        "kiosk, no query: role before parameters",
    ));
    rows.push(row(
        "POST",
        "/desk/checkins",
        Some(DISPLAY),
        None,
        Want::Refused(403),
        "display, no body: role before body",
    ));
}

pub(super) fn citizen_rows(rows: &mut Vec<Row>) {
    let book = Some(
        json!({"service": "property", "slot_start": "2030-01-01T09:00:00+08:00",
                           "agree_notice": true}),
    );
    let routes: [(&'static str, &str, Option<Value>); 3] = [
        ("POST", "/appointments", book),
        ("GET", "/me/appointments", None),
        ("DELETE", "/appointments/NOSUCHCODE", None),
    ];
    for (method, path, body) in routes {
        rows.push(row(
            method,
            path,
            None,
            body.clone(),
            Want::Code401("identity_required"),
            "citizen route, no assertion",
        ));
        rows.push(row(
            method,
            path,
            Some(BOGUS),
            body.clone(),
            Want::Refused(401),
            "citizen route, garbage assertion",
        ));
        for (t, why) in [
            (ADMIN, "citizen route, admin token is not an assertion"),
            (KIOSK, "citizen route, kiosk token is not an assertion"),
            (CLERK1, "citizen route, clerk token is not an assertion"),
        ] {
            rows.push(row(
                method,
                path,
                Some(t),
                body.clone(),
                Want::Refused(401),
                why,
            ));
        }
    }
}

pub(super) fn public_rows(rows: &mut Vec<Row>, token: &str) {
    let today = common::shanghai_day(0);
    for (path, want) in [
        ("/health".to_string(), Want::Ok),
        ("/services".to_string(), Want::Ok),
        ("/openapi.json".to_string(), Want::Ok),
        ("/docs".to_string(), Want::Ok),
        ("/docs/swagger-ui-bundle.js".to_string(), Want::Ok),
        ("/docs/swagger-ui.css".to_string(), Want::Ok),
        (format!("/tickets/{token}"), Want::Ok),
        (format!("/tickets/{token}/qr.png"), Want::Ok),
        // The bundled CJK font draws it on any machine.
        (format!("/tickets/{token}/ticket.png"), Want::Ok),
        (format!("/tickets/{token}/escpos"), Want::Ok),
        (
            format!("/appointments/slots?service=property&date={today}"),
            Want::Ok,
        ),
        // Unknown code: 404, not a refusal.
        ("/appointments/NOSUCHCODE/qr.png".to_string(), Want::Allowed),
    ] {
        rows.push(row("GET", path, None, None, want, "public route"));
    }
}
