//! The citizen's mobile booking pages (H5, `GET /book`): an HTML page (with its script,
//! `/assets/book.js`) that walks section → service → date and slot → notice → confirm →
//! booking code, plus "我的预约". Identity comes from the URL fragment `#assertion=<jwt>` and never reaches
//! this handler.

use super::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

const BOOK_PAGE: &str = include_str!("../../assets/book.html");

/// GET /book: the booking pages, with the hall's name, its clock (so "today" is the
/// hall's today whatever the phone's clock says), the booking rules and the hall-wide
/// notice (预约须知, its numbers taken from the rules) filled in.
pub async fn book_page(State(state): State<AppState>) -> Response {
    let cfg = &state.cfg;
    let r = &cfg.appointments;
    let boot = json!({
        "hall": cfg.hall.name,
        "now": crate::hours::rfc3339(cfg.tz(), state.now()),
        "rules": {
            "daily_limit": r.daily_limit,
            "active_per_day": r.active_per_day,
            "no_show_limit": r.no_show_limit,
            "no_show_period_months": r.no_show_period_months,
            "no_show_ban_months": r.no_show_ban_months,
            "false_info_limit": r.false_info_limit,
            "false_info_ban_months": r.false_info_ban_months,
            "retention_days": r.retention_days,
        },
        // The hall-wide notice (预约须知), rule values filled in.
        "notice": hallq_config::notice::render(r),
    });
    // Inside <script>: no "</script>" can be formed.
    let boot = boot.to_string().replace('<', "\\u003c");
    let html = crate::api::pages::fill(&state, BOOK_PAGE).replace("{{BOOT}}", &boot);
    (
        [
            (header::CACHE_CONTROL, "no-cache"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(html),
    )
        .into_response()
}
