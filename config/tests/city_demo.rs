//! The demo city (`config/examples/demo-city.toml`): two halls, the first being the demo
//! hall's own file unchanged. What an admin checks: the demo hall is exactly what its file
//! alone gives, plus the city-wide admin; the district hall runs on the deployment's
//! server, broker and identity; every demo secret is warned of in the file that holds it.

use hallq_config::{
    check_deployment_env, check_str, Deployment, Diagnostic, Role, Scope, Settings,
};
use std::path::{Path, PathBuf};

fn no_env(_: &str) -> Option<String> {
    None
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn demo_city() -> (Deployment, Vec<Diagnostic>) {
    match check_deployment_env(&example("demo-city.toml"), &no_env) {
        Ok(d) => d,
        Err(e) => panic!("the demo city must load:\n{e}"),
    }
}

fn demo_hall_alone() -> (Settings, Vec<Diagnostic>) {
    let path = example("demo-hall.toml");
    let src = std::fs::read_to_string(&path).unwrap();
    check_str(&path.display().to_string(), &src, &no_env).unwrap()
}

/// The settings without the accounts (compared apart), as text.
fn without_accounts(s: &Settings) -> String {
    let mut s = s.clone();
    s.credentials.clear();
    s.staff.clear();
    format!("{s:?}")
}

fn tokens(s: &Settings) -> Vec<String> {
    let mut t: Vec<String> = s
        .credentials
        .iter()
        .map(|c| format!("{} {:?} {:?} {}", c.name, c.role, c.window, c.token_sha256))
        .collect();
    t.sort();
    t
}

fn staff(s: &Settings) -> Vec<String> {
    let mut t: Vec<String> = s
        .staff
        .iter()
        .map(|u| {
            format!(
                "{} {:?} {:?} {:?} {} {}",
                u.username, u.name, u.role, u.windows, u.password_argon2, u.disabled
            )
        })
        .collect();
    t.sort();
    t
}

#[test]
fn the_demo_hall_is_its_own_file_plus_the_city_wide_admin() {
    let (city, _) = demo_city();
    let (alone, _) = demo_hall_alone();
    assert_eq!(city.halls.len(), 2);
    let c = city.city.as_ref().expect("a city file");
    assert_eq!(
        (c.id.as_str(), c.name.as_str()),
        ("haikou", "海口市政务服务中心")
    );
    assert_eq!(c.halls, ["demo-hall.toml", "demo-city/longhua.toml"]);
    let haikou = city.first();
    assert_eq!(haikou.hall.id, "haikou");
    assert_eq!(without_accounts(haikou), without_accounts(&alone));
    // The demo hall's own admin gives way to the city's, which is the same account.
    assert_eq!(tokens(haikou), tokens(&alone));
    assert_eq!(staff(haikou), staff(&alone));
    let admin = haikou.staff.iter().find(|u| u.username == "admin").unwrap();
    assert!(admin.city_wide);
    assert!(haikou
        .staff
        .iter()
        .filter(|u| u.username != "admin")
        .all(|u| !u.city_wide));
    assert_eq!(haikou.staff.len(), alone.staff.len());
    assert_eq!(haikou.credentials.len(), alone.credentials.len());
}

#[test]
fn the_district_hall_runs_on_the_deployments_sections() {
    let (city, _) = demo_city();
    let (alone, _) = demo_hall_alone();
    let longhua = city.hall("longhua").expect("the district hall");
    assert_eq!(longhua.hall.name, "龙华区政务服务中心");
    assert!(longhua
        .hall
        .address
        .as_deref()
        .unwrap()
        .starts_with("海口市龙华区"));
    assert_eq!(longhua.server.listen, alone.server.listen);
    assert_eq!(longhua.server.data_dir, alone.server.data_dir);
    assert_eq!(longhua.broker.mode, alone.broker.mode);
    assert_eq!(longhua.broker.listen, alone.broker.listen);
    assert_eq!(longhua.identity.id_hash_key, alone.identity.id_hash_key);
    assert_eq!(longhua.identity.dev_provider, alone.identity.dev_provider);
    assert_eq!(
        format!("{:?}", longhua.limits),
        format!("{:?}", alone.limits)
    );
    assert_eq!(longhua.notifiers.len(), alone.notifiers.len());
    let rules = &longhua.appointments;
    assert_eq!(rules.daily_limit, alone.appointments.daily_limit);
    for scope in [
        rules.daily_limit_scope,
        rules.no_show_scope,
        rules.false_info_scope,
    ] {
        assert_eq!(scope, Scope::City);
    }
    // Its own devices only on the broker; the city-wide admin merged in.
    let accounts: Vec<&str> = longhua
        .broker
        .accounts
        .iter()
        .map(|a| a.username.as_str())
        .collect();
    assert_eq!(accounts, ["display-longhua"]);
    assert_eq!(
        city.first().broker.accounts.len(),
        alone.broker.accounts.len()
    );
    assert!(longhua
        .credentials
        .iter()
        .any(|c| c.role == Role::Admin && c.name == "admin"));
    assert!(longhua
        .staff
        .iter()
        .any(|u| u.username == "admin" && u.city_wide));
    assert_eq!(longhua.windows.len(), 4);
    assert!((2..=3).contains(&longhua.sections.len()));
    assert!(longhua.services().any(|s| s.booking.is_some()));
    assert_eq!(longhua.hall.hours.open.as_deref(), Some("00:00"));
    assert_eq!(longhua.hall.hours.close.as_deref(), Some("24:00"));
    assert_eq!(longhua.hall.hours.days.as_ref().map(Vec::len), Some(7));
}

#[test]
fn every_demo_secret_is_warned_of_in_its_own_file() {
    let (_, warnings) = demo_city();
    let city = example("demo-city.toml").display().to_string();
    let district = example("demo-city/longhua.toml").display().to_string();
    let hall = example("demo-hall.toml").display().to_string();
    for w in &warnings {
        assert!(
            [&city, &district, &hall].contains(&&w.file),
            "{w}: names one of the three files"
        );
    }
    let unique: std::collections::HashSet<String> =
        warnings.iter().map(ToString::to_string).collect();
    assert_eq!(unique.len(), warnings.len(), "no warning twice");
    let has = |file: &str, key: &str, text: &str| {
        warnings
            .iter()
            .any(|w| w.file == file && w.key == key && w.message.contains(text))
    };
    assert!(has(&city, "credentials[0].token_sha256", "\"demo-admin\""));
    assert!(has(&city, "staff[0].password_argon2", "\"demo-admin\""));
    assert!(has(
        &district,
        "credentials[0].token_sha256",
        "\"demo-kiosk-longhua\""
    ));
    for w in 1..=4 {
        let secret = format!("\"demo-clerk-longhua-{w}\"");
        assert!(has(
            &district,
            &format!("credentials[{}].token_sha256", w + 1),
            &secret
        ));
    }
    assert!(has(
        &district,
        "credentials[1].token_sha256",
        "\"demo-display-longhua\""
    ));
    assert!(has(
        &district,
        "staff[0].password_argon2",
        "\"demo-clerk-longhua\""
    ));
    assert!(has(
        &district,
        "staff[1].password_argon2",
        "\"demo-desk-longhua\""
    ));
    assert!(has(
        &district,
        "broker.accounts[0].password_sha256",
        "\"demo-display-longhua\""
    ));
    assert!(has(&hall, "credentials[0].token_sha256", "\"demo-kiosk\""));
    // The demo hall's own admin is not used in the city, so not warned of there.
    assert!(!has(&hall, "credentials[1].token_sha256", "\"demo-admin\""));
    let (_, alone) = demo_hall_alone();
    assert!(alone
        .iter()
        .any(|w| w.key == "credentials[1].token_sha256" && w.message.contains("\"demo-admin\"")));
}

#[test]
fn the_demo_hall_file_alone_is_a_deployment_of_one_hall() {
    let (one, warnings) = check_deployment_env(&example("demo-hall.toml"), &no_env).unwrap();
    assert!(one.city.is_none());
    assert_eq!(one.halls.len(), 1);
    let (alone, alone_warnings) = demo_hall_alone();
    assert_eq!(format!("{:?}", one.first()), format!("{alone:?}"));
    assert!(one.first().staff.iter().all(|u| !u.city_wide));
    assert_eq!(warnings, alone_warnings);
}
