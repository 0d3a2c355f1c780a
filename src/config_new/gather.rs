//! From flags (and, at a terminal, questions for what they leave out) to a [`Plan`]: every
//! answer parsed by `answers`, each checked against the ones before it (a service's
//! section, a window's services, a clerk's windows) so a mistake is named where it is made.

use super::answers::{self, form, Address, Person, Section, Service, Window};
use super::prompt;
use super::NewArgs;

/// Everything the new config says, before secrets are made.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) hall_id: String,
    pub(crate) name: String,
    pub(crate) time_zone: String,
    pub(crate) periods: Vec<String>,
    pub(crate) days: Vec<String>,
    /// Saturday's own periods (`None`: Saturday follows `days`).
    pub(crate) sat: Option<Vec<String>>,
    pub(crate) sections: Vec<Section>,
    pub(crate) services: Vec<Service>,
    pub(crate) windows: Vec<Window>,
    pub(crate) kiosk: String,
    pub(crate) screen: String,
    pub(crate) clerks: Vec<Person>,
    pub(crate) admin: Person,
    pub(crate) address: Address,
    pub(crate) key_env: String,
}

/// Where answers come from: the flag when given, else the terminal, else the default.
struct Ask {
    interactive: bool,
}

impl Ask {
    fn one<T>(
        &self,
        flag: &str,
        given: Option<&str>,
        question: &str,
        default: Option<&str>,
        parse: &dyn Fn(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        if let Some(g) = given {
            return parse(g).map_err(|e| format!("--{flag}: {e}"));
        }
        if self.interactive {
            return prompt::one(question, default, parse);
        }
        match default {
            Some(d) => parse(d).map_err(|e| format!("--{flag}: {e}")),
            None => Err(missing(flag)),
        }
    }

    fn many<T>(
        &self,
        flag: &str,
        given: &[String],
        question: &str,
        form: &str,
        parse: &mut dyn FnMut(&str) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        if !given.is_empty() {
            return given
                .iter()
                .map(|g| parse(g).map_err(|e| format!("--{flag}: {e}")))
                .collect();
        }
        if self.interactive {
            return prompt::list(question, form, parse);
        }
        Err(missing(flag))
    }
}

fn missing(flag: &str) -> String {
    format!(
        "缺少 --{flag}（没有终端可以提问）/ --{flag} is required (there is no terminal to ask at)"
    )
}

fn unique(what: &str, id: &str, seen: &[&str]) -> Result<(), String> {
    if seen.contains(&id) {
        return Err(format!("{what} {id:?} 重复 / {what} {id:?} given twice"));
    }
    Ok(())
}

/// The plan from `args`, asking at the terminal for what they leave out when `interactive`.
///
/// # Errors
/// A message naming the flag (or the question) and what it expects.
pub(crate) fn plan(args: &NewArgs, interactive: bool) -> Result<Plan, String> {
    let ask = Ask { interactive };
    let name = ask.one(
        "name",
        args.name.as_deref(),
        "大厅名称 / hall name, e.g. 某某区政务服务中心",
        None,
        &|s| answers::name("大厅名称 hall name", s),
    )?;
    let hall_id = ask.one(
        "hall-id",
        args.hall_id.as_deref(),
        "大厅编号（英文，用于 MQTT 主题）/ hall id (in MQTT topics)",
        Some("hall"),
        &answers::hall_id,
    )?;
    let time_zone = ask.one(
        "time-zone",
        args.time_zone.as_deref(),
        "时区 / time zone",
        Some("Asia/Shanghai"),
        &answers::time_zone,
    )?;
    let periods = ask.one(
        "periods",
        args.periods.as_deref(),
        &format!("取号时段 / opening periods ({})", form::PERIODS),
        Some("09:00-12:00,14:30-17:30"),
        &|s| match answers::periods(s)? {
            v if v.is_empty() => Err("至少一个时段 / give at least one period".into()),
            v => Ok(v),
        },
    )?;
    let days = ask.one(
        "days",
        args.days.as_deref(),
        &format!("开放日 / open days ({})", form::DAYS),
        Some("mon,tue,wed,thu,fri"),
        &answers::days,
    )?;
    let sat = ask.one(
        "sat",
        args.sat.as_deref(),
        "周六时段（留空 = 按开放日）/ Saturday's periods (empty: as the open days say)",
        Some(""),
        &answers::periods,
    )?;
    let sat = (!sat.is_empty()).then_some(sat);
    let sections = ask.many(
        "section",
        &args.sections,
        "业务板块 / business sections",
        form::SECTION,
        &mut {
            let mut seen: Vec<String> = Vec::new();
            move |s| {
                let sec = answers::section(s)?;
                unique("板块 section", &sec.id, &refs(&seen))?;
                seen.push(sec.id.clone());
                Ok(sec)
            }
        },
    )?;
    let services = ask.many(
        "service",
        &args.services,
        "业务 / services",
        form::SERVICE,
        &mut {
            let (sections, mut seen) = (&sections, Vec::<(String, char)>::new());
            move |s: &str| {
                let v = answers::service(s)?;
                if !sections.iter().any(|x| x.id == v.section) {
                    return Err(format!(
                        "{s:?}: 没有板块 {:?}（已有：{}）/ no section {:?}",
                        v.section,
                        sections
                            .iter()
                            .map(|x| x.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        v.section
                    ));
                }
                let ids: Vec<&str> = seen.iter().map(|(i, _)| i.as_str()).collect();
                unique("业务 service", &v.id, &ids)?;
                if let Some((other, _)) = seen.iter().find(|(_, p)| *p == v.prefix) {
                    return Err(format!(
                        "{s:?}: 字母 {} 已给了 {other} / prefix {} is {other}'s already",
                        v.prefix, v.prefix
                    ));
                }
                seen.push((v.id.clone(), v.prefix));
                Ok(v)
            }
        },
    )?;
    let windows = ask.many(
        "window",
        &args.windows,
        "窗口 / windows (业务按叫号先后列出 / services in the order the window calls them)",
        form::WINDOW,
        &mut {
            let (services, mut seen) = (&services, Vec::<String>::new());
            move |s: &str| {
                let w = answers::window(s)?;
                unique("窗口 window", &w.id, &refs(&seen))?;
                if let Some(u) = w.services.iter().find(|x| !services.iter().any(|v| &v.id == *x))
                {
                    return Err(format!(
                        "{s:?}: 没有业务编号 {u:?}（填编号，不是名称；已有：{}）/ no service id {u:?} \
                         (ids, not names)",
                        services.iter().map(|v| v.id.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                }
                seen.push(w.id.clone());
                Ok(w)
            }
        },
    )?;
    if let Some(v) = services
        .iter()
        .find(|v| !windows.iter().any(|w| w.services.contains(&v.id)))
    {
        return Err(format!(
            "--window: 没有窗口办理业务 {:?}，它的号永远叫不到 / no window serves {:?}: its \
             tickets would never be called",
            v.id, v.id
        ));
    }
    let clerks = ask.many(
        "clerk",
        &args.clerks,
        "窗口人员账号 / clerks who sign in",
        form::CLERK,
        &mut {
            let (windows, mut seen) = (&windows, Vec::<String>::new());
            move |s: &str| {
                let c = answers::clerk(s)?;
                unique("用户名 username", &c.username, &refs(&seen))?;
                if let Some(u) = c
                    .windows
                    .iter()
                    .find(|x| !windows.iter().any(|w| &w.id == *x))
                {
                    return Err(format!("{s:?}: 没有窗口 {u:?} / no window {u:?}"));
                }
                seen.push(c.username.clone());
                Ok(c)
            }
        },
    )?;
    let admin = ask.one(
        "admin",
        args.admin.as_deref(),
        &format!("管理员账号 / the admin ({})", form::ADMIN),
        Some("admin:管理员"),
        &|s| {
            let a = answers::admin(s)?;
            let taken: Vec<&str> = clerks.iter().map(|c| c.username.as_str()).collect();
            unique("用户名 username", &a.username, &taken)?;
            Ok(a)
        },
    )?;
    let address = if args.listen.is_some() || args.public_base_url.is_some() || !interactive {
        answers::address(args.listen.as_deref(), args.public_base_url.as_deref())
            .map_err(|e| format!("--listen / --public-base-url: {e}"))?
    } else {
        prompt::one(
            "本机在大厅网络中的地址（小票二维码指向它），如 http://192.168.1.10:8080；留空 = 只在本机试用 \
             / this machine's address on the hall's network, e.g. http://192.168.1.10:8080 \
             (empty: this machine only)",
            Some(""),
            &|s| answers::address(None, Some(s)),
        )?
    };
    Ok(Plan {
        hall_id,
        name,
        time_zone,
        periods,
        days,
        sat,
        sections,
        services,
        windows,
        kiosk: answers::id("取号机名称 kiosk name", &args.kiosk)
            .map_err(|e| format!("--kiosk: {e}"))?,
        screen: answers::id("叫号屏编号 screen id", &args.screen)
            .map_err(|e| format!("--screen: {e}"))?,
        clerks,
        admin,
        address,
        key_env: answers::env_name(&args.id_hash_key_env)
            .map_err(|e| format!("--id-hash-key-env: {e}"))?,
    })
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// One password per staff account (clerks in order, then the admin): typed at the
/// terminal, or one a line on stdin with `--password-stdin`.
///
/// # Errors
/// When neither way is open, or a password breaks the rules.
pub(crate) fn passwords(
    plan: &Plan,
    from_stdin: bool,
    interactive: bool,
) -> Result<Vec<String>, String> {
    let people = plan.clerks.iter().chain(std::iter::once(&plan.admin));
    people
        .map(|p| {
            if from_stdin {
                prompt::password_from_stdin(&p.username)
            } else if interactive {
                prompt::password(&p.username)
            } else {
                Err(
                    "密码需在终端输入，或用 --password-stdin 每行给一个（窗口人员依次，最后管理员）/ \
                     passwords are typed at a terminal, or given one a line on stdin with \
                     --password-stdin (the clerks in order, then the admin)"
                        .into(),
                )
            }
        })
        .collect()
}
