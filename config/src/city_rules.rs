//! The rules of a city deployment that a single-hall file does not have: the city file's
//! own (its id, its hall list, admins only among its accounts, no device accounts), a
//! deployment-wide section written in a hall file where it is not used (a warning), and
//! what must be unique across the halls (hall ids, tokens, user names, broker accounts).

use crate::city_load::{CityFile, File, Merged, Origin, DEPLOYMENT_WIDE};
use crate::load::{Diagnostic, Severity};
use crate::locate::Seg;
use crate::schema::Role;
use std::collections::HashMap;

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// The city file's own rules.
pub(crate) fn city_file(f: &File<'_>, cf: &CityFile) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let mut error = |path: Vec<Seg>, msg: String| d.push(f.at(&path, msg, Severity::Error));
    let c = &cf.city;
    if !crate::validate::lower_id_ok(&c.id) {
        error(
            vec![key("city"), key("id")],
            crate::validate::LOWER_ID_RULE.into(),
        );
    }
    if c.name.trim().is_empty() {
        error(vec![key("city"), key("name")], "must not be empty".into());
    }
    if c.halls.is_empty() {
        error(
            vec![key("city"), key("halls")],
            "城市文件至少列出一个大厅文件 / a city file names at least one hall file".into(),
        );
    }
    let admins_only = |what: &str| {
        format!(
            "城市文件中的{what}在每个大厅都有效，只能是 admin；大厅自己的写在大厅文件里 / \
             a city-wide {what} is valid in every hall: only role = \"admin\" here; a hall's \
             own go in its hall file"
        )
    };
    for (n, c) in cf.credentials.iter().enumerate() {
        let at = |k: &str| vec![key("credentials"), Seg::Index(n), key(k)];
        if c.role != Role::Admin {
            error(at("role"), admins_only("credential"));
        }
        if c.window.is_some() {
            error(
                at("window"),
                "全市管理员不绑定窗口 / a city-wide admin is not bound to a window".into(),
            );
        }
    }
    for (n, u) in cf.staff.iter().enumerate() {
        if u.role != Role::Admin {
            error(
                vec![key("staff"), Seg::Index(n), key("role")],
                admins_only("staff account"),
            );
        }
    }
    if cf.broker.as_ref().is_some_and(|b| !b.accounts.is_empty()) {
        error(
            vec![key("broker"), key("accounts")],
            "设备的 MQTT 账号属于其大厅，请写在大厅文件里 / device MQTT accounts belong to \
             their hall: put [[broker.accounts]] in its hall file"
                .into(),
        );
    }
    d
}

/// A warning at each deployment-wide section a hall file sets where the deployment takes
/// it from elsewhere (the city file, or the first hall's file).
pub(crate) fn ignored_sections(files: &[File<'_>], cf: &CityFile) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    for (file, f) in files.iter().enumerate().skip(1) {
        for section in DEPLOYMENT_WIDE {
            let source = cf.source_of(section);
            if source == file {
                continue;
            }
            let msg = if source == 0 {
                "在全市部署中由城市文件设置，此处被忽略 / set by the city file in a city \
                 deployment; ignored here"
                    .to_string()
            } else {
                format!(
                    "在全市部署中由第一个大厅文件 {0} 设置（城市文件未设置），此处被忽略 / set \
                     by the first hall's file {0} in a city deployment (the city file leaves \
                     it out); ignored here",
                    files[1].name
                )
            };
            let Some(item) = f.doc.get(section) else {
                continue;
            };
            if section == "broker" {
                // Only the connection: the hall's device accounts are its own.
                let Some(table) = item.as_table_like() else {
                    continue;
                };
                for (k, _) in table.iter().filter(|(k, _)| *k != "accounts") {
                    let at = [key("broker"), key(k)];
                    d.push(f.at(&at, msg.clone(), Severity::Warning));
                }
            } else {
                d.push(f.at(&[key(section)], msg, Severity::Warning));
            }
        }
    }
    d
}

/// Hall ids, tokens, staff user names and broker accounts, each unique across the halls
/// (the city-wide accounts apart: they are shared on purpose).
pub(crate) fn across_halls(files: &[File<'_>], halls: &[Merged]) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut tokens: HashMap<&str, (usize, Vec<Seg>)> = HashMap::new();
    let mut users: HashMap<&str, (usize, Vec<Seg>)> = HashMap::new();
    let mut mqtt: HashMap<&str, (usize, Vec<Seg>)> = HashMap::new();
    // Where the first holder is, as `FILE:LINE:COL (hall id)`.
    let first = |h: usize, path: &[Seg]| {
        let f = &files[1 + h];
        let at = f.at(path, String::new(), Severity::Error);
        format!(
            "{}:{}:{}（大厅 hall {}）",
            f.name, at.line, at.col, halls[h].settings.hall.id
        )
    };
    for (h, m) in halls.iter().enumerate() {
        let f = &files[1 + h];
        let s = &m.settings;
        let id_at = [key("hall"), key("id")];
        if let Some(prev) = ids.insert(&s.hall.id, h) {
            let msg = format!(
                "大厅 id {0:?} 已被 {1} 使用 / hall id {0:?} is already used by {1}",
                s.hall.id,
                files[1 + prev].name
            );
            d.push(f.at(&id_at, msg, Severity::Error));
            ids.insert(&s.hall.id, prev);
        }
        let own = |origins: &[Origin], n: usize| match origins.get(n) {
            Some(Origin::Hall(o)) => Some(*o),
            _ => None,
        };
        for (n, c) in s.credentials.iter().enumerate() {
            let Some(o) = own(&m.credentials, n) else {
                continue;
            };
            let at = vec![key("credentials"), Seg::Index(o), key("token_sha256")];
            if let Some((ph, pat)) = tokens.get(c.token_sha256.as_str()) {
                if *ph != h {
                    let msg = format!(
                        "与 {0} 的令牌相同：一个令牌只能属于一个大厅的设备或人员 / same token \
                         as {0}: a token identifies one hall's device or clerk",
                        first(*ph, pat)
                    );
                    d.push(f.at(&at, msg, Severity::Error));
                }
            } else {
                tokens.insert(&c.token_sha256, (h, at));
            }
        }
        for (n, u) in s.staff.iter().enumerate() {
            let Some(o) = own(&m.staff, n) else {
                continue;
            };
            let at = vec![key("staff"), Seg::Index(o), key("username")];
            if let Some((ph, pat)) = users.get(u.username.as_str()) {
                if *ph != h {
                    let msg = format!(
                        "用户名 {0:?} 已在 {1} 使用；全市通用的管理员写在城市文件里 / user name \
                         {0:?} is already used at {1}; a city-wide admin is declared once, in \
                         the city file",
                        u.username,
                        first(*ph, pat)
                    );
                    d.push(f.at(&at, msg, Severity::Error));
                }
            } else {
                users.insert(&u.username, (h, at));
            }
        }
        for (n, a) in s.broker.accounts.iter().enumerate() {
            let at = vec![
                key("broker"),
                key("accounts"),
                Seg::Index(n),
                key("username"),
            ];
            if let Some((ph, pat)) = mqtt.get(a.username.as_str()) {
                if *ph != h {
                    let msg = format!(
                        "MQTT 账号 {0:?} 已在 {1} 使用：全市只有一个消息服务器 / broker \
                         account {0:?} is already used at {1}: one broker serves every hall",
                        a.username,
                        first(*ph, pat)
                    );
                    d.push(f.at(&at, msg, Severity::Error));
                }
            } else {
                mqtt.insert(&a.username, (h, at));
            }
        }
    }
    d
}
