//! The printer states' transitions with the time passed in.

use super::*;
use hallq_ticket::Condition;

fn conf(status: &str) -> PrinterConf {
    PrinterConf {
        id: "lobby".into(),
        kind: hallq_config::printers::PrinterKind::Tcp,
        path: None,
        baud: None,
        address: Some("127.0.0.1:9100".into()),
        paper: "80mm".into(),
        qr: "native".into(),
        cut: "partial".into(),
        status: status.into(),
    }
}

const ASKED_SILENT: Checked = Checked {
    asked: true,
    condition: None,
};

#[test]
fn a_silent_printer_is_printed_to_unchecked_for_ten_minutes() {
    let printers = Printers::default();
    let (p, t0) = (conf("auto"), Instant::now());
    let first = printers.plan(&p, t0);
    assert!(first.ask && !first.expect_answer);
    let found = printers.printed("lobby", &ASKED_SILENT, t0, 1);
    assert!(found.silent, "logged once");
    assert!(!printers.plan(&p, t0 + Duration::from_secs(599)).ask);
    assert!(
        printers.plan(&p, t0 + REMEMBER).ask,
        "asked again after 10 min"
    );
    let again = printers.printed("lobby", &ASKED_SILENT, t0 + REMEMBER, 2);
    assert!(!again.silent, "not logged again");
    assert!(!printers.plan(&conf("off"), t0).ask, "status = \"off\"");
}

#[test]
fn a_printer_that_answered_must_answer_and_failures_are_summarised() {
    let printers = Printers::default();
    let (p, t0) = (conf("auto"), Instant::now());
    let answered = Checked {
        asked: true,
        condition: Some(Condition::default()),
    };
    printers.printed("lobby", &answered, t0, 1_000);
    assert!(printers.plan(&p, t0).expect_answer);
    assert_eq!(
        printers.failed("lobby", Reason::PaperOut, true, t0, 2_000),
        Some(1)
    );
    assert_eq!(
        printers.failed("lobby", Reason::PaperOut, true, t0, 3_000),
        None
    );
    let minute = t0 + Duration::from_secs(61);
    assert_eq!(
        printers.failed("lobby", Reason::PaperOut, true, minute, 4_000),
        Some(2)
    );
    assert_eq!(
        printers.failed("lobby", Reason::PaperOut, true, minute, 5_000),
        None
    );
    let back = printers.printed("lobby", &answered, minute, 6_000);
    assert_eq!(back.recovered, Some(1));
    let entries = printers.entries.lock().unwrap();
    let e = &entries["lobby"];
    assert_eq!((e.state, e.since), ("ok", 6_000));
    assert_eq!(e.last_problem, Some((Reason::PaperOut, 5_000)));
}

#[test]
fn print_errors_are_classified_for_the_kiosk() {
    let target = || "127.0.0.1:9100".to_string();
    let after = Duration::from_secs(4);
    let cases = [
        (
            PrintError::NotReady {
                target: target(),
                problem: Problem::PaperOut,
            },
            Reason::PaperOut,
            true,
        ),
        (
            PrintError::Timeout {
                target: target(),
                after,
                stage: Stage::Open,
            },
            Reason::Offline,
            false,
        ),
        (
            PrintError::Timeout {
                target: target(),
                after,
                stage: Stage::Confirm,
            },
            Reason::TimedOut,
            true,
        ),
        (
            PrintError::Open {
                target: target(),
                source: std::io::ErrorKind::ConnectionRefused.into(),
            },
            Reason::Offline,
            false,
        ),
        (
            PrintError::Write {
                target: target(),
                source: std::io::ErrorKind::ConnectionReset.into(),
            },
            Reason::Failed,
            false,
        ),
    ];
    for (e, reason, answered) in cases {
        assert_eq!(
            (Reason::of(&e), Reason::answered(&e)),
            (reason, answered),
            "{e}"
        );
    }
    assert_eq!(
        Reason::PaperOut.message(),
        "缺纸，请联系工作人员 / Out of paper — please ask staff"
    );
}
