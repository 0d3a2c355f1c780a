//! `hallq led probe`: asks every configured board (or one bus's) for an answer and prints,
//! per board, what it answered and the round trip. Exit 0 when every board answered, 1 when
//! one did not or a bus could not be opened, 2 for usage errors.

use super::Usage;
use led_protocol::gateway::probe::{probe_bus, Answer, Probed};
use led_protocol::gateway::transport::Endpoint;
use led_protocol::gateway::{board_spec, bus_options};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub(super) struct ProbeArgs {
    /// The hall's config file (its [[led.buses]]), or a city file with `--hall`.
    #[arg(long)]
    config: PathBuf,
    /// In a city file: the hall (default: the first).
    #[arg(long)]
    hall: Option<String>,
    /// Only this bus (its id).
    #[arg(long)]
    bus: Option<String>,
    /// How long to wait for each answer, ms (default: led.ack_timeout_ms, at least 500).
    #[arg(long)]
    timeout_ms: Option<u64>,
    /// Sends per board before it counts as not answering.
    #[arg(long, default_value_t = 3)]
    tries: u32,
}

/// Runs the probe; `Ok(false)` when some board or bus did not answer.
pub(super) async fn probe(a: &ProbeArgs) -> Result<bool, Usage> {
    let cfg = hallq_config::load_hall(&a.config, a.hall.as_deref())
        .map_err(|e| Usage(format!("配置无效 / invalid config:\n{e}")))?;
    let buses: Vec<_> = cfg
        .led
        .buses
        .iter()
        .filter(|b| a.bus.as_ref().is_none_or(|id| &b.id == id))
        .collect();
    if buses.is_empty() {
        let known: Vec<&str> = cfg.led.buses.iter().map(|b| b.id.as_str()).collect();
        return Err(Usage(match &a.bus {
            Some(id) => format!(
                "没有总线 {id:?} / no bus {id:?} (buses: {})",
                known.join(", ")
            ),
            None => format!(
                "{}: 没有 LED 总线 / no [[led.buses]] in the config",
                a.config.display()
            ),
        }));
    }
    let timeout = Duration::from_millis(
        a.timeout_ms
            .unwrap_or_else(|| bus_options(&cfg.led).ack_timeout.as_millis() as u64)
            .max(if a.timeout_ms.is_some() { 1 } else { 500 }),
    );
    println!(
        "hallq led probe — {} ({}), 每块屏最多 {} 次、每次等 {} ms / up to {} tries of {} ms per board",
        cfg.hall.name,
        cfg.hall.id,
        a.tries,
        timeout.as_millis(),
        a.tries,
        timeout.as_millis()
    );
    let mut all_answered = true;
    for bus in buses {
        let endpoint = Endpoint::from_settings(bus);
        println!("总线 / bus {}  {}", bus.id, endpoint.describe());
        let specs: Vec<_> = bus.boards.iter().map(board_spec).collect();
        match probe_bus(&endpoint, &specs, timeout, a.tries).await {
            Ok(results) => {
                for (board, probed) in bus.boards.iter().zip(&results) {
                    all_answered &= probed.answer.is_alive();
                    let place = if board.is_hall() {
                        "大厅屏 / hall".to_string()
                    } else {
                        format!("窗口 / window {}", board.window)
                    };
                    println!(
                        "  #{:<5} {:<6} {place:<20} {}",
                        board.address,
                        board.protocol,
                        describe(probed, timeout)
                    );
                }
            }
            Err(e) => {
                all_answered = false;
                println!(
                    "  无法打开 / cannot open {}: {}",
                    endpoint.describe(),
                    why(&e)
                );
            }
        }
    }
    Ok(all_answered)
}

fn describe(p: &Probed, timeout: Duration) -> String {
    let rtt = p
        .round_trip
        .map(|d| format!("{:.1} ms", d.as_secs_f64() * 1000.0))
        .unwrap_or_default();
    let tries = if p.tries > 1 {
        format!(" (第 {} 次 / try {})", p.tries, p.tries)
    } else {
        String::new()
    };
    match &p.answer {
        Answer::Ack => format!("应答 ACK / answered ACK  {rtt}{tries}"),
        Answer::Nack(code) => {
            format!("拒收 NACK 0x{code:02X} / refused (NACK 0x{code:02X})  {rtt}{tries}")
        }
        Answer::Text(t) => format!("应答，显示 / answered, shows: {t:?}  {rtt}{tries}"),
        Answer::Nothing => format!(
            "无应答 / no answer ({} × {} ms): 检查电源、地址、接线与波特率 / check power, \
             address, wiring (A/B) and line settings",
            p.tries,
            timeout.as_millis()
        ),
        Answer::Garbled(e) => format!(
            "回复无法解读 / unreadable answer ({e}): 检查协议与线路设置 / check the protocol \
             and line settings (baud, parity)"
        ),
    }
}

/// The open error in words, with the likely cause of a busy port.
fn why(e: &std::io::Error) -> String {
    let text = e.to_string();
    if e.raw_os_error() == Some(16) || text.contains("busy") {
        format!(
            "{text} — 端口被占用：网关可能正在运行（停止它，或用 hallq led show 查看）/ \
             port busy: the gateway may be running (stop it, or use hallq led show)"
        )
    } else if e.kind() == std::io::ErrorKind::NotFound || text.contains("No such file") {
        format!("{text} — 设备不存在：检查 USB 转换器与设备名 / no such device: check the adapter and its name")
    } else {
        text
    }
}
