//! A socket's receive buffer and send-buffer accounting, shared by the
//! engine and the socket's network threads. For DTLS the receive buffer
//! keeps datagram boundaries: a take never spans two datagrams.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

struct State {
    recv: VecDeque<u8>,
    /// DTLS: the length of each datagram (still) in `recv`, oldest first.
    datagrams: Option<VecDeque<usize>>,
    recv_capacity: usize,
    send_pending: usize,
    send_capacity: usize,
    cancelled: bool,
}

/// The receive buffer (filled by the reader, emptied by `AT+QSSLRECV`,
/// pushes or transparent mode) and the count of bytes accepted by a send but
/// not yet handed to the network.
pub(crate) struct SocketBuffers {
    state: Mutex<State>,
    cond: Condvar,
}

impl SocketBuffers {
    pub fn new(recv_capacity: usize, send_capacity: usize, datagram: bool) -> SocketBuffers {
        SocketBuffers {
            state: Mutex::new(State {
                recv: VecDeque::new(),
                datagrams: datagram.then(VecDeque::new),
                recv_capacity,
                send_pending: 0,
                send_capacity,
                cancelled: false,
            }),
            cond: Condvar::new(),
        }
    }

    /// Free room in the receive buffer.
    pub fn recv_free(&self) -> usize {
        self.state
            .lock()
            .map(|s| s.recv_capacity.saturating_sub(s.recv.len()))
            .unwrap_or(0)
    }

    /// Bytes waiting in the receive buffer.
    pub fn recv_len(&self) -> usize {
        self.state.lock().map(|s| s.recv.len()).unwrap_or(0)
    }

    /// Whether the buffer keeps datagrams (DTLS).
    pub fn is_datagram(&self) -> bool {
        self.state
            .lock()
            .map(|s| s.datagrams.is_some())
            .unwrap_or(false)
    }

    /// Adds received bytes (for DTLS: one datagram).
    pub fn push_received(&self, data: &[u8]) {
        if let Ok(mut s) = self.state.lock() {
            s.recv.extend(data);
            if let Some(datagrams) = s.datagrams.as_mut() {
                datagrams.push_back(data.len());
            }
        }
    }

    /// Takes up to `max` bytes from the receive buffer; for DTLS at most the
    /// rest of the oldest datagram.
    pub fn take(&self, max: usize) -> Vec<u8> {
        let out = match self.state.lock() {
            Ok(mut s) => {
                let s = &mut *s;
                let mut n = max.min(s.recv.len());
                if let Some(datagrams) = s.datagrams.as_mut() {
                    // Empty datagrams are kept as such; skip past them.
                    while datagrams.front() == Some(&0) {
                        datagrams.pop_front();
                    }
                    if let Some(first) = datagrams.front_mut() {
                        n = n.min(*first);
                        *first -= n;
                        if *first == 0 {
                            datagrams.pop_front();
                        }
                    }
                }
                s.recv.drain(..n).collect()
            }
            Err(_) => Vec::new(),
        };
        self.cond.notify_all();
        out
    }

    /// Waits (at most `timeout`) until the receive buffer has room; false
    /// once cancelled.
    pub fn wait_recv_space(&self, timeout: Duration) -> bool {
        let Ok(s) = self.state.lock() else {
            return false;
        };
        let result = self.cond.wait_timeout_while(s, timeout, |s| {
            !s.cancelled && s.recv.len() >= s.recv_capacity
        });
        match result {
            Ok((s, _)) => !s.cancelled,
            Err(_) => false,
        }
    }

    /// Bytes accepted by sends and not yet written to the network.
    pub fn send_pending(&self) -> usize {
        self.state.lock().map(|s| s.send_pending).unwrap_or(0)
    }

    /// Free room in the send buffer.
    pub fn send_free(&self) -> usize {
        self.state
            .lock()
            .map(|s| s.send_capacity.saturating_sub(s.send_pending))
            .unwrap_or(0)
    }

    /// Reserves `n` bytes of the send buffer; false (nothing reserved) when
    /// they do not fit.
    pub fn try_reserve_send(&self, n: usize) -> bool {
        match self.state.lock() {
            Ok(mut s) if s.send_pending + n <= s.send_capacity => {
                s.send_pending += n;
                true
            }
            _ => false,
        }
    }

    /// Counts `n` bytes in the send buffer even past its size (transparent
    /// mode, where the host was already held back).
    pub fn force_reserve_send(&self, n: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.send_pending += n;
        }
    }

    /// Releases `n` bytes of the send buffer (written to the network).
    pub fn send_done(&self, n: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.send_pending = s.send_pending.saturating_sub(n);
        }
    }

    /// Wakes and stops the threads waiting on this buffer.
    pub fn cancel(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.cancelled = true;
        }
        self.cond.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_take_never_spans_two_datagrams() {
        let b = SocketBuffers::new(1024, 1024, true);
        b.push_received(b"first");
        b.push_received(b"second one");
        assert_eq!(b.take(1500), b"first");
        assert_eq!(b.take(3), b"sec");
        assert_eq!(b.take(1500), b"ond one");
        assert_eq!(b.take(1500), b"");
        let s = SocketBuffers::new(1024, 1024, false);
        s.push_received(b"ab");
        s.push_received(b"cd");
        assert_eq!(s.take(1500), b"abcd");
    }
}
