//! The async driver against a fake reader on a pseudo-terminal pair (unix).
#![cfg(all(unix, feature = "driver"))]

mod common;

use std::time::Duration;

use common::{eventually, fake_reader, lay_sample, sample_card};
use hallq_idcard::emulator::Fault;
use hallq_idcard::{open_serial, run, IdCard, ReaderOptions, DEFAULT_BAUD};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_serial::SerialPort;

const OPTS: ReaderOptions = ReaderOptions {
    poll_interval: Duration::from_millis(20),
    reply_timeout: Duration::from_millis(300),
    removal_polls: 2,
};

const WAIT: Duration = Duration::from_secs(10);

async fn next_card(rx: &mut mpsc::Receiver<IdCard>) -> IdCard {
    timeout(WAIT, rx.recv())
        .await
        .expect("a card within 10 s")
        .expect("driver still running")
}

#[tokio::test]
async fn one_card_per_presentation() {
    let (fake, port) = fake_reader();
    let (tx, mut rx) = mpsc::channel(8);
    let driver = tokio::spawn(run(port, OPTS, tx));

    // No card: the reader is polled, nothing is delivered.
    eventually(&fake.emu, "5 polls without a card", |e| e.requests() >= 5).await;
    assert!(rx.try_recv().is_err());

    // First presentation: one card, however long it lies there.
    lay_sample(&fake.emu);
    assert_eq!(next_card(&mut rx).await, sample_card());
    let reads = fake.emu.lock().unwrap().reads();
    eventually(&fake.emu, "5 more reads of the same card", |e| {
        e.reads() >= reads + 5
    })
    .await;
    assert!(
        rx.try_recv().is_err(),
        "the card lying there was delivered twice"
    );

    // Taken away (at least two "no card" answers), then presented again: one more card.
    fake.emu.lock().unwrap().set_card(None);
    let seen = fake.emu.lock().unwrap().requests();
    eventually(&fake.emu, "4 requests after removal", |e| {
        e.requests() >= seen + 4
    })
    .await;
    assert!(rx.try_recv().is_err());
    lay_sample(&fake.emu);
    assert_eq!(next_card(&mut rx).await, sample_card());
    let reads = fake.emu.lock().unwrap().reads();
    eventually(&fake.emu, "3 more reads", |e| e.reads() >= reads + 3).await;
    assert!(rx.try_recv().is_err());

    // Dropping the receiver stops the driver cleanly.
    drop(rx);
    let ended = timeout(WAIT, driver).await.expect("driver stops").unwrap();
    assert!(ended.is_ok(), "{ended:?}");
    fake.task.abort();
}

#[tokio::test]
async fn survives_garbage_an_absurd_length_and_a_bad_checksum() {
    let (fake, port) = fake_reader();
    {
        let mut emu = fake.emu.lock().unwrap();
        emu.set_card(Some((sample_card(), common::sample_photo())));
        // The first three replies are spoiled: the card is found only on the fourth poll.
        emu.inject(Fault::Garbage(b"\x00\x13\xFFnot a frame\xAA\xAA".to_vec()));
        emu.inject(Fault::Garbage(vec![
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0x00,
        ]));
        emu.inject(Fault::BadChecksum);
    }
    let (tx, mut rx) = mpsc::channel(8);
    let driver = tokio::spawn(run(port, OPTS, tx));

    assert_eq!(next_card(&mut rx).await, sample_card());
    assert_eq!(fake.emu.lock().unwrap().pending_faults(), 0);

    // A spoiled read reply while the card lies there changes nothing: still one card.
    fake.emu.lock().unwrap().inject(Fault::BadChecksum);
    let reads = fake.emu.lock().unwrap().reads();
    eventually(&fake.emu, "3 more reads", |e| e.reads() >= reads + 3).await;
    assert!(rx.try_recv().is_err());
    assert!(!driver.is_finished());
    driver.abort();
    fake.task.abort();
}

#[tokio::test]
async fn a_vanished_port_ends_the_driver_with_an_error() {
    let (fake, port) = fake_reader();
    let (tx, _rx) = mpsc::channel(8);
    let driver = tokio::spawn(run(port, OPTS, tx));
    eventually(&fake.emu, "a poll", |e| e.requests() >= 1).await;
    fake.task.abort(); // drops the pty master
    let ended = timeout(WAIT, driver).await.expect("driver stops").unwrap();
    assert!(ended.is_err(), "{ended:?}");
}

#[tokio::test]
async fn open_serial_opens_a_pty_by_path() {
    let (fake, slave) = fake_reader();
    let path = slave.name().expect("pty slave path");
    let port = open_serial(&path, DEFAULT_BAUD).expect("open the pty slave");
    drop(slave);
    lay_sample(&fake.emu);
    let (tx, mut rx) = mpsc::channel(8);
    let driver = tokio::spawn(run(port, OPTS, tx));
    assert_eq!(next_card(&mut rx).await, sample_card());
    driver.abort();
    fake.task.abort();
}

#[tokio::test]
async fn open_serial_reports_a_missing_device() {
    let err = open_serial("/dev/hallq-no-such-reader", DEFAULT_BAUD).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn drive_says_when_the_reader_answers_and_when_it_falls_silent() {
    use hallq_idcard::{drive, Event, ReaderError};
    let (fake, port) = fake_reader();
    {
        let mut emu = fake.emu.lock().unwrap();
        emu.inject(Fault::Silence);
        emu.inject(Fault::Silence);
    }
    let (tx, mut rx) = mpsc::channel(8);
    let driver = tokio::spawn(drive(port, OPTS, tx));
    for _ in 0..2 {
        let e = next_event(&mut rx).await;
        assert!(
            matches!(e, Event::Error(ReaderError::Timeout { .. })),
            "{e:?}"
        );
    }
    assert_eq!(next_event(&mut rx).await, Event::Answering);
    lay_sample(&fake.emu);
    assert_eq!(next_event(&mut rx).await, Event::CardRead(sample_card()));
    driver.abort();
    fake.task.abort();
}

async fn next_event(rx: &mut mpsc::Receiver<hallq_idcard::Event>) -> hallq_idcard::Event {
    timeout(WAIT, rx.recv())
        .await
        .expect("an event within 10 s")
        .expect("driver still running")
}
