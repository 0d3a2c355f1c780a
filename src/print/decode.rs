//! `hallq print decode`: ESC/POS bytes on stdin (a capture, or `cat /dev/…`) → each
//! ticket's text and QR contents, printed as soon as its cut arrives.

use hallq_ticket::emulator::{Emulator, EmulatorOptions};
use std::io::Read as _;
use std::process::ExitCode;

/// `hallq print decode` arguments.
#[derive(clap::Args)]
pub(super) struct DecodeArgs {
    /// One JSON object per ticket (`seq`, `lines`, `qr`, `images`, `cut`).
    #[arg(long)]
    json: bool,
}

/// Reads stdin to its end, printing each ticket at its cut; a last ticket without a cut
/// is printed at the end of input.
pub(super) fn run(a: &DecodeArgs) -> ExitCode {
    let mut emulator = Emulator::new(EmulatorOptions::default());
    let mut stdin = std::io::stdin().lock();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("hallq print decode: 读取失败 / cannot read stdin: {e}");
                return ExitCode::FAILURE;
            }
        };
        let out = if n == 0 {
            emulator.finish()
        } else {
            emulator.handle(&buf[..n])
        };
        for t in &out.tickets {
            super::show(t, a.json);
        }
        if n == 0 {
            return ExitCode::SUCCESS;
        }
    }
}
