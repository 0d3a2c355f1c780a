//! The bus state machine on a virtual clock: no port, no sleeping.

use super::*;
use crate::show::{BoardSpec, Colour, Content, Effect};
use crate::{alpha, bx};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

fn opts() -> BusOptions {
    BusOptions {
        ack_timeout: 100 * MS,
        retries: 2,
        frame_gap: 20 * MS,
        reconnect_min: 500 * MS,
        reconnect_max: 4000 * MS,
        probe_every: 1000 * MS,
        keepalive: None,
    }
}

fn bx_board(address: u16) -> BoardLink {
    BoardLink {
        protocol: Protocol::Bx,
        address,
        ack: true,
    }
}

fn frame(address: u16, text: &str) -> Vec<u8> {
    BoardSpec::new(Protocol::Bx, address)
        .frame(&Content::new(text, Effect::Static, Colour::Red))
        .unwrap()
}

fn bx_reply(from: u16, command: bx::Command) -> Vec<u8> {
    let mut header = bx::Header::to_screen(bx::Header::HOST);
    header.src = from;
    bx::Frame::new(header, command).to_bytes().unwrap()
}

fn ack(from: u16) -> Vec<u8> {
    bx_reply(from, bx::Command::Ack(bx::Reply::default()))
}

/// The text of a BX frame the bus wrote.
fn text_of(bytes: &[u8]) -> String {
    let f = bx::Frame::from_bytes(bytes).unwrap();
    match f.command {
        bx::Command::DynamicArea(d) => format!("{}:{}", f.header.dst, d.areas[0].text),
        other => panic!("not a text frame: {other:?}"),
    }
}

/// What the bus wrote: each frame's text (`ping:N` for a BX ping), `clear` for a clear.
fn drain_texts(bus: &mut Bus) -> Vec<String> {
    std::iter::from_fn(|| bus.poll_transmit())
        .map(|t| match t {
            Transmit::Clear => "clear".to_string(),
            Transmit::Frame(b) => {
                match bx::Frame::from_bytes(&b).map(|f| (f.header.dst, f.command)) {
                    Ok((dst, bx::Command::Ping(_))) => format!("ping:{dst}"),
                    _ => text_of(&b),
                }
            }
        })
        .collect()
}

fn events(bus: &mut Bus) -> Vec<BusEvent> {
    std::iter::from_fn(|| bus.poll_event()).collect()
}

#[test]
fn one_frame_at_a_time_each_after_the_ack() {
    let t0 = Instant::now();
    let mut bus = Bus::new(vec![bx_board(1), bx_board(2)], opts(), t0);
    bus.handle_content(0, frame(1, "A001"), t0);
    bus.handle_content(1, frame(2, "B001"), t0);
    assert!(
        bus.poll_transmit().is_none(),
        "nothing before the port is open"
    );
    assert!(bus.wants_open(t0));
    bus.handle_opened(t0);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A001"]);
    assert_eq!(bus.poll_timeout(), Some(t0 + 100 * MS));
    bus.handle_bytes(&ack(1), t0 + 5 * MS);
    assert_eq!(drain_texts(&mut bus), ["2:\\C1B001"]);
    bus.handle_bytes(&ack(2), t0 + 9 * MS);
    assert!(bus.poll_transmit().is_none());
    assert_eq!(
        events(&mut bus),
        [
            BusEvent::Delivered {
                board: 0,
                attempts: 1
            },
            BusEvent::Delivered {
                board: 1,
                attempts: 1
            }
        ]
    );
    assert_eq!(bus.poll_timeout(), None);
}

#[test]
fn silent_board_is_retried_then_probed_and_gets_only_its_newest_content() {
    let t0 = Instant::now();
    let mut bus = Bus::new(vec![bx_board(1), bx_board(2)], opts(), t0);
    bus.handle_opened(t0);
    bus.handle_update(0, frame(1, "A001"), "A001".into(), t0);
    bus.handle_content(1, frame(2, "B001"), t0);
    let mut now;
    // Board 1 never answers: 1 send + 2 resends, each resend after clearing the line.
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A001"]);
    for _ in 0..2 {
        now = bus.poll_timeout().unwrap();
        bus.handle_timeout(now);
        assert_eq!(drain_texts(&mut bus), ["clear", "1:\\C1A001"]);
    }
    now = bus.poll_timeout().unwrap();
    bus.handle_timeout(now);
    assert_eq!(now, t0 + 300 * MS);
    // Given up (the line cleared): board 2 is next.
    assert_eq!(drain_texts(&mut bus), ["clear", "2:\\C1B001"]);
    bus.handle_bytes(&ack(2), now + MS);
    let ev = events(&mut bus);
    assert!(ev.contains(&BusEvent::GaveUp { board: 0 }), "{ev:?}");
    assert_eq!(bus.answering(0), Some(false));
    assert_eq!(bus.shown(0), None);
    assert_eq!(bus.pending(0), Some("A001"));
    // Two calls while it is off: neither goes out; board 2 is served at once.
    bus.handle_update(0, frame(1, "A002"), "A002".into(), now + 2 * MS);
    bus.handle_update(0, frame(1, "A003"), "A003".into(), now + 2 * MS);
    bus.handle_content(1, frame(2, "B002"), now + 2 * MS);
    assert_eq!(drain_texts(&mut bus), ["2:\\C1B002"]);
    bus.handle_bytes(&ack(2), now + 3 * MS);
    assert!(bus.poll_transmit().is_none());
    // A probe (a ping) each second, not the content.
    let probe = bus.poll_timeout().unwrap();
    assert_eq!(probe, now + 1000 * MS);
    bus.handle_timeout(probe);
    assert_eq!(drain_texts(&mut bus), ["clear", "ping:1"]);
    let missed = bus.poll_timeout().unwrap();
    bus.handle_timeout(missed);
    assert_eq!(drain_texts(&mut bus), ["clear"]);
    assert!(events(&mut bus).contains(&BusEvent::StillSilent { board: 0 }));
    let again = bus.poll_timeout().unwrap();
    assert_eq!(again, missed + 1000 * MS);
    bus.handle_timeout(again);
    assert_eq!(drain_texts(&mut bus), ["clear", "ping:1"]);
    // It answers: its newest content goes out once.
    bus.handle_bytes(&ack(1), again + MS);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A003"]);
    bus.handle_bytes(&ack(1), again + 2 * MS);
    assert!(bus.poll_transmit().is_none());
    assert_eq!(
        events(&mut bus),
        [
            BusEvent::AnswersAgain { board: 0 },
            BusEvent::Delivered {
                board: 0,
                attempts: 1
            }
        ]
    );
    assert_eq!(bus.answering(0), Some(true));
    assert_eq!(bus.shown(0), Some("A003"));
    assert_eq!(bus.pending(0), None);
    assert_eq!(bus.poll_timeout(), None);
}

#[test]
fn a_board_that_answered_its_last_frame_gets_it_again_after_a_silence() {
    // Powered off after its last frame, on again before anything new: it shows nothing
    // until it is given its content again.
    let t0 = Instant::now();
    let mut bus = Bus::new(vec![bx_board(1)], opts(), t0);
    bus.handle_opened(t0);
    bus.handle_content(0, frame(1, "A001"), t0);
    bus.handle_bytes(&ack(1), t0 + MS);
    bus.handle_content(0, frame(1, "A002"), t0 + 2 * MS);
    for _ in 0..3 {
        let now = bus.poll_timeout().unwrap();
        bus.handle_timeout(now);
    }
    drain_texts(&mut bus);
    let probe = bus.poll_timeout().unwrap();
    bus.handle_timeout(probe);
    assert_eq!(drain_texts(&mut bus), ["clear", "ping:1"]);
    bus.handle_bytes(&ack(1), probe + MS);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A002"]);
}

#[test]
fn alpha_board_with_ack_is_probed_with_its_content() {
    let t0 = Instant::now();
    let link = BoardLink {
        protocol: Protocol::Alpha,
        address: 1,
        ack: true,
    };
    let mut bus = Bus::new(vec![link], opts(), t0);
    bus.handle_opened(t0);
    let spec = BoardSpec::new(Protocol::Alpha, 1);
    let a = |t: &str| {
        spec.frame(&Content::new(t, Effect::Static, Colour::Red))
            .unwrap()
    };
    bus.handle_update(0, a("A001"), "A001".into(), t0);
    let mut now = t0;
    for _ in 0..3 {
        now = bus.poll_timeout().unwrap();
        bus.handle_timeout(now);
    }
    bus.handle_update(0, a("A002"), "A002".into(), now);
    while bus.poll_transmit().is_some() {}
    let probe = bus.poll_timeout().unwrap();
    bus.handle_timeout(probe);
    assert_eq!(bus.poll_transmit(), Some(Transmit::Clear));
    assert_eq!(bus.poll_transmit(), Some(Transmit::Frame(a("A002"))));
    bus.handle_bytes(&[alpha::ACK, 0x40], probe + MS);
    assert!(
        bus.poll_transmit().is_none(),
        "the probe delivered it: sent once"
    );
    assert_eq!(bus.shown(0), Some("A002"));
    assert_eq!(bus.answering(0), Some(true));
}

#[test]
fn nack_resends_and_newer_content_follows_the_frame_in_flight() {
    let t0 = Instant::now();
    let mut bus = Bus::new(vec![bx_board(1)], opts(), t0);
    bus.handle_opened(t0);
    bus.handle_content(0, frame(1, "A001"), t0);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A001"]);
    bus.handle_content(0, frame(1, "A002"), t0 + MS);
    assert!(bus.poll_transmit().is_none(), "one frame at a time");
    let nack = bx_reply(1, bx::Command::Nack(bx::Reply { error: 7 }));
    bus.handle_bytes(&nack, t0 + 2 * MS);
    // The resend carries the newest content, after clearing the line.
    assert_eq!(drain_texts(&mut bus), ["clear", "1:\\C1A002"]);
    bus.handle_bytes(&ack(1), t0 + 3 * MS);
    assert!(bus.poll_transmit().is_none());
    assert_eq!(
        events(&mut bus),
        [
            BusEvent::Nacked { board: 0, code: 7 },
            BusEvent::Delivered {
                board: 0,
                attempts: 2
            }
        ]
    );
}

#[test]
fn garbage_and_foreign_acks_are_reported_and_survived() {
    let t0 = Instant::now();
    let mut bus = Bus::new(vec![bx_board(1)], opts(), t0);
    bus.handle_opened(t0);
    bus.handle_content(0, frame(1, "A001"), t0);
    drain_texts(&mut bus);
    // Line noise, a frame with a bad CRC, an ACK from another address, an ACK split in two.
    let mut bad = ack(1);
    let n = bad.len();
    bad[n - 3] ^= 0x10;
    bus.handle_bytes(b"\x00\xff noise", t0 + MS);
    bus.handle_bytes(&bad, t0 + MS);
    bus.handle_bytes(&ack(9), t0 + MS);
    let good = ack(1);
    bus.handle_bytes(&good[..7], t0 + 2 * MS);
    assert!(events(&mut bus)
        .iter()
        .all(|e| matches!(e, BusEvent::BadReply { .. } | BusEvent::Unexpected { .. })));
    bus.handle_bytes(&good[7..], t0 + 3 * MS);
    assert_eq!(
        events(&mut bus),
        [BusEvent::Delivered {
            board: 0,
            attempts: 1
        }]
    );
    // A reply nobody waits for: not a bad reply, only unexpected.
    bus.handle_bytes(&ack(1), t0 + 4 * MS);
    assert!(matches!(
        events(&mut bus).as_slice(),
        [BusEvent::Unexpected { .. }]
    ));
}

#[test]
fn lost_port_backs_off_then_resends_everything() {
    let t0 = Instant::now();
    let mut bus = Bus::new(vec![bx_board(1), bx_board(2)], opts(), t0);
    bus.handle_opened(t0);
    bus.handle_content(0, frame(1, "A001"), t0);
    bus.handle_bytes(&ack(1), t0 + MS);
    bus.handle_content(1, frame(2, "B001"), t0 + MS);
    bus.handle_bytes(&ack(2), t0 + 2 * MS);
    drain_texts(&mut bus);

    let t1 = t0 + 10 * MS;
    bus.handle_closed(t1);
    assert!(!bus.is_up());
    bus.handle_content(0, frame(1, "A002"), t1);
    assert!(bus.poll_transmit().is_none());
    assert_eq!(bus.poll_timeout(), Some(t1 + 500 * MS));
    assert!(!bus.wants_open(t1 + 499 * MS));
    let mut at = t1 + 500 * MS;
    let mut waits = Vec::new();
    for _ in 0..5 {
        assert!(bus.wants_open(at));
        bus.handle_open_failed(at);
        let next = bus.poll_timeout().unwrap();
        waits.push((next - at).as_millis());
        at = next;
    }
    assert_eq!(waits, [1000, 2000, 4000, 4000, 4000]);
    bus.handle_opened(at);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A002"]);
    bus.handle_bytes(&ack(1), at + MS);
    assert_eq!(
        drain_texts(&mut bus),
        ["2:\\C1B001"],
        "unchanged content is sent again too"
    );
}

#[test]
fn boards_without_ack_get_a_gap() {
    let t0 = Instant::now();
    let alpha = |address| BoardLink {
        protocol: Protocol::Alpha,
        address,
        ack: false,
    };
    let mut bus = Bus::new(vec![alpha(1), alpha(2)], opts(), t0);
    bus.handle_opened(t0);
    let spec = BoardSpec::new(Protocol::Alpha, 1);
    let content = Content::new("A001", Effect::Static, Colour::Red);
    bus.handle_content(0, spec.frame(&content).unwrap(), t0);
    bus.handle_content(1, spec.frame(&content).unwrap(), t0);
    assert!(bus.poll_transmit().is_some());
    assert!(bus.poll_transmit().is_none());
    assert_eq!(bus.poll_timeout(), Some(t0 + 20 * MS));
    bus.handle_timeout(t0 + 20 * MS);
    assert!(bus.poll_transmit().is_some());
    bus.handle_timeout(t0 + 40 * MS);
    assert_eq!(events(&mut bus).len(), 2);
    assert_eq!(bus.poll_timeout(), None);
}

#[test]
fn alpha_board_with_ack_reads_ack_and_nak() {
    let t0 = Instant::now();
    let link = BoardLink {
        protocol: Protocol::Alpha,
        address: 1,
        ack: true,
    };
    let mut bus = Bus::new(vec![link], opts(), t0);
    bus.handle_opened(t0);
    let spec = BoardSpec::new(Protocol::Alpha, 1);
    let content = Content::new("A001", Effect::Static, Colour::Red);
    bus.handle_content(0, spec.frame(&content).unwrap(), t0);
    assert!(bus.poll_transmit().is_some());
    bus.handle_bytes(&[alpha::NAK, 0x50], t0 + MS);
    assert!(bus.poll_transmit().is_some(), "resent after NAK");
    bus.handle_bytes(&[alpha::ACK, 0x40], t0 + 2 * MS);
    assert_eq!(
        events(&mut bus),
        [
            BusEvent::Nacked {
                board: 0,
                code: 0x50
            },
            BusEvent::Delivered {
                board: 0,
                attempts: 2
            }
        ]
    );
}

#[test]
fn an_idle_board_is_pinged_and_a_board_switched_off_meanwhile_gets_its_content_back() {
    let t0 = Instant::now();
    let opts = BusOptions {
        keepalive: Some(2000 * MS),
        ..opts()
    };
    let mut bus = Bus::new(vec![bx_board(1)], opts, t0);
    bus.handle_opened(t0);
    assert_eq!(
        bus.poll_timeout(),
        None,
        "nothing shown yet: nothing to keep"
    );
    bus.handle_update(0, frame(1, "A001"), "A001".into(), t0);
    drain_texts(&mut bus);
    bus.handle_bytes(&ack(1), t0 + MS);
    events(&mut bus);
    // Answered: a ping 2 s later, and again 2 s after its answer.
    let check = bus.poll_timeout().unwrap();
    assert_eq!(check, t0 + MS + 2000 * MS);
    bus.handle_timeout(check);
    assert_eq!(drain_texts(&mut bus), ["ping:1"]);
    bus.handle_bytes(&ack(1), check + MS);
    assert_eq!(bus.poll_timeout(), Some(check + MS + 2000 * MS));
    assert!(
        events(&mut bus).is_empty(),
        "a kept-alive board is not news"
    );
    // Switched off: the next ping and its resends go unanswered, then it is silent.
    let check = bus.poll_timeout().unwrap();
    bus.handle_timeout(check);
    assert_eq!(drain_texts(&mut bus), ["ping:1"]);
    for _ in 0..2 {
        let now = bus.poll_timeout().unwrap();
        bus.handle_timeout(now);
        assert_eq!(drain_texts(&mut bus), ["clear", "ping:1"]);
    }
    let now = bus.poll_timeout().unwrap();
    bus.handle_timeout(now);
    assert_eq!(drain_texts(&mut bus), ["clear"]);
    assert!(events(&mut bus).contains(&BusEvent::GaveUp { board: 0 }));
    assert_eq!(bus.answering(0), Some(false));
    // Back on: the probe is answered and its content (lost with the power) goes out.
    let probe = bus.poll_timeout().unwrap();
    bus.handle_timeout(probe);
    assert_eq!(drain_texts(&mut bus), ["clear", "ping:1"]);
    bus.handle_bytes(&ack(1), probe + MS);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A001"]);
    // Content waiting goes before a due ping.
    bus.handle_bytes(&ack(1), probe + 2 * MS);
    let check = bus.poll_timeout().unwrap();
    bus.handle_update(0, frame(1, "A002"), "A002".into(), check);
    assert_eq!(drain_texts(&mut bus), ["1:\\C1A002"]);
}
