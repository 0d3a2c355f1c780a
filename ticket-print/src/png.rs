//! The ticket as a greyscale PNG, one pixel per printer dot (203 dpi).
//!
//! Top to bottom, centred: hall name, the big number, service name,
//! "前面还有 N 人等候", where to wait (when set), issue time, QR code of the status URL, notice (wrapped).

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};

use crate::qr::QrMatrix;
use crate::wrap::wrap;
use crate::{Error, Font, Paper, TicketView};

/// A part of the ticket layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The hall name (may wrap).
    HallName,
    /// The ticket number.
    Number,
    /// The service name (may wrap).
    Service,
    /// The "前面还有 N 人等候" line.
    PeopleAhead,
    /// Where to wait ("请到 3、4号窗口附近等候"; may wrap; absent when not set).
    WaitHint,
    /// The issue time.
    IssuedAt,
    /// The QR code, quiet zone included.
    Qr,
    /// The notice (may wrap).
    Notice,
}

/// Where a part was drawn, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Which part.
    pub part: Part,
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A rendered ticket and where each part landed (for previews and tests).
#[derive(Clone, Debug)]
pub struct RenderedTicket {
    /// White (255) background, black ink, width = [`Paper::width_dots`].
    pub image: GrayImage,
    /// One region per part drawn, in layout order; wrapped parts are the
    /// union of their lines.
    pub regions: Vec<Region>,
}

/// One row of the layout.
enum Block {
    Text {
        part: Part,
        line: String,
        px: f32,
        bold: bool,
    },
    Qr {
        matrix: QrMatrix,
        module: u32,
    },
    Gap(f32),
}

/// Renders the ticket as PNG bytes.
///
/// # Errors
///
/// [`Error::MissingGlyph`] if the font lacks a character of the ticket,
/// [`Error::Qr`] if the status URL does not fit into a QR code,
/// [`Error::Png`] if encoding fails.
pub fn ticket_png(view: &TicketView, paper: Paper, font: &Font) -> Result<Vec<u8>, Error> {
    encode_png(&render_ticket(view, paper, font)?.image)
}

/// A QR code of `text` (error correction M, 4-module quiet zone) as a PNG
/// with `module_px` pixels per module (at least 1).
///
/// # Errors
///
/// [`Error::Qr`] if `text` does not fit into a QR code, [`Error::Png`] if
/// encoding fails.
pub fn qr_png(text: &str, module_px: u32) -> Result<Vec<u8>, Error> {
    let matrix = QrMatrix::encode(text)?;
    let module = module_px.max(1);
    let side = matrix.width_with_quiet_zone() as u32 * module;
    let mut image = GrayImage::from_pixel(side, side, Luma([255]));
    draw_qr(&mut image, &matrix, module, 0, 0);
    encode_png(&image)
}

/// Lays out and draws the ticket.
///
/// # Errors
///
/// As [`ticket_png`], without the PNG step.
pub fn render_ticket(
    view: &TicketView,
    paper: Paper,
    font: &Font,
) -> Result<RenderedTicket, Error> {
    let width = paper.width_dots();
    let blocks = layout(view, paper, font)?;
    let height = blocks
        .iter()
        .map(|b| block_height(b, font))
        .sum::<f32>()
        .ceil() as u32;
    let mut image = GrayImage::from_pixel(width, height, Luma([255]));
    let mut regions: Vec<Region> = Vec::new();
    let mut y = 0.0_f32;
    for block in &blocks {
        let h = block_height(block, font);
        let drawn = match block {
            Block::Text {
                part,
                line,
                px,
                bold,
            } => Some((*part, draw_line(&mut image, font, line, *px, *bold, y))),
            Block::Qr { matrix, module } => {
                let side = matrix.width_with_quiet_zone() as u32 * module;
                let x = (width.saturating_sub(side)) / 2;
                draw_qr(&mut image, matrix, *module, x, y as u32);
                Some((Part::Qr, (x, y as u32, side, side)))
            }
            Block::Gap(_) => None,
        };
        if let Some((part, rect)) = drawn {
            add_region(&mut regions, part, rect);
        }
        y += h;
    }
    Ok(RenderedTicket { image, regions })
}

/// Builds the rows; sizes are for 58 mm and scale with the paper width.
fn layout(view: &TicketView, paper: Paper, font: &Font) -> Result<Vec<Block>, Error> {
    let width = paper.width_dots() as f32;
    let s = width / 384.0;
    let avail = width - 24.0 * s;
    let [hall, number, service, people, hint, issued, notice] = [
        view.hall_name.as_str(),
        &view.number,
        &view.service_name,
        &view.people_ahead_line(),
        view.wait_hint.as_deref().unwrap_or(""),
        &view.issued_at,
        view.notice.as_deref().unwrap_or(""),
    ]
    .map(clean);
    for text in [&hall, &number, &service, &people, &hint, &issued, &notice] {
        font.check(text)?;
    }
    let mut blocks = vec![Block::Gap(16.0 * s)];
    let text = |blocks: &mut Vec<Block>, part, content: &str, px: f32, bold| {
        for line in wrap(content, avail, |l| font.text_width(l, px)) {
            blocks.push(Block::Text {
                part,
                line,
                px,
                bold,
            });
        }
    };
    text(&mut blocks, Part::HallName, &hall, 28.0 * s, false);
    blocks.push(Block::Gap(6.0 * s));
    let number_px = fit_px(font, &number, 112.0 * s, avail);
    text(&mut blocks, Part::Number, &number, number_px, true);
    text(&mut blocks, Part::Service, &service, 40.0 * s, false);
    blocks.push(Block::Gap(8.0 * s));
    text(&mut blocks, Part::PeopleAhead, &people, 28.0 * s, false);
    text(&mut blocks, Part::WaitHint, &hint, 24.0 * s, false);
    text(&mut blocks, Part::IssuedAt, &issued, 22.0 * s, false);
    blocks.push(Block::Gap(8.0 * s));
    let matrix = QrMatrix::encode(&view.status_url)?;
    let module = ((width * 0.72) as u32 / matrix.width_with_quiet_zone() as u32).max(1);
    blocks.push(Block::Qr { matrix, module });
    text(&mut blocks, Part::Notice, &notice, 20.0 * s, false);
    blocks.push(Block::Gap(20.0 * s));
    Ok(blocks)
}

/// Newlines kept (they break lines), any other control or space character
/// becomes a plain space.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c != '\n' && (c.is_control() || c.is_whitespace()) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The largest size up to `max_px` at which `text` fits on one line.
fn fit_px(font: &Font, text: &str, max_px: f32, avail: f32) -> f32 {
    let w = font.text_width(text, max_px);
    if w <= avail || w <= 0.0 {
        max_px
    } else {
        (max_px * avail / w).floor().max(8.0)
    }
}

fn block_height(block: &Block, font: &Font) -> f32 {
    match block {
        Block::Text { px, .. } => font.metrics(*px).1.ceil(),
        Block::Qr { matrix, module } => (matrix.width_with_quiet_zone() as u32 * module) as f32,
        Block::Gap(h) => *h,
    }
}

/// Draws one centred line with its top at `top`; returns its rectangle.
fn draw_line(
    image: &mut GrayImage,
    font: &Font,
    line: &str,
    px: f32,
    bold: bool,
    top: f32,
) -> (u32, u32, u32, u32) {
    let (ascent, height) = font.metrics(px);
    let text_w = font.text_width(line, px);
    let x = ((image.width() as f32 - text_w) / 2.0).max(0.0).round();
    let strokes = if bold {
        (px / 36.0).round().max(1.0) as i32
    } else {
        0
    };
    for dx in 0..=strokes {
        font.draw(line, px, x + dx as f32, top + ascent, |px_x, px_y, c| {
            ink(image, px_x, px_y, c);
        });
    }
    (
        x as u32,
        top as u32,
        text_w.ceil() as u32 + strokes as u32,
        height.ceil() as u32,
    )
}

fn ink(image: &mut GrayImage, x: i32, y: i32, coverage: f32) {
    let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
        return;
    };
    if x >= image.width() || y >= image.height() {
        return;
    }
    let value = 255 - (coverage.clamp(0.0, 1.0) * 255.0).round() as u8;
    let pixel = image.get_pixel_mut(x, y);
    pixel.0[0] = pixel.0[0].min(value);
}

fn draw_qr(image: &mut GrayImage, matrix: &QrMatrix, module: u32, left: u32, top: u32) {
    let n = matrix.width_with_quiet_zone();
    for my in 0..n {
        for mx in 0..n {
            if !matrix.dark_in_zone(mx, my) {
                continue;
            }
            for dy in 0..module {
                for dx in 0..module {
                    let (x, y) = (
                        left + mx as u32 * module + dx,
                        top + my as u32 * module + dy,
                    );
                    if x < image.width() && y < image.height() {
                        image.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
    }
}

fn add_region(regions: &mut Vec<Region>, part: Part, (x, y, width, height): (u32, u32, u32, u32)) {
    if let Some(r) = regions.iter_mut().find(|r| r.part == part) {
        let right = (r.x + r.width).max(x + width);
        let bottom = (r.y + r.height).max(y + height);
        r.x = r.x.min(x);
        r.y = r.y.min(y);
        r.width = right - r.x;
        r.height = bottom - r.y;
    } else {
        regions.push(Region {
            part,
            x,
            y,
            width,
            height,
        });
    }
}

fn encode_png(image: &GrayImage) -> Result<Vec<u8>, Error> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}
