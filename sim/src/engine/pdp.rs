//! PDP contexts and the TCP/IP error: `AT+QICSGP`, `AT+QIACT`,
//! `AT+QIDEACT`, `AT+QIDNSCFG`, `AT+QIDNSGIP`, `AT+QIGETERROR`.

use std::net::IpAddr;

use super::reply::Reply;
use super::state::{PdpConfig, SocketState, NETWORK_DNS};
use super::Module;
use crate::at::{Command, PdpAuth, PdpType};
use crate::error_code::QiError;

impl Module {
    pub(crate) fn execute_pdp(&mut self, command: Command) -> Reply {
        match command {
            Command::GetError => {
                let e = self.last_error;
                Reply::line(format!("+QIGETERROR: {},{}", e.code(), e.description()))
            }
            Command::ConfigurePdp {
                ctx,
                context_type,
                apn,
                username,
                password,
                auth,
            } => {
                self.pdp[usize::from(ctx - 1)].config = Some(PdpConfig {
                    context_type,
                    apn,
                    username,
                    password,
                    auth,
                });
                self.last_error = QiError::Success;
                Reply::ok()
            }
            Command::QueryPdpConfig { ctx } => {
                self.last_error = QiError::Success;
                let line = match &self.pdp[usize::from(ctx - 1)].config {
                    Some(c) => format!(
                        "+QICSGP: {},\"{}\",\"{}\",\"{}\",{}",
                        c.context_type.wire(),
                        c.apn,
                        c.username,
                        c.password,
                        c.auth.wire()
                    ),
                    None => format!(
                        "+QICSGP: {},\"\",\"\",\"\",{}",
                        PdpType::Ipv4.wire(),
                        PdpAuth::None.wire()
                    ),
                };
                Reply::line(line)
            }
            Command::ActivatePdp { ctx } => self.activate(ctx),
            Command::QueryPdpState => {
                let lines: Vec<String> = (1..=16u8)
                    .filter(|&ctx| self.pdp[usize::from(ctx - 1)].active)
                    .map(|ctx| {
                        let kind = self.pdp[usize::from(ctx - 1)]
                            .config
                            .as_ref()
                            .map_or(1, |c| c.context_type.wire());
                        format!("+QIACT: {ctx},1,{kind},\"{}\"", self.config.address_of(ctx))
                    })
                    .collect();
                self.last_error = QiError::Success;
                Reply::lines(&lines)
            }
            Command::DeactivatePdp { ctx } => {
                self.drop_sockets_of(ctx);
                self.pdp[usize::from(ctx - 1)].active = false;
                self.last_error = QiError::Success;
                Reply::ok()
            }
            Command::ConfigureDns {
                ctx,
                primary,
                secondary,
            } => {
                let pdp = &mut self.pdp[usize::from(ctx - 1)];
                if !pdp.active {
                    return self.fail(QiError::NotAllowed);
                }
                pdp.dns.0 = primary;
                if let Some(secondary) = secondary {
                    pdp.dns.1 = secondary;
                }
                self.last_error = QiError::Success;
                Reply::ok()
            }
            Command::QueryDns { ctx } => {
                let pdp = &self.pdp[usize::from(ctx - 1)];
                if !pdp.active {
                    return self.fail(QiError::NotAllowed);
                }
                let line = format!("+QIDNSCFG: {ctx},\"{}\",\"{}\"", pdp.dns.0, pdp.dns.1);
                self.last_error = QiError::Success;
                Reply::line(line)
            }
            Command::ResolveHost { ctx, host } => self.resolve_host(ctx, &host),
            _ => Reply::error(),
        }
    }

    /// `AT+QIDNSGIP`: `OK`, then the result as URCs (one address: the
    /// simulator's table or the host's resolver, as an open would).
    fn resolve_host(&mut self, ctx: u8, host: &str) -> Reply {
        if !self.pdp[usize::from(ctx - 1)].active {
            return self.fail(QiError::PdpBrokenDown);
        }
        let resolver = crate::net::Resolver {
            table: &self.config.dns,
            host_resolver: self.config.host_resolver,
            dns_usable: self.dns_usable(ctx),
            delay: std::time::Duration::ZERO,
        };
        let never = std::sync::atomic::AtomicBool::new(false);
        match resolver.resolve(host, &never) {
            Some(Ok(ip)) => {
                self.deferred.push("+QIURC: \"dnsgip\",0,1,600".to_string());
                self.deferred.push(format!("+QIURC: \"dnsgip\",\"{ip}\""));
            }
            Some(Err(code)) => {
                self.deferred
                    .push(format!("+QIURC: \"dnsgip\",{}", code.code()));
            }
            None => {}
        }
        self.last_error = QiError::Success;
        Reply::ok()
    }

    fn activate(&mut self, ctx: u8) -> Reply {
        let index = usize::from(ctx - 1);
        let Some(config) = self.pdp[index].config.clone() else {
            return self.fail(QiError::ApnNotConfigured);
        };
        if self.pdp[index].active {
            return self.fail(QiError::NotAllowed);
        }
        if self
            .config
            .rejected_apns
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&config.apn))
        {
            return self.fail(QiError::OpenPdpFailed);
        }
        let pdp = &mut self.pdp[index];
        pdp.active = true;
        pdp.dns = (NETWORK_DNS.0.to_string(), NETWORK_DNS.1.to_string());
        self.last_error = QiError::Success;
        Reply::ok()
    }

    /// Whether names can be resolved on `ctx` (at least one DNS server is a
    /// usable address).
    pub(crate) fn dns_usable(&self, ctx: u8) -> bool {
        let pdp = &self.pdp[usize::from(ctx - 1)];
        [&pdp.dns.0, &pdp.dns.1]
            .iter()
            .any(|s| s.parse::<IpAddr>().is_ok_and(|ip| !ip.is_unspecified()))
    }

    /// `AT+QIDEACT`: every socket of the context is dropped (no URC).
    fn drop_sockets_of(&mut self, ctx: u8) {
        for client in 0..12u8 {
            let socket = &self.sockets[usize::from(client)];
            if socket.state != SocketState::Initial && socket.pdp == ctx {
                self.free_socket(client);
            }
        }
    }
}
