//! The bytes between OpenSSL and the network, in memory.
//!
//! OpenSSL reads the peer's records from a [`MemIo`] and writes its own
//! records into it; the socket's threads move them to and from the real
//! socket. So the TLS state's lock is never held across a blocking socket
//! call: a peer that stops reading cannot stall the reader, and the reader
//! and the writer share one OpenSSL connection. For DTLS every read and
//! every write is one datagram.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

/// TLS record content type of an alert.
pub(crate) const ALERT_RECORD: u8 = 21;

/// In-memory transport of one OpenSSL connection.
#[derive(Debug, Default)]
pub(crate) struct MemIo {
    datagrams: bool,
    incoming: VecDeque<Vec<u8>>,
    outgoing: Vec<Vec<u8>>,
    eof: bool,
    first_byte: Option<u8>,
}

impl MemIo {
    /// A byte stream (TLS over TCP).
    pub fn stream() -> MemIo {
        MemIo::default()
    }

    /// Datagrams (DTLS over UDP).
    pub fn datagrams() -> MemIo {
        MemIo {
            datagrams: true,
            ..MemIo::default()
        }
    }

    /// Bytes (or one datagram) from the peer.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.first_byte.is_none() {
            self.first_byte = bytes.first().copied();
        }
        if !bytes.is_empty() || self.datagrams {
            self.incoming.push_back(bytes.to_vec());
        }
    }

    /// The peer closed its side (TCP FIN).
    pub fn set_eof(&mut self) {
        self.eof = true;
    }

    /// The first byte the peer ever sent: the content type of its first
    /// record (an alert, when it refused the ClientHello outright).
    pub fn first_byte(&self) -> Option<u8> {
        self.first_byte
    }

    /// Whether OpenSSL has written something for the peer.
    pub fn has_outgoing(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// What OpenSSL wrote for the peer: for DTLS one entry per datagram.
    pub fn take_outgoing(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.outgoing)
    }
}

impl Read for MemIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(front) = self.incoming.front_mut() else {
            return if self.eof {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        };
        let n = buf.len().min(front.len());
        buf[..n].copy_from_slice(&front[..n]);
        if self.datagrams || n == front.len() {
            // A datagram is read whole or its rest is lost, as from a UDP
            // socket.
            self.incoming.pop_front();
        } else {
            front.drain(..n);
        }
        Ok(n)
    }
}

impl Write for MemIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.outgoing.last_mut() {
            Some(last) if !self.datagrams => last.extend_from_slice(buf),
            _ => self.outgoing.push(buf.to_vec()),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_reads_across_feeds_and_blocks_when_empty() {
        let mut io = MemIo::stream();
        io.feed(b"abc");
        io.feed(b"de");
        let mut buf = [0u8; 4];
        assert_eq!(io.read(&mut buf).unwrap(), 3);
        assert_eq!(io.read(&mut buf[..1]).unwrap(), 1);
        assert_eq!(io.read(&mut buf).unwrap(), 1);
        assert_eq!(
            io.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        io.set_eof();
        assert_eq!(io.read(&mut buf).unwrap(), 0);
        assert_eq!(io.first_byte(), Some(b'a'));
    }

    #[test]
    fn datagrams_keep_their_boundaries() {
        let mut io = MemIo::datagrams();
        io.feed(b"one");
        io.feed(b"three");
        let mut buf = [0u8; 16];
        assert_eq!(io.read(&mut buf).unwrap(), 3);
        assert_eq!(io.read(&mut buf).unwrap(), 5);
        io.write_all(b"x").unwrap();
        io.write_all(b"yz").unwrap();
        assert_eq!(io.take_outgoing(), vec![b"x".to_vec(), b"yz".to_vec()]);
        let mut stream = MemIo::stream();
        stream.write_all(b"x").unwrap();
        stream.write_all(b"yz").unwrap();
        assert_eq!(stream.take_outgoing(), vec![b"xyz".to_vec()]);
    }
}
