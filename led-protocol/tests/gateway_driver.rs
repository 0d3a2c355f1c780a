//! The bus driver over in-memory and pty streams, with the emulator as the board.
#![cfg(all(feature = "gateway", unix))]

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use led_protocol::bus::{BoardLink, Bus, BusOptions};
use led_protocol::emulator::Seen;
use led_protocol::gateway::driver::{drive, Ended, Names, Update};
use led_protocol::gateway::emulate::{self, EmulatorOptions};
use led_protocol::gateway::transport::{AsyncReadWrite, Line, Opened};
use led_protocol::show::{BoardSpec, Colour, Content, Effect, Protocol};
use tokio::sync::{mpsc, watch};

type Texts = Arc<Mutex<Vec<String>>>;

fn board_end<S: AsyncReadWrite + 'static>(stream: S, texts: &Texts) -> tokio::task::JoinHandle<()> {
    board_with(stream, texts, EmulatorOptions::new(Protocol::Bx))
}

fn board_with<S: AsyncReadWrite + 'static>(
    stream: S,
    texts: &Texts,
    opts: EmulatorOptions,
) -> tokio::task::JoinHandle<()> {
    let texts = texts.clone();
    tokio::spawn(async move {
        let sink = move |seen: &Seen| {
            if let Seen::Frame { text: Some(t), .. } = seen {
                texts.lock().unwrap().push(t.clone());
            }
        };
        let _ = emulate::serve(stream, &opts, &sink).await;
    })
}

fn frame(text: &str) -> Update {
    Update {
        board: 0,
        frame: BoardSpec::new(Protocol::Bx, 1)
            .frame(&Content::new(text, Effect::Static, Colour::Red))
            .unwrap(),
        text: text.to_string(),
    }
}

async fn until(texts: &Texts, n: usize) -> Vec<String> {
    for _ in 0..200 {
        if texts.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    texts.lock().unwrap().clone()
}

/// The update sender, the stop switch and the driving task.
type Driven = (
    mpsc::UnboundedSender<Update>,
    watch::Sender<bool>,
    tokio::task::JoinHandle<Ended>,
);

/// Drives one board over `host` in a task.
fn start(host: Box<dyn Line>) -> Driven {
    start_with(host, BusOptions::default())
}

fn start_with(host: Box<dyn Line>, opts: BusOptions) -> Driven {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop_tx, mut stop) = watch::channel(false);
    let task = tokio::spawn(async move {
        let now = tokio::time::Instant::now().into_std();
        let link = BoardLink {
            protocol: Protocol::Bx,
            address: 1,
            ack: true,
        };
        let mut bus = Bus::new(vec![link], opts, now);
        bus.handle_opened(now);
        let names = Names::new("t", &[(1, "1".into())]);
        let opened = Opened {
            stream: host,
            device: None,
        };
        drive(opened, &mut bus, &names, &mut rx, &mut stop).await
    });
    (tx, stop_tx, task)
}

#[tokio::test]
async fn duplex_board_gets_frames_in_order_and_loss_is_reported() {
    let (host, board) = tokio::io::duplex(4096);
    let texts = Texts::default();
    let emu = board_end(board, &texts);
    let (tx, _stop, task) = start(Box::new(host));
    for t in ["请A001号", "请A002号", "请A003号"] {
        tx.send(frame(t)).unwrap();
    }
    let shown = until(&texts, 1).await;
    // Updates sent in a burst collapse to the newest after the frame in flight.
    assert_eq!(shown.first().map(String::as_str), Some("请A001号"));
    let shown = until(&texts, 2).await;
    assert_eq!(
        shown.last().map(String::as_str),
        Some("请A003号"),
        "{shown:?}"
    );
    emu.abort();
    let ended = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(ended, Ended::Lost(_)), "{ended:?}");
}

#[tokio::test]
async fn pty_pair_carries_frames_and_acks() {
    let (master, slave, _path) = emulate::open_pty().unwrap();
    let texts = Texts::default();
    let _emu = board_end(master, &texts);
    let (tx, stop, task) = start(Box::new(slave));
    tx.send(frame("欢迎光临")).unwrap();
    assert_eq!(until(&texts, 1).await, ["欢迎光临"]);
    stop.send(true).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(ended, Ended::Stopped), "{ended:?}");
}

#[tokio::test]
async fn a_board_switched_off_gets_only_its_newest_content_once_when_back() {
    let (master, slave, _path) = emulate::open_pty().unwrap();
    let texts = Texts::default();
    let opts = EmulatorOptions::new(Protocol::Bx);
    let power = opts.powered.clone();
    let _emu = board_with(master, &texts, opts);
    let fast = BusOptions {
        ack_timeout: Duration::from_millis(150),
        ..BusOptions::default()
    };
    let (tx, _stop, _task) = start_with(Box::new(slave), fast);
    tx.send(frame("请A001号")).unwrap();
    assert_eq!(until(&texts, 1).await, ["请A001号"]);
    // Off: two calls (the first is tried and given up, the second waits).
    power.store(false, Ordering::Relaxed);
    tx.send(frame("请A002号")).unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    tx.send(frame("请A003号")).unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // On: within the probe period and an ACK, the newest content, once.
    power.store(true, Ordering::Relaxed);
    let on = tokio::time::Instant::now();
    assert_eq!(until(&texts, 2).await, ["请A001号", "请A003号"]);
    assert!(on.elapsed() < Duration::from_secs(2), "{:?}", on.elapsed());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        *texts.lock().unwrap(),
        ["请A001号", "请A003号"],
        "nothing missed is replayed"
    );
}
