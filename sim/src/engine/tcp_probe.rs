//! `AT+QIOPEN` / `AT+QICLOSE` of the TCP/IP note, as far as a diagnosis
//! needs them: a plain TCP connection to a host and port, reported with
//! `+QIOPEN: <connectID>,<err>` (0, or 565 / 566 / 569), then closed. No
//! data moves through it. This is how a driver tells a closed port from a
//! server that refuses the TLS handshake, which `AT+QSSLOPEN` reports alike
//! (566).

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::AtomicBool;

use super::event::Event;
use super::reply::Reply;
use super::Module;
use crate::error_code::QiError;
use crate::net::{connect, Resolver};

/// One probe connection.
#[derive(Debug, Default)]
pub(crate) enum TcpProbe {
    /// No connection under this id.
    #[default]
    Free,
    /// Resolving and connecting.
    Connecting,
    /// Connected (kept open until `AT+QICLOSE`).
    Open(TcpStream),
    /// Failed: still takes the id until `AT+QICLOSE`, as on a module.
    Failed,
}

impl Module {
    /// `AT+QIOPEN=<ctx>,<id>,"TCP","<address>",<port>`: `OK` at once, the
    /// result later as `+QIOPEN: <id>,<err>`.
    pub(crate) fn open_tcp(&mut self, pdp: u8, id: u8, address: String, port: u16) -> Reply {
        let index = usize::from(id);
        if !matches!(self.tcp[index], TcpProbe::Free) {
            return self.fail(QiError::SocketInUse);
        }
        if !self.pdp[usize::from(pdp - 1)].active {
            return self.fail(QiError::PdpBrokenDown);
        }
        self.tcp[index] = TcpProbe::Connecting;
        let table = self.config.dns.clone();
        let routes = self.config.routes.clone();
        let host_resolver = self.config.host_resolver;
        let dns_usable = self.dns_usable(pdp);
        let timeout = self.config.connect_timeout;
        let inbox = self.inbox.clone();
        let spawned = std::thread::Builder::new()
            .name("sim-tcp-probe".into())
            .spawn(move || {
                let never = AtomicBool::new(false);
                let resolver = Resolver {
                    table: &table,
                    host_resolver,
                    dns_usable,
                    delay: std::time::Duration::ZERO,
                };
                let result = match resolver.resolve(&address, &never) {
                    Some(Ok(ip)) => {
                        let target = SocketAddr::new(ip, port);
                        let target = routes.get(&target).copied().unwrap_or(target);
                        connect(target, timeout, &never).unwrap_or(Err(QiError::ConnectFailed))
                    }
                    Some(Err(code)) => Err(code),
                    None => Err(QiError::DnsFailed),
                };
                inbox.push_event(Event::TcpProbe { id, result });
            });
        if spawned.is_err() {
            self.tcp[index] = TcpProbe::Failed;
            return self.fail(QiError::CreateSocketFailed);
        }
        self.last_error = QiError::Success;
        Reply::ok()
    }

    /// The probe `id` connected or failed.
    pub(crate) fn on_tcp_probe(&mut self, id: u8, result: Result<TcpStream, QiError>) {
        let index = usize::from(id);
        if !matches!(self.tcp[index], TcpProbe::Connecting) {
            return;
        }
        let code = match result {
            Ok(stream) => {
                self.tcp[index] = TcpProbe::Open(stream);
                0
            }
            Err(code) => {
                self.tcp[index] = TcpProbe::Failed;
                self.last_error = code;
                code.code()
            }
        };
        self.line
            .recorder
            .note(&format!("TCP probe {id}: +QIOPEN: {id},{code}"));
        self.queue_urc(format!("+QIOPEN: {id},{code}"));
    }

    /// `AT+QICLOSE=<id>`: drops the connection (`OK` also for a free id).
    pub(crate) fn close_tcp(&mut self, id: u8) -> Reply {
        let probe = std::mem::take(&mut self.tcp[usize::from(id)]);
        if let TcpProbe::Open(stream) = probe {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Reply::ok()
    }
}
