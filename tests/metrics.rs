//! `GET /metrics` against the real binary: counters move with tickets and calls, the
//! relay reports its broker connection, requests are timed per matched route, and every
//! line is valid Prometheus text exposition (0.0.4), queues and windows are read at scrape
//! time.

mod common;
use common::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// One sample: metric name, labels, value.
type Sample = (String, HashMap<String, String>, f64);

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Parses `{a="x",b="y\"z"}` (without the braces); `None` when malformed.
fn parse_labels(s: &str) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        if !is_name(name) || name.starts_with("__") {
            return None;
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (_, '\\') => match chars.next()?.1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    _ => return None,
                },
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        if out.insert(name.to_string(), value).is_some() {
            return None;
        }
        rest = &after[end + 1..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// Checks every line of an exposition and returns its samples.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut typed: HashMap<String, String> = HashMap::new();
    let mut helped = HashSet::new();
    let mut samples = Vec::new();
    assert!(text.ends_with('\n'), "exposition ends with a newline");
    for line in text.lines() {
        assert!(!line.is_empty(), "no empty lines");
        if let Some(c) = line.strip_prefix("# ") {
            let mut parts = c.splitn(3, ' ');
            let (kw, name, rest) = (parts.next(), parts.next(), parts.next());
            let name = name.unwrap_or_else(|| panic!("comment without a name: {line:?}"));
            assert!(is_name(name), "bad metric name in {line:?}");
            match kw {
                Some("HELP") => {
                    assert!(rest.is_some_and(|h| !h.is_empty()), "empty HELP: {line:?}");
                    assert!(helped.insert(name.to_string()), "HELP twice: {line:?}");
                }
                Some("TYPE") => {
                    let t = rest.unwrap_or_default();
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&t),
                        "bad TYPE: {line:?}"
                    );
                    assert!(
                        typed.insert(name.to_string(), t.to_string()).is_none(),
                        "TYPE twice: {line:?}"
                    );
                }
                _ => panic!("unknown comment: {line:?}"),
            }
            continue;
        }
        assert!(!line.starts_with('#'), "bad comment: {line:?}");
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line:?}"));
        let value = parse_value(value).unwrap_or_else(|| panic!("bad value: {line:?}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => {
                let l = l
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels: {line:?}"));
                let l = parse_labels(l).unwrap_or_else(|| panic!("bad labels: {line:?}"));
                (n, l)
            }
            None => (series, HashMap::new()),
        };
        assert!(is_name(name), "bad metric name: {line:?}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| typed.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(name);
        let t = typed
            .get(family)
            .unwrap_or_else(|| panic!("sample before its TYPE: {line:?}"));
        if t == "histogram" {
            assert_ne!(name, family, "histogram sample without suffix: {line:?}");
            if name.ends_with("_bucket") {
                assert!(labels.contains_key("le"), "bucket without le: {line:?}");
            }
        }
        assert!(value.is_finite() && value >= 0.0, "odd value: {line:?}");
        samples.push((name.to_string(), labels, value));
    }
    for name in typed.keys() {
        assert!(helped.contains(name), "{name} has TYPE but no HELP");
    }
    samples
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.2)
}

async fn scrape(hall: &Hall) -> (String, Vec<Sample>) {
    let resp = reqwest::get(format!("http://127.0.0.1:{}/metrics", hall.http_port))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = resp.text().await.unwrap();
    let samples = parse_exposition(&text);
    (text, samples)
}

#[tokio::test]
async fn metrics_count_tickets_calls_waits_and_routes() {
    let hall = Hall::start(HallOpts::default()).await;
    hall.ticket("property").await;
    hall.ticket("property").await;
    let (st, b) = hall.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{b}");
    let (st, _) = hall.req("GET", "/no-such-route", None, None).await;
    assert_eq!(st, 404);

    // The relay connects to the embedded broker shortly after start.
    let deadline = Instant::now() + Duration::from_secs(15);
    let (text, s) = loop {
        let (text, s) = scrape(&hall).await;
        if value(&s, "hallq_broker_connected", &[]) == Some(1.0) || Instant::now() > deadline {
            break (text, s);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let v = |name: &str, labels: &[(&str, &str)]| value(&s, name, labels);

    assert_eq!(v("hallq_broker_connected", &[]), Some(1.0), "{text}");
    assert_eq!(
        v("hallq_tickets_issued_total", &[("service", "property")]),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        v("hallq_calls_total", &[("window", "1"), ("recall", "false")]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(v("hallq_wait_seconds_count", &[]), Some(1.0), "{text}");
    assert_eq!(
        v("hallq_wait_seconds_bucket", &[("le", "+Inf")]),
        Some(1.0),
        "{text}"
    );
    // Called within seconds of being issued: in the first bucket.
    assert_eq!(
        v("hallq_wait_seconds_bucket", &[("le", "60")]),
        Some(1.0),
        "{text}"
    );
    // Read from the database at scrape time: one of the two tickets still waits, every
    // configured service has its series (zero included), every configured window one status.
    assert_eq!(
        v("hallq_queue_waiting", &[("service", "property")]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        v("hallq_queue_waiting", &[("service", "consult")]),
        Some(0.0),
        "{text}"
    );
    let windows: f64 = ["open", "paused", "closed"]
        .iter()
        .map(|st| v("hallq_windows", &[("status", st)]).unwrap_or(-100.0))
        .sum();
    assert_eq!(windows, 10.0, "{text}");
    assert!(
        v("hallq_windows", &[("status", "open")]) >= Some(1.0),
        "{text}"
    );
    assert!(v("hallq_outbox_unsent", &[]).is_some(), "{text}");
    assert!(
        v("hallq_outbox_oldest_unsent_seconds", &[]).is_some(),
        "{text}"
    );

    let post_tickets = [("method", "POST"), ("route", "/api/v1/tickets")];
    assert_eq!(
        v("hallq_http_request_duration_seconds_count", &post_tickets),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        v(
            "hallq_http_request_duration_seconds_bucket",
            &[post_tickets[0], post_tickets[1], ("le", "+Inf")]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        v(
            "hallq_http_requests_total",
            &[post_tickets[0], post_tickets[1], ("status", "201")]
        ),
        Some(2.0),
        "{text}"
    );
    // Routes are templates, never concrete paths; unknown paths share one label.
    assert_eq!(
        v(
            "hallq_http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/v1/windows/{w}/call-next"),
                ("status", "200")
            ]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        v(
            "hallq_http_requests_total",
            &[("route", "unmatched"), ("status", "404")]
        ),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("/no-such-route"), "{text}");

    // A recall counts apart and observes no second wait.
    let (st, b) = hall.act("1", "recall", None).await;
    assert_eq!(st, 200, "{b}");
    let (text, s) = scrape(&hall).await;
    assert_eq!(
        value(
            &s,
            "hallq_calls_total",
            &[("window", "1"), ("recall", "true")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&s, "hallq_wait_seconds_count", &[]),
        Some(1.0),
        "{text}"
    );
}

#[test]
fn the_checker_refuses_bad_lines() {
    for bad in [
        "hallq_x 1\n",                                // no TYPE
        "# TYPE hallq_x counter\nhallq_x{a=\"1} 1\n", // unclosed value
        "# TYPE hallq_x counter\nhallq_x one\n",      // bad value
        "# TYPE hallq_x wat\n",                       // bad type
    ] {
        let r = std::panic::catch_unwind(|| parse_exposition(bad));
        assert!(r.is_err(), "accepted {bad:?}");
    }
    let ok = "# HELP hallq_x X.\n# TYPE hallq_x counter\nhallq_x{a=\"q\\\"\",b=\"\"} 3\n";
    let s = parse_exposition(ok);
    assert_eq!(s[0].1["a"], "q\"");
}

/// Two replicas on one PostgreSQL: the scrape-time gauges agree (the dashboard takes their
/// `max`), counters are per process, and one relay at a time is connected.
#[tokio::test]
async fn replicas_agree_on_the_scrape_time_gauges() {
    let Some(pg) = env_or_skip("HALLQ_TEST_PG_URL", "metrics of two replicas") else {
        return;
    };
    let Some(mq) = env_or_skip("HALLQ_TEST_MQTT_URL", "metrics of two replicas") else {
        return;
    };
    let db = PgDb::create(&pg).await;
    let opts = HallOpts::replica(&db.url, &mq, &unique_hall());
    let a = Hall::start(opts.clone()).await;
    let b = Hall::start(opts).await;
    a.tickets("property", 3).await;
    let (st, body) = b.act("1", "call-next", None).await;
    assert_eq!(st, 200, "{body}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let ((ta, sa), (tb, sb)) = loop {
        let (sa, sb) = (scrape(&a).await, scrape(&b).await);
        let connected = |s: &[Sample]| value(s, "hallq_broker_connected", &[]).unwrap_or(0.0);
        if connected(&sa.1) + connected(&sb.1) == 1.0 || Instant::now() > deadline {
            break (sa, sb);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let both = format!("{ta}\n----\n{tb}");
    let v = |s: &[Sample], name: &str, labels: &[(&str, &str)]| value(s, name, labels);
    let relays = v(&sa, "hallq_broker_connected", &[]).zip(v(&sb, "hallq_broker_connected", &[]));
    assert!(matches!(relays, Some((x, y)) if x + y == 1.0), "{both}");
    for s in [&sa, &sb] {
        let waiting = v(s, "hallq_queue_waiting", &[("service", "property")]);
        assert_eq!(waiting, Some(2.0), "{both}");
    }
    for st in ["open", "paused", "closed"] {
        let w = [("status", st)];
        assert_eq!(
            v(&sa, "hallq_windows", &w),
            v(&sb, "hallq_windows", &w),
            "{both}"
        );
    }
    let issued = [("service", "property")];
    assert_eq!(
        v(&sa, "hallq_tickets_issued_total", &issued),
        Some(3.0),
        "{both}"
    );
    assert_eq!(
        v(&sb, "hallq_tickets_issued_total", &issued),
        None,
        "{both}"
    );
    assert_eq!(v(&sb, "hallq_wait_seconds_count", &[]), Some(1.0), "{both}");
    drop((a, b));
    db.drop_db().await;
}
