//! The SSL commands: `AT+QSSLCFG`, `AT+QSSLOPEN`, `AT+QSSLSEND`,
//! `AT+QSSLRECV`, `AT+QSSLCLOSE`, `AT+QSSLSTATE`, and the access-mode
//! switches `AT+QISWTMD` and `ATO`.

use std::net::IpAddr;

use super::port_mode::Prompt;
use super::reply::Reply;
use super::state::{Socket, SocketState};
use super::{Module, Next};
use crate::at::{AccessMode, Command, SslSettingName};
use crate::error_code::QiError;
use crate::net::{build_tls_config, CloseCause, OpenRequest, TlsClient, TlsSettings};

impl Module {
    pub(crate) fn execute_ssl(&mut self, command: Command) -> Reply {
        match command {
            Command::ConfigureSsl { ctx, setting } => {
                self.ssl[usize::from(ctx)].set(setting);
                self.last_error = QiError::Success;
                Reply::ok()
            }
            Command::QuerySslConfig { ctx, name } => {
                self.last_error = QiError::Success;
                Reply::line(self.ssl_config_line(ctx, name))
            }
            Command::QueryAllCaCertEx => {
                self.last_error = QiError::Success;
                let lines: Vec<String> = (0..6)
                    .map(|ctx| self.ssl_config_line(ctx, SslSettingName::CaCertEx))
                    .collect();
                Reply::lines(&lines)
            }
            Command::TestSslConfig => {
                let lines: Vec<String> = SslSettingName::ALL
                    .iter()
                    .map(|n| format!("+QSSLCFG: \"{}\",(0-5),{}", n.wire(), n.test_ranges()))
                    .collect();
                Reply::lines(&lines)
            }
            Command::TestSslOpen => {
                Reply::line("+QSSLOPEN: (1-16),(0-5),(0-11),\"ADDRESS\",(1-65535),(0-2)".into())
            }
            Command::TestSslSend => Reply::line("+QSSLSEND: (0-11),(1-1460)".into()),
            Command::TestSslRecv => Reply::line("+QSSLRECV: (0-11),(1-1500)".into()),
            Command::TestSslClose => Reply::line("+QSSLCLOSE: (0-11),(0-65535)".into()),
            Command::TestSslState => Reply::ok(),
            Command::ReadSsl { client, length } => self.read_ssl(client, usize::from(length)),
            Command::QuerySslState { client } => {
                self.last_error = QiError::Success;
                let clients: Vec<u8> = match client {
                    Some(c) => vec![c],
                    None => (0..12).collect(),
                };
                let lines: Vec<String> = clients
                    .into_iter()
                    .filter(|&c| self.sockets[usize::from(c)].state != SocketState::Initial)
                    .map(|c| self.state_line(c))
                    .collect();
                Reply::lines(&lines)
            }
            _ => Reply::error(),
        }
    }

    fn ssl_config_line(&self, ctx: u8, name: SslSettingName) -> String {
        let value = self.ssl[usize::from(ctx)].get(name).wire_value();
        format!("+QSSLCFG: \"{}\",{ctx},{value}", name.wire())
    }

    fn state_line(&self, client: u8) -> String {
        let s = &self.sockets[usize::from(client)];
        format!(
            "+QSSLSTATE: {client},\"SSLClient\",\"{}\",{},{},{},{},{client},{},\"{}\",{}",
            s.address,
            s.port,
            s.local_port,
            s.state.wire(),
            s.pdp,
            s.mode.wire(),
            self.config.at_port,
            s.ssl_ctx
        )
    }

    /// The error a send or read on a Closing socket reports.
    fn closed_error(cause: Option<CloseCause>) -> QiError {
        match cause {
            Some(CloseCause::WriteFailed) => QiError::WriteFailed,
            Some(CloseCause::PdpLost) => QiError::PdpBrokenDown,
            _ => QiError::SocketClosed,
        }
    }

    /// `AT+QSSLOPEN`.
    pub(crate) fn open_ssl(
        &mut self,
        pdp: u8,
        ctx: u8,
        client: u8,
        address: String,
        port: u16,
        mode: AccessMode,
    ) -> (Reply, Next) {
        let transparent = mode == AccessMode::Transparent;
        let index = usize::from(client);
        if self.sockets[index].state != SocketState::Initial {
            return (self.fail(QiError::SocketInUse), Next::Command);
        }
        if !self.pdp[usize::from(pdp - 1)].active {
            return (self.fail(QiError::PdpBrokenDown), Next::Command);
        }
        if transparent && self.ssl[usize::from(ctx)].dtls {
            // Datagrams have no place in a byte stream: DTLS is buffer and
            // direct-push access only.
            return (self.fail(QiError::NotSupported), Next::Command);
        }
        let is_name = address.parse::<IpAddr>().is_err();
        let dns_busy = is_name
            && self
                .sockets
                .iter()
                .any(|s| s.resolving && s.pdp == pdp && s.state == SocketState::Opening);
        let refusal = if self.faults.wedged {
            Some(QiError::InvalidParameter)
        } else if dns_busy {
            Some(QiError::DnsBusy)
        } else {
            None
        };
        if let Some(code) = refusal {
            if transparent {
                return (self.fail(code), Next::Command);
            }
            self.last_error = code;
            self.deferred
                .push(format!("+QSSLOPEN: {client},{}", code.code()));
            return (Reply::ok(), Next::Command);
        }
        self.generation += 1;
        let request = self.open_request(pdp, ctx, client, &address, port);
        let datagram = request.datagram;
        self.sockets[index] = Socket {
            state: SocketState::Opening,
            pdp,
            ssl_ctx: ctx,
            address,
            port,
            mode,
            generation: self.generation,
            resolving: is_name,
            datagram,
            ..Socket::default()
        };
        self.pending_opens.push(request);
        self.last_error = QiError::Success;
        if transparent {
            (Reply::none(), Next::WaitConnect { client })
        } else {
            (Reply::ok(), Next::Command)
        }
    }

    fn open_request(
        &mut self,
        pdp: u8,
        ctx: u8,
        client: u8,
        address: &str,
        port: u16,
    ) -> OpenRequest {
        let ssl = &self.ssl[usize::from(ctx)];
        let file = |path: &str| -> Option<Vec<u8>> {
            if path.is_empty() {
                None
            } else {
                self.files.read_named(path).map(<[u8]>::to_vec)
            }
        };
        let ca_files: Vec<Vec<u8>> = [&ssl.ca_cert, &ssl.ca_cert_ex]
            .into_iter()
            .filter_map(|p| file(p))
            .collect();
        let tls = TlsSettings {
            ssl_version: ssl.ssl_version,
            cipher_suite: ssl.cipher_suite,
            sec_level: ssl.sec_level,
            ca_files,
            client_cert: (ssl.client_cert.clone(), file(&ssl.client_cert)),
            client_key: (ssl.client_key.clone(), file(&ssl.client_key)),
            ignore_local_time: ssl.ignore_local_time,
            ignore_chain: ssl.ignore_chain,
            ignore_signature: ssl.ignore_signature,
            sni: ssl.sni,
            alpn: ssl.alpn.clone(),
            session_cache: ssl.session_cache,
            dtls: ssl.dtls,
            dtls_version: ssl.dtls_version,
            psk_identity: ssl.psk_identity.clone(),
            psk_key: ssl.psk_key.clone(),
            renegotiation: ssl.renegotiation,
            allow_tls13: self.config.allow_tls13,
        };
        let negotiate_time = ssl.negotiate_time;
        let datagram = ssl.dtls;
        let tls = self.tls_client(ctx, tls);
        OpenRequest {
            client,
            generation: self.generation,
            address: address.to_string(),
            port,
            dns_table: self.config.dns.clone(),
            host_resolver: self.config.host_resolver,
            dns_usable: self.dns_usable(pdp),
            dns_delay: self.config.dns_delay,
            routes: self.config.routes.clone(),
            connect_timeout: self.config.connect_timeout,
            negotiate_timeout: self.config.negotiate_time_unit * u32::from(negotiate_time),
            datagram,
            tls,
            clock: self.clock.clone(),
            recv_capacity: self.config.recv_buffer,
            send_capacity: self.config.send_buffer,
        }
    }

    /// The TLS client for SSL context `ctx`, reused while its settings stay
    /// the same (so that its session cache lives on).
    fn tls_client(&mut self, ctx: u8, settings: TlsSettings) -> TlsClient {
        let slot = &mut self.tls_cache[usize::from(ctx)];
        if let Some((cached, client)) = slot {
            if *cached == settings {
                return client.clone();
            }
        }
        let client = build_tls_config(&settings);
        *slot = Some((settings, client.clone()));
        client
    }

    /// `AT+QSSLSEND`: the `> ` prompt, or `ERROR`.
    pub(crate) fn send_ssl(&mut self, client: u8, length: Option<u16>) -> (Reply, Next) {
        let socket = &self.sockets[usize::from(client)];
        let code = match socket.state {
            SocketState::Connected => None,
            SocketState::Initial => Some(QiError::NotAllowed),
            SocketState::Opening => Some(QiError::Busy),
            SocketState::Closing => Some(Self::closed_error(socket.close_cause)),
        };
        if let Some(code) = code {
            return (self.fail(code), Next::Command);
        }
        self.last_error = QiError::Success;
        (
            Reply::raw(b"\r\n> "),
            Next::Prompt(Prompt::new(client, length.map(usize::from))),
        )
    }

    /// The data of a `> ` prompt is complete: send it.
    pub(crate) fn finish_send(&mut self, client: u8, data: Vec<u8>) -> Reply {
        if self.faults.send_fail > 0 {
            self.faults.send_fail -= 1;
            self.line.recorder.note("send-fail fault");
            return Reply::result("SEND FAIL");
        }
        let socket = &self.sockets[usize::from(client)];
        if socket.state != SocketState::Connected {
            let code = Self::closed_error(socket.close_cause);
            return self.fail(code);
        }
        let Some(conn) = socket.conn.as_ref() else {
            return self.fail(QiError::SocketClosed);
        };
        if !conn.buffers.try_reserve_send(data.len()) {
            self.last_error = QiError::Success;
            return Reply::result("SEND FAIL");
        }
        conn.send(data);
        self.last_error = QiError::Success;
        Reply::result("SEND OK")
    }

    fn read_ssl(&mut self, client: u8, length: usize) -> Reply {
        let socket = &self.sockets[usize::from(client)];
        match socket.state {
            SocketState::Initial => return self.fail(QiError::NotAllowed),
            SocketState::Opening => return self.fail(QiError::Busy),
            SocketState::Connected | SocketState::Closing => {}
        }
        if socket.mode == AccessMode::DirectPush {
            return self.fail(QiError::NotAllowed);
        }
        let data = socket
            .conn
            .as_ref()
            .map(|c| c.buffers.take(length))
            .unwrap_or_default();
        if data.is_empty()
            && socket.state == SocketState::Closing
            && socket.close_cause == Some(CloseCause::ReadFailed)
        {
            return self.fail(QiError::ReadFailed);
        }
        self.last_error = QiError::Success;
        // A take shorter than asked emptied the buffer at that instant: the
        // next arrival gets a notice. (Asking the buffer afterwards would
        // race with the network thread: data landing in between would never
        // be announced.)
        if data.len() < length || socket.conn.is_none() {
            self.recv_noticed[usize::from(client)] = false;
        }
        if data.is_empty() {
            Reply::line("+QSSLRECV: 0".to_string())
        } else {
            Reply::payload(&format!("+QSSLRECV: {}", data.len()), &data)
        }
    }

    /// `AT+QISWTMD=<id>,<mode>`.
    pub(crate) fn switch_access_mode(&mut self, client: u8, mode: AccessMode) -> (Reply, Next) {
        let index = usize::from(client);
        if self.sockets[index].state != SocketState::Connected {
            return (self.fail(QiError::NotAllowed), Next::Command);
        }
        if mode == AccessMode::Transparent && self.sockets[index].datagram {
            return (self.fail(QiError::NotSupported), Next::Command);
        }
        self.sockets[index].mode = mode;
        self.recv_noticed[index] = false;
        self.last_error = QiError::Success;
        let buffered = self.sockets[index]
            .conn
            .as_ref()
            .map_or(0, |c| c.buffers.recv_len());
        match mode {
            AccessMode::Transparent => (Reply::result("CONNECT"), Next::Transparent { client }),
            AccessMode::DirectPush => {
                if buffered > 0 {
                    self.queue_push(client);
                }
                (Reply::ok(), Next::Command)
            }
            AccessMode::Buffer => {
                if buffered > 0 {
                    self.notice_recv(client);
                }
                (Reply::ok(), Next::Command)
            }
        }
    }

    /// `ATO`: back to the connection that last left transparent mode.
    pub(crate) fn return_to_data(&mut self) -> (Reply, Next) {
        match self.last_transparent {
            Some(client)
                if self.sockets[usize::from(client)].state == SocketState::Connected
                    && self.sockets[usize::from(client)].mode == AccessMode::Transparent =>
            {
                (Reply::result("CONNECT"), Next::Transparent { client })
            }
            _ => (Reply::result("NO CARRIER"), Next::Command),
        }
    }
}
