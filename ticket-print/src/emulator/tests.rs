//! The emulator fed a real ticket in small pieces, and its status answers.

use super::*;
use crate::{escpos, EscPosOptions, TicketView};

fn ticket_bytes() -> Vec<u8> {
    let view = TicketView {
        hall_name: "市民服务中心".into(),
        number: "A001".into(),
        service_name: "不动产登记".into(),
        people_ahead: 2,
        wait_hint: None,
        issued_at: "2026-03-04 09:15".into(),
        status_url: "https://hall.example/t/abc".into(),
        notice: None,
        reprinted_at: None,
    };
    escpos(&view, &EscPosOptions::default()).unwrap()
}

#[test]
fn a_ticket_fed_byte_by_byte_comes_out_once_at_its_cut() {
    let bytes = ticket_bytes();
    let mut emulator = Emulator::new(EmulatorOptions::default());
    let mut tickets = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        let out = emulator.handle(std::slice::from_ref(b));
        assert!(out.answer.is_empty());
        if i + 1 < bytes.len() {
            assert!(
                out.tickets.is_empty(),
                "a ticket before its cut, at byte {i}"
            );
        }
        tickets.extend(out.tickets);
    }
    let [t] = tickets.as_slice() else {
        panic!("{tickets:?}")
    };
    assert_eq!(t.seq, 1);
    assert_eq!(t.cut, "full");
    assert_eq!(t.not_printed, None);
    assert_eq!(t.lines[..3], ["市民服务中心", "A001", "不动产登记"]);
    assert!(t.lines.contains(&"前面还有 2 人等候".to_string()), "{t:?}");
    assert_eq!(t.qr, ["https://hall.example/t/abc"]);
    assert_eq!(emulator.finish(), Output::default());
}

#[test]
fn status_queries_are_answered_in_the_set_condition() {
    let query = [0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04];
    let mut ready = Emulator::new(EmulatorOptions::default());
    assert_eq!(ready.handle(&query).answer, [0x12, 0x12, 0x12]);
    let out = EmulatorOptions {
        condition: Condition {
            paper_out: true,
            ..Condition::default()
        },
        ..EmulatorOptions::default()
    };
    let mut empty = Emulator::new(out);
    // A query split over two reads is answered once complete.
    assert_eq!(empty.handle(&query[..4]).answer, [0x1a]);
    assert_eq!(empty.handle(&query[4..]).answer, [0x32, 0x72]);
    let printed = empty.handle(&ticket_bytes()).tickets;
    assert_eq!(printed[0].not_printed, Some("paper_out"));
    let silent = EmulatorOptions {
        no_status: true,
        ..EmulatorOptions::default()
    };
    assert!(Emulator::new(silent).handle(&query).answer.is_empty());
}

#[test]
fn hostile_input_stays_bounded() {
    let mut emulator = Emulator::new(EmulatorOptions::default());
    // A raster header claiming 65535 × 65535 bytes: skipped, not buffered.
    let out = emulator.handle(&[0x1d, 0x76, 0x30, 0x00, 0xff, 0xff, 0xff, 0xff]);
    assert!(out.tickets.is_empty());
    for _ in 0..100 {
        emulator.handle(&[0xaa; 65536]);
    }
    // Still skipping: the next bytes are image data, and memory stayed small.
    assert!(emulator.decoder.held_len() <= crate::MAX_HELD);
    // Text without line feeds is cut to one bounded line.
    let mut text = Emulator::new(EmulatorOptions::default());
    for _ in 0..100 {
        text.handle(&[b'x'; 10_000]);
    }
    let t = text.handle(&[0x1d, 0x56, 0x00]).tickets;
    assert_eq!(t[0].lines[0].len(), MAX_LINE);
}
