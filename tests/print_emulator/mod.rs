//! The real `hallq print emulate` as a test printer: started on a TCP port or a pty, its
//! first line read for where it listens, each ticket it prints read back as JSON.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running emulator; killed on drop.
pub struct Emulator {
    child: Child,
    /// `HOST:PORT` (TCP) or the pty's path as given to `--link`.
    pub at: String,
    /// The first line it printed.
    pub banner: String,
    lines: mpsc::Receiver<String>,
}

impl Emulator {
    /// On a free TCP port, with `--json` and `flags`.
    pub fn tcp(flags: &[&str]) -> Self {
        let mut e = Self::start(&[&["--listen", "127.0.0.1:0"], flags].concat());
        e.at = e
            .banner
            .split("tcp://")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        e
    }

    /// On a pty linked at `link`, with `--json` and `flags`.
    pub fn pty(link: &Path, flags: &[&str]) -> Self {
        let link = link.to_str().unwrap();
        let mut e = Self::start(&[&["--pty", "--link", link], flags].concat());
        e.at = link.to_string();
        e
    }

    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
            .args(["print", "emulate", "--json"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let banner = lines
            .recv_timeout(Duration::from_secs(10))
            .expect("emulator started");
        Self {
            child,
            at: String::new(),
            banner,
            lines,
        }
    }

    /// The next ticket it prints, within `within`.
    pub fn ticket(&self, within: Duration) -> Option<Value> {
        let line = self.lines.recv_timeout(within).ok()?;
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")))
    }

    /// The lines of a ticket, as strings.
    pub fn lines_of(ticket: &Value) -> Vec<String> {
        ticket["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
