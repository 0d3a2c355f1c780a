//! Printing a ticket at a kiosk's printer (ESC/POS over a file, serial port or TCP), and
//! what goes on the paper. A ticket whose print fails stays in the queue, is marked
//! `print_failed`, is shown on the kiosk (with the reason: `paper_out`, `cover_open`,
//! `offline`, `timed_out`, …) and in the snapshot, and can be reprinted; a reprint carries
//! "补打 / reprint" and its own time. Printers that answer `DLE EOT` are checked for paper
//! and cover first ([`crate::printers`] keeps what is known of each).

use crate::hours::to_local;
use crate::model::Ticket;
use crate::principal::Principal;
use crate::printers::{kiosks_of, Reason};
use crate::state::AppState;
use hallq_config::printers::{PrinterConf, PrinterKind};
use hallq_config::Settings;
use hallq_ticket::{escpos, Cut, EscPosOptions, Paper, PrintOptions, Printer, QrMode, TicketView};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long a whole print may take (status, ticket, confirmation): a printer that hangs
/// mid-ticket fails the kiosk's request within 5 s.
pub const PRINT_TIMEOUT: Duration = Duration::from_millis(4500);
/// How long a printer may take to answer the status query before the ticket; a printer
/// that does not is taken as one without status (see [`crate::printers`]).
pub const STATUS_ANSWER: Duration = Duration::from_millis(800);

/// What goes on the paper.
pub fn view(cfg: &Settings, t: &Ticket, people_ahead: i64) -> TicketView {
    TicketView {
        hall_name: cfg.hall.name.clone(),
        number: t.number.clone(),
        service_name: cfg
            .service(&t.service)
            .map_or_else(|| t.service.clone(), |s| s.name.clone()),
        people_ahead: people_ahead.max(0) as u32,
        wait_hint: crate::views::wait_hint(cfg, &t.service),
        issued_at: to_local(cfg.tz(), t.issued_at)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        status_url: crate::views::status_url(cfg, &t.token),
        notice: cfg.hall.ticket_notice.clone(),
        reprinted_at: None,
    }
}

fn paper(conf: &PrinterConf) -> Paper {
    if conf.paper == "58mm" {
        Paper::Mm58
    } else {
        Paper::Mm80
    }
}

/// Where `conf`'s printer is attached.
pub fn printer(conf: &PrinterConf) -> Printer {
    match conf.kind {
        PrinterKind::File => Printer::File(conf.path.clone().unwrap_or_default().into()),
        PrinterKind::Serial => Printer::Serial {
            path: conf.path.clone().unwrap_or_default(),
            baud: conf.baud.unwrap_or(9600),
        },
        PrinterKind::Tcp => Printer::Tcp(conf.address.clone().unwrap_or_default()),
    }
}

pub fn options(conf: &PrinterConf) -> EscPosOptions {
    EscPosOptions {
        qr: if conf.qr == "raster" {
            QrMode::Raster
        } else {
            QrMode::Native
        },
        paper: paper(conf),
        cut: if conf.cut == "full" {
            Cut::Full
        } else {
            Cut::Partial
        },
        ..EscPosOptions::default()
    }
}

/// The printer of the kiosk that is asking, if it has one.
pub fn printer_of<'a>(cfg: &'a Settings, who: &Principal) -> Option<&'a PrinterConf> {
    let name = cfg.credentials.iter().find(|c| c.name == who.name)?;
    let id = name.printer.as_ref()?;
    cfg.printers.iter().find(|p| &p.id == id)
}

/// Prints `t` on `conf` and records the outcome; the JSON tells the kiosk.
pub async fn print(state: &AppState, t: &Ticket, people_ahead: i64, conf: &PrinterConf) -> Value {
    let view = view(&state.cfg, t, people_ahead);
    print_view(state, t, view, conf).await
}

/// Prints `t` again, marked "补打 / reprint" with the time of this print.
pub async fn reprint(state: &AppState, t: &Ticket, people_ahead: i64, conf: &PrinterConf) -> Value {
    let mut view = view(&state.cfg, t, people_ahead);
    view.reprinted_at = Some(
        to_local(state.cfg.tz(), state.now())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    );
    print_view(state, t, view, conf).await
}

async fn print_view(state: &AppState, t: &Ticket, view: TicketView, conf: &PrinterConf) -> Value {
    let outcome = match escpos(&view, &options(conf)) {
        Ok(bytes) => send(state, &t.number, &bytes, conf).await,
        Err(e) => {
            let kiosks = kiosks_of(&state.cfg, &conf.id).join(",");
            tracing::error!(printer = %conf.id, kiosks = %kiosks, ticket = %t.number,
                "无法生成号票 / cannot render ticket: {e}");
            Err(Reason::Failed)
        }
    };
    let status = if outcome.is_ok() { "printed" } else { "failed" };
    if let Err(e) = state.store.set_print_status(t.id, status).await {
        tracing::error!("recording print status of {}: {e}", t.number);
    }
    match outcome {
        Ok(()) => json!({"status": status, "printer": conf.id, "reason": null, "message": null}),
        Err(reason) => json!({
            "status": status,
            "printer": conf.id,
            "reason": reason.as_str(),
            "message": reason.message(),
        }),
    }
}

/// Sends the bytes through the status check (see [`crate::printers`]), records the
/// printer's state and logs what went wrong.
///
/// # Errors
/// Why the ticket was not printed.
pub async fn send(
    state: &AppState,
    ticket: &str,
    bytes: &[u8],
    conf: &PrinterConf,
) -> Result<(), Reason> {
    let _turn = state.printers.turn(&conf.id).await;
    let plan = state.printers.plan(conf, Instant::now());
    let options = PrintOptions {
        timeout: PRINT_TIMEOUT,
        ask_status: plan.ask,
        expect_answer: plan.expect_answer,
        answer_within: STATUS_ANSWER,
    };
    let p = printer(conf);
    let kiosks = kiosks_of(&state.cfg, &conf.id).join(",");
    let result = p.print(bytes, &options).await;
    let now = Instant::now();
    match result {
        Ok(checked) => {
            let found = state.printers.printed(&conf.id, &checked, now, state.now());
            if found.silent {
                tracing::info!(printer = %conf.id, kiosks = %kiosks, target = %p.target(),
                    "打印机不回答状态查询，10 分钟内不查状态直接打印 / printer does not answer \
                     status queries (DLE EOT): printing unchecked for 10 min");
            }
            if let Some(missed) = found.recovered {
                tracing::info!(printer = %conf.id, kiosks = %kiosks, ticket = %ticket,
                    "打印机恢复 / printer prints again ({missed} failures not logged since the last line)");
            }
            Ok(())
        }
        Err(e) => {
            let reason = Reason::of(&e);
            let answered = Reason::answered(&e);
            if let Some(n) = state
                .printers
                .failed(&conf.id, reason, answered, now, state.now())
            {
                let times = if n > 1 {
                    format!(" ({n} times in the last minute)")
                } else {
                    String::new()
                };
                tracing::warn!(printer = %conf.id, kiosks = %kiosks, ticket = %ticket,
                    reason = reason.as_str(), "打印失败 / print failed{times}: {e}");
            }
            Err(reason)
        }
    }
}
