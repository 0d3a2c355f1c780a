//! `hallq print emulate`: a fake ESC/POS printer on a TCP port (like a network printer's
//! port 9100) and/or a pty (like a serial printer), printing each ticket as it is cut and
//! answering `DLE EOT` status queries (see `hallq_ticket::emulator`).

use hallq_ticket::emulator::{serve, serve_tcp, EmulatorOptions, PrintedTicket, Seen, Stall};
use hallq_ticket::Condition;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// `hallq print emulate` arguments.
#[derive(clap::Args)]
pub(super) struct EmulateArgs {
    /// Listen on this TCP address, e.g. 127.0.0.1:9100.
    #[arg(long)]
    listen: Option<String>,
    /// Open a pseudo-terminal and print its path (a `kind = "serial"` printer's `path`).
    #[arg(long)]
    pty: bool,
    /// With --pty: also make this symlink to the pty (a stable path for a config file).
    #[arg(long, requires = "pty")]
    link: Option<PathBuf>,
    /// Out of paper: status says so, tickets are not printed.
    #[arg(long)]
    paper_out: bool,
    /// Cover open: status says so, tickets are not printed.
    #[arg(long)]
    cover_open: bool,
    /// Paper near its end: status says so, tickets still print.
    #[arg(long)]
    paper_near_end: bool,
    /// Never answer status queries (a printer without status).
    #[arg(long)]
    no_status: bool,
    /// Stop reading after N bytes, like a printer that hangs mid-ticket.
    #[arg(long, value_name = "N")]
    stall_after: Option<u64>,
    /// Print each ticket as one JSON object per line.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &EmulateArgs) -> ExitCode {
    if a.listen.is_none() && !a.pty {
        return super::usage("用 --listen HOST:PORT 或 --pty / give --listen HOST:PORT or --pty");
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::usage(&format!("tokio: {e}")),
    };
    match rt.block_on(emulate(a)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => super::usage(&msg),
    }
}

/// What the switches make of the printer, for the first line.
fn describe(o: &EmulatorOptions) -> String {
    let c = o.condition;
    let mut notes = Vec::new();
    for (on, note) in [
        (c.paper_out, "缺纸 / paper out"),
        (c.cover_open, "盖未关 / cover open"),
        (c.paper_near_end, "纸将用完 / paper near end"),
        (o.no_status, "不回答状态 / no status answers"),
    ] {
        if on {
            notes.push(note.to_string());
        }
    }
    if let Some(n) = o.stall_after {
        notes.push(format!("{n} 字节后停止读取 / stalls after {n} bytes"));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    }
}

async fn emulate(a: &EmulateArgs) -> Result<(), String> {
    let options = EmulatorOptions {
        condition: Condition {
            paper_out: a.paper_out,
            cover_open: a.cover_open,
            paper_near_end: a.paper_near_end,
            error: false,
        },
        no_status: a.no_status,
        stall_after: a.stall_after,
    };
    let stall = Arc::new(Stall::new(a.stall_after));
    let json = a.json;
    let seen: Arc<Seen> = Arc::new(move |t: &PrintedTicket| super::show(t, json));
    let mut tasks = Vec::new();
    if let Some(listen) = &a.listen {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("无法监听 / cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!(
            "emulating an ESC/POS printer on tcp://{addr}{}",
            describe(&options)
        );
        let (stall, seen) = (stall.clone(), seen.clone());
        tasks.push(tokio::spawn(serve_tcp(listener, options, stall, seen)));
    }
    let mut _pty_keep = None;
    if a.pty {
        let (master, place) = crate::emulate_place::PtyPlace::open(a.link.as_deref())?;
        println!(
            "emulating an ESC/POS printer on {}{} — 配置 / config: kind = \"serial\", path = \"{}\"",
            place.describe(),
            describe(&options),
            place.path
        );
        _pty_keep = Some(place);
        let (stall, seen) = (stall.clone(), seen.clone());
        tasks.push(tokio::spawn(async move {
            serve(master, &options, &stall, &*seen).await
        }));
    }
    tokio::select! {
        () = crate::shutdown_signal() => {}
        r = futures::future::select_all(tasks) => {
            if let (Ok(Err(e)), _, _) = r {
                return Err(format!("emulator stopped: {e}"));
            }
        }
    }
    Ok(())
}
