//! The one-hall commands on a city file: `hallq mqtt acl` covers every hall, and the device
//! commands take `--hall` (an unknown hall is named with the city's halls).

use std::process::Command;

const CITY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/config/examples/demo-city.toml"
);

fn hallq(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_acl_of_a_city_grants_each_account_in_its_hall() {
    let (code, acl) = hallq(&["mqtt", "acl", "--config", CITY]);
    assert_eq!(code, 0, "{acl}");
    assert_eq!(acl.matches("user hallq-controller\n").count(), 1, "{acl}");
    assert!(acl.contains("topic readwrite hallq/v1/haikou/#"), "{acl}");
    assert!(acl.contains("topic readwrite hallq/v1/longhua/#"), "{acl}");
    let longhua = acl
        .split("user display-longhua\n")
        .nth(1)
        .expect("longhua's display");
    let longhua = longhua.split("\nuser ").next().unwrap();
    assert!(longhua.contains("hallq/v1/longhua/calls"), "{longhua}");
    assert!(!longhua.contains("haikou"), "{longhua}");
    let (code, users) = hallq(&["mqtt", "acl", "--config", CITY, "--users"]);
    assert_eq!(code, 0);
    assert_eq!(
        users.lines().filter(|u| *u == "hallq-controller").count(),
        1
    );
    assert!(users.lines().any(|u| u == "display-longhua"), "{users}");
}

#[test]
fn device_commands_name_the_halls_of_a_city() {
    let (code, out) = hallq(&[
        "print",
        "test",
        "--config",
        CITY,
        "--hall",
        "nowhere",
        "--printer",
        "p1",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("no hall \"nowhere\"") && out.contains("haikou, longhua"),
        "{out}"
    );
    // The first hall by default: the demo hall's printers are known.
    let (code, out) = hallq(&["print", "test", "--config", CITY, "--printer", "nope"]);
    assert_ne!(code, 0, "{out}");
    assert!(!out.contains("no hall"), "{out}");
    let (code, out) = hallq(&["run", "--config", CITY, "--hall", "longhua"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("--hall is for `hallq display`"), "{out}");
}
