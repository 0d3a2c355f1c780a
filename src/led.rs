//! `hallq led …`: LED board tools and the gateway (see led-protocol).
//!
//! - `encode` / `decode`: one frame to hex, captured bytes to JSON (installers, tests).
//! - `emulate`: a board on a TCP port, a pty or an existing serial device that answers
//!   ACKs and prints what it shows.
//! - `probe` (`probe`): asks every configured board for an answer, with round trips.
//! - `show` (`show`): what every board shows now, from the gateway's state file.
//! - `gateway` (or `hallq led --config FILE`): the LED gateway alone, for split deployments.

use hallq_config::{BrokerMode, Settings};
use hallq_mqtt::{Endpoint, Part};
use led_protocol::emulator::Seen;
use led_protocol::gateway::emulate::{self, EmulatorOptions};
use led_protocol::gateway::Gateway;
use led_protocol::show::Protocol;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod frames;
mod probe;
mod show;
use frames::{decode, encode, parse_u16, DecodeArgs, EncodeArgs};

/// `hallq led` arguments.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct LedCli {
    /// Config file: runs the gateway (same as `hallq led gateway --config FILE`).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Option<LedCmd>,
}

#[derive(clap::Subcommand)]
enum LedCmd {
    /// 编码一帧，十六进制输出 / one frame as hex on stdout.
    Encode(EncodeArgs),
    /// 解码标准输入（十六进制或原始字节）为 JSON / hex or raw bytes on stdin → JSON.
    Decode(DecodeArgs),
    /// 模拟一块屏（TCP 端口、pty 或现有串口）/ emulate a board on a TCP port, a pty or a serial device.
    Emulate(EmulateArgs),
    /// 逐块屏询问应答与往返时间 / ask every configured board for an answer (ACK, round trip).
    Probe(probe::ProbeArgs),
    /// 每块屏当前显示的内容（来自网关状态文件）/ what every board shows now (the gateway's state file).
    Show(show::ShowArgs),
    /// 只运行 LED 网关 / run the LED gateway alone (split deployments).
    Gateway(GatewayArgs),
}

#[derive(clap::Args)]
struct EmulateArgs {
    /// bx or alpha.
    #[arg(long)]
    protocol: Protocol,
    /// Listen on this TCP address, e.g. 127.0.0.1:5005.
    #[arg(long)]
    listen: Option<String>,
    /// Open a pseudo-terminal and print its path (the gateway's `serial` setting).
    #[arg(long)]
    pty: bool,
    /// With --pty: also make this symlink to the pty (a stable path for a config file).
    #[arg(long, requires = "pty")]
    link: Option<PathBuf>,
    /// Sit on an existing serial device (e.g. the far end of a null-modem cable or a
    /// USB-RS485 adapter wired to the gateway's line).
    #[arg(long, conflicts_with_all = ["pty", "listen"])]
    device: Option<String>,
    /// With --device: line speed.
    #[arg(long, default_value_t = 9600, requires = "device")]
    baud: u32,
    /// With --device: data bits, parity, stop bits, e.g. 8N1 (default for bx) or 7E1 (alpha).
    #[arg(long, requires = "device")]
    line: Option<String>,
    /// Answer only frames for this address (default: any).
    #[arg(long, value_parser = parse_u16)]
    address: Option<u16>,
    /// Alpha: answer ACK like a sign configured with `E s`.
    #[arg(long)]
    ack: bool,
    /// Never answer (a board that stopped answering).
    #[arg(long)]
    silent: bool,
    /// Start switched off; lines `on` / `off` on stdin switch the power (a board that
    /// is switched off loses what reaches it).
    #[arg(long)]
    off: bool,
    /// Print each frame's full JSON description, one per line.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct GatewayArgs {
    /// The hall's config file, or a city file with `--hall`.
    #[arg(long)]
    config: PathBuf,
    /// In a city file: the hall (default: the first).
    #[arg(long)]
    hall: Option<String>,
    /// MQTT user (default: led.mqtt_username, or broker.username of an external broker).
    #[arg(long)]
    mqtt_user: Option<String>,
    /// MQTT password (default: led.mqtt_password, or broker.password; env HALLQ_MQTT_PASSWORD).
    #[arg(long)]
    mqtt_password: Option<String>,
    /// Where the state file led-state.json goes (default: server.data_dir; `hallq led show`
    /// reads it).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Runs `hallq led …`.
pub(crate) fn run(args: LedCli) -> ExitCode {
    match (args.cmd, args.config) {
        (Some(LedCmd::Encode(a)), _) => report(encode(&a)),
        (Some(LedCmd::Decode(a)), _) => report(decode(&a)),
        (Some(LedCmd::Emulate(a)), _) => report(runtime().and_then(|rt| rt.block_on(emulate(a)))),
        (Some(LedCmd::Probe(a)), _) => {
            match runtime().and_then(|rt| rt.block_on(probe::probe(&a))) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(Usage(msg)) => usage(&msg),
            }
        }
        (Some(LedCmd::Show(a)), _) => match show::show(&a) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(Usage(msg)) => usage(&msg),
        },
        (Some(LedCmd::Gateway(a)), _) => report(runtime().and_then(|rt| rt.block_on(gateway(a)))),
        (None, Some(config)) => {
            let a = GatewayArgs {
                config,
                hall: None,
                mqtt_user: None,
                mqtt_password: None,
                data_dir: None,
            };
            report(runtime().and_then(|rt| rt.block_on(gateway(a))))
        }
        (None, None) => usage(
            "用法 / usage: hallq led encode|decode … (or hallq led --config FILE); see --help",
        ),
    }
}

/// Starts the LED gateway inside `hallq run` when the config has boards. Returns at once;
/// ports open (and reopen) in the background, so a missing board never delays start-up.
pub(crate) fn start_in_run(cfg: Arc<Settings>, mqtt: Endpoint) {
    if cfg.led.buses.is_empty() {
        return;
    }
    let boards: usize = cfg.led.buses.iter().map(|b| b.boards.len()).sum();
    tracing::info!(
        "LED 网关 / LED gateway: {} buses, {boards} boards",
        cfg.led.buses.len()
    );
    let state = PathBuf::from(&cfg.server.data_dir).join(led_protocol::gateway::state::FILE_NAME);
    let gateway = Gateway::spawn(cfg, mqtt, Some(state));
    // The gateway lives as long as the process; on Ctrl-C / SIGTERM it stops with it, so its
    // state file says "stopped" (a reload restarts the process: the next one takes over).
    tokio::spawn(async move {
        stop_signal().await;
        gateway.shutdown().await;
    });
}

/// Ctrl-C or SIGTERM (quietly: `hallq run` says it is shutting down).
async fn stop_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Usage> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Usage(format!("tokio: {e}")))
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,rumqttc=warn".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// `hallq led gateway`: the gateway alone, signed in to the hall's broker.
async fn gateway(a: GatewayArgs) -> Result<(), Usage> {
    init_logs();
    let cfg = hallq_config::load_hall(&a.config, a.hall.as_deref())
        .map_err(|e| Usage(format!("配置无效 / invalid config:\n{e}")))?;
    if cfg.led.buses.is_empty() {
        return Err(Usage(format!(
            "{}: 没有 LED 总线 / no [[led.buses]] in the config",
            a.config.display()
        )));
    }
    let mut broker = Endpoint::of(&cfg, Part::Gateway).map_err(Usage)?;
    let (cfg_user, cfg_pass) = broker.login.take().unzip();
    let user = a.mqtt_user.or(cfg_user);
    let password = a
        .mqtt_password
        .or_else(|| std::env::var("HALLQ_MQTT_PASSWORD").ok())
        .or(cfg_pass);
    broker.login = user.map(|u| (u, password.unwrap_or_default()));
    if broker.login.is_none() && cfg.broker.mode == BrokerMode::Embedded {
        return Err(Usage(
            "内置代理需要登录 / the embedded broker needs a login: set led.mqtt_username and \
             led.mqtt_password (an account of role gateway), or --mqtt-user/--mqtt-password"
                .into(),
        ));
    }
    println!(
        "hallq led gateway — {} ({}), MQTT {}, {} buses",
        cfg.hall.name,
        cfg.hall.id,
        broker.url(),
        cfg.led.buses.len()
    );
    let dir = a
        .data_dir
        .unwrap_or_else(|| PathBuf::from(&cfg.server.data_dir));
    let state = dir.join(led_protocol::gateway::state::FILE_NAME);
    println!("  状态文件 / state file: {}", state.display());
    let gw = Gateway::spawn(Arc::new(cfg), broker, Some(state));
    crate::shutdown_signal().await;
    gw.shutdown().await;
    Ok(())
}

/// `hallq led emulate`: a board on a TCP port and/or a pty, printing what it shows.
async fn emulate(a: EmulateArgs) -> Result<(), Usage> {
    if a.listen.is_none() && !a.pty && a.device.is_none() {
        return Err(Usage(
            "用 --listen HOST:PORT、--pty 或 --device PATH / give --listen HOST:PORT, --pty or \
             --device PATH"
                .into(),
        ));
    }
    let mut opts = EmulatorOptions::new(a.protocol);
    opts.address = a.address;
    opts.alpha_ack = a.ack;
    opts.silent
        .store(a.silent, std::sync::atomic::Ordering::Relaxed);
    opts.powered
        .store(!a.off, std::sync::atomic::Ordering::Relaxed);
    power_switch_on_stdin(opts.powered.clone(), a.off);
    let json = a.json;
    let protocol = a.protocol;
    let print: Arc<dyn Fn(&Seen) + Send + Sync> =
        Arc::new(move |seen: &Seen| print_seen(protocol, json, seen));
    let mut tasks = Vec::new();
    if let Some(listen) = &a.listen {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Usage(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Usage(e.to_string()))?;
        println!("emulating a {} board on tcp://{addr}", protocol.name());
        tasks.push(tokio::spawn(emulate::serve_tcp(
            listener,
            opts.clone(),
            print.clone(),
        )));
    }
    let mut _pty_keep = None;
    if a.pty {
        let (master, place) =
            crate::emulate_place::PtyPlace::open(a.link.as_deref()).map_err(Usage)?;
        println!(
            "emulating a {} board on {}",
            protocol.name(),
            place.describe()
        );
        let (opts, print) = (opts.clone(), print.clone());
        _pty_keep = Some(place);
        tasks.push(tokio::spawn(async move {
            emulate::serve(master, &opts, &*print).await
        }));
    }
    if let Some(path) = &a.device {
        let endpoint = serial_endpoint(path, a.baud, a.line.as_deref(), protocol)?;
        let opened = led_protocol::gateway::transport::open(&endpoint)
            .await
            .map_err(|e| Usage(format!("cannot open {path}: {e}")))?;
        println!(
            "emulating a {} board on {path} ({} {})",
            protocol.name(),
            a.baud,
            a.line.as_deref().unwrap_or(default_line(protocol))
        );
        let (opts, print) = (opts.clone(), print.clone());
        tasks.push(tokio::spawn(async move {
            emulate::serve(opened.stream, &opts, &*print).await
        }));
    }
    tokio::select! {
        () = crate::shutdown_signal() => {}
        r = futures::future::select_all(tasks) => {
            if let (Ok(Err(e)), _, _) = r {
                return Err(Usage(format!("emulator stopped: {e}")));
            }
        }
    }
    Ok(())
}

/// Reads `on` / `off` lines from stdin and switches the emulated board's power; says so on
/// stderr (stdout carries only what the board receives). Ends quietly at the end of stdin (the board stays as it is).
fn power_switch_on_stdin(powered: Arc<std::sync::atomic::AtomicBool>, off: bool) {
    if off {
        eprintln!("电源关 / power off (type `on` to switch it on)");
    }
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return };
            let on = match line.trim() {
                "on" => true,
                "off" => false,
                "" => continue,
                other => {
                    eprintln!("? {other:?}: on | off");
                    continue;
                }
            };
            powered.store(on, std::sync::atomic::Ordering::Relaxed);
            eprintln!(
                "{}",
                if on {
                    "电源开 / power on"
                } else {
                    "电源关 / power off"
                }
            );
        }
    });
}

/// BX controllers default to 8N1, Alpha signs to 7E1.
const fn default_line(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Bx => "8N1",
        Protocol::Alpha => "7E1",
    }
}

/// A serial endpoint from `--device`, `--baud` and `--line` (`8N1`, `7E1`, `8E1`, `8N2`…).
fn serial_endpoint(
    path: &str,
    baud: u32,
    line: Option<&str>,
    protocol: Protocol,
) -> Result<led_protocol::gateway::transport::Endpoint, Usage> {
    let line = line.unwrap_or(default_line(protocol)).to_ascii_uppercase();
    let bad = || Usage(format!("--line {line:?}: 例如 / e.g. 8N1, 7E1, 8E1, 8N2"));
    let &[d, p, s] = line.as_bytes() else {
        return Err(bad());
    };
    let data_bits = match d {
        b'5'..=b'8' => d - b'0',
        _ => return Err(bad()),
    };
    let parity = match p {
        b'N' => "none",
        b'E' => "even",
        b'O' => "odd",
        _ => return Err(bad()),
    };
    let stop_bits = match s {
        b'1' | b'2' => s - b'0',
        _ => return Err(bad()),
    };
    Ok(led_protocol::gateway::transport::Endpoint::Serial {
        path: path.to_string(),
        baud,
        data_bits,
        parity: parity.into(),
        stop_bits,
    })
}

fn print_seen(protocol: Protocol, json: bool, seen: &Seen) {
    let tag = protocol.name();
    match seen {
        Seen::Frame { description, .. } if json => println!("{description}"),
        Seen::Frame {
            description,
            text,
            for_me,
            reply,
        } => {
            let address = description["header"]["dst"]
                .as_u64()
                .map(|d| d.to_string())
                .or_else(|| description["packet"]["address"].as_str().map(String::from))
                .unwrap_or_default();
            let what = match text {
                Some(t) => format!("显示 / shows: {t}"),
                None => description["command"]["command"]
                    .as_str()
                    .unwrap_or("packet")
                    .to_string(),
            };
            let note = match (for_me, reply) {
                (false, _) => " (not for this board)",
                (true, Some(_)) => " [ACK]",
                (true, None) => "",
            };
            println!("[{tag} #{address}] {what}{note}");
        }
        Seen::Bad(e) => println!("[{tag}] 无效帧 / bad frame: {e}"),
    }
}

/// A usage or input error: message on stderr, exit 2.
struct Usage(String);

impl From<String> for Usage {
    fn from(s: String) -> Self {
        Self(s)
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("hallq led: {msg}");
    ExitCode::from(2)
}

fn report(r: Result<(), Usage>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(Usage(msg)) => usage(&msg),
    }
}
