//! The Grafana dashboard `deploy/grafana/hallq-hall.json`: its shape (title, uid, a
//! Prometheus data source variable, panels with that data source and targets), and every
//! metric name its queries read is exposed by the real binary's `/metrics` after a ticket
//! is issued and called — and every series the binary exposes is on the dashboard.

mod common;
mod grafana;
use common::*;
use grafana::{metric_names, variable_query_names};
use serde_json::json;

fn names(expr: &str) -> Vec<String> {
    metric_names(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

#[test]
fn the_tokenizer_finds_metric_names_only() {
    let cases: &[(&str, &[&str])] = &[
        (
            r#"sum by (service) (rate(hallq_tickets_issued_total{service=~"a|b", instance=~"$instance"}[$__rate_interval]))"#,
            &["hallq_tickets_issued_total"],
        ),
        (
            "histogram_quantile(0.95, sum by (le, route) (rate(x_bucket[5m])))",
            &["x_bucket"],
        ),
        (
            "a / on(instance) group_left(job) b offset 5m > bool 1e-3",
            &["a", "b"],
        ),
        (
            "sum(rate(x_sum[1h30m:1m])) BY (le) / ignoring (le) sum without(le)(y_count)",
            &["x_sum", "y_count"],
        ),
        (r#"{__name__="foo", job="x"} and bar"#, &["foo", "bar"]),
        (
            r#"label_replace(up{a='b'}, "dst", "$1", "src", "(.*)") unless nothing @ start()"#,
            &["up", "nothing"],
        ),
        (
            "(sum(rate(x[${__rate_interval}])) or vector(0)) * Inf + count_values(\"v\", y)",
            &["x", "y"],
        ),
        ("topk(5, z) # a comment naming w\n", &["z"]),
        ("vector(1) + time()", &[]),
    ];
    for (expr, want) in cases {
        assert_eq!(names(expr), *want, "{expr}");
    }
    for bad in [
        "rat(foo[5m])",
        r#"foo{a="b}"#,
        r#"foo{a}"#,
        "sum(rate(x[5m])",
        "sum(x))",
    ] {
        assert!(metric_names(bad).is_err(), "accepted {bad:?}");
    }
    assert_eq!(
        variable_query_names("label_values(hallq_up{a=\"b\"}, instance)").unwrap(),
        ["hallq_up"]
    );
    assert!(variable_query_names("label_values(instance)")
        .unwrap()
        .is_empty());
    assert!(variable_query_names("nonsense(x)").is_err());
}

#[test]
fn the_dashboard_has_a_sound_shape() {
    let dash = grafana::load();
    let bad = grafana::shape_problems(&dash);
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(grafana::panels(&dash).len() >= 10);

    // The check catches what it says it does.
    let mut broken = dash.clone();
    broken["uid"] = json!("");
    broken["panels"][1]["datasource"] = json!({"type": "prometheus", "uid": "abc"});
    broken["panels"][2]["targets"] = json!([]);
    broken["panels"][3]["title"] = json!("Waiting only");
    let bad = grafana::shape_problems(&broken);
    assert_eq!(bad.len(), 4, "{bad:#?}");
    broken["templating"]["list"] = json!([]);
    assert!(grafana::shape_problems(&broken)
        .iter()
        .any(|p| p.contains("data source variable")));
}

#[tokio::test]
async fn every_metric_the_dashboard_reads_is_exposed_by_the_binary() {
    let dash = grafana::load();
    let hall = Hall::start(HallOpts::default()).await;
    hall.ticket("property").await;
    hall.ticket("property").await;
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    let text = hall.metrics().await;
    let exposed = grafana::exposed(&text);

    let bad = grafana::name_problems(&dash, &exposed);
    assert!(bad.is_empty(), "{bad:#?}\n{text}");

    // Every series the binary exposes has a panel.
    let read = grafana::families_read(&dash, &exposed);
    let unread: Vec<_> = exposed
        .types
        .keys()
        .filter(|f| !read.contains(*f))
        .collect();
    assert!(unread.is_empty(), "not on the dashboard: {unread:?}");

    // A panel naming a metric that does not exist fails the check, and so does one that
    // reads a histogram by its bare name (Prometheus has no such series).
    let mut wrong = dash.clone();
    let targets = grafana::panels(&dash)
        .iter()
        .position(|p| p["type"] != "row")
        .unwrap();
    wrong["panels"][targets]["targets"] = json!([
        {"refId": "A", "expr": "sum(hallq_queue_waitng)"},
        {"refId": "B", "expr": "histogram_quantile(0.5, rate(hallq_wait_seconds[5m]))"},
    ]);
    let bad = grafana::name_problems(&wrong, &exposed);
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(
        bad[0].contains("hallq_queue_waitng is not exposed"),
        "{bad:#?}"
    );
    assert!(bad[1].contains("a histogram"), "{bad:#?}");
}
