//! Where an emulator (`hallq led|print|idcard emulate`) sits: a pseudo-terminal, optionally
//! behind a stable symlink that is removed again when the emulator stops.

use std::path::{Path, PathBuf};

/// A pty whose far end a device driver opens; keeps the slave open (so the driver may close
/// and reopen it) and removes the link on drop.
pub(crate) struct PtyPlace {
    /// The pty's own name (`/dev/pts/N`).
    pub(crate) pty: String,
    /// The path a config file or `--port` names (the link when one was asked for).
    pub(crate) path: String,
    _slave: tokio_serial::SerialStream,
    link: Option<PathBuf>,
}

impl PtyPlace {
    /// Opens a pty; with `link`, also makes that symlink to it (replacing a stale one).
    /// Returns the emulator's end and the place (keep it for as long as the emulator runs).
    ///
    /// # Errors
    /// A message for the user when no pty can be had or the link cannot be made.
    pub(crate) fn open(link: Option<&Path>) -> Result<(tokio_serial::SerialStream, Self), String> {
        let (master, slave, pty) = led_protocol::gateway::emulate::open_pty()
            .map_err(|e| format!("无法打开 pty / cannot open a pty: {e}"))?;
        let path = match link {
            Some(link) => {
                let _ = std::fs::remove_file(link);
                std::os::unix::fs::symlink(&pty, link)
                    .map_err(|e| format!("无法创建链接 / cannot link {}: {e}", link.display()))?;
                link.display().to_string()
            }
            None => pty.clone(),
        };
        Ok((
            master,
            Self {
                pty,
                path,
                _slave: slave,
                link: link.map(Path::to_path_buf),
            },
        ))
    }

    /// How to say where the emulator is: `pty /dev/pts/N` or `pty /dev/pts/N (link PATH)`.
    pub(crate) fn describe(&self) -> String {
        let pty = &self.pty;
        match &self.link {
            Some(l) => format!("pty {pty} (link {})", l.display()),
            None => format!("pty {pty}"),
        }
    }
}

impl Drop for PtyPlace {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}
