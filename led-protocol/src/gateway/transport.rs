//! Opening a bus: a serial device (tokio-serial) or a TCP controller.

use std::io;
use std::path::Path;
use std::time::Duration;

use hallq_config::led::Bus as BusSettings;
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream the driver can own: serial port, TCP socket, or a test's duplex pipe.
pub trait AsyncReadWrite: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncReadWrite for T {}

/// Where a bus is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A serial device and its line settings.
    Serial {
        /// Device path.
        path: String,
        /// Speed.
        baud: u32,
        /// 5-8.
        data_bits: u8,
        /// `none`, `even`, `odd`.
        parity: String,
        /// 1 or 2.
        stop_bits: u8,
    },
    /// A controller at `HOST:PORT`.
    Tcp(String),
}

impl Endpoint {
    /// The endpoint of a configured bus (validated: exactly one of serial and tcp).
    #[must_use]
    pub fn from_settings(bus: &BusSettings) -> Self {
        match (&bus.serial, &bus.tcp) {
            (Some(path), _) => Self::Serial {
                path: path.clone(),
                baud: bus.baud,
                data_bits: bus.data_bits,
                parity: bus.parity.clone(),
                stop_bits: bus.stop_bits,
            },
            (None, tcp) => Self::Tcp(tcp.clone().unwrap_or_default()),
        }
    }

    /// For logs: the device path or `tcp://HOST:PORT`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Serial { path, .. } => path.clone(),
            Self::Tcp(addr) => format!("tcp://{addr}"),
        }
    }
}

/// An open bus.
pub struct Opened {
    /// The byte stream.
    pub stream: Box<dyn AsyncReadWrite>,
    /// For serial devices: the device file to watch (it vanishes when a USB adapter is
    /// unplugged) and its identity when opened.
    pub device: Option<(String, Option<DeviceId>)>,
}

/// Identity of a device file, following symlinks: a replaced file has another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceId {
    dev: u64,
    ino: u64,
    rdev: u64,
}

/// The identity of the file at `path` now, if it exists.
#[must_use]
pub fn device_id(path: &str) -> Option<DeviceId> {
    let m = std::fs::metadata(Path::new(path)).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(DeviceId {
            dev: m.dev(),
            ino: m.ino(),
            rdev: m.rdev(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        Some(DeviceId {
            dev: 0,
            ino: 0,
            rdev: 0,
        })
    }
}

/// How long a TCP connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens the bus.
///
/// # Errors
/// The IO error of the open or connect (a missing device, a refused connection, a
/// timeout).
pub async fn open(endpoint: &Endpoint) -> io::Result<Opened> {
    match endpoint {
        Endpoint::Serial {
            path,
            baud,
            data_bits,
            parity,
            stop_bits,
        } => {
            use tokio_serial::SerialPortBuilderExt;
            let id = device_id(path);
            let stream = tokio_serial::new(path, *baud)
                .data_bits(match data_bits {
                    5 => tokio_serial::DataBits::Five,
                    6 => tokio_serial::DataBits::Six,
                    7 => tokio_serial::DataBits::Seven,
                    _ => tokio_serial::DataBits::Eight,
                })
                .parity(match parity.as_str() {
                    "even" => tokio_serial::Parity::Even,
                    "odd" => tokio_serial::Parity::Odd,
                    _ => tokio_serial::Parity::None,
                })
                .stop_bits(if *stop_bits == 2 {
                    tokio_serial::StopBits::Two
                } else {
                    tokio_serial::StopBits::One
                })
                .flow_control(tokio_serial::FlowControl::None)
                .open_native_async()
                .map_err(io::Error::from)?;
            Ok(Opened {
                stream: Box::new(stream),
                device: Some((path.clone(), id)),
            })
        }
        Endpoint::Tcp(addr) => {
            let stream =
                tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr))
                    .await
                    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
            stream.set_nodelay(true)?;
            Ok(Opened {
                stream: Box::new(stream),
                device: None,
            })
        }
    }
}
