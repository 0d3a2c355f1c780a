//! Writes a sample ticket as PNG and as ESC/POS bytes, to look at or to send
//! to a printer by hand:
//!
//! ```text
//! cargo run -p hallq-ticket --example sample_ticket -- /tmp/ticket 80mm
//! cat /tmp/ticket.bin > /dev/usb/lp0
//! ```

use hallq_ticket::{escpos, ticket_png, EscPosOptions, Font, Paper, QrMode, TicketView};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let stem = args.next().unwrap_or_else(|| "ticket".into());
    let paper = match args.next().as_deref() {
        Some("80mm") => Paper::Mm80,
        _ => Paper::Mm58,
    };
    let view = TicketView {
        hall_name: "市民服务中心政务服务大厅".into(),
        number: "A001".into(),
        service_name: "不动产登记".into(),
        people_ahead: 12,
        wait_hint: None,
        issued_at: "2025-03-04 09:15".into(),
        status_url: "http://127.0.0.1:8080/t/Zk3q9XbPw2".into(),
        notice: Some("请留意屏幕和广播叫号，过号需重新取号。办理业务请携带本人身份证原件。".into()),
        reprinted_at: None,
    };
    let font = Font::from_env()?;
    std::fs::write(format!("{stem}.png"), ticket_png(&view, paper, &font)?)?;
    let options = EscPosOptions {
        paper,
        qr: QrMode::Native,
        ..Default::default()
    };
    std::fs::write(format!("{stem}.bin"), escpos(&view, &options)?)?;
    let fonts: Vec<String> = font.origins().map(ToString::to_string).collect();
    println!(
        "{stem}.png ({}), {stem}.bin; fonts: {}",
        paper.width_dots(),
        fonts.join(", ")
    );
    Ok(())
}
