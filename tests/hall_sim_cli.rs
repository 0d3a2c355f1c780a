//! `hallq simulate --config` and `hallq plan`, run as the binary an admin runs: the demo
//! hall under its profile (every service and window reported, the same seed the same JSON,
//! the estimator measured beside the former one), the plan's CSV and what-if, and the
//! refusals (a profile naming a service or window the hall does not have, a target that
//! is not one, a hall database without history) with exit 2 and one line.

use serde_json::Value;
use std::process::Command;

const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/config/examples/demo-hall.toml"
);
const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/config/examples/demo-profile.toml"
);

fn hallq(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn simulate(seed: &str) -> Value {
    let (code, out, err) = hallq(&[
        "simulate",
        "--config",
        CONFIG,
        "--arrivals",
        PROFILE,
        "--days",
        "2",
        "--seed",
        seed,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_demo_hall_simulated() {
    let v = simulate("4");
    assert_eq!(v["days"], 2);
    let services = v["services"].as_object().unwrap();
    assert_eq!(services.len(), 8, "{v}");
    for (id, s) in services {
        let served = s["served"].as_u64().unwrap();
        assert!(served > 0, "{id}: {s}");
        let (p50, p90, max) = (&s["wait_p50_s"], &s["wait_p90_s"], &s["wait_max_s"]);
        assert!(
            p50.as_f64() <= p90.as_f64() && p90.as_f64() <= max.as_f64(),
            "{id}: {s}"
        );
    }
    let windows = v["windows"].as_object().unwrap();
    assert_eq!(windows.len(), 10);
    for w in windows.values() {
        let u = w["utilisation"].as_f64().unwrap();
        assert!(u > 0.2 && u <= 1.0, "{w}");
    }
    for k in [
        "estimate_mae_s",
        "estimate_mae_s_baseline",
        "within_tolerance",
        "within_tolerance_baseline",
    ] {
        assert!(v[k].as_f64().is_some(), "{k}: {v}");
    }
    assert!(
        v["estimate_mae_s"].as_f64() < v["estimate_mae_s_baseline"].as_f64(),
        "{v}"
    );
    // The same seed, the same days; another seed, others.
    assert_eq!(v, simulate("4"));
    assert_ne!(v, simulate("5"));
}

#[test]
fn the_plan_and_its_what_if() {
    let (code, out, err) = hallq(&[
        "plan",
        "--config",
        CONFIG,
        "--arrivals",
        PROFILE,
        "--target",
        "80% within 15m",
        "--what-if",
        "2@09:00-11:00",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let w = &v["what_if"];
    assert!(
        w["p90_after_s"].as_f64() < w["p90_before_s"].as_f64(),
        "{w}"
    );
    assert!(v["hours"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["hour"] == 9));
    let (code, csv, err) = hallq(&[
        "plan",
        "--config",
        CONFIG,
        "--arrivals",
        PROFILE,
        "--target",
        "80% within 15m",
        "--csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        csv.starts_with("\u{feff}星期 weekday,时段 hour,业务 service,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), v["rows"].as_array().unwrap().len() + 1);
}

#[test]
fn refusals_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let bad_service = dir.path().join("p.toml");
    std::fs::write(
        &bad_service,
        "[services.nope]\nmean_s = 60\nper_hour = { 9 = 5 }\n",
    )
    .unwrap();
    let bad = bad_service.to_str().unwrap();
    let (code, _, err) = hallq(&["simulate", "--config", CONFIG, "--arrivals", bad]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"nope\""), "{err}");
    let rate = dir.path().join("r.toml");
    std::fs::write(
        &rate,
        "[services.property]\nmean_s = 60\nper_hour = { 25 = 5 }\n",
    )
    .unwrap();
    let (code, _, err) = hallq(&[
        "simulate",
        "--config",
        CONFIG,
        "--arrivals",
        rate.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("hour \"25\""), "{err}");
    let (code, _, err) = hallq(&[
        "plan",
        "--config",
        CONFIG,
        "--arrivals",
        PROFILE,
        "--target",
        "most within soon",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("80% within 15m"), "{err}");
    let (code, _, err) = hallq(&[
        "simulate",
        "--config",
        CONFIG,
        "--arrivals",
        PROFILE,
        "--days",
        "400",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--days"), "{err}");
    // A hall with an empty database: no history to learn from, and it says so.
    let cfg = dir.path().join("hall.toml");
    let text = std::fs::read_to_string(CONFIG).unwrap();
    let data = dir.path().join("data");
    let text = text.replacen(
        "data_dir = \"data\"",
        &format!("data_dir = {:?}", data.to_str().unwrap()),
        1,
    );
    std::fs::write(&cfg, text).unwrap();
    let (code, _, err) = hallq(&["simulate", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--arrivals"), "{err}");
}
