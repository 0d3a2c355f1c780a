//! A hall on a PostgreSQL server without autovacuum says so at start-up: every call leaves a
//! dead ticket row behind and the queue's index scans wade through them, so calls slow down
//! all day (docs/soak.md). With autovacuum on, it says nothing.

mod common;
use common::*;

#[tokio::test]
async fn a_server_without_autovacuum_is_named_at_start_up() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "PostgreSQL's autovacuum warning") else {
        return;
    };
    let Some(mq) = env_or_skip("HALLQ_TEST_MQTT_URL", "PostgreSQL's autovacuum warning") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let off = {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let v: String = sqlx::query_scalar("SHOW autovacuum")
            .fetch_one(&mut c)
            .await
            .unwrap();
        v == "off"
    };
    let hall = Hall::start(HallOpts::replica(&db.url, &mq, &unique_hall())).await;
    let log = hall.log();
    assert_eq!(
        log.contains("autovacuum is off on this PostgreSQL server"),
        off,
        "autovacuum off: {off}; log:\n{log}"
    );
    drop(hall);
    db.drop_db().await;
}
