//! `hallq print test --config FILE --printer ID`: a test page (the hall's name, the time,
//! the QR code of the hall's public address, a cut) sent the way tickets are: the same
//! connection settings, timeout and status check (paper, cover) as `hallq run`.
//!
//! Exit 0 printed, 1 a printer problem (the reason in Chinese / English), 2 usage.

use hallq_config::printers::PrinterKind;
use hallq_controller::printers::Reason;
use hallq_controller::printing::{options, printer, PRINT_TIMEOUT, STATUS_ANSWER};
use hallq_ticket::{escpos_test_page, PrintOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// `hallq print test` arguments.
#[derive(clap::Args)]
pub(super) struct TestArgs {
    /// The hall's config file, or a city file with `--hall`.
    #[arg(long)]
    config: PathBuf,
    /// In a city file: the hall (default: the first).
    #[arg(long)]
    hall: Option<String>,
    /// The printer's id (`[[printers]] id`).
    #[arg(long)]
    printer: String,
}

pub(super) fn run(a: &TestArgs) -> ExitCode {
    let cfg = match hallq_config::load_hall(&a.config, a.hall.as_deref()) {
        Ok(cfg) => cfg,
        Err(e) => return super::usage(&format!("配置无效 / invalid config:\n{e}")),
    };
    let Some(conf) = cfg.printers.iter().find(|p| p.id == a.printer) else {
        let ids: Vec<&str> = cfg.printers.iter().map(|p| p.id.as_str()).collect();
        let known = if ids.is_empty() {
            "没有 [[printers]] / no [[printers]] at all".to_string()
        } else {
            format!("打印机有 / printers: {}", ids.join(", "))
        };
        return super::usage(&format!(
            "{} 中没有打印机 {:?} / no printer {:?} in {}; {known}",
            a.config.display(),
            a.printer,
            a.printer,
            a.config.display()
        ));
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let at = hallq_controller::hours::to_local(cfg.tz(), now_ms)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let url = cfg.public_base_url();
    let bytes = match escpos_test_page(&cfg.hall.name, &at, &url, &options(conf)) {
        Ok(b) => b,
        Err(e) => return super::usage(&format!("无法生成测试页 / cannot make the test page: {e}")),
    };
    let device = conf.kind != PrinterKind::File;
    let print_options = PrintOptions {
        timeout: PRINT_TIMEOUT,
        ask_status: device && conf.asks_status(),
        expect_answer: false,
        answer_within: STATUS_ANSWER,
    };
    let p = printer(conf);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::usage(&format!("tokio: {e}")),
    };
    let result = rt.block_on(p.print(&bytes, &print_options));
    let target = p.target();
    match result {
        Ok(checked) => {
            println!(
                "已打印测试页 / test page printed: printer {} ({target})",
                conf.id
            );
            let status = match checked.condition {
                Some(c) if c.paper_near_end => "纸将用完 / paper near end",
                Some(_) => "正常 / ok",
                None if checked.asked => {
                    "不回答状态查询，未检查 / does not answer status queries (not checked)"
                }
                None if !device => "设备文件，不查询 / device file: not asked",
                None => "未查询 (status = \"off\") / not asked (status = \"off\")",
            };
            println!("状态 / status: {status}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let reason = Reason::of(&e);
            eprintln!(
                "hallq print test: 打印机 {id} 未打印：{label}\n  printer {id} ({target}): {what}\n  ({e})",
                id = conf.id,
                label = reason.label(),
                what = reason.as_str(),
            );
            ExitCode::FAILURE
        }
    }
}
