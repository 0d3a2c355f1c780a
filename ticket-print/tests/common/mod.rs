//! Helpers shared by the PNG and font tests.

#![allow(dead_code)] // each test binary uses a part

use std::path::PathBuf;

use hallq_ticket::{Part, RenderedTicket, TicketView};

pub const URL: &str = "https://hall.example.gov.cn/t/Zk3q9XbPw2";

pub fn view() -> TicketView {
    TicketView {
        hall_name: "市民服务中心政务服务大厅".into(),
        number: "A001".into(),
        service_name: "不动产登记".into(),
        people_ahead: 12,
        wait_hint: None,
        issued_at: "2025-03-04 09:15".into(),
        status_url: URL.into(),
        notice: Some("请留意屏幕和广播叫号，过号需重新取号。办理业务请携带本人身份证原件。".into()),
        reprinted_at: None,
    }
}

/// Decodes the one QR code of a ticket with rqrr.
pub fn rqrr_decode(ticket: &RenderedTicket) -> String {
    let image = &ticket.image;
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

/// Dark pixels (< 128) inside the part's region, and the region's area.
pub fn ink(ticket: &RenderedTicket, part: Part) -> (usize, usize) {
    let r = ticket
        .regions
        .iter()
        .find(|r| r.part == part)
        .unwrap_or_else(|| panic!("no {part:?}"));
    assert!(
        r.x + r.width <= ticket.image.width() && r.y + r.height <= ticket.image.height(),
        "{r:?}"
    );
    let mut dark = 0;
    for y in r.y..r.y + r.height {
        for x in r.x..r.x + r.width {
            dark += usize::from(ticket.image.get_pixel(x, y).0[0] < 128);
        }
    }
    (dark, (r.width * r.height) as usize)
}

/// A font file of this crate's `fonts/` directory.
pub fn font_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fonts")
        .join(name)
}
