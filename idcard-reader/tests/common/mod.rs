//! A fake ID card reader on a pseudo-terminal: the library's [`Emulator`] behind the master
//! side of a `SerialStream::pair()`, answering whatever the slave side writes.

#![allow(dead_code)] // each test file uses part of this

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallq_idcard::{CardType, Emulator, IdCard, Sex};
use tokio::task::JoinHandle;
use tokio_serial::SerialStream;

/// The emulator, shared between the fake reader task and the test.
pub type Shared = Arc<Mutex<Emulator>>;

/// A synthetic card for a valid test number (check character X: sum 222, mod 11 = 2).
pub fn sample_card() -> IdCard {
    IdCard {
        name: "张小三".into(),
        sex: Sex::Male,
        nation: "01".into(),
        birth: "19900103".into(),
        address: "海南省海口市龙华区滨海大道1号".into(),
        id_number: "46010619900103123X".into(),
        authority: "海口市公安局龙华分局".into(),
        valid_from: "20150101".into(),
        valid_to: "20350101".into(),
        card_type: CardType::Resident,
    }
}

/// Photo bytes for the read reply (readers send 1024 vendor-compressed bytes).
pub fn sample_photo() -> Vec<u8> {
    (0..1024u32).map(|i| (i * 7 % 251) as u8).collect()
}

/// Lays the sample card on the reader.
pub fn lay_sample(emu: &Shared) {
    emu.lock()
        .unwrap()
        .set_card(Some((sample_card(), sample_photo())));
}

/// A running fake reader.
pub struct FakeReader {
    /// Its state: lay cards, inject faults, count requests.
    pub emu: Shared,
    /// The task serving the pty master.
    pub task: JoinHandle<()>,
}

/// Starts a fake reader on the master side of a pty pair; returns it and the slave side
/// (the "serial port" the host opens).
pub fn fake_reader() -> (FakeReader, SerialStream) {
    let (master, slave) = SerialStream::pair().expect("pty pair");
    let emu: Shared = Arc::new(Mutex::new(Emulator::new()));
    let task = tokio::spawn(hallq_idcard::serve_emulator(master, emu.clone()));
    (FakeReader { emu, task }, slave)
}

/// Waits (up to 10 s) until `cond` holds on the emulator.
pub async fn eventually(emu: &Shared, what: &str, cond: impl Fn(&Emulator) -> bool) {
    let wait = async {
        while !cond(&emu.lock().unwrap()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for: {what}"));
}
