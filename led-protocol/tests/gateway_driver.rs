//! The bus driver over in-memory and pty streams, with the emulator as the board.
#![cfg(all(feature = "gateway", unix))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use led_protocol::bus::{BoardLink, Bus, BusOptions};
use led_protocol::emulator::Seen;
use led_protocol::gateway::driver::{drive, Ended, Names};
use led_protocol::gateway::emulate::{self, EmulatorOptions};
use led_protocol::gateway::transport::{AsyncReadWrite, Opened};
use led_protocol::show::{BoardSpec, Colour, Content, Effect, Protocol};
use tokio::sync::{mpsc, watch};

type Texts = Arc<Mutex<Vec<String>>>;

fn board_end<S: AsyncReadWrite + 'static>(stream: S, texts: &Texts) -> tokio::task::JoinHandle<()> {
    let texts = texts.clone();
    tokio::spawn(async move {
        let sink = move |seen: &Seen| {
            if let Seen::Frame { text: Some(t), .. } = seen {
                texts.lock().unwrap().push(t.clone());
            }
        };
        let _ = emulate::serve(stream, &EmulatorOptions::new(Protocol::Bx), &sink).await;
    })
}

fn frame(text: &str) -> Vec<u8> {
    BoardSpec::new(Protocol::Bx, 1)
        .frame(&Content::new(text, Effect::Static, Colour::Red))
        .unwrap()
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
    mpsc::UnboundedSender<(usize, Vec<u8>)>,
    watch::Sender<bool>,
    tokio::task::JoinHandle<Ended>,
);

/// Drives one board over `host` in a task.
fn start(host: Box<dyn AsyncReadWrite>) -> Driven {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop_tx, mut stop) = watch::channel(false);
    let task = tokio::spawn(async move {
        let now = tokio::time::Instant::now().into_std();
        let link = BoardLink {
            protocol: Protocol::Bx,
            address: 1,
            ack: true,
        };
        let mut bus = Bus::new(vec![link], BusOptions::default(), now);
        bus.handle_opened(now);
        let names = Names {
            bus: "t".into(),
            boards: vec!["b".into()],
        };
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
        tx.send((0, frame(t))).unwrap();
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
    tx.send((0, frame("欢迎光临"))).unwrap();
    assert_eq!(until(&texts, 1).await, ["欢迎光临"]);
    stop.send(true).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(ended, Ended::Stopped), "{ended:?}");
}
