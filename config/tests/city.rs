//! A city file and its hall files, as an admin writes them: every problem names the file
//! it is in with LINE:COL (a bad key in a hall file, a duplicate hall id, a missing hall
//! file, a non-admin city-wide account, a token or user name in two halls), a
//! deployment-wide section in a later hall file is a warning, and the city-wide admin
//! replaces a hall's own copy of it.

use hallq_config::{check_deployment_env, ConfigError, Deployment, Diagnostic, Severity};
use std::path::PathBuf;

fn no_env(_: &str) -> Option<String> {
    None
}

/// A small valid hall. Lines: 2 `id`, 5 `[[sections]]`, 14 `[[windows]]`, 19
/// `[[credentials]]`, 23 its `token_sha256`; anything appended starts on line 24.
fn hall(id: &str, token_digit: char) -> String {
    format!(
        r#"[hall]
id = "{id}"
name = "测试大厅"

[[sections]]
id = "civil"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
prefix = "A"

[[windows]]
id = "w1"
name = "1号窗口"
services = ["marriage"]

[[credentials]]
name = "clerk-1"
role = "clerk"
window = "w1"
token_sha256 = "{}"
"#,
        token_digit.to_string().repeat(64)
    )
}

/// The city file's first lines; anything appended starts on line 5.
const CITY: &str = r#"[city]
id = "testcity"
name = "测试市"
halls = ["a.toml", "sub/b.toml"]
"#;

const ADMIN_TOKEN: &str = "cce7a2cf1ae045989cfc914fb95a41526f167a838b3c7d33745143614abace7c";
const ADMIN_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$P93Qi2ZBZ2rbH8UnlABm5A$6hcmh5xrxPcRuKGqx/qKrkC8Skk9s8c+LJvSGFt+k9U";

struct City {
    dir: tempfile::TempDir,
}

impl City {
    /// `city.toml` with `extra` appended, `a.toml` and `sub/b.toml`.
    fn new(extra: &str, a: &str, b: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("city.toml"), format!("{CITY}{extra}")).unwrap();
        std::fs::write(dir.path().join("a.toml"), a).unwrap();
        std::fs::write(dir.path().join("sub/b.toml"), b).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn name(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn check(&self) -> Result<(Deployment, Vec<Diagnostic>), Vec<Diagnostic>> {
        match check_deployment_env(&self.path("city.toml"), &no_env) {
            Ok(d) => Ok(d),
            Err(ConfigError::Invalid(d)) => Err(d),
            Err(e) => panic!("unexpected {e}"),
        }
    }

    fn errors(&self) -> Vec<Diagnostic> {
        match self.check() {
            Ok(_) => panic!("must not load"),
            Err(d) => d,
        }
    }
}

/// `d` is at FILE:LINE:COL with this key, and its message holds `text`.
#[track_caller]
fn assert_at(d: &Diagnostic, file: &str, line: usize, col: usize, key: &str, text: &str) {
    assert_eq!(
        (d.file.as_str(), d.line, d.col, d.key.as_str()),
        (file, line, col, key),
        "{d}"
    );
    assert!(d.message.contains(text), "{d}");
}

#[test]
fn two_good_halls_load_with_the_first_halls_server_for_both() {
    let a = format!(
        "{}\n[server]\nlisten = \"127.0.0.1:9001\"\n",
        hall("a", '1')
    );
    let city = City::new("", &a, &hall("b", '2'));
    let (d, warnings) = city.check().unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let ids: Vec<&str> = d.halls.iter().map(|h| h.hall.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(d.hall("b").unwrap().server.listen, "127.0.0.1:9001");
    assert_eq!(d.city.unwrap().id, "testcity");
}

#[test]
fn a_bad_key_in_the_second_hall_file_is_placed_there() {
    let b = hall("b", '2').replace("name = \"1号窗口\"", "name = \"1号窗口\"\nflor = 2");
    let city = City::new("", &hall("a", '1'), &b);
    let errors = city.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_at(
        &errors[0],
        &city.name("sub/b.toml"),
        17,
        1,
        "windows[0].flor",
        "did you mean \"floor\"?",
    );
    assert_eq!(errors[0].severity, Severity::Error);
}

#[test]
fn a_hall_id_used_twice_is_an_error_in_the_later_file() {
    let city = City::new("", &hall("a", '1'), &hall("a", '2'));
    let errors = city.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_at(
        &errors[0],
        &city.name("sub/b.toml"),
        2,
        1,
        "hall.id",
        &format!("hall id \"a\" is already used by {}", city.name("a.toml")),
    );
}

#[test]
fn a_missing_hall_file_is_an_error_at_its_entry_in_the_city_file() {
    let city = City::new("", &hall("a", '1'), &hall("b", '2'));
    std::fs::remove_file(city.path("sub/b.toml")).unwrap();
    let errors = city.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_at(
        &errors[0],
        &city.name("city.toml"),
        4,
        20,
        "city.halls[1]",
        "cannot read the hall file",
    );
    assert!(errors[0].message.contains("sub/b.toml"), "{}", errors[0]);
}

#[test]
fn a_deployment_wide_section_in_a_later_hall_file_is_ignored_with_a_warning() {
    let b = format!(
        "{}\n[server]\nlisten = \"127.0.0.1:9002\"\n",
        hall("b", '2')
    );
    let city = City::new("", &hall("a", '1'), &b);
    let (d, warnings) = city.check().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_at(
        &warnings[0],
        &city.name("sub/b.toml"),
        25,
        2,
        "server",
        "set by the first hall's file",
    );
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert_eq!(d.hall("b").unwrap().server.listen, "127.0.0.1:8080");

    // Set by the city file: every hall's copy is ignored, the first's too.
    let a = format!(
        "{}\n[server]\nlisten = \"127.0.0.1:9001\"\n",
        hall("a", '1')
    );
    let city = City::new("\n[server]\nlisten = \"127.0.0.1:9000\"\n", &a, &b);
    let (d, warnings) = city.check().unwrap();
    let places: Vec<(String, usize)> = warnings.iter().map(|w| (w.file.clone(), w.line)).collect();
    assert_eq!(
        places,
        [(city.name("a.toml"), 25), (city.name("sub/b.toml"), 25)]
    );
    assert!(warnings[0]
        .message
        .contains("在全市部署中由城市文件设置，此处被忽略 / set by the city file"));
    assert!(d.halls.iter().all(|h| h.server.listen == "127.0.0.1:9000"));
}

#[test]
fn a_hall_keeps_its_broker_accounts_but_not_the_broker_connection() {
    let b = format!(
        "{}\n[broker]\nlisten = \"127.0.0.1:11999\"\n\n[[broker.accounts]]\nusername = \"display-b\"\npassword_sha256 = \"{}\"\nrole = \"display\"\n",
        hall("b", '2'),
        "3".repeat(64)
    );
    let city = City::new("", &hall("a", '1'), &b);
    let (d, warnings) = city.check().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_at(
        &warnings[0],
        &city.name("sub/b.toml"),
        26,
        1,
        "broker.listen",
        "ignored here",
    );
    let b = d.hall("b").unwrap();
    assert_eq!(b.broker.listen, "127.0.0.1:11883");
    assert_eq!(b.broker.accounts.len(), 1);
    assert!(d.first().broker.accounts.is_empty());
}

#[test]
fn city_wide_accounts_are_admins_only() {
    let extra = format!(
        "\n[[credentials]]\nname = \"kiosk\"\nrole = \"kiosk\"\ntoken_sha256 = \"{}\"\n\n[[staff]]\nusername = \"c\"\nrole = \"clerk\"\npassword_argon2 = \"{ADMIN_PHC}\"\n",
        "9".repeat(64)
    );
    let city = City::new(&extra, &hall("a", '1'), &hall("b", '2'));
    let errors = city.errors();
    let file = city.name("city.toml");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_at(
        &errors[0],
        &file,
        8,
        1,
        "credentials[0].role",
        "only role = \"admin\" here",
    );
    assert_at(
        &errors[1],
        &file,
        13,
        1,
        "staff[0].role",
        "only role = \"admin\" here",
    );
}

#[test]
fn a_city_wide_admin_replaces_a_halls_own_copy_and_reaches_every_hall() {
    let admin = |name: &str| {
        format!("\n[[credentials]]\nname = \"{name}\"\nrole = \"admin\"\ntoken_sha256 = \"{ADMIN_TOKEN}\"\n\n[[staff]]\nusername = \"admin\"\nrole = \"admin\"\npassword_argon2 = \"{ADMIN_PHC}\"\n")
    };
    let a = format!("{}{}", hall("a", '1'), admin("a-admin"));
    let city = City::new(&admin("city-admin"), &a, &hall("b", '2'));
    let (d, warnings) = city.check().unwrap();
    // The demo admin's token and password are warned of, once, in the city file.
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings.iter().all(|w| w.file == city.name("city.toml")));
    for h in &d.halls {
        let admins: Vec<&str> = h
            .credentials
            .iter()
            .filter(|c| c.token_sha256 == ADMIN_TOKEN)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(admins, ["city-admin"], "{}", h.hall.id);
        let city_wide: Vec<bool> = h
            .staff
            .iter()
            .filter(|u| u.username == "admin")
            .map(|u| u.city_wide)
            .collect();
        assert_eq!(city_wide, [true], "{}", h.hall.id);
    }
}

#[test]
fn a_token_used_in_two_halls_is_an_error() {
    let city = City::new("", &hall("a", '1'), &hall("b", '1'));
    let errors = city.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_at(
        &errors[0],
        &city.name("sub/b.toml"),
        23,
        1,
        "credentials[0].token_sha256",
        &format!("same token as {}:23:1", city.name("a.toml")),
    );
}

#[test]
fn a_user_name_or_broker_account_in_two_halls_is_an_error() {
    let staff = format!(
        "\n[[staff]]\nusername = \"clerk\"\nrole = \"clerk\"\npassword_argon2 = \"{ADMIN_PHC}\"\n\n[[broker.accounts]]\nusername = \"display\"\npassword_sha256 = \"{}\"\nrole = \"display\"\n",
        "3".repeat(64)
    );
    let a = format!("{}{staff}", hall("a", '1'));
    let b = format!("{}{staff}", hall("b", '2'));
    let city = City::new("", &a, &b);
    let errors = city.errors();
    let file = city.name("sub/b.toml");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_at(
        &errors[0],
        &file,
        26,
        1,
        "staff[0].username",
        "user name \"clerk\" is already used at",
    );
    assert_at(
        &errors[1],
        &file,
        31,
        1,
        "broker.accounts[0].username",
        "one broker serves every hall",
    );
}

#[test]
fn a_rule_broken_in_a_hall_is_placed_in_its_file_and_a_bad_city_key_in_the_city_file() {
    let b = hall("b", '2').replace("services = [\"marriage\"]", "services = [\"marriag\"]");
    let city = City::new("nmae = \"x\"\n", &hall("a", '1'), &b);
    let errors = city.errors();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_at(
        &errors[0],
        &city.name("city.toml"),
        5,
        1,
        "city.nmae",
        "did you mean \"name\"?",
    );
    assert_at(
        &errors[1],
        &city.name("sub/b.toml"),
        17,
        13,
        "windows[0].services[0]",
        "did you mean \"marriage\"",
    );
}
