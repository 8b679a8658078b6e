//! The `embedded-nal-async` side's state in the shared part (feature
//! `nal`): the pool of receive buffers its connections take, and the names
//! it resolved, by address.

use core::net::IpAddr;

use crate::types::HostName;

/// Names remembered per address.
const NAMES: usize = 4;

/// The stack's pool of receive buffers and the names it resolved.
#[derive(Default)]
pub(crate) struct NalState<'a> {
    pool: heapless::Vec<&'a mut [u8], 12>,
    /// Bit `i`: client `i`'s buffer came from the pool.
    pub pooled: u16,
    names: heapless::Deque<(IpAddr, heapless::String<{ HostName::MAX_LEN }>), NAMES>,
}

impl<'a> NalState<'a> {
    /// Lend `buffer` to the pool (dropped if twelve are there already).
    pub fn lend(&mut self, buffer: &'a mut [u8]) {
        let _ = self.pool.push(buffer);
    }

    /// `client`'s buffer is back: to the pool if it came from there.
    pub fn returned(&mut self, client: crate::types::ClientId, buffer: Option<&'a mut [u8]>) {
        let bit = 1 << client.index();
        if self.pooled & bit != 0 {
            self.pooled &= !bit;
            if let Some(buffer) = buffer {
                self.lend(buffer);
            }
        }
    }

    pub fn take(&mut self) -> Option<&'a mut [u8]> {
        self.pool.pop()
    }

    pub fn remember(&mut self, addr: IpAddr, name: &str) {
        let Ok(name) = heapless::String::try_from(name) else {
            return;
        };
        if let Some(i) = self.names.iter().position(|(a, _)| *a == addr) {
            // Forget the old entry; the new one goes to the back.
            for _ in 0..i {
                if let Some(e) = self.names.pop_front() {
                    let _ = self.names.push_back(e);
                }
            }
            self.names.pop_front();
            for _ in i..self.names.len() {
                if let Some(e) = self.names.pop_front() {
                    let _ = self.names.push_back(e);
                }
            }
        }
        if self.names.is_full() {
            self.names.pop_front();
        }
        let _ = self.names.push_back((addr, name));
    }

    pub fn name_of(&self, addr: IpAddr) -> Option<heapless::String<{ HostName::MAX_LEN }>> {
        self.names
            .iter()
            .rev()
            .find(|(a, _)| *a == addr)
            .map(|(_, n)| n.clone())
    }
}
