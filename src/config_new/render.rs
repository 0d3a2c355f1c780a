//! The text of the new config: short, in the order an admin reads a hall (the hall and its
//! hours, the address, sections, windows, the screen, the kiosk, the staff), each part with
//! a comment in the admin's words, Chinese first. Every value is written as an escaped TOML
//! string or array, whatever was typed.

use super::answers::{arr, q};
use super::gather::Plan;
use std::fmt::Write;

/// What `config new` made at random, in the form the config stores.
pub(crate) struct Hashed {
    /// SHA-256 (hex) of the kiosk's token.
    pub(crate) kiosk_token_sha256: String,
    /// `(window id, SHA-256 of its token)` with `--window-tokens`.
    pub(crate) window_token_sha256: Vec<(String, String)>,
    /// argon2id PHC strings, clerks in order, then the admin.
    pub(crate) password_argon2: Vec<String>,
}

/// The config file; `out` and `env_file` are the names the comments give for the files.
pub(crate) fn config(plan: &Plan, hashed: &Hashed, out: &str, env_file: &str) -> String {
    let mut t = String::new();
    let base = plan
        .address
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", plan.address.listen));
    let _ = write!(
        t,
        "# {name} — hallq 配置 / hall config (written by `hallq config new`)\n\
         #\n\
         # 上线前检查 / check before going live (with {env_file} loaded, see below):\n\
         #   hallq config check --strict {out}\n\
         # 启动 / start:\n\
         #   set -a; . {env_file}; set +a; hallq run --config {out}\n\
         # 令牌与密码在此只存哈希；身份证号哈希密钥在 {env_file}（权限 600）里，不在此文件。\n\
         # Tokens and passwords are stored hashed; the ID-number hash key is in {env_file}.\n\
         # 每个键的说明 / every key: docs/configuration.md; 完整示例 / a full example:\n\
         # config/examples/demo-hall.toml.\n\n",
        name = plan.name.replace('\n', " ")
    );
    let _ = write!(
        t,
        "[hall]\n\
         # MQTT 主题 hallq/v1/{{id}}/… 中的编号 / the id in MQTT topics\n\
         id = {id}\n\
         name = {name}\n\
         # 号码每天零点（本地时间）重新开始 / ticket numbers restart at local midnight\n\
         time_zone = {tz}\n\n\
         # 取号时段：午休是两个时段之间的空档；某个星期几另有时段时单独写，如 sat = [\"09:00-12:00\"]\n\
         # When tickets are issued: a lunch break is the gap between two periods.\n\
         [hall.hours]\n\
         periods = {periods}\n\
         days = {days}\n",
        id = q(&plan.hall_id),
        name = q(&plan.name),
        tz = q(&plan.time_zone),
        periods = arr(&plan.periods),
        days = arr(&plan.days),
    );
    if let Some(sat) = &plan.sat {
        let _ = writeln!(t, "sat = {}", arr(sat));
    }
    let _ = write!(
        t,
        "\n# 法定节假日（闭馆）与调休上班日，如 holidays = [\"2027-01-01\"]\n\
         # Public holidays (closed) and make-up working days, YYYY-MM-DD.\n\
         [calendar]\n\
         holidays = []\n\
         workdays = []\n\n\
         [server]\n\
         listen = {listen}\n",
        listen = q(&plan.address.listen.to_string()),
    );
    if let Some(u) = &plan.address.public_base_url {
        let _ = writeln!(
            t,
            "# 小票二维码指向这里 / what ticket QR codes point at\npublic_base_url = {}",
            q(u)
        );
    }
    let _ = write!(
        t,
        "# 数据库所在目录 / where the SQLite database lives\n\
         data_dir = \"data\"\n\n\
         # 身份证号哈希密钥所在的环境变量（密钥在 {env_file}）/ the variable holding the\n\
         # key that hashes ID numbers (the key is in {env_file})\n\
         [identity]\n\
         id_hash_key_env = {env}\n\n\
         # ---- 业务板块与业务 / sections and services; prefix 是号码字母 (A001 …) ----\n",
        env = q(&plan.key_env),
    );
    for sec in &plan.sections {
        let _ = write!(
            t,
            "\n[[sections]]\nid = {}\nname = {}\n",
            q(&sec.id),
            q(&sec.name)
        );
        for v in plan.services.iter().filter(|v| v.section == sec.id) {
            let _ = write!(
                t,
                "\n[[sections.services]]\nid = {}\nname = {}\nprefix = {}\n",
                q(&v.id),
                q(&v.name),
                q(&v.prefix.to_string())
            );
        }
    }
    t.push_str(
        "\n# ---- 窗口 / windows (按列出的业务先后叫号 / services called in this order) ----\n",
    );
    for w in &plan.windows {
        let _ = write!(
            t,
            "\n[[windows]]\nid = {}\nname = {}\nservices = {}\n",
            q(&w.id),
            q(&w.name),
            arr(&w.services)
        );
    }
    let _ = write!(
        t,
        "\n# ---- 叫号屏 / the lobby TV: open {base}/screens/{screen} on it ----\n\n\
         [[screens]]\nid = {screen_q}\ntitle = {title}\n\n\
         # ---- 取号机 / the kiosk: open {base}/kiosk?token=… with the token\n\
         # `config new` printed once. 换令牌 / a new token: `hallq hash NEW-TOKEN` into\n\
         # token_sha256. ----\n\n\
         [[credentials]]\nname = {kiosk}\nrole = \"kiosk\"\ntoken_sha256 = {sha}\n",
        screen = plan.screen,
        screen_q = q(&plan.screen),
        title = q(&plan.name),
        kiosk = q(&plan.kiosk),
        sha = q(&hashed.kiosk_token_sha256),
    );
    if !hashed.window_token_sha256.is_empty() {
        let _ = write!(
            t,
            "\n# ---- 窗口令牌 / window tokens: a PC that stays signed in at its window opens\n\
             # {base}/clerk?token=… (printed once). 它的操作不记在某个人名下，优先用下面的账号 /\n\
             # its actions are not tied to a person: prefer the staff accounts below. ----\n"
        );
    }
    for (w, sha) in &hashed.window_token_sha256 {
        let _ = write!(
            t,
            "\n[[credentials]]\nname = {}\nrole = \"clerk\"\nwindow = {}\ntoken_sha256 = {}\n",
            q(&format!("window-{w}")),
            q(w),
            q(sha)
        );
    }
    let _ = write!(
        t,
        "\n# ---- 工作人员 / staff: clerks sign in at {base}/clerk, the admin at\n\
         # {base}/admin. 密码只存 argon2id 哈希 / passwords are stored as argon2id hashes;\n\
         # 改密码 / a new one: `hallq hash --password` into password_argon2. ----\n",
    );
    let people = plan.clerks.iter().chain(std::iter::once(&plan.admin));
    for (n, (p, hash)) in people.zip(&hashed.password_argon2).enumerate() {
        let role = if n < plan.clerks.len() {
            "clerk"
        } else {
            "admin"
        };
        let _ = write!(t, "\n[[staff]]\nusername = {}\n", q(&p.username));
        if let Some(name) = &p.name {
            let _ = writeln!(t, "name = {}", q(name));
        }
        let _ = writeln!(t, "role = \"{role}\"");
        if role == "clerk" {
            if p.windows.is_empty() {
                t.push_str("# windows 不写 = 任何窗口 / no windows: any window\n");
            } else {
                let _ = writeln!(
                    t,
                    "windows = {}   # 可在这些窗口登录 / may sign in here",
                    arr(&p.windows)
                );
            }
        }
        let _ = writeln!(t, "password_argon2 = {}", q(hash));
    }
    t
}

/// The environment file: the ID-number hash key as `NAME=value`, with how to use it.
pub(crate) fn env_file(plan: &Plan, key: &str, out: &str, env_file: &str) -> String {
    format!(
        "# {name}: hallq 的密钥 / hallq's secrets for {out}. 仅限本人读写 / keep it private (mode 600).\n\
         # 启动前载入 / load it before starting:  set -a; . {env_file}; set +a\n\
         # systemd: EnvironmentFile= pointing at this file.\n\
         # 身份证号哈希密钥：永久保留，换了以后已存的哈希（黑名单、每日次数）都对不上。\n\
         # The ID-number hash key: keep it for good; a new key makes stored hashes unmatchable.\n\
         {var}={key}\n",
        name = plan.name.replace('\n', " "),
        var = plan.key_env,
    )
}
