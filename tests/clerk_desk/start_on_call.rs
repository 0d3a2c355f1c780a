//! `hall.start_on_call = true`: a call starts service, so call-next (F1) is the only key
//! per citizen and each citizen so handled counts as served; a recall and a no-show are
//! still accepted for a ticket its call started, a start is not needed (409).

use super::{act, desk, walk_in};
use crate::common::*;
use serde_json::json;

/// `opts` with the hall's `start_on_call` turned on.
pub fn opts(mut opts: HallOpts) -> HallOpts {
    opts.edits
        .push(("start_on_call = false", "start_on_call = true".to_string()));
    opts
}

/// The story on PostgreSQL, in a database of its own.
pub async fn story(mq: &str, pg: &str) {
    let db = PgDb::create(pg).await;
    let hall = Hall::start(opts(HallOpts::replica(&db.url, mq, &unique_hall()))).await;
    one_key_per_citizen(&hall.base).await;
    drop(hall);
    db.drop_db().await;
}

/// Window 4 (household first) with start on call.
pub async fn one_key_per_citizen(base: &str) {
    let (st, me) = req(base, "GET", "/me", Some("demo-clerk-4"), None).await;
    assert_eq!(
        (st, me["start_on_call"].clone()),
        (200, json!(true)),
        "{me}"
    );
    let c1 = walk_in(base, "household", "walk_in").await;
    let c2 = walk_in(base, "household", "walk_in").await;
    let c3 = walk_in(base, "household", "walk_in").await;

    assert_eq!(
        act(base, "4", "call-next", None).await,
        format!("已叫 {c1}")
    );
    let d = desk(base, "4").await;
    assert_eq!(d["start_on_call"], true);
    assert_eq!(
        d["current"]["status"], "serving",
        "the call started it: {d}"
    );
    let (st, b) = req(base, "POST", "/windows/4/start", Some("demo-clerk-4"), None).await;
    assert_eq!(
        (st, b["error"].as_str()),
        (409, Some("already_serving")),
        "{b}"
    );
    assert_eq!(
        act(base, "4", "call-next", None).await,
        format!("{c1} 已办结，已叫 {c2}")
    );
    // Nobody came: recalled, then a no-show, though its call started it.
    assert_eq!(act(base, "4", "recall", None).await, format!("已重呼 {c2}"));
    assert_eq!(desk(base, "4").await["current"]["status"], "serving");
    assert_eq!(
        act(base, "4", "no-show", None).await,
        format!("{c2} 已过号")
    );
    assert_eq!(
        act(base, "4", "call-next", None).await,
        format!("已叫 {c3}")
    );
    assert_eq!(act(base, "4", "finish", None).await, format!("{c3} 已办结"));
    let d = desk(base, "4").await;
    assert_eq!(
        d["today"],
        json!({"served": 2, "no_show": 1, "not_started": 0}),
        "{d}"
    );
    assert_eq!(d["no_shows"][0]["number"], c2.as_str());
    // The dashboard agrees: one key per citizen, each counted served.
    let (_, s) = req(base, "GET", "/admin/stats", Some("demo-admin"), None).await;
    assert_eq!(
        (s["served"].clone(), s["not_started"].clone()),
        (json!(2), json!(0)),
        "{s}"
    );
}
