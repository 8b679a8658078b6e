//! Name resolution: IP literals as is, then the configured table, then the
//! host's resolver.

use std::collections::HashMap;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error_code::QiError;

/// Where a name lookup may look.
pub(crate) struct Resolver<'a> {
    pub table: &'a HashMap<String, IpAddr>,
    pub host_resolver: bool,
    pub dns_usable: bool,
    pub delay: Duration,
}

impl Resolver<'_> {
    /// Resolves `address`; 565 when the name is unknown or the context's DNS
    /// servers are unusable. `None` when cancelled meanwhile.
    pub fn resolve(&self, address: &str, cancel: &AtomicBool) -> Option<Result<IpAddr, QiError>> {
        if let Ok(ip) = address.parse::<IpAddr>() {
            return Some(Ok(ip));
        }
        let until = Instant::now() + self.delay;
        while Instant::now() < until {
            if cancel.load(Ordering::SeqCst) {
                return None;
            }
            std::thread::sleep(
                until
                    .saturating_duration_since(Instant::now())
                    .min(Duration::from_millis(10)),
            );
        }
        if !self.dns_usable {
            return Some(Err(QiError::DnsFailed));
        }
        if let Some(ip) = self.table.get(&address.to_ascii_lowercase()) {
            return Some(Ok(*ip));
        }
        if self.host_resolver {
            if let Ok(addrs) = (address, 0u16).to_socket_addrs() {
                let addrs: Vec<_> = addrs.map(|a| a.ip()).collect();
                if let Some(ip) = addrs.iter().find(|ip| ip.is_ipv4()).or(addrs.first()) {
                    return Some(Ok(*ip));
                }
            }
        }
        Some(Err(QiError::DnsFailed))
    }
}
