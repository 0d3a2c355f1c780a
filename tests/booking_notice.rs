//! The hall-wide notice (预约须知) takes its numbers from the rule values: with
//! `daily_limit = 3` in the config, the booking page's notice says 3, never the 2 of the
//! printed rules; all eight points of the hall's rules are there.

mod common;
use common::*;
use serde_json::Value;

/// The boot data of `/book`.
async fn boot(hall: &Hall) -> Value {
    let html = reqwest::get(format!("http://127.0.0.1:{}/book", hall.http_port))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let boot = html
        .split("<script type=\"application/json\" id=\"boot\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("boot data");
    serde_json::from_str(boot).expect("boot JSON")
}

#[tokio::test]
async fn the_notice_shows_the_configured_rule_values() {
    let hall = Hall::start(HallOpts {
        edits: vec![
            ("daily_limit = 2", "daily_limit = 3".into()),
            ("no_show_ban_months = 3", "no_show_ban_months = 6".into()),
        ],
        ..Default::default()
    })
    .await;
    let b = boot(&hall).await;
    assert_eq!(b["rules"]["daily_limit"], 3, "{b}");
    let notice: Vec<&str> = b["notice"]
        .as_array()
        .expect("notice")
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(notice.len(), 8, "{notice:?}");
    assert!(notice[0].contains("不收取任何手续费"), "{}", notice[0]);
    assert!(notice[2].contains("海南省政务服务网"), "{}", notice[2]);
    assert!(
        notice[3].contains("同一用户每天只能预约3次"),
        "{}",
        notice[3]
    );
    assert!(
        notice[4].contains("未取消预约3次以上的，本系统自动将其列入黑名单，6个月内"),
        "{}",
        notice[4]
    );
    assert!(notice[5].contains("涉税的房屋登记业务"), "{}", notice[5]);
    assert!(
        notice[7].contains("连续3次填写信息不实，1个月内"),
        "{}",
        notice[7]
    );
    assert!(notice.iter().all(|p| !p.contains('{')), "{notice:?}");
}
