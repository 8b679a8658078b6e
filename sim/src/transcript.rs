//! The transcript: every byte that crossed the line, with its direction and
//! time, and a formatter that shows binary safely.

use std::fmt;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Which way bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the host (driver) to the module, as the host wrote them.
    ToModule,
    /// From the module to the host, as the host receives them (after any
    /// injected line fault).
    ToHost,
    /// A note from the simulator (fault injected, connection event).
    Note,
}

/// One write on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// Direction.
    pub direction: Direction,
    /// Time since the simulator started.
    pub at: Duration,
    /// The bytes (for a note, its UTF-8 text).
    pub bytes: Vec<u8>,
}

/// A list of entries; its `Display` renders one entry per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The entries, oldest first.
    pub entries: Vec<TranscriptEntry>,
}

impl Transcript {
    /// Every byte sent in one direction, concatenated.
    pub fn bytes(&self, direction: Direction) -> Vec<u8> {
        self.entries
            .iter()
            .filter(|e| e.direction == direction)
            .flat_map(|e| e.bytes.iter().copied())
            .collect()
    }
}

/// Longest payload shown whole; longer ones keep their head and tail.
const SHOW_WHOLE: usize = 160;
const SHOW_HEAD: usize = 96;
const SHOW_TAIL: usize = 32;

/// Renders bytes readably: printable ASCII as is, `\r` `\n` visible, `\` as
/// `\\`, any other byte as `<0x1A>`; runs longer than 160 bytes are cut to
/// their first 96 and last 32 bytes around `<... N bytes ...>`.
pub fn render_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    if bytes.len() > SHOW_WHOLE {
        push_escaped(&mut out, &bytes[..SHOW_HEAD]);
        let hidden = bytes.len() - SHOW_HEAD - SHOW_TAIL;
        out.push_str(&format!("<... {hidden} bytes ...>"));
        push_escaped(&mut out, &bytes[bytes.len() - SHOW_TAIL..]);
    } else {
        push_escaped(&mut out, bytes);
    }
    out
}

fn push_escaped(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("<0x{b:02X}>")),
        }
    }
}

impl fmt::Display for TranscriptEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.at.as_secs_f64();
        match self.direction {
            Direction::ToModule => write!(f, "[{secs:9.3}] host -> {}", render_bytes(&self.bytes)),
            Direction::ToHost => write!(f, "[{secs:9.3}] host <- {}", render_bytes(&self.bytes)),
            Direction::Note => write!(
                f,
                "[{secs:9.3}] ------ {}",
                String::from_utf8_lossy(&self.bytes)
            ),
        }
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            writeln!(f, "{entry}")?;
        }
        Ok(())
    }
}

/// Collects entries (if enabled) and mirrors them to a log file.
pub(crate) struct Recorder {
    start: Instant,
    enabled: bool,
    entries: Mutex<Vec<TranscriptEntry>>,
    log: Mutex<Option<File>>,
}

impl Recorder {
    pub fn new(enabled: bool, log_path: Option<&Path>) -> std::io::Result<Recorder> {
        let log = match log_path {
            Some(path) => Some(File::create(path)?),
            None => None,
        };
        Ok(Recorder {
            start: Instant::now(),
            enabled,
            entries: Mutex::new(Vec::new()),
            log: Mutex::new(log),
        })
    }

    pub fn record(&self, direction: Direction, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let entry = TranscriptEntry {
            direction,
            at: self.start.elapsed(),
            bytes: bytes.to_vec(),
        };
        if let Ok(mut log) = self.log.lock() {
            if let Some(file) = log.as_mut() {
                let _ = writeln!(file, "{entry}");
            }
        }
        if self.enabled {
            if let Ok(mut entries) = self.entries.lock() {
                entries.push(entry);
            }
        }
    }

    pub fn note(&self, text: &str) {
        self.record(Direction::Note, text.as_bytes());
    }

    pub fn snapshot(&self) -> Transcript {
        Transcript {
            entries: self.entries.lock().map(|e| e.clone()).unwrap_or_default(),
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_binary_safely() {
        assert_eq!(render_bytes(b"AT\r\n> \x1a\\"), "AT\\r\\n> <0x1A>\\\\");
        let long = vec![b'x'; 300];
        let shown = render_bytes(&long);
        assert!(shown.contains("<... 172 bytes ...>"));
        assert_eq!(shown.len(), 96 + 32 + "<... 172 bytes ...>".len());
    }
}
