//! The state machine against the emulator, on a virtual clock (quinn-proto `Pair` style).

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::*;
use crate::card::{CardType, Sex};
use crate::emulator::{Emulator, Fault};

fn card(name: &str, id_number: &str) -> IdCard {
    IdCard {
        name: name.into(),
        sex: Sex::Male,
        nation: "01".into(),
        birth: id_number[6..14].into(),
        address: "海南省海口市".into(),
        id_number: id_number.into(),
        authority: "海口市公安局".into(),
        valid_from: "20150101".into(),
        valid_to: "20350101".into(),
        card_type: CardType::Resident,
    }
}

fn a() -> IdCard {
    card("张小三", "46010619900103123X")
}

fn b() -> IdCard {
    card("李四", "310115198510104352")
}

const OPTS: ReaderOptions = ReaderOptions {
    poll_interval: Duration::from_millis(100),
    reply_timeout: Duration::from_millis(500),
    removal_polls: 2,
};

/// Reader and emulator joined by an instant link, with a virtual clock.
struct Pair {
    reader: Reader,
    emu: Emulator,
    now: Instant,
}

impl Pair {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            reader: Reader::new(OPTS, now),
            emu: Emulator::new(),
            now,
        }
    }

    /// Moves bytes both ways until nothing moves.
    fn drive(&mut self) {
        loop {
            let mut moved = false;
            while let Some(bytes) = self.reader.poll_transmit() {
                self.emu.handle_input(&bytes);
                moved = true;
            }
            while let Some(bytes) = self.emu.poll_transmit() {
                self.reader.handle_input(self.now, &bytes);
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    /// Runs the clock forward by `d`, firing every timeout on the way.
    fn run_for(&mut self, d: Duration) -> Vec<Event> {
        let end = self.now + d;
        while self.reader.poll_timeout() <= end {
            self.now = self.now.max(self.reader.poll_timeout());
            self.reader.handle_timeout(self.now);
            self.drive();
        }
        self.now = end;
        std::iter::from_fn(|| self.reader.poll_event()).collect()
    }

    fn lay(&mut self, card: IdCard) {
        self.emu.set_card(Some((card, vec![0x5A; 1024])));
    }
}

fn reads(events: &[Event]) -> Vec<IdCard> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::CardRead(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn no_card_means_only_find_requests_and_no_events() {
    let mut p = Pair::new();
    // Only that the reader answers, once.
    assert_eq!(p.run_for(Duration::from_secs(1)), vec![Event::Answering]);
    // finds at 0, 100, …, 1000 ms
    assert_eq!(p.emu.requests(), 11);
}

#[test]
fn one_event_per_presentation() {
    let mut p = Pair::new();
    p.lay(a());
    let events = p.run_for(Duration::from_secs(3));
    assert_eq!(events, vec![Event::Answering, Event::CardRead(a())]);
    assert!(
        p.emu.reads() > 10,
        "the card is re-read while it lies there"
    );
    assert!(p.reader.card_present());

    p.emu.set_card(None);
    assert_eq!(p.run_for(Duration::from_secs(1)), vec![Event::CardRemoved]);
    assert!(!p.reader.card_present());

    p.lay(a());
    assert_eq!(reads(&p.run_for(Duration::from_secs(1))), vec![a()]);
}

#[test]
fn a_single_no_card_answer_does_not_count_twice() {
    let mut p = Pair::new();
    p.lay(a());
    assert_eq!(reads(&p.run_for(Duration::from_millis(50))), vec![a()]);
    p.emu.set_card(None);
    // exactly one find (at 100 ms) sees no card
    assert_eq!(p.run_for(Duration::from_millis(100)), vec![]);
    p.lay(a());
    assert_eq!(p.run_for(Duration::from_secs(1)), vec![]);
}

#[test]
fn a_swapped_card_is_reported() {
    let mut p = Pair::new();
    p.lay(a());
    assert_eq!(reads(&p.run_for(Duration::from_millis(50))), vec![a()]);
    p.lay(b());
    assert_eq!(reads(&p.run_for(Duration::from_millis(500))), vec![b()]);
}

#[test]
fn survives_garbage_and_a_bad_checksum() {
    let mut p = Pair::new();
    p.lay(a());
    p.emu
        .inject(Fault::Garbage(b"\x00\xFFhello\xAA\xAA".to_vec())); // find: garbage
    p.emu.inject(Fault::BadChecksum); // next find
    let events = p.run_for(Duration::from_secs(2));
    assert!(
        matches!(
            events[0],
            Event::Error(ReaderError::Timeout {
                command: Command::FindCard,
                ..
            })
        ),
        "{events:?}"
    );
    assert!(
        matches!(
            events[1],
            Event::Error(ReaderError::Frame(FrameError::Checksum { .. }))
        ),
        "{events:?}"
    );
    assert_eq!(events[2..], [Event::Answering, Event::CardRead(a())]);
}

#[test]
fn silence_times_out_then_recovers() {
    let mut p = Pair::new();
    p.lay(a());
    p.emu.inject(Fault::Silence);
    p.emu.inject(Fault::Silence);
    let events = p.run_for(Duration::from_secs(2));
    let timeouts = events
        .iter()
        .filter(|e| matches!(e, Event::Error(ReaderError::Timeout { .. })))
        .count();
    assert_eq!(timeouts, 2);
    assert_eq!(reads(&events), vec![a()]);
}

#[test]
fn answering_is_said_at_the_first_reply_and_again_after_silence_only() {
    let mut p = Pair::new();
    // A reader that does not answer at first (wrong baud, unplugged): timeouts only.
    for _ in 0..3 {
        p.emu.inject(Fault::Silence);
    }
    let events = p.run_for(Duration::from_millis(1750));
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events
        .iter()
        .all(|e| matches!(e, Event::Error(ReaderError::Timeout { .. }))));
    // It answers: said once, however many polls follow.
    assert_eq!(p.run_for(Duration::from_secs(2)), vec![Event::Answering]);
    // A bad frame is not silence: nothing to recover from.
    p.emu.inject(Fault::BadChecksum);
    let events = p.run_for(Duration::from_secs(1));
    assert!(
        matches!(events[..], [Event::Error(ReaderError::Frame(_))]),
        "{events:?}"
    );
    // Silent again, then answering again: said again.
    p.emu.inject(Fault::Silence);
    let events = p.run_for(Duration::from_secs(1));
    assert!(
        matches!(
            events[..],
            [Event::Error(ReaderError::Timeout { .. }), Event::Answering]
        ),
        "{events:?}"
    );
}

/// Feeds a reply to `reader` as its answer to what it sent last.
fn answer(reader: &mut Reader, now: Instant, sw3: u8, data: &[u8]) {
    let mut out = BytesMut::new();
    Reply::new(sw3, Bytes::copy_from_slice(data)).encode(&mut out);
    reader.handle_input(now, &out);
}

#[test]
fn status_and_card_errors_end_the_cycle() {
    let t0 = Instant::now();
    let mut r = Reader::new(OPTS, t0);
    r.handle_timeout(t0);
    assert_eq!(r.poll_transmit().unwrap()[7..9], [0x20, 0x01]);
    answer(&mut r, t0, status::FOUND, &[]);
    assert_eq!(r.poll_event(), Some(Event::Answering));
    assert_eq!(r.poll_transmit().unwrap()[7..9], [0x20, 0x02]);
    answer(&mut r, t0, status::SELECT_FAILED, &[]);
    let err = r.poll_event().unwrap();
    assert_eq!(
        err,
        Event::Error(ReaderError::Status {
            command: Command::SelectCard,
            sw1: 0,
            sw2: 0,
            sw3: status::SELECT_FAILED
        })
    );
    let Event::Error(e) = err else { unreachable!() };
    assert_eq!(
        e.to_string(),
        "读卡器返回错误状态 / reader answered select card (20 02) with 00 00 81 (select failed)"
    );
    assert_eq!(r.poll_timeout(), t0 + OPTS.poll_interval);

    let t1 = r.poll_timeout();
    r.handle_timeout(t1);
    assert_eq!(r.poll_transmit().unwrap()[7..9], [0x20, 0x01]);
    answer(&mut r, t1, status::FOUND, &[]);
    answer(&mut r, t1, status::OK, &[]);
    assert_eq!(r.poll_transmit().unwrap()[7..9], [0x20, 0x02]);
    assert_eq!(r.poll_transmit().unwrap()[7..9], [0x30, 0x01]);
    answer(&mut r, t1, status::OK, &[0x01, 0x00, 0x00, 0x00, 0x20]);
    assert!(matches!(
        r.poll_event(),
        Some(Event::Error(ReaderError::Card(CardError::Truncated { .. })))
    ));
    assert_eq!(r.poll_timeout(), t1 + OPTS.poll_interval);
}

#[test]
fn a_reply_nobody_asked_for_is_reported() {
    let t0 = Instant::now();
    let mut r = Reader::new(OPTS, t0);
    answer(&mut r, t0, status::OK, &[]);
    assert_eq!(
        r.poll_event(),
        Some(Event::Error(ReaderError::Unsolicited { sw3: status::OK }))
    );
    assert!(r.poll_transmit().is_none());
}

#[test]
fn timeouts_follow_the_options() {
    let t0 = Instant::now();
    let mut r = Reader::new(OPTS, t0);
    assert_eq!(r.poll_timeout(), t0);
    r.handle_timeout(t0);
    assert_eq!(r.poll_timeout(), t0 + OPTS.reply_timeout);
    r.handle_timeout(t0 + Duration::from_millis(499)); // early: nothing
    assert_eq!(r.poll_event(), None);
    let t1 = t0 + OPTS.reply_timeout;
    r.handle_timeout(t1);
    assert!(matches!(
        r.poll_event(),
        Some(Event::Error(ReaderError::Timeout { .. }))
    ));
    assert_eq!(r.poll_timeout(), t1 + OPTS.poll_interval);
}
