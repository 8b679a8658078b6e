//! A host serial port (`serial2`) as the driver's port: `embedded_io`
//! `Read`, `Write` and `ReadReady`.

use std::io;
use std::path::Path;
use std::time::Duration;

/// A serial device (a USB modem's AT port, or the simulator's PTY), with a
/// small read-ahead buffer so that `read_ready` can look without blocking.
pub struct SerialPort {
    port: serial2::SerialPort,
    ahead: Box<[u8; 4096]>,
    start: usize,
    end: usize,
}

/// How long a blocking `read` waits before looking again.
const READ_WAIT: Duration = Duration::from_millis(100);

impl SerialPort {
    /// Open `path` at `baud` (8N1, raw). What the device sent before is
    /// dropped: a `RDY` kept since the module booted would read as a reboot
    /// during the first command.
    pub fn open(path: impl AsRef<Path>, baud: u32) -> io::Result<Self> {
        let port = serial2::SerialPort::open(path, baud)?;
        port.discard_input_buffer()?;
        Ok(Self {
            port,
            ahead: Box::new([0; 4096]),
            start: 0,
            end: 0,
        })
    }

    /// Read what the device has into the read-ahead buffer, waiting up to
    /// `wait`; `false` if nothing came.
    fn fill(&mut self, wait: Duration) -> io::Result<bool> {
        if self.start < self.end {
            return Ok(true);
        }
        self.port.set_read_timeout(wait)?;
        match self.port.read(&mut self.ahead[..]) {
            // Readable but nothing to read: the device hung up.
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                self.start = 0;
                self.end = n;
                Ok(true)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}

impl embedded_io::ErrorType for SerialPort {
    type Error = io::Error;
}

impl embedded_io::ReadReady for SerialPort {
    fn read_ready(&mut self) -> io::Result<bool> {
        self.fill(Duration::ZERO)
    }
}

impl embedded_io::Read for SerialPort {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while !self.fill(READ_WAIT)? {}
        let n = (self.end - self.start).min(buf.len());
        buf[..n].copy_from_slice(&self.ahead[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

impl embedded_io::Write for SerialPort {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.port.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                result => return result,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.port.flush()
    }
}
