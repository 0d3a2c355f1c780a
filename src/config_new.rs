//! `hallq config new`: writes a short, commented config for a new hall and an environment
//! file with a fresh ID-number hash key, from flags and (at a terminal) questions.
//!
//! - `answers`: the short forms shared by flags and questions, parsed into types.
//! - `gather`: flags first, questions for the rest, each answer checked against the ones
//!   before it; staff passwords typed twice without echo, or one a line with
//!   `--password-stdin`.
//! - `render`: the config text and the environment file.
//!
//! Nothing is written until the whole config passes the same rules as `hallq config check`
//! (`hallq_config::load_str`), and neither file may exist already. The kiosk's token is made
//! here at random and printed once; the config keeps only its SHA-256, staff passwords only
//! as argon2id hashes (the file is written with mode 0640), and the key only in the
//! environment file (mode 0600).

mod answers;
mod gather;
mod prompt;
mod render;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `hallq config new` flags. Left out at a terminal: asked; left out otherwise: the default,
/// or refused when there is none.
#[derive(clap::Args, Debug)]
pub(crate) struct NewArgs {
    /// The config file to write (never overwritten).
    #[arg(long, default_value = "hall.toml")]
    out: PathBuf,
    /// The environment file for the ID-number hash key (mode 0600, never overwritten).
    #[arg(long, default_value = "hallq.env")]
    env_file: PathBuf,
    /// 大厅名称 The hall's name, e.g. "某某区政务服务中心".
    #[arg(long)]
    name: Option<String>,
    /// Short id used in MQTT topics: lowercase letters, digits, '-', '_' (default "hall").
    #[arg(long)]
    hall_id: Option<String>,
    /// IANA time zone (default Asia/Shanghai).
    #[arg(long)]
    time_zone: Option<String>,
    /// Opening periods of an open day, e.g. "09:00-12:00,14:30-17:30" (the default).
    #[arg(long)]
    periods: Option<String>,
    /// Open weekdays, e.g. "mon,tue,wed,thu,fri" (the default).
    #[arg(long)]
    days: Option<String>,
    /// Saturday's own periods, e.g. "09:00-12:00" (opens Saturday with them).
    #[arg(long)]
    sat: Option<String>,
    /// A business section, ID:NAME (repeat for more), e.g. "general:综合服务".
    #[arg(long = "section", value_name = "ID:NAME")]
    sections: Vec<String>,
    /// A service, SECTION:ID:PREFIX:NAME (repeat), e.g. "general:consult:A:综合咨询".
    #[arg(long = "service", value_name = "SECTION:ID:PREFIX:NAME")]
    services: Vec<String>,
    /// A window, ID:SERVICE,SERVICE[:NAME] (repeat), services in the order it calls them.
    #[arg(long = "window", value_name = "ID:SERVICES[:NAME]")]
    windows: Vec<String>,
    /// A clerk account, USERNAME:WINDOWS[:NAME] (repeat; WINDOWS "*" = any window).
    #[arg(long = "clerk", value_name = "USERNAME:WINDOWS[:NAME]")]
    clerks: Vec<String>,
    /// The admin account, USERNAME[:NAME] (default "admin:管理员").
    #[arg(long, value_name = "USERNAME[:NAME]")]
    admin: Option<String>,
    /// Read the staff passwords from stdin, one a line: the clerks in order, then the admin.
    #[arg(long)]
    password_stdin: bool,
    /// Also a clerk token for each window, for a PC that stays signed in there
    /// (`/clerk?token=…`, printed once); its actions are tied to no person.
    #[arg(long)]
    window_tokens: bool,
    /// The kiosk's name in the config.
    #[arg(long, default_value = "kiosk-1")]
    kiosk: String,
    /// The TV screen's id, served at /screens/{id}.
    #[arg(long, default_value = "lobby")]
    screen: String,
    /// HTTP address, IP:PORT (default 127.0.0.1:8080, or 0.0.0.0 at the URL's port).
    #[arg(long)]
    listen: Option<String>,
    /// This machine's address on the hall's network, e.g. http://192.168.1.10:8080: what
    /// ticket QR codes point at (needed with a LAN listener).
    #[arg(long)]
    public_base_url: Option<String>,
    /// The environment variable holding the ID-number hash key.
    #[arg(long, default_value = "HALLQ_ID_HASH_KEY")]
    id_hash_key_env: String,
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("hallq config new: {msg}");
    ExitCode::from(2)
}

/// Runs `hallq config new`.
pub(crate) fn run(args: &NewArgs) -> ExitCode {
    for f in [&args.out, &args.env_file] {
        if f.exists() {
            return fail(&format!(
                "{} 已存在，不覆盖 / already exists: not overwritten (choose another --out / \
                 --env-file, or move it away)",
                f.display()
            ));
        }
    }
    let interactive = !args.password_stdin && std::io::stdin().is_terminal();
    let plan = match gather::plan(args, interactive) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let passwords = match gather::passwords(&plan, args.password_stdin, interactive) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let token = random_hex(24);
    let window_tokens: Vec<(String, String)> = plan
        .windows
        .iter()
        .filter(|_| args.window_tokens)
        .map(|w| (w.id.clone(), random_hex(24)))
        .collect();
    let key = random_hex(32);
    let hashed = render::Hashed {
        kiosk_token_sha256: hallq_config::secret::sha256_hex(&token),
        window_token_sha256: window_tokens
            .iter()
            .map(|(w, t)| (w.clone(), hallq_config::secret::sha256_hex(t)))
            .collect(),
        password_argon2: passwords
            .iter()
            .map(|p| hallq_config::staff::hash_password(p))
            .collect(),
    };
    let (out, env) = (shown(&args.out), shown(&args.env_file));
    let text = render::config(&plan, &hashed, &out, &env);
    // Checked as `config check --strict` will check it, with the new key in the environment.
    let env_of = |name: &str| (name == args.id_hash_key_env).then(|| key.clone());
    let cfg = match hallq_config::check_str(&out, &text, &env_of) {
        Ok((_, warnings)) if !warnings.is_empty() => {
            let lines: Vec<String> = warnings.iter().map(explain).collect();
            return fail(&format!(
                "配置未写入 / nothing written:\n  {}",
                lines.join("\n  ")
            ));
        }
        Ok((cfg, _)) => cfg,
        Err(hallq_config::ConfigError::Invalid(problems)) => {
            let lines: Vec<String> = problems.iter().map(explain).collect();
            return fail(&format!(
                "配置未写入 / nothing written:\n  {}",
                lines.join("\n  ")
            ));
        }
        Err(e) => return fail(&e.to_string()),
    };
    let demo = cfg.demo_credentials();
    if !demo.is_empty() {
        return fail(&format!(
            "用了公开的演示密码 / published demo credentials: {}",
            demo.iter()
                .map(|d| d.who.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Err(e) = write_new(
        &args.env_file,
        &render::env_file(&plan, &key, &out, &env),
        0o600,
    ) {
        return fail(&e);
    }
    if let Err(e) = write_new(&args.out, &text, 0o640) {
        let _ = std::fs::remove_file(&args.env_file);
        return fail(&e);
    }
    summary(&plan, &cfg, (&token, &window_tokens), &out, &env);
    ExitCode::SUCCESS
}

/// A path as a shell command in the comments can use it (`./x` for a bare name).
fn shown(p: &Path) -> String {
    let s = p.display().to_string().replace(['\n', '\r'], " ");
    let s = if s.contains('/') { s } else { format!("./{s}") };
    // Shell-quoted when needed: the commands printed and written are meant to be pasted.
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A problem of the generated text, named by the flag that gave the value.
fn explain(d: &hallq_config::Diagnostic) -> String {
    const FLAGS: [(&str, &str); 13] = [
        ("hall.id", "--hall-id"),
        ("hall.name", "--name"),
        ("hall.time_zone", "--time-zone"),
        ("hall.hours.periods", "--periods"),
        ("hall.hours.days", "--days"),
        ("hall.hours.sat", "--sat"),
        ("sections", "--section / --service"),
        ("windows", "--window"),
        ("staff", "--clerk / --admin"),
        ("server.listen", "--listen"),
        ("server.public_base_url", "--public-base-url"),
        ("screens", "--screen"),
        ("credentials", "--kiosk"),
    ];
    let flag = FLAGS
        .iter()
        .find(|(key, _)| d.key.starts_with(key))
        .map_or("", |(_, f)| f);
    format!("{flag} ({}): {}", d.key, d.message)
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Creates `path` (refusing an existing one) with `mode` and writes `text`.
fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), String> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts
        .open(path)
        .map_err(|e| format!("无法创建 / cannot create {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| {
            // A half-written file would block the next attempt: take it away.
            let _ = std::fs::remove_file(path);
            format!("无法写入 / cannot write {}: {e}", path.display())
        })
}

/// What was written and where to go next; the tokens (the kiosk's, the windows') appear
/// here only.
fn summary(
    plan: &gather::Plan,
    cfg: &hallq_config::Settings,
    (kiosk, windows): (&str, &[(String, String)]),
    out: &str,
    env: &str,
) {
    let base = cfg.public_base_url();
    println!(
        "已写入 / written: {out} ({} 个板块 sections, {} 项业务 services, {} 个窗口 windows, {} 位工作人员 staff)",
        cfg.sections.len(),
        cfg.services().count(),
        cfg.windows.len(),
        cfg.staff.len()
    );
    println!(
        "已写入 / written: {env} ({}=…, 权限 mode 600)",
        plan.key_env
    );
    println!();
    println!("令牌只显示这一次，请现在记下 / the tokens are shown only this once:");
    println!("  取号机 kiosk     {base}/kiosk?token={kiosk}");
    for (w, t) in windows {
        println!("  窗口 window {w:<4} {base}/clerk?token={t}");
    }
    println!("  叫号屏 TV        {base}/screens/{}", plan.screen);
    for c in &plan.clerks {
        let at = if c.windows.is_empty() {
            "任一窗口 any window".to_string()
        } else {
            format!("窗口 window {}", c.windows.join(", "))
        };
        println!("  窗口 clerk       {base}/clerk   ({} @ {at})", c.username);
    }
    println!(
        "  管理 admin       {base}/admin   ({})",
        plan.admin.username
    );
    println!();
    println!("下一步 / next:");
    println!("  set -a; . {env}; set +a");
    println!("  hallq config check --strict {out}");
    println!("  hallq run --config {out}");
}
