//! Kiosk devices: ticket printers (where a kiosk's tickets are printed, and how) and ID
//! card readers (whose cards check appointments in at that kiosk).

use crate::locate::Seg;
use crate::schema::Settings;
use serde::Deserialize;

/// How a printer is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterKind {
    /// A device file, e.g. a USB printer at `/dev/usb/lp0`.
    File,
    /// A serial port.
    Serial,
    /// A network printer (raw TCP, port 9100).
    Tcp,
}

/// One `[[printers]]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct PrinterConf {
    /// Id that kiosks refer to.
    pub id: String,
    /// `file`, `serial` or `tcp`.
    pub kind: PrinterKind,
    /// Device file or serial port path (`file`, `serial`).
    #[serde(default)]
    pub path: Option<String>,
    /// Serial speed (`serial`, default 9600).
    #[serde(default)]
    pub baud: Option<u32>,
    /// `HOST:PORT` (`tcp`; port 9100 when left out).
    #[serde(default)]
    pub address: Option<String>,
    /// Paper width: `58mm` or `80mm` (default 80mm).
    #[serde(default = "default_paper")]
    pub paper: String,
    /// QR code: `native` (GS ( k) or `raster` (an image, for printers without QR support).
    #[serde(default = "default_qr")]
    pub qr: String,
    /// `full` or `partial` cut.
    #[serde(default = "default_cut")]
    pub cut: String,
    /// `auto` (default): ask the printer's status (`DLE EOT`) around each ticket where it
    /// answers (TCP and serial printers); `off`: never ask.
    #[serde(default = "default_status")]
    pub status: String,
}

impl PrinterConf {
    /// Whether the status is asked (`status = "auto"`).
    pub fn asks_status(&self) -> bool {
        self.status != "off"
    }
}

/// One `[[id_readers]]` entry: a 2nd-generation ID card reader beside a kiosk.
#[derive(Debug, Clone, Deserialize)]
pub struct IdReaderConf {
    /// Serial port, e.g. `/dev/ttyUSB0`.
    pub port: String,
    /// Speed (most readers: 115200).
    #[serde(default = "default_reader_baud")]
    pub baud: u32,
    /// The kiosk credential (`credentials[].name`) whose screen shows the check-in.
    pub kiosk: String,
}

fn default_reader_baud() -> u32 {
    115_200
}

fn default_paper() -> String {
    "80mm".into()
}
fn default_qr() -> String {
    "native".into()
}
fn default_cut() -> String {
    "partial".into()
}
fn default_status() -> String {
    "auto".into()
}

/// Rule violations in `[[printers]]` and the kiosks' `printer` references.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let k = |x: &str| Seg::Key(x.to_string());
    let mut ids: Vec<&str> = Vec::new();
    for (n, pr) in s.printers.iter().enumerate() {
        let at = |key: &str| vec![k("printers"), Seg::Index(n), k(key)];
        if pr.id.is_empty() || ids.contains(&pr.id.as_str()) {
            p.push((
                at("id"),
                format!("printer id {:?} is empty or used twice", pr.id),
            ));
        }
        ids.push(&pr.id);
        let needs = match pr.kind {
            PrinterKind::File | PrinterKind::Serial if pr.path.is_none() => Some("path"),
            PrinterKind::Tcp if pr.address.is_none() => Some("address"),
            _ => None,
        };
        if let Some(key) = needs {
            p.push((at("kind"), format!("this kind of printer needs `{key}`")));
        }
        if !["58mm", "80mm"].contains(&pr.paper.as_str()) {
            p.push((at("paper"), "must be \"58mm\" or \"80mm\"".into()));
        }
        if !["native", "raster"].contains(&pr.qr.as_str()) {
            p.push((at("qr"), "must be \"native\" or \"raster\"".into()));
        }
        if !["full", "partial"].contains(&pr.cut.as_str()) {
            p.push((at("cut"), "must be \"full\" or \"partial\"".into()));
        }
        if !["auto", "off"].contains(&pr.status.as_str()) {
            p.push((at("status"), "must be \"auto\" or \"off\"".into()));
        }
    }
    for (n, r) in s.id_readers.iter().enumerate() {
        let is_kiosk = s
            .credentials
            .iter()
            .any(|c| c.name == r.kiosk && c.role == crate::Role::Kiosk);
        if !is_kiosk {
            p.push((
                vec![k("id_readers"), Seg::Index(n), k("kiosk")],
                format!("no kiosk credential named {:?}", r.kiosk),
            ));
        }
    }
    for (n, c) in s.credentials.iter().enumerate() {
        if let Some(pr) = &c.printer {
            if !s.printers.iter().any(|x| &x.id == pr) {
                p.push((
                    vec![k("credentials"), Seg::Index(n), k("printer")],
                    format!("unknown printer {pr:?}"),
                ));
            }
        }
    }
}
