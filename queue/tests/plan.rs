//! Staffing advice on the demo hall: targets and what-ifs parsed from an admin's words, the
//! windows needed grow with demand, more windows shorten the simulated waits, the CSV.

use hallq_queue::plan::{self, Target, WhatIf};
use hallq_queue::profile::Profile;
use hallq_queue::sim::HallModel;
use std::path::Path;

fn demo() -> (HallModel, Profile) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/examples");
    let cfg = hallq_config::load_file(&root.join("demo-hall.toml")).expect("demo config");
    let text = std::fs::read_to_string(root.join("demo-profile.toml")).unwrap();
    (
        HallModel::of(&cfg),
        Profile::parse(&text).expect("demo profile"),
    )
}

#[test]
fn targets_and_what_ifs_from_words() {
    let t: Target = "80% within 15m".parse().unwrap();
    assert_eq!((t.share, t.within_s), (0.8, 900.0));
    assert_eq!("0.9/1h".parse::<Target>().unwrap().within_s, 3600.0);
    for bad in [
        "",
        "80%",
        "180% within 5m",
        "80% within -5m",
        "80% within 5y",
        "x within 5m",
    ] {
        assert!(bad.parse::<Target>().is_err(), "{bad}");
    }
    let w: WhatIf = "2@09:00-11:00".parse().unwrap();
    assert_eq!((w.count, w.from_s, w.to_s), (2, 9 * 3600, 11 * 3600));
    assert!(w.services.is_empty());
    let w: WhatIf = "1@13:00-14:30:property,tax-housing".parse().unwrap();
    assert_eq!(w.services, ["property", "tax-housing"]);
    for bad in [
        "0@09:00-11:00",
        "2@11:00-09:00",
        "2@9-11",
        "two@09:00-11:00",
    ] {
        assert!(bad.parse::<WhatIf>().is_err(), "{bad}");
    }
}

#[test]
fn the_demo_halls_advice() {
    let (hall, profile) = demo();
    let target: Target = "80% within 15m".parse().unwrap();
    let what: WhatIf = "2@09:00-11:00".parse().unwrap();
    let p = plan::plan(&hall, &profile, target, Some(&what), 3);
    // Monday is busier than Tuesday in the profile: never fewer windows at the same hour.
    for r in p.rows.iter().filter(|r| r.weekday == "mon") {
        let tue = p
            .rows
            .iter()
            .find(|t| t.weekday == "tue" && t.hour == r.hour && t.service == r.service)
            .unwrap();
        assert!(r.windows_needed >= tue.windows_needed, "{r:?} {tue:?}");
        assert!(r.service_level >= target.share, "{r:?}");
    }
    let w = p.what_if.as_ref().unwrap();
    assert!(w.p90_after_s < w.p90_before_s, "{w:?}");
    assert!(w.within_after >= w.within_before, "{w:?}");
    assert!(p
        .hours
        .iter()
        .any(|h| h.hour == 9 && h.simulated_tickets > 0));
    let csv = plan::to_csv(&p);
    assert!(csv.starts_with("\u{feff}星期 weekday,"));
    assert_eq!(csv.lines().count(), p.rows.len() + 1);
    assert!(csv.contains("mon,09:00,property,"), "{csv}");
}
