//! Erlang C against values computed elsewhere: the published λ=2, μ=1, c=3 case (p_wait =
//! wq = 4/9), then every row of `vectors/erlang_c.csv` — written by `vectors/erlang_c.py`
//! in exact rational arithmetic from the textbook formula (not the crate's Erlang B
//! recursion) — to 1e-9 relative, for 1 to 500 servers and utilisations up to 0.99,
//! service level included; and the refusals of what is no stable queue.

use hallq_queue::erlang::{erlang_c, servers_for, ErlangError};

/// One row of the reference table.
struct Row {
    lambda: f64,
    mu: f64,
    servers: u32,
    target_wait: f64,
    utilisation: f64,
    p_wait: f64,
    wq: f64,
    lq: f64,
    service_level: f64,
}

fn rows() -> Vec<Row> {
    let text = include_str!("vectors/erlang_c.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("lambda,mu,servers,target_wait,utilisation,p_wait,wq,lq,service_level")
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 9, "{line}");
            let x = |i: usize| -> f64 { f[i].parse().unwrap_or_else(|_| panic!("{line}")) };
            Row {
                lambda: x(0),
                mu: x(1),
                servers: f[2].parse().unwrap(),
                target_wait: x(3),
                utilisation: x(4),
                p_wait: x(5),
                wq: x(6),
                lq: x(7),
                service_level: x(8),
            }
        })
        .collect()
}

/// `got` within 1e-9 of `want`, relative.
fn close(what: &str, got: f64, want: f64, row: &str) {
    let err = ((got - want) / want).abs();
    assert!(
        err <= 1e-9,
        "{row}: {what} {got:e}, reference {want:e} (relative error {err:e})"
    );
}

#[test]
fn the_published_case_is_four_ninths() {
    let e = erlang_c(2.0, 1.0, 3, Some(1.0)).unwrap();
    assert!((e.p_wait - 4.0 / 9.0).abs() < 1e-12, "{e:?}");
    assert!((e.wq - 4.0 / 9.0).abs() < 1e-12, "{e:?}");
    assert!((e.lq - 8.0 / 9.0).abs() < 1e-12, "{e:?}");
    assert!((e.utilisation - 2.0 / 3.0).abs() < 1e-12, "{e:?}");
    // P(W ≤ 1) = 1 − (4/9)·e^{−(3−2)·1}.
    let sl = 1.0 - 4.0 / 9.0 * (-1.0f64).exp();
    assert!((e.service_level.unwrap() - sl).abs() < 1e-12, "{e:?}");
}

#[test]
fn every_row_of_the_independent_table_agrees_to_1e_9() {
    let rows = rows();
    assert!(rows.len() >= 50, "{} rows", rows.len());
    for servers in [1, 2, 10, 50, 100, 500] {
        assert!(
            rows.iter().any(|r| r.servers == servers),
            "no c = {servers}"
        );
    }
    assert!(rows.iter().any(|r| r.utilisation >= 0.99));
    for r in &rows {
        let row = format!(
            "λ={} μ={} c={} T={}",
            r.lambda, r.mu, r.servers, r.target_wait
        );
        let e = erlang_c(r.lambda, r.mu, r.servers, Some(r.target_wait))
            .unwrap_or_else(|err| panic!("{row}: {err}"));
        close("utilisation", e.utilisation, r.utilisation, &row);
        close("p_wait", e.p_wait, r.p_wait, &row);
        close("wq", e.wq, r.wq, &row);
        close("lq", e.lq, r.lq, &row);
        close(
            "service_level",
            e.service_level.unwrap(),
            r.service_level,
            &row,
        );
        assert_eq!(e.target_wait, Some(r.target_wait), "{row}");
    }
}

#[test]
fn without_a_target_there_is_no_service_level() {
    let e = erlang_c(9.0, 1.0, 10, None).unwrap();
    assert_eq!(e.service_level, None);
    assert_eq!(e.target_wait, None);
}

#[test]
fn what_is_no_stable_queue_is_refused() {
    assert_eq!(
        erlang_c(3.0, 1.0, 3, None),
        Err(ErlangError::Unstable(3.0, 3.0))
    );
    assert!(matches!(
        erlang_c(500.0, 1.0, 500, None),
        Err(ErlangError::Unstable(..))
    ));
    for (l, m, c, t) in [
        (0.0, 1.0, 3, None),
        (-1.0, 1.0, 3, None),
        (1.0, 0.0, 3, None),
        (f64::NAN, 1.0, 3, None),
        (1.0, f64::INFINITY, 3, None),
        (1.0, 1.0, 0, None),
        (1.0, 1.0, 3, Some(-1.0)),
        (1.0, 1.0, 3, Some(f64::NAN)),
    ] {
        assert_eq!(
            erlang_c(l, m, c, t),
            Err(ErlangError::Invalid),
            "{l} {m} {c} {t:?}"
        );
    }
}

#[test]
fn the_fewest_servers_for_a_target_meet_it_and_one_fewer_does_not() {
    // 9 arrivals per service time, 80 % within a fifth of a service time.
    let c = servers_for(9.0, 1.0, 0.8, 0.2, 500).unwrap();
    let sl = |c| erlang_c(9.0, 1.0, c, Some(0.2)).map(|e| e.service_level.unwrap());
    assert!(sl(c).unwrap() >= 0.8);
    assert!(sl(c - 1).map_or(true, |s| s < 0.8));
    assert_eq!(servers_for(9.0, 1.0, 0.8, 0.2, c - 1), None);
}
