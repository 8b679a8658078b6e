//! The typed commands the simulator understands.

use super::outcome::CommandGroup;
use super::ssl_setting::{SslSetting, SslSettingName};
use crate::clock::ClockValue;

/// `<access_mode>` of an SSL socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccessMode {
    /// 0: buffer access mode (`+QSSLURC: "recv",<id>`, then `AT+QSSLRECV`).
    #[default]
    Buffer,
    /// 1: direct push mode (`+QSSLURC: "recv",<id>,<len>` + data).
    DirectPush,
    /// 2: transparent access mode (`CONNECT`, raw bytes).
    Transparent,
}

impl AccessMode {
    /// The wire value.
    pub fn wire(self) -> u8 {
        match self {
            AccessMode::Buffer => 0,
            AccessMode::DirectPush => 1,
            AccessMode::Transparent => 2,
        }
    }

    /// From the wire value (0..=2).
    pub fn from_wire(value: u8) -> Option<AccessMode> {
        match value {
            0 => Some(AccessMode::Buffer),
            1 => Some(AccessMode::DirectPush),
            2 => Some(AccessMode::Transparent),
            _ => None,
        }
    }
}

/// `<context_type>` of a PDP context (`AT+QICSGP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdpType {
    /// 1: IPv4.
    Ipv4,
    /// 2: IPv6.
    Ipv6,
    /// 3: IPv4v6.
    Ipv4v6,
}

impl PdpType {
    /// The wire value.
    pub fn wire(self) -> u8 {
        match self {
            PdpType::Ipv4 => 1,
            PdpType::Ipv6 => 2,
            PdpType::Ipv4v6 => 3,
        }
    }

    /// From the wire value (1..=3).
    pub fn from_wire(value: u8) -> Option<PdpType> {
        match value {
            1 => Some(PdpType::Ipv4),
            2 => Some(PdpType::Ipv6),
            3 => Some(PdpType::Ipv4v6),
            _ => None,
        }
    }
}

/// `<authentication>` of a PDP context (`AT+QICSGP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdpAuth {
    /// 0: none.
    None,
    /// 1: PAP.
    Pap,
    /// 2: CHAP.
    Chap,
    /// 3: PAP or CHAP.
    PapOrChap,
}

impl PdpAuth {
    /// The wire value.
    pub fn wire(self) -> u8 {
        match self {
            PdpAuth::None => 0,
            PdpAuth::Pap => 1,
            PdpAuth::Chap => 2,
            PdpAuth::PapOrChap => 3,
        }
    }

    /// From the wire value (0..=3).
    pub fn from_wire(value: u8) -> Option<PdpAuth> {
        match value {
            0 => Some(PdpAuth::None),
            1 => Some(PdpAuth::Pap),
            2 => Some(PdpAuth::Chap),
            3 => Some(PdpAuth::PapOrChap),
            _ => None,
        }
    }
}

/// One command line, parsed. Each variant's doc gives its wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `AT` — answers OK.
    Attention,
    /// `ATE0` / `ATE1` — echo off / on.
    SetEcho(bool),
    /// `AT&D0` / `AT&D1` / `AT&D2` — on DTR ON→OFF: nothing / leave
    /// transparent mode, keeping the connection / leave it and close the
    /// connection (vendor AT commands manual, V.25ter).
    SetDtrMode(u8),
    /// `ATI` — module identification.
    Identify,
    /// `ATO` — return to the connection that last left transparent mode.
    ReturnToData,
    /// `AT+CMEE=<n>` — `+CME ERROR` format: 0 plain, 1 numeric, 2 text.
    SetErrorMode(u8),
    /// `AT+CMEE?`.
    QueryErrorMode,
    /// `AT+CFUN=<fun>[,<rst>]` — only `fun` 1 is modelled; `rst` 1 reboots.
    SetFunctionality {
        /// `<fun>` (0, 1 or 4).
        fun: u8,
        /// `<rst>`: reset the module first.
        reset: bool,
    },
    /// `AT+CFUN?`.
    QueryFunctionality,
    /// `AT+CCLK="yy/MM/dd,hh:mm:ss±zz"` — set the module clock.
    SetClock(ClockValue),
    /// `AT+CCLK?`.
    QueryClock,
    /// `AT+QICSGP=<ctx>,<type>,"<apn>"[,"<user>","<pass>"[,<auth>]]`.
    ConfigurePdp {
        /// `<contextID>` 1..=16.
        ctx: u8,
        /// `<context_type>`.
        context_type: PdpType,
        /// `<APN>`.
        apn: String,
        /// `<username>`.
        username: String,
        /// `<password>`.
        password: String,
        /// `<authentication>`.
        auth: PdpAuth,
    },
    /// `AT+QICSGP=<ctx>` — query a PDP context's configuration.
    QueryPdpConfig {
        /// `<contextID>` 1..=16.
        ctx: u8,
    },
    /// `AT+QIACT=<ctx>` — activate a PDP context.
    ActivatePdp {
        /// `<contextID>` 1..=16.
        ctx: u8,
    },
    /// `AT+QIACT?` — list the active PDP contexts.
    QueryPdpState,
    /// `AT+QIDEACT=<ctx>` — deactivate a PDP context.
    DeactivatePdp {
        /// `<contextID>` 1..=16.
        ctx: u8,
    },
    /// `AT+QIOPEN=<ctx>,<connectID>,"TCP","<address>",<port>[,<local_port>[,<access_mode>]]`
    /// — a plain TCP connection (the TCP/IP note); the simulator connects
    /// and reports, no data moves.
    OpenTcp {
        /// `<contextID>` 1..=16.
        pdp: u8,
        /// `<connectID>` 0..=11.
        connect_id: u8,
        /// `<IP_address>/<domain_name>`.
        address: String,
        /// `<remote_port>`.
        port: u16,
    },
    /// `AT+QICLOSE=<connectID>[,<timeout>]`.
    CloseTcp {
        /// `<connectID>` 0..=11.
        connect_id: u8,
    },
    /// `AT+QIDNSCFG=<ctx>,"<pri>"[,"<sec>"]`.
    ConfigureDns {
        /// `<contextID>` 1..=16.
        ctx: u8,
        /// Primary DNS server.
        primary: String,
        /// Secondary DNS server.
        secondary: Option<String>,
    },
    /// `AT+QIDNSCFG=<ctx>` — query the DNS servers.
    QueryDns {
        /// `<contextID>` 1..=16.
        ctx: u8,
    },
    /// `AT+QIDNSGIP=<ctx>,"<hostname>"` — look a name up; the result
    /// comes as `+QIURC: "dnsgip"` URCs.
    ResolveHost {
        /// `<contextID>` 1..=16.
        ctx: u8,
        /// The name.
        host: String,
    },
    /// `AT+QIGETERROR` — the error of the last TCP/IP or SSL command.
    GetError,
    /// `AT+QIGETERROR=?` — answers `OK` (vendor TCP/IP manual).
    TestGetError,
    /// `AT+QISWTMD=<clientID>,<access_mode>` — switch a socket's access mode.
    SwitchAccessMode {
        /// `<clientID>` 0..=11.
        client: u8,
        /// The new mode.
        mode: AccessMode,
    },
    /// `AT+QSSLCFG="<name>",<ctx>,<value...>` — set one SSL context setting.
    ConfigureSsl {
        /// `<SSL_ctxID>` 0..=5.
        ctx: u8,
        /// The setting and its value.
        setting: SslSetting,
    },
    /// `AT+QSSLCFG="<name>",<ctx>` — query one setting.
    QuerySslConfig {
        /// `<SSL_ctxID>` 0..=5.
        ctx: u8,
        /// Which setting.
        name: SslSettingName,
    },
    /// `AT+QSSLCFG="cacertex"` — list `cacertex` of all 6 contexts.
    QueryAllCaCertEx,
    /// `AT+QSSLCFG=?`.
    TestSslConfig,
    /// `AT+QSSLOPEN=<pdp>,<ctx>,<clientID>,"<addr>",<port>[,<mode>]`.
    OpenSsl {
        /// `<PDP_ctxID>` 1..=16.
        pdp: u8,
        /// `<SSL_ctxID>` 0..=5.
        ctx: u8,
        /// `<clientID>` 0..=11.
        client: u8,
        /// `<serveraddr>`: IP literal or host name.
        address: String,
        /// `<server_port>` 1..=65535.
        port: u16,
        /// `<access_mode>` (default buffer).
        mode: AccessMode,
    },
    /// `AT+QSSLOPEN=?`.
    TestSslOpen,
    /// `AT+QSSLSEND=<clientID>[,<sendlen>]` — variable (no length, Ctrl+Z
    /// terminated) or fixed-length (1..=1460) send.
    SendSsl {
        /// `<clientID>` 0..=11.
        client: u8,
        /// `<sendlen>`.
        length: Option<u16>,
    },
    /// `AT+QSSLSEND=?`.
    TestSslSend,
    /// `AT+QSSLRECV=<clientID>,<readlen>` (1..=1500).
    ReadSsl {
        /// `<clientID>` 0..=11.
        client: u8,
        /// `<readlen>`.
        length: u16,
    },
    /// `AT+QSSLRECV=?`.
    TestSslRecv,
    /// `AT+QSSLCLOSE=<clientID>[,<close_timeout>]`.
    CloseSsl {
        /// `<clientID>` 0..=11.
        client: u8,
        /// `<close_timeout>` 0..=65535.
        timeout: Option<u16>,
    },
    /// `AT+QSSLCLOSE=?`.
    TestSslClose,
    /// `AT+QSSLSTATE` (all sockets) / `AT+QSSLSTATE=<clientID>`.
    QuerySslState {
        /// One socket, or all when `None`.
        client: Option<u8>,
    },
    /// `AT+QSSLSTATE=?`.
    TestSslState,
    /// `AT+QFUPL="<name>",<size>[,<timeout>[,<ackmode>]]` — upload a file.
    UploadFile {
        /// `<filename>` as written (`RAM:cacert.pem`).
        name: String,
        /// `<file_size>` in bytes (≥ 1).
        size: u32,
        /// `<timeout>` in seconds (default 5).
        timeout: Option<u32>,
        /// `<ackmode>`: `A` after every 1024 bytes.
        ack: Option<bool>,
    },
    /// `AT+QFDEL="<name>"` — delete a file (`*` / `RAM:*`: every file).
    DeleteFile {
        /// `<filename>`.
        name: String,
    },
    /// `AT+QFLST[="<pattern>"]` — list files (`*`, `RAM:*`, or one name).
    ListFiles {
        /// The pattern (default `*`).
        pattern: Option<String>,
    },
}

impl Command {
    /// The command group (decides the error format: FILE commands answer
    /// `+CME ERROR`, TCP/IP and SSL commands set `AT+QIGETERROR`).
    pub fn group(&self) -> CommandGroup {
        match self {
            Command::Attention
            | Command::SetEcho(_)
            | Command::SetDtrMode(_)
            | Command::Identify
            | Command::ReturnToData
            | Command::SetErrorMode(_)
            | Command::QueryErrorMode
            | Command::SetFunctionality { .. }
            | Command::QueryFunctionality
            | Command::SetClock(_)
            | Command::QueryClock => CommandGroup::Basic,
            Command::ConfigurePdp { .. }
            | Command::QueryPdpConfig { .. }
            | Command::ActivatePdp { .. }
            | Command::QueryPdpState
            | Command::DeactivatePdp { .. }
            | Command::ConfigureDns { .. }
            | Command::QueryDns { .. }
            | Command::ResolveHost { .. }
            | Command::GetError
            | Command::TestGetError
            | Command::SwitchAccessMode { .. } => CommandGroup::TcpIp,
            Command::UploadFile { .. } | Command::DeleteFile { .. } | Command::ListFiles { .. } => {
                CommandGroup::File
            }
            _ => CommandGroup::Ssl,
        }
    }
}
