//! Printer transports against real local endpoints: a file, TCP listeners
//! and a pseudo-terminal pair standing in for a serial port.

use std::time::Duration;

use hallq_ticket::{escpos, EscPosOptions, PrintError, Printer, QrMode, Stage, TicketView};
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_secs(5);

fn ticket_bytes(qr: QrMode) -> Vec<u8> {
    let view = TicketView {
        hall_name: "市民服务中心".into(),
        number: "B012".into(),
        service_name: "社保医保".into(),
        people_ahead: 3,
        wait_hint: None,
        issued_at: "2025-03-04 10:02".into(),
        status_url: "http://127.0.0.1:8080/t/q8Lx".into(),
        notice: None,
        reprinted_at: None,
    };
    escpos(
        &view,
        &EscPosOptions {
            qr,
            ..Default::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn file_receives_the_bytes() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let bytes = ticket_bytes(QrMode::Native);
    Printer::File(file.path().to_path_buf())
        .send(&bytes, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(std::fs::read(file.path()).unwrap(), bytes);
}

#[tokio::test]
async fn missing_device_file_is_an_open_error_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    let err = Printer::File(path.clone())
        .send(b"\x1b@", TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(err, PrintError::Open { .. }), "{err:?}");
    assert!(!path.exists());
}

#[tokio::test]
async fn tcp_listener_receives_the_bytes() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut received = Vec::new();
        socket.read_to_end(&mut received).await.unwrap();
        received
    });
    let bytes = ticket_bytes(QrMode::Raster);
    Printer::Tcp(addr.to_string())
        .send(&bytes, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(server.await.unwrap(), bytes);
}

#[tokio::test]
async fn tcp_refused_is_an_open_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = Printer::Tcp(addr.to_string())
        .send(b"\x1b@", TIMEOUT)
        .await
        .unwrap_err();
    let PrintError::Open { target, source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*target, addr.to_string());
    assert_eq!(source.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[tokio::test]
async fn tcp_printer_that_never_reads_times_out() {
    // The kernel accepts the connection into the backlog, nobody reads:
    // once the socket buffers are full the write blocks until the deadline.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bytes = vec![b'x'; 64 << 20];
    let after = Duration::from_millis(300);
    let err = Printer::Tcp(addr.to_string())
        .send(&bytes, after)
        .await
        .unwrap_err();
    assert!(
        matches!(err, PrintError::Timeout { stage: Stage::Write, after: a, .. } if a == after),
        "{err:?}"
    );
    drop(listener);
}

#[cfg(unix)]
#[tokio::test]
async fn serial_port_receives_the_bytes() {
    use tokio_serial::SerialPort as _;
    let (mut master, slave) = tokio_serial::SerialStream::pair().unwrap();
    let path = slave.name().expect("pty slave path");
    // Larger than a pty buffer, so the writer waits for the reader.
    let bytes = ticket_bytes(QrMode::Raster);
    assert!(bytes.len() > 8192);
    let expected = bytes.len();
    let reader = tokio::spawn(async move {
        let mut received = vec![0; expected];
        master.read_exact(&mut received).await.unwrap();
        received
    });
    Printer::Serial {
        path,
        baud: 115_200,
    }
    .send(&bytes, TIMEOUT)
    .await
    .unwrap();
    let received = tokio::time::timeout(TIMEOUT, reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(received, bytes);
    drop(slave);
}

#[tokio::test]
async fn missing_serial_port_is_a_serial_error() {
    let printer = Printer::Serial {
        path: "/dev/does-not-exist-hallq".into(),
        baud: 9600,
    };
    let err = printer.send(b"\x1b@", TIMEOUT).await.unwrap_err();
    assert!(matches!(err, PrintError::Serial { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/dev/does-not-exist-hallq@9600"),
        "{err}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn device_that_never_opens_times_out_in_open_stage() {
    // Opening a FIFO for writing blocks until a reader comes, like a device
    // whose driver hangs in open().
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("lp0");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let after = Duration::from_millis(200);
    let err = Printer::File(fifo.clone())
        .send(b"\x1b@", after)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PrintError::Timeout {
                stage: Stage::Open,
                ..
            }
        ),
        "{err:?}"
    );
    // Let the stuck worker finish, so that the runtime can shut down; it
    // then delivers the bytes.
    let received = tokio::task::spawn_blocking(move || std::fs::read(fifo).unwrap())
        .await
        .unwrap();
    assert_eq!(received, b"\x1b@");
}
