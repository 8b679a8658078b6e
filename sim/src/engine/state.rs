//! The module's state that commands read and change: sockets, PDP contexts
//! and SSL contexts.

use crate::at::{AccessMode, PdpAuth, PdpType, SslSetting, SslSettingName, ALL_CIPHER_SUITES};
use crate::config::DefaultsProfile;
use crate::net::{CloseCause, Connection, HandshakeInfo};

/// `<socket_state>` of `+QSSLSTATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SocketState {
    /// 0: not in use.
    #[default]
    Initial,
    /// 1: TCP connect or TLS handshake under way.
    Opening,
    /// 2: connected.
    Connected,
    /// 4: closed by the peer or the network; `AT+QSSLCLOSE` frees it.
    Closing,
}

impl SocketState {
    /// The wire value (0, 1, 2, 4).
    pub fn wire(self) -> u8 {
        match self {
            SocketState::Initial => 0,
            SocketState::Opening => 1,
            SocketState::Connected => 2,
            SocketState::Closing => 4,
        }
    }
}

/// A snapshot of one socket, for tests ([`crate::SimHandle::socket`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketInfo {
    /// `<clientID>`.
    pub client: u8,
    /// State.
    pub state: SocketState,
    /// Server address as given to `AT+QSSLOPEN`.
    pub address: String,
    /// Server port.
    pub port: u16,
    /// Local TCP port (0 until connected).
    pub local_port: u16,
    /// PDP context.
    pub pdp: u8,
    /// SSL context.
    pub ssl_ctx: u8,
    /// Access mode.
    pub mode: AccessMode,
    /// Bytes waiting in the receive buffer.
    pub recv_buffered: usize,
    /// Bytes accepted by sends and not yet on the network.
    pub send_buffered: usize,
    /// What the handshake negotiated (once connected).
    pub handshake: Option<HandshakeInfo>,
    /// Why the socket went to Closing.
    pub close_cause: Option<CloseCause>,
}

/// One of the 12 sockets.
#[derive(Default)]
pub(crate) struct Socket {
    pub state: SocketState,
    pub pdp: u8,
    pub ssl_ctx: u8,
    pub address: String,
    pub port: u16,
    pub mode: AccessMode,
    pub local_port: u16,
    pub generation: u64,
    pub conn: Option<Connection>,
    pub close_cause: Option<CloseCause>,
    pub handshake: Option<HandshakeInfo>,
    pub resolving: bool,
    /// A DTLS socket (datagrams over UDP).
    pub datagram: bool,
}

impl Socket {
    pub fn info(&self, client: u8) -> SocketInfo {
        SocketInfo {
            client,
            state: self.state,
            address: self.address.clone(),
            port: self.port,
            local_port: self.local_port,
            pdp: self.pdp,
            ssl_ctx: self.ssl_ctx,
            mode: self.mode,
            recv_buffered: self.conn.as_ref().map_or(0, |c| c.buffers.recv_len()),
            send_buffered: self.conn.as_ref().map_or(0, |c| c.buffers.send_pending()),
            handshake: self.handshake.clone(),
            close_cause: self.close_cause,
        }
    }
}

/// `AT+QICSGP` settings of a PDP context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PdpConfig {
    pub context_type: PdpType,
    pub apn: String,
    pub username: String,
    pub password: String,
    pub auth: PdpAuth,
}

/// One of the 16 PDP contexts.
#[derive(Debug, Clone, Default)]
pub(crate) struct PdpContext {
    pub config: Option<PdpConfig>,
    pub active: bool,
    pub dns: (String, String),
}

/// DNS servers a context gets from the network on activation.
pub(crate) const NETWORK_DNS: (&str, &str) = ("10.7.0.1", "10.7.0.2");

/// The 19 settings of one SSL context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SslContextConfig {
    pub ssl_version: u8,
    pub cipher_suite: u16,
    pub ca_cert: String,
    pub ca_cert_ex: String,
    pub client_cert: String,
    pub client_key: String,
    pub sec_level: u8,
    pub ignore_local_time: bool,
    pub negotiate_time: u16,
    pub sni: bool,
    pub close_time_mode: bool,
    pub ignore_chain: bool,
    pub ignore_signature: bool,
    pub psk_identity: String,
    pub psk_key: String,
    pub dtls: bool,
    pub dtls_version: u8,
    pub session_cache: bool,
    pub alpn: String,
    pub renegotiation: bool,
}

impl SslContextConfig {
    /// The defaults of a profile.
    pub fn defaults(profile: DefaultsProfile) -> SslContextConfig {
        let real = profile == DefaultsProfile::RealFirmware;
        SslContextConfig {
            ssl_version: 4,
            cipher_suite: ALL_CIPHER_SUITES,
            ca_cert: String::new(),
            ca_cert_ex: String::new(),
            client_cert: String::new(),
            client_key: String::new(),
            sec_level: 0,
            ignore_local_time: real,
            negotiate_time: 300,
            sni: !real,
            close_time_mode: false,
            ignore_chain: false,
            ignore_signature: false,
            psk_identity: String::new(),
            psk_key: String::new(),
            dtls: false,
            dtls_version: 0,
            session_cache: false,
            alpn: String::new(),
            renegotiation: false,
        }
    }

    /// The current value of one setting.
    pub fn get(&self, name: SslSettingName) -> SslSetting {
        match name {
            SslSettingName::SslVersion => SslSetting::SslVersion(self.ssl_version),
            SslSettingName::CipherSuite => SslSetting::CipherSuite(self.cipher_suite),
            SslSettingName::CaCert => SslSetting::CaCert(self.ca_cert.clone()),
            SslSettingName::CaCertEx => SslSetting::CaCertEx(self.ca_cert_ex.clone()),
            SslSettingName::ClientCert => SslSetting::ClientCert(self.client_cert.clone()),
            SslSettingName::ClientKey => SslSetting::ClientKey(self.client_key.clone()),
            SslSettingName::SecLevel => SslSetting::SecLevel(self.sec_level),
            SslSettingName::IgnoreLocalTime => SslSetting::IgnoreLocalTime(self.ignore_local_time),
            SslSettingName::NegotiateTime => SslSetting::NegotiateTime(self.negotiate_time),
            SslSettingName::Sni => SslSetting::Sni(self.sni),
            SslSettingName::CloseTimeMode => SslSetting::CloseTimeMode(self.close_time_mode),
            SslSettingName::IgnoreMultiCertChainVerify => {
                SslSetting::IgnoreMultiCertChainVerify(self.ignore_chain)
            }
            SslSettingName::IgnoreInvalidCertSign => {
                SslSetting::IgnoreInvalidCertSign(self.ignore_signature)
            }
            SslSettingName::Psk => SslSetting::Psk {
                identity: self.psk_identity.clone(),
                key: self.psk_key.clone(),
            },
            SslSettingName::Dtls => SslSetting::Dtls(self.dtls),
            SslSettingName::DtlsVersion => SslSetting::DtlsVersion(self.dtls_version),
            SslSettingName::SessionCache => SslSetting::SessionCache(self.session_cache),
            SslSettingName::Alpn => SslSetting::Alpn(self.alpn.clone()),
            SslSettingName::Renegotiation => SslSetting::Renegotiation(self.renegotiation),
        }
    }

    /// Changes one setting.
    pub fn set(&mut self, setting: SslSetting) {
        match setting {
            SslSetting::SslVersion(v) => self.ssl_version = v,
            SslSetting::CipherSuite(c) => self.cipher_suite = c,
            SslSetting::CaCert(p) => self.ca_cert = p,
            SslSetting::CaCertEx(p) => self.ca_cert_ex = p,
            SslSetting::ClientCert(p) => self.client_cert = p,
            SslSetting::ClientKey(p) => self.client_key = p,
            SslSetting::SecLevel(v) => self.sec_level = v,
            SslSetting::IgnoreLocalTime(b) => self.ignore_local_time = b,
            SslSetting::NegotiateTime(t) => self.negotiate_time = t,
            SslSetting::Sni(b) => self.sni = b,
            SslSetting::CloseTimeMode(b) => self.close_time_mode = b,
            SslSetting::IgnoreMultiCertChainVerify(b) => self.ignore_chain = b,
            SslSetting::IgnoreInvalidCertSign(b) => self.ignore_signature = b,
            SslSetting::Psk { identity, key } => {
                self.psk_identity = identity;
                self.psk_key = key;
            }
            SslSetting::Dtls(b) => self.dtls = b,
            SslSetting::DtlsVersion(v) => self.dtls_version = v,
            SslSetting::SessionCache(b) => self.session_cache = b,
            SslSetting::Alpn(a) => self.alpn = a,
            SslSetting::Renegotiation(b) => self.renegotiation = b,
        }
    }
}
