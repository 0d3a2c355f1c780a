//! Printed queue tickets: the same ticket as a PNG image and as ESC/POS
//! printer bytes, a decoder for ESC/POS streams, and the printer transports.
//!
//! # Layout
//!
//! - [`TicketView`] (`view.rs`): the plain input, already formatted by the
//!   controller (hall name, number, service, people ahead, issue time, status
//!   URL, optional notice), and [`Paper`] (58 mm = 384 dots, 80 mm = 576 dots
//!   at 203 dpi).
//! - [`Font`] (`font.rs`): loading a TTF/OTF/TTC font for Chinese text.
//! - [`ticket_png`], [`render_ticket`], [`qr_png`] (`png.rs`): the ticket as
//!   a greyscale PNG, for the kiosk preview and for printers driven by image.
//! - [`escpos()`] (`escpos.rs`): the ticket as ESC/POS bytes (GB18030 Chinese
//!   via `FS &`, native QR `GS ( k` or a raster QR `GS v 0`, cut).
//! - [`parse()`] (`parse.rs`): an ESC/POS decoder into [`Token`]s, used by the
//!   tests and by installers to inspect a captured stream.
//! - [`Printer`] (`printer.rs`): sending bytes to a USB `lp` device file, a
//!   serial port or a TCP (port 9100) printer, with a timeout and a typed
//!   [`PrintError`] so the controller can mark the ticket `print_failed`.
//!
//! # Fonts
//!
//! Nothing is embedded: the PNG needs a CJK font on the machine.
//! [`Font::find_system`] takes the path in the `HALLQ_TICKET_FONT`
//! environment variable (face index from `HALLQ_TICKET_FONT_INDEX`, default 0)
//! or else the first file of [`SYSTEM_FONTS`] that exists; on Debian the
//! first of those comes from the package `fonts-noto-cjk`
//! (`apt-get install fonts-noto-cjk`, also installed by `.ci/run`).
//!
//! # Rules
//!
//! - Chinese text never falls back silently to empty boxes: every character
//!   drawn into a PNG must have a glyph in the font, otherwise rendering fails
//!   with [`Error::MissingGlyph`] naming the character.
//! - Control characters in ticket text are replaced by spaces before they are
//!   written to a printer, so a hall name cannot inject printer commands.
//! - Only [`Printer`] does I/O; everything else is pure.

#![warn(missing_docs)]

mod error;
mod escpos;
mod font;
mod parse;
mod png;
mod printer;
mod qr;
mod view;
mod wrap;

pub use error::Error;
pub use escpos::{escpos, Cut, EscPosOptions, QrMode};
pub use font::{Font, FONT_ENV, FONT_INDEX_ENV, SYSTEM_FONTS};
pub use parse::{parse, parse_with, qr_payloads, text_runs, Align, ParseOptions, Raster, Token};
pub use png::{qr_png, render_ticket, ticket_png, Part, Region, RenderedTicket};
pub use printer::{PrintError, Printer, Stage, DEFAULT_TCP_PORT};
pub use view::{Paper, TicketView};
