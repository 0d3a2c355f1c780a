//! `hallq run` / `hallq controller`: one hall or a city's halls in one process.

use crate::{display, led, notify, RunArgs};
use anyhow::Context;
use hallq_config::{Deployment, Settings};
use hallq_controller::app::{database_url, redact, App};
use std::path::PathBuf;
use std::sync::Arc;

/// The config of the hall `--hall` names (default: the first) with the command line's
/// overrides (`hallq display`).
pub(crate) fn load(args: &RunArgs) -> anyhow::Result<Settings> {
    let (dep, _) = load_with_warnings(args)?;
    let ids: Vec<String> = dep.halls.iter().map(|h| h.hall.id.clone()).collect();
    match &args.hall {
        None => Ok(dep.halls.into_iter().next().expect("a hall")),
        Some(id) => dep
            .halls
            .into_iter()
            .find(|h| &h.hall.id == id)
            .with_context(|| {
                format!(
                    "没有大厅 {id:?} / no hall {id:?} (halls: {})",
                    ids.join(", ")
                )
            }),
    }
}

/// The deployment with the command line's overrides (every hall's), and its warnings as
/// log lines (the ticket-link warning judged again after `--listen`).
fn load_with_warnings(args: &RunArgs) -> anyhow::Result<(Deployment, Vec<String>)> {
    let (mut dep, warnings) = match hallq_config::check_deployment(&args.config) {
        Ok(c) => c,
        Err(e) => anyhow::bail!("invalid config:\n{e}"),
    };
    let mut warnings: Vec<String> = warnings
        .iter()
        .filter(|w| {
            // Only the ticket-link rule warns at these keys; `--listen` replaces its verdict.
            args.listen.is_none() || !w.key.starts_with("server.")
        })
        .map(ToString::to_string)
        .collect();
    if let Some(l) = &args.listen {
        l.parse::<std::net::SocketAddr>()
            .context("--listen must be HOST:PORT")?;
        dep.halls
            .iter_mut()
            .for_each(|h| h.server.listen = l.clone());
        if let Some(w) = hallq_config::public_base_url_warning(dep.first()) {
            warnings.push(format!("--listen {l}: {w}"));
        }
    }
    if let Some(d) = &args.data_dir {
        dep.halls
            .iter_mut()
            .for_each(|h| h.server.data_dir = d.clone());
    }
    if let Some(m) = &args.mqtt_listen {
        m.parse::<std::net::SocketAddr>()
            .context("--mqtt-listen must be HOST:PORT")?;
        dep.halls
            .iter_mut()
            .for_each(|h| h.broker.listen = m.clone());
    }
    Ok((dep, warnings))
}

pub(crate) async fn run(args: RunArgs, all_parts: bool) -> anyhow::Result<()> {
    crate::logs::init();
    if args.hall.is_some() {
        anyhow::bail!("--hall is for `hallq display`: run and controller serve every hall");
    }
    let (dep, warnings) = load_with_warnings(&args)?;
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let cfg = Arc::new(dep.first().clone());
    let listener = tokio::net::TcpListener::bind(&cfg.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.server.listen))?;
    // Identity and personal data: where the development provider may run, the ID hash key.
    let startup =
        hallq_controller::identity::startup::check(&cfg, listener.local_addr()?, &|var| {
            std::env::var(var).ok()
        })
        .map_err(|e| anyhow::anyhow!("refusing to start: {e}"))?;
    for w in &startup.warnings {
        tracing::warn!("{w}");
    }
    let several = dep.halls.len() > 1;
    let city = dep.city.clone();
    let mut app = App::start_deployment(dep).await?;
    let reload_requested = app.enable_reload(args.config.clone());
    let extras = app
        .halls
        .iter()
        .map(|h| {
            if all_parts {
                led::start_in_run(h.clone(), app.mqtt.clone());
                display::start_in_run(h.clone(), app.mqtt.clone())
            } else {
                axum::Router::new()
            }
        })
        .collect();
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    match &city {
        Some(c) if several => println!(
            "hallq ready — {} ({}), {} halls",
            c.name,
            c.id,
            app.halls.len()
        ),
        _ => println!("hallq ready — {} ({})", cfg.hall.name, cfg.hall.id),
    }
    println!("  database   {}", redact(&database_url(&cfg)?));
    println!("  metrics    {base}/metrics");
    if several {
        println!("  halls      {base}/api/v1/halls");
        println!("  booking    {base}/book  (全市预约 / the city's booking page)");
        println!("  city       {base}/city  (全市总览 / city dashboard)");
        if cfg.identity.dev_provider {
            println!(
                "  test ID    {base}/dev/identity  (development identity provider: demo only)"
            );
        }
    }
    for h in &app.halls {
        let at = if several {
            format!("{base}/halls/{}", h.hall.id)
        } else {
            base.clone()
        };
        let api = if several {
            format!("{base}/api/v1/halls/{}", h.hall.id)
        } else {
            format!("{base}/api/v1")
        };
        print_hall(h, &at, &api, &app.mqtt_url, all_parts, several);
    }
    let reload = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = stop_or_reload(args.config.clone(), reload_requested, reload.clone());
    notify::ready_when_serving(addr);
    app.serve_city(listener, extras, stop).await?;
    if reload.load(std::sync::atomic::Ordering::SeqCst) {
        restart_in_place()?;
    }
    Ok(())
}

/// The hall's addresses, with the demo credentials while they work.
fn print_hall(cfg: &Settings, at: &str, api: &str, mqtt: &str, all_parts: bool, several: bool) {
    let demo = cfg.demo_credentials();
    if several {
        println!("— {} ({})", cfg.hall.name, cfg.hall.id);
    }
    println!("  API        {api}  (OpenAPI: {api}/openapi.json)");
    println!("  health     {api}/health");
    println!("  snapshot   {api}/snapshot");
    println!("  MQTT       {mqtt}  (topics hallq/v1/{}/…)", cfg.hall.id);
    if !several {
        println!("  status     {}/t/{{token}}", cfg.public_base_url());
    }
    // While a demo kiosk token works, the kiosk link carries it so it opens ready to use.
    let kiosk_token = demo
        .iter()
        .find(|d| {
            d.secret.starts_with("demo-kiosk")
                && cfg
                    .credentials
                    .iter()
                    .any(|c| c.name == d.who && c.role == hallq_config::Role::Kiosk)
        })
        .map_or_else(String::new, |d| format!("?token={}", d.secret));
    println!("  kiosk      {at}/kiosk{kiosk_token}");
    // The first staff account of the role that still has its demo password.
    let hint = |role: hallq_config::Role| {
        cfg.staff
            .iter()
            .filter(|u| u.role == role)
            .find_map(|u| {
                let d = demo
                    .iter()
                    .find(|d| d.who == format!("staff:{}", u.username))?;
                Some(format!("  (sign in: {} / {})", u.username, d.secret))
            })
            .unwrap_or_default()
    };
    println!("  clerk      {at}/clerk{}", hint(hallq_config::Role::Clerk));
    println!("  admin      {at}/admin{}", hint(hallq_config::Role::Admin));
    println!("  booking    {at}/book");
    if cfg.identity.dev_provider && !several {
        println!("  test ID    {at}/dev/identity  (development identity provider: demo only)");
    }
    if all_parts {
        for s in &cfg.screens {
            println!("  TV screen  {at}/screens/{}", s.id);
        }
    }
}

/// Resolves on Ctrl-C / SIGTERM, or when a reload was accepted (admin route, or SIGHUP with
/// a valid file; a bad file on SIGHUP is logged with its problems and ignored).
pub(crate) async fn stop_or_reload(
    config: PathBuf,
    requested: Arc<tokio::sync::Notify>,
    reload: Arc<std::sync::atomic::AtomicBool>,
) {
    let hup = async {
        #[cfg(unix)]
        {
            let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
                .expect("SIGHUP handler");
            loop {
                hup.recv().await;
                let problems = hallq_controller::reload::problems(&config);
                if problems.is_empty() {
                    return;
                }
                tracing::error!(
                    "配置有误，未重新加载 / config reload refused:\n{}",
                    problems.join("\n")
                );
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = crate::shutdown_signal() => {}
        _ = requested.notified() => reload.store(true, std::sync::atomic::Ordering::SeqCst),
        _ = hup => reload.store(true, std::sync::atomic::Ordering::SeqCst),
    }
    if reload.load(std::sync::atomic::Ordering::SeqCst) {
        notify::reloading();
    } else {
        notify::stopping();
    }
}

/// Replaces this process with a fresh one started with the same arguments.
fn restart_in_place() -> anyhow::Result<()> {
    tracing::info!("restarting with the reloaded config");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = std::process::Command::new(std::env::current_exe()?)
            .args(std::env::args_os().skip(1))
            .exec();
        Err(err.into())
    }
    #[cfg(not(unix))]
    anyhow::bail!("reload by restart needs unix")
}
