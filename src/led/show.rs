//! `hallq led show`: what every board shows now, from the gateway's state file
//! `{data_dir}/led-state.json` (written by `hallq run` or `hallq led gateway`). Exit 0 when
//! the file is fresh, 1 when it is missing, stale (older than 15 s) or the gateway stopped,
//! 2 for usage errors.

use super::Usage;
use led_protocol::gateway::state::{self, Doc};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
#[command(
    after_help = "退出码 / exit: 0 状态新鲜 / fresh, 1 无状态文件、超过 15 秒未更新或网关已停止 / \
                  missing, stale (no update for 15 s) or the gateway stopped, 2 用法错误 / usage"
)]
pub(super) struct ShowArgs {
    /// The hall's config file (its server.data_dir and boards), or a city file with `--hall`.
    #[arg(long)]
    config: PathBuf,
    /// In a city file: the hall (default: the first).
    #[arg(long)]
    hall: Option<String>,
    /// Data directory of the gateway (default: server.data_dir of the config; the same as
    /// `hallq run --data-dir` / `hallq led gateway --data-dir`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Print the state file's JSON as is (one document).
    #[arg(long)]
    json: bool,
}

/// Prints the boards; `Ok(false)` when the state is missing, stale or stopped.
pub(super) fn show(a: &ShowArgs) -> Result<bool, Usage> {
    let cfg = hallq_config::load_hall(&a.config, a.hall.as_deref())
        .map_err(|e| Usage(format!("配置无效 / invalid config:\n{e}")))?;
    let dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&cfg.server.data_dir));
    let path = dir.join(state::FILE_NAME);
    let doc = match state::read(&path) {
        Ok(doc) => doc,
        Err(e) => {
            if a.json {
                println!("null");
            }
            eprintln!(
                "没有 LED 网关状态 / no LED gateway state: {e}\n  \
                 (是否在运行 hallq run 或 hallq led gateway，且用同一数据目录？/ is hallq run or \
                 hallq led gateway running with this data directory?)"
            );
            return Ok(false);
        }
    };
    let age = Duration::from_millis(state::now_ms().saturating_sub(doc.updated_ms));
    let fresh = !doc.stopped && age <= state::STALE_AFTER;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| Usage(e.to_string()))?
        );
    } else {
        print_doc(&doc, &cfg.hall.name, age);
    }
    if doc.stopped {
        eprintln!("LED 网关已停止 / the LED gateway stopped: boards keep what they showed last");
    } else if !fresh {
        eprintln!(
            "LED 网关状态已过期（{} 秒未更新）/ stale: not updated for {} s — the gateway is not running",
            age.as_secs(),
            age.as_secs()
        );
    }
    Ok(fresh)
}

fn print_doc(doc: &Doc, hall: &str, age: Duration) {
    let state = if doc.stopped {
        "已停止 / stopped"
    } else if age > state::STALE_AFTER {
        "无心跳 / stale"
    } else if doc.ready {
        "运行中 / running"
    } else {
        "等待大厅状态 / waiting for the hall's state"
    };
    println!(
        "hallq led show — {hall} ({}), 网关 / gateway pid {}: {state}, 更新于 / updated {} s ago",
        doc.hall,
        doc.pid,
        age.as_secs()
    );
    let mut bus = None;
    for b in &doc.boards {
        if bus != Some(&b.bus) {
            let open = if b.bus_open {
                "已连接 / open"
            } else {
                "未连接 / not open"
            };
            println!("总线 / bus {}  {}  {open}", b.bus, b.place);
            bus = Some(&b.bus);
        }
        let place = if b.window == hallq_config::led::HALL {
            "大厅屏 / hall".to_string()
        } else {
            format!("窗口 / window {}", b.window)
        };
        let answers = match b.answering {
            _ if !b.bus_open => "总线未连接 / bus not open",
            Some(true) => "应答 / answers",
            Some(false) => "无应答 / SILENT",
            None => "不应答（无 ACK）/ no ACK by design",
        };
        let last = b.last_ack_ms.map_or_else(String::new, |ms| {
            let secs = state::now_ms().saturating_sub(ms) / 1000;
            format!(", 上次应答 / last ACK {secs} s ago")
        });
        let text = b.text.as_deref().map_or_else(
            || "（尚未显示 / nothing yet）".to_string(),
            |t| format!("\"{t}\""),
        );
        println!(
            "  #{:<5} {:<5} {place:<18} {text}  [{answers}{last}]",
            b.address, b.protocol
        );
        if let Some(p) = &b.pending {
            println!("         待发送 / pending: \"{p}\"");
        }
    }
}
