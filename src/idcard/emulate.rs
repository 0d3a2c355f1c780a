//! `hallq idcard emulate --pty [--link PATH] [--card FILE]`: the library's [`Emulator`] on
//! a pseudo-terminal, for trying a kiosk's reader setup without a reader.
//!
//! Standard input takes one command a line: `swipe` lays the card on the reader, `remove`
//! takes it off, `quit` ends (so does Ctrl-C or SIGTERM; the end of input does not, so it
//! can run in the background). Each change in what it answers a command is printed once
//! (the driver polls several times a second; repeats are not printed).

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use hallq_idcard::card::layout::PHOTO_LEN;
use hallq_idcard::reply::status;
use hallq_idcard::{mask_id_number, mask_name, Command, Emulator, IdCard};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::emulate_place::PtyPlace;

/// Longest command line taken from standard input; longer lines are dropped.
const MAX_LINE: usize = 256;

/// The emulator and what was last shown of its answers (per command).
struct Console {
    emu: Emulator,
    shown: HashMap<Option<Command>, u8>,
}

type Shared = Arc<Mutex<Console>>;

fn lock(c: &Shared) -> std::sync::MutexGuard<'_, Console> {
    c.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs until `quit`, Ctrl-C or SIGTERM.
pub(super) async fn run(link: Option<&Path>, card_file: Option<&Path>) -> ExitCode {
    let card = match card_file {
        None => super::card_file::demo(),
        Some(path) => match super::card_file::load(path) {
            Ok((card, warnings)) => {
                warnings.iter().for_each(|w| eprintln!("{w}"));
                card
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        },
    };
    let (master, place) = match PtyPlace::open(link) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let who = format!(
        "{} {}",
        mask_name(&card.name),
        mask_id_number(&card.id_number)
    );
    println!(
        "模拟身份证阅读器 / fake ID card reader on {}",
        place.describe()
    );
    println!("配置 / config: [[id_readers]] port = \"{}\"", place.path);
    println!("卡片 / card: {who}");
    println!(
        "输入 swipe 放卡，remove 取卡，quit 退出 / type swipe (lay the card on it), remove, quit"
    );
    let console: Shared = Arc::new(Mutex::new(Console {
        emu: Emulator::new(),
        shown: HashMap::new(),
    }));
    let code = tokio::select! {
        e = serve(master, console.clone(), &who) => {
            eprintln!("pty 出错 / the pty failed: {e}");
            ExitCode::from(1)
        }
        () = commands(console, &card, &who) => ExitCode::SUCCESS,
        () = stopped() => ExitCode::SUCCESS,
    };
    drop(place);
    code
}

/// Answers what the host writes, printing each change of answer. Returns the port's error.
async fn serve<P: AsyncRead + AsyncWrite + Unpin>(
    mut port: P,
    console: Shared,
    who: &str,
) -> std::io::Error {
    let mut buf = [0u8; 512];
    loop {
        let n = match port.read(&mut buf).await {
            Ok(0) => return std::io::ErrorKind::UnexpectedEof.into(),
            Ok(n) => n,
            Err(e) => return e,
        };
        let out = {
            let mut c = lock(&console);
            c.emu.handle_input(&buf[..n]);
            while let Some((command, sw3)) = c.emu.poll_answer() {
                if c.shown.insert(command, sw3) != Some(sw3) {
                    println!("{}", answered(command, sw3, who));
                }
            }
            c.emu.poll_transmit()
        };
        if let Some(out) = out {
            if let Err(e) = port.write_all(&out).await {
                return e;
            }
        }
    }
}

/// "应答 / answered find card (20 01): 9F card found".
fn answered(command: Option<Command>, sw3: u8, who: &str) -> String {
    let what = command.map_or_else(|| "a request it cannot take".to_string(), |c| c.to_string());
    let card = if command == Some(Command::ReadBase) && sw3 == status::OK {
        format!(" — {who}")
    } else {
        String::new()
    };
    format!(
        "应答 / answered {what}: {sw3:02X} {}{card}",
        status::meaning(sw3)
    )
}

/// Reads commands from standard input until `quit` (returns) or its end (never returns).
async fn commands(console: Shared, card: &IdCard, who: &str) {
    let mut stdin = tokio::io::stdin();
    let mut line = Vec::new();
    let mut buf = [0u8; 256];
    let mut too_long = false;
    loop {
        let n = stdin.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            return std::future::pending().await;
        }
        for &b in &buf[..n] {
            if b != b'\n' {
                too_long |= line.len() >= MAX_LINE;
                if !too_long {
                    line.push(b);
                }
                continue;
            }
            let text = String::from_utf8_lossy(&line).trim().to_string();
            line.clear();
            if std::mem::take(&mut too_long) {
                eprintln!("命令过长 / line too long, ignored");
            } else if !command(&console, &text, card, who) {
                return;
            }
        }
    }
}

/// Carries out one command line; `false` for `quit`.
fn command(console: &Shared, text: &str, card: &IdCard, who: &str) -> bool {
    let mut c = lock(console);
    match text {
        "" => {}
        "swipe" => {
            c.emu.set_card(Some((card.clone(), vec![0; PHOTO_LEN])));
            c.shown.clear();
            println!("已放卡 / card on the reader: {who}");
        }
        "remove" => {
            c.emu.set_card(None);
            c.shown.clear();
            println!("已取卡 / card taken off");
        }
        "quit" | "exit" => return false,
        other => eprintln!(
            "未知命令 / unknown command {:?}: swipe, remove, quit",
            other.chars().take(40).collect::<String>()
        ),
    }
    true
}

/// Ctrl-C or SIGTERM.
async fn stopped() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
