//! The module's socket under the TLS layer: a TCP connection (TLS) or a
//! connected UDP socket (DTLS), with the few operations the socket threads
//! need from either.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use socket2::SockRef;

/// Largest datagram the module takes from the network.
const MAX_DATAGRAM: usize = 65_536;

/// A TCP stream or a connected UDP socket.
#[derive(Debug)]
pub(crate) enum Transport {
    /// TLS runs over TCP.
    Tcp(TcpStream),
    /// DTLS runs over UDP.
    Udp(UdpSocket),
}

impl Transport {
    /// A UDP socket bound to an ephemeral port and connected to `target`
    /// (UDP has no handshake: an unreachable peer shows on the first read).
    pub fn udp(target: SocketAddr) -> io::Result<Transport> {
        let local: SocketAddr = if target.is_ipv4() {
            "0.0.0.0:0".parse().map_err(io::Error::other)?
        } else {
            "[::]:0".parse().map_err(io::Error::other)?
        };
        let socket = UdpSocket::bind(local)?;
        socket.connect(target)?;
        Ok(Transport::Udp(socket))
    }

    /// A second handle on the same socket.
    pub fn try_clone(&self) -> io::Result<Transport> {
        Ok(match self {
            Transport::Tcp(s) => Transport::Tcp(s.try_clone()?),
            Transport::Udp(s) => Transport::Udp(s.try_clone()?),
        })
    }

    /// How long a read waits before it reports a timeout.
    pub fn set_read_timeout(&self, timeout: Duration) {
        let _ = match self {
            Transport::Tcp(s) => s.set_read_timeout(Some(timeout)),
            Transport::Udp(s) => s.set_read_timeout(Some(timeout)),
        };
    }

    /// The local port.
    pub fn local_port(&self) -> u16 {
        let addr = match self {
            Transport::Tcp(s) => s.local_addr(),
            Transport::Udp(s) => s.local_addr(),
        };
        addr.map(|a| a.port()).unwrap_or(0)
    }

    /// Reads what the peer sent: bytes of the stream (`Ok(None)` at its
    /// end), or one datagram.
    pub fn recv(&self) -> io::Result<Option<Vec<u8>>> {
        match self {
            Transport::Tcp(s) => {
                let mut buf = vec![0u8; 16 * 1024];
                let n = (&*s).read(&mut buf)?;
                if n == 0 {
                    return Ok(None);
                }
                buf.truncate(n);
                Ok(Some(buf))
            }
            Transport::Udp(s) => {
                let mut buf = vec![0u8; MAX_DATAGRAM];
                let n = s.recv(&mut buf)?;
                buf.truncate(n);
                Ok(Some(buf))
            }
        }
    }

    /// Sends what OpenSSL wrote: bytes of the stream, or one datagram per
    /// entry.
    pub fn send(&self, chunks: &[Vec<u8>]) -> io::Result<()> {
        for chunk in chunks {
            match self {
                Transport::Tcp(s) => (&*s).write_all(chunk)?,
                Transport::Udp(s) => {
                    s.send(chunk)?;
                }
            }
        }
        Ok(())
    }

    /// Ends the sending side (TCP FIN after the data); nothing for UDP.
    pub fn shutdown_write(&self) {
        if let Transport::Tcp(s) = self {
            let _ = s.shutdown(Shutdown::Write);
        }
    }

    /// Wakes and ends every blocked read and write on this socket.
    pub fn shutdown(&self) {
        let _ = match self {
            Transport::Tcp(s) => s.shutdown(Shutdown::Both),
            Transport::Udp(s) => SockRef::from(s).shutdown(Shutdown::Both),
        };
    }

    /// Drops the connection with a TCP reset: data not yet sent is lost.
    pub fn reset(&self) {
        if let Transport::Tcp(s) = self {
            let _ = SockRef::from(s).set_linger(Some(Duration::ZERO));
        }
        self.shutdown();
    }
}

/// Whether an I/O error only means "nothing yet".
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
