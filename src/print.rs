//! `hallq print …`: ticket printer tools (see ticket-print).
//!
//! - `test` (`print/test.rs`): a test page on a configured printer, through the path
//!   tickets take (status check included); the exit code tells.
//! - `decode` (`print/decode.rs`): ESC/POS bytes on stdin → each ticket's text and QR
//!   contents, printed as its cut arrives.
//! - `emulate` (`print/emulate.rs`): a fake ESC/POS printer on a TCP port or a pty, with
//!   status answers and switches for paper out, cover open, a printer that hangs.

use hallq_ticket::emulator::PrintedTicket;
use std::process::ExitCode;

mod decode;
mod emulate;
mod test;

/// `hallq print` arguments.
#[derive(clap::Args)]
pub(crate) struct PrintCli {
    #[command(subcommand)]
    cmd: PrintCmd,
}

#[derive(clap::Subcommand)]
enum PrintCmd {
    /// 打印测试页（经状态检查）/ print a test page on a configured printer (status checked).
    Test(test::TestArgs),
    /// 解码标准输入的 ESC/POS 字节 / ESC/POS bytes on stdin → text and QR, ticket by ticket.
    Decode(decode::DecodeArgs),
    /// 模拟一台 ESC/POS 打印机（TCP 端口或 pty）/ emulate an ESC/POS printer (TCP or pty).
    Emulate(emulate::EmulateArgs),
}

/// Runs one `hallq print` command.
pub(crate) fn run(cli: PrintCli) -> ExitCode {
    match cli.cmd {
        PrintCmd::Test(a) => test::run(&a),
        PrintCmd::Decode(a) => decode::run(&a),
        PrintCmd::Emulate(a) => emulate::run(&a),
    }
}

/// A usage or input error: message on stderr, exit 2.
fn usage(msg: &str) -> ExitCode {
    eprintln!("hallq print: {msg}");
    ExitCode::from(2)
}

/// Prints one ticket: its JSON on one line, or a heading and its lines.
fn show(t: &PrintedTicket, json: bool) {
    if json {
        println!("{}", serde_json::to_string(t).unwrap_or_default());
        return;
    }
    let cut = match t.cut {
        "full" => "全切 / full cut",
        "partial" => "半切 / partial cut",
        _ => "未切 / no cut",
    };
    let printed = match t.not_printed {
        Some("paper_out") => " — 未打印：缺纸 / not printed: out of paper",
        Some("cover_open") => " — 未打印：盖未关 / not printed: cover open",
        Some(_) => " — 未打印：故障 / not printed: error",
        None => "",
    };
    println!("=== 票 / ticket {} — {cut}{printed} ===", t.seq);
    for line in &t.lines {
        println!("  {line}");
    }
    for qr in &t.qr {
        println!("  [QR] {qr}");
    }
    for (w, h) in &t.images {
        println!("  [图像 / image {w}×{h} dots]");
    }
}
