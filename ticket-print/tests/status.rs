//! `Printer::print` against the emulated printer on TCP: paper and cover checked before the
//! ticket, a printer without status printed unchecked, and a printer that hangs mid-ticket
//! timed out instead of passing for printed.

use hallq_ticket::emulator::{serve_tcp, EmulatorOptions, PrintedTicket, Stall};
use hallq_ticket::{Condition, PrintError, PrintOptions, Printer, Problem, Stage};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

type Tickets = Arc<Mutex<Vec<PrintedTicket>>>;

/// An emulated printer on a TCP port: its address and the tickets it prints.
async fn printer(options: EmulatorOptions) -> (Printer, Tickets) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let tickets: Tickets = Arc::default();
    let seen = tickets.clone();
    let stall = Arc::new(Stall::new(options.stall_after));
    tokio::spawn(serve_tcp(
        listener,
        options,
        stall,
        Arc::new(move |t: &PrintedTicket| seen.lock().unwrap().push(t.clone())),
    ));
    (Printer::Tcp(addr), tickets)
}

fn ticket() -> Vec<u8> {
    hallq_ticket::escpos(&common::view(), &hallq_ticket::EscPosOptions::default()).unwrap()
}

async fn printed(tickets: &Tickets, n: usize) -> Vec<PrintedTicket> {
    for _ in 0..100 {
        if tickets.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tickets.lock().unwrap().clone()
}

#[tokio::test]
async fn a_ready_printer_prints_after_answering_its_status() {
    let (p, tickets) = printer(EmulatorOptions::default()).await;
    let checked = p.print(&ticket(), &PrintOptions::default()).await.unwrap();
    assert!(checked.asked);
    assert_eq!(checked.condition, Some(Condition::default()));
    let t = printed(&tickets, 1).await;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].not_printed, None);
    assert!(t[0].lines.iter().any(|l| l == "A001"), "{t:?}");
}

#[tokio::test]
async fn paper_out_and_cover_open_stop_the_ticket_before_it_is_sent() {
    for (condition, want) in [
        (
            Condition {
                paper_out: true,
                ..Condition::default()
            },
            Problem::PaperOut,
        ),
        (
            Condition {
                cover_open: true,
                ..Condition::default()
            },
            Problem::CoverOpen,
        ),
    ] {
        let options = EmulatorOptions {
            condition,
            ..EmulatorOptions::default()
        };
        let (p, tickets) = printer(options).await;
        let err = p
            .print(&ticket(), &PrintOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, PrintError::NotReady { problem, .. } if problem == want),
            "{err}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(printed(&tickets, 0).await, [], "nothing was sent");
    }
}

#[tokio::test]
async fn a_printer_without_status_prints_unchecked_after_the_short_wait() {
    let options = EmulatorOptions {
        no_status: true,
        ..EmulatorOptions::default()
    };
    let (p, tickets) = printer(options).await;
    let started = Instant::now();
    let checked = p.print(&ticket(), &PrintOptions::default()).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(checked.asked && checked.condition.is_none());
    assert_eq!(printed(&tickets, 1).await.len(), 1);
    // Known to answer: silence is now a failure.
    let must = PrintOptions {
        expect_answer: true,
        ..PrintOptions::default()
    };
    let err = p.print(&ticket(), &must).await.unwrap_err();
    assert!(
        matches!(
            err,
            PrintError::Timeout {
                stage: Stage::Status,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_printer_that_hangs_mid_ticket_times_out() {
    let options = EmulatorOptions {
        stall_after: Some(200),
        ..EmulatorOptions::default()
    };
    let (p, tickets) = printer(options).await;
    let opts = PrintOptions {
        timeout: Duration::from_secs(2),
        ..PrintOptions::default()
    };
    let started = Instant::now();
    let err = p.print(&ticket(), &opts).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            PrintError::Timeout {
                stage: Stage::Confirm,
                ..
            }
        ),
        "{err}"
    );
    assert!(took < Duration::from_millis(2500), "{took:?}");
    assert_eq!(printed(&tickets, 0).await, []);
}
