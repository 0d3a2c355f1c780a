//! Opening a bus: a serial device (tokio-serial) or a TCP controller.

use std::io;
use std::path::Path;
use std::time::Duration;

use hallq_config::led::Bus as BusSettings;
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream the driver can own: serial port, TCP socket, or a test's duplex pipe.
pub trait AsyncReadWrite: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncReadWrite for T {}

/// An open bus line: a byte stream whose buffers can be cleared.
pub trait Line: AsyncReadWrite {
    /// Drops the bytes waiting in the port's buffers, both ways (tcflush on a serial port):
    /// what was not sent yet, and answers not read yet. Nothing to do on TCP.
    ///
    /// # Errors
    /// The port's error.
    fn clear(&self) -> io::Result<()> {
        Ok(())
    }
}

impl Line for tokio_serial::SerialStream {
    fn clear(&self) -> io::Result<()> {
        tokio_serial::SerialPort::clear(self, tokio_serial::ClearBuffer::All)
            .map_err(io::Error::from)
    }
}

impl Line for tokio::net::TcpStream {}

impl Line for tokio::io::DuplexStream {}

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
    pub stream: Box<dyn Line>,
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

/// The directory of stable serial names udev makes (by adapter serial number).
pub const BY_ID: &str = "/dev/serial/by-id";

/// Whether `path` is a name the kernel hands out in plug order (`/dev/ttyUSB*`,
/// `/dev/ttyACM*`): after a re-plug or a reboot the same adapter can get another number,
/// and this number another adapter.
#[must_use]
pub fn is_movable_name(path: &str) -> bool {
    ["/dev/ttyUSB", "/dev/ttyACM"]
        .iter()
        .any(|p| path.strip_prefix(p).is_some_and(|n| !n.is_empty()))
}

/// The alias in `dir` (see [`BY_ID`]) that points at the same device as `path`, if any.
#[must_use]
pub fn stable_alias(path: &str, dir: &Path) -> Option<String> {
    let target = std::fs::canonicalize(path).ok()?;
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| std::fs::canonicalize(p).is_ok_and(|t| t == target))
        .collect();
    names.sort();
    names.first().map(|p| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movable_names_and_their_stable_alias() {
        assert!(is_movable_name("/dev/ttyUSB0"));
        assert!(is_movable_name("/dev/ttyACM12"));
        assert!(!is_movable_name("/dev/ttyUSB"));
        assert!(!is_movable_name(
            "/dev/serial/by-id/usb-FTDI_FT232R_A1B2-if00-port0"
        ));
        assert!(!is_movable_name("/dev/hallq-led-1"));
        assert!(!is_movable_name("/dev/ttyS0"));

        let dir = std::env::temp_dir().join(format!("hallq-by-id-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let device = dir.join("ttyUSB0");
        std::fs::write(&device, b"").unwrap();
        let by_id = dir.join("by-id");
        std::fs::create_dir_all(&by_id).unwrap();
        let alias = by_id.join("usb-FTDI_FT232R_A1B2-if00-port0");
        std::os::unix::fs::symlink(&device, &alias).unwrap();
        std::os::unix::fs::symlink(dir.join("other"), by_id.join("usb-other")).unwrap();
        let path = device.display().to_string();
        assert_eq!(
            stable_alias(&path, &by_id),
            Some(alias.display().to_string())
        );
        assert_eq!(stable_alias(&path, &dir.join("missing")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
