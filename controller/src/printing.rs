//! Printing a ticket at a kiosk's printer (ESC/POS over a file, serial port or TCP), and
//! what goes on the paper. A ticket whose print fails stays in the queue, is marked
//! `print_failed`, is shown on the kiosk and in the snapshot, and can be reprinted.

use crate::hours::to_local;
use crate::model::Ticket;
use crate::principal::Principal;
use crate::state::AppState;
use hallq_config::printers::{PrinterConf, PrinterKind};
use hallq_config::Settings;
use hallq_ticket::{escpos, Cut, EscPosOptions, Paper, Printer, QrMode, TicketView};
use serde_json::{json, Value};
use std::time::Duration;

/// How long a printer may take to accept a ticket.
const PRINT_TIMEOUT: Duration = Duration::from_secs(5);

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
    }
}

fn paper(conf: &PrinterConf) -> Paper {
    if conf.paper == "58mm" {
        Paper::Mm58
    } else {
        Paper::Mm80
    }
}

fn printer(conf: &PrinterConf) -> Printer {
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
    let bytes = match escpos(&view(&state.cfg, t, people_ahead), &options(conf)) {
        Ok(b) => b,
        Err(e) => {
            return json!({"status": "failed", "message": format!("cannot render ticket: {e}")})
        }
    };
    let p = printer(conf);
    let (status, message) = match p.send(&bytes, PRINT_TIMEOUT).await {
        Ok(()) => ("printed", None),
        Err(e) => {
            tracing::warn!(ticket = %t.number, printer = %p.target(), "print failed: {e}");
            ("failed", Some(format!("打印失败 / print failed: {e}")))
        }
    };
    if let Err(e) = state.store.set_print_status(t.id, status).await {
        tracing::error!("recording print status of {}: {e}", t.number);
    }
    json!({"status": status, "printer": conf.id, "message": message})
}
