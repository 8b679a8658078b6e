//! The AT command-line parser: one command line (without its `\r`) in, one
//! typed [`Command`] out.
//!
//! It is public so that a test can check that the bytes a driver writes parse
//! back into the values it meant. Rules, as the module applies them:
//! - the `AT` prefix and command names are case-insensitive; setting names
//!   inside quotes (`"sslversion"`) too;
//! - string parameters must be double-quoted, and there is no escape for `"`;
//! - `ciphersuite` must be unquoted hex (`0X0035` or `0x0035`);
//! - one command per line (no `;` concatenation);
//! - a value outside its range is [`ParseError::OutOfRange`], a malformed
//!   line [`ParseError::Syntax`].

mod command;
mod outcome;
mod params;
mod ssl_setting;

pub use command::{AccessMode, Command, PdpAuth, PdpType};
pub use outcome::{CommandGroup, ParseError};
pub use ssl_setting::{SslSetting, SslSettingName, ALL_CIPHER_SUITES, MODULE_CIPHER_SUITES};

use crate::clock::ClockValue;
use params::Params;

/// Longest string parameter accepted for APNs, user names, passwords, DNS
/// servers and server addresses.
const MAX_STRING: usize = 150;

/// How the part after the command name is written.
enum Form<'a> {
    /// `AT+X`
    Exec,
    /// `AT+X?`
    Read,
    /// `AT+X=?`
    Test,
    /// `AT+X=<params>`
    Write(&'a str),
}

/// Parses one command line (the bytes before the terminating `\r`).
///
/// ```
/// use quectel_sim::at::{parse_command, AccessMode, Command};
/// let cmd = parse_command(br#"AT+QSSLOPEN=1,1,4,"220.180.239.212",8010,0"#).unwrap();
/// assert_eq!(
///     cmd,
///     Command::OpenSsl {
///         pdp: 1,
///         ctx: 1,
///         client: 4,
///         address: "220.180.239.212".into(),
///         port: 8010,
///         mode: AccessMode::Buffer,
///     }
/// );
/// ```
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::Unknown)?;
    if text.len() < 2 || !text[..2].eq_ignore_ascii_case("AT") {
        return Err(ParseError::NotAt);
    }
    let body = &text[2..];
    let Some(ext) = body.strip_prefix('+') else {
        return parse_basic(body);
    };
    let name_len = ext.find(['=', '?']).unwrap_or(ext.len());
    let name = ext[..name_len].to_ascii_uppercase();
    let rest = &ext[name_len..];
    let form = match rest {
        "" => Form::Exec,
        "?" => Form::Read,
        "=?" => Form::Test,
        _ => match rest.strip_prefix('=') {
            Some(params) => Form::Write(params),
            None => return Err(ParseError::Unknown),
        },
    };
    match name.as_str() {
        "CMEE" | "CFUN" | "CCLK" => parse_3gpp(&name, form),
        "QICSGP" | "QIACT" | "QIDEACT" | "QIDNSCFG" | "QIDNSGIP" | "QIGETERROR" | "QISWTMD"
        | "QIOPEN" | "QICLOSE" => parse_tcpip(&name, form),
        "QSSLCFG" => parse_ssl_config(form),
        "QSSLOPEN" | "QSSLSEND" | "QSSLRECV" | "QSSLCLOSE" | "QSSLSTATE" => {
            parse_ssl_socket(&name, form)
        }
        "QFUPL" | "QFDEL" | "QFLST" => parse_file(&name, form),
        _ => Err(ParseError::Unknown),
    }
}

fn parse_basic(body: &str) -> Result<Command, ParseError> {
    let upper = body.to_ascii_uppercase();
    match upper.as_str() {
        "" => Ok(Command::Attention),
        "E" | "E0" => Ok(Command::SetEcho(false)),
        "E1" => Ok(Command::SetEcho(true)),
        "&D" | "&D0" => Ok(Command::SetDtrMode(0)),
        "&D1" => Ok(Command::SetDtrMode(1)),
        "&D2" => Ok(Command::SetDtrMode(2)),
        "I" | "I0" => Ok(Command::Identify),
        "O" | "O0" => Ok(Command::ReturnToData),
        _ => Err(ParseError::Unknown),
    }
}

fn write_params(form: Form<'_>, group: CommandGroup) -> Result<Params<'_>, ParseError> {
    match form {
        Form::Write(text) => Params::split(text, group),
        _ => Err(ParseError::Syntax(group)),
    }
}

fn parse_3gpp(name: &str, form: Form<'_>) -> Result<Command, ParseError> {
    let group = CommandGroup::Basic;
    match (name, form) {
        ("CMEE", Form::Read) => Ok(Command::QueryErrorMode),
        ("CFUN", Form::Read) => Ok(Command::QueryFunctionality),
        ("CCLK", Form::Read) => Ok(Command::QueryClock),
        ("CMEE", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 1)?;
            Ok(Command::SetErrorMode(p.small(0, 0, 2)?))
        }
        ("CFUN", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 2)?;
            let fun = p.small(0, 0, 4)?;
            if fun == 2 || fun == 3 {
                return Err(ParseError::OutOfRange(group));
            }
            let reset = if p.has(1) { p.flag(1)? } else { false };
            Ok(Command::SetFunctionality { fun, reset })
        }
        (_, form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 1)?;
            let text = p.string(0, 20)?;
            ClockValue::parse(&text)
                .map(Command::SetClock)
                .ok_or(ParseError::OutOfRange(group))
        }
    }
}

fn parse_tcpip(name: &str, form: Form<'_>) -> Result<Command, ParseError> {
    let group = CommandGroup::TcpIp;
    match (name, form) {
        ("QIGETERROR", Form::Exec) => Ok(Command::GetError),
        ("QIGETERROR", Form::Test) => Ok(Command::TestGetError),
        ("QIACT", Form::Read) => Ok(Command::QueryPdpState),
        ("QICSGP", form) => {
            let p = write_params(form, group)?;
            let ctx = p.small(0, 1, 16)?;
            if p.len() == 1 {
                return Ok(Command::QueryPdpConfig { ctx });
            }
            p.expect_count(3, 6)?;
            let context_type =
                PdpType::from_wire(p.small(1, 1, 3)?).ok_or(ParseError::OutOfRange(group))?;
            let apn = p.string(2, MAX_STRING)?;
            let (username, password) = if p.len() >= 5 {
                (p.string(3, MAX_STRING)?, p.string(4, MAX_STRING)?)
            } else if p.len() == 3 {
                (String::new(), String::new())
            } else {
                return Err(ParseError::Syntax(group));
            };
            let auth = if p.len() == 6 {
                PdpAuth::from_wire(p.small(5, 0, 3)?).ok_or(ParseError::OutOfRange(group))?
            } else {
                PdpAuth::None
            };
            Ok(Command::ConfigurePdp {
                ctx,
                context_type,
                apn,
                username,
                password,
                auth,
            })
        }
        ("QIACT", form) | ("QIDEACT", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 1)?;
            let ctx = p.small(0, 1, 16)?;
            Ok(if name == "QIACT" {
                Command::ActivatePdp { ctx }
            } else {
                Command::DeactivatePdp { ctx }
            })
        }
        ("QIOPEN", form) => {
            let p = write_params(form, group)?;
            p.expect_count(5, 7)?;
            if !p.string(2, 8)?.eq_ignore_ascii_case("TCP") {
                return Err(ParseError::OutOfRange(group));
            }
            Ok(Command::OpenTcp {
                pdp: p.small(0, 1, 16)?,
                connect_id: p.small(1, 0, 11)?,
                address: p.string(3, MAX_STRING)?,
                port: p.int(4, 1, 65535)? as u16,
            })
        }
        ("QICLOSE", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 2)?;
            Ok(Command::CloseTcp {
                connect_id: p.small(0, 0, 11)?,
            })
        }
        ("QIDNSCFG", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 3)?;
            let ctx = p.small(0, 1, 16)?;
            if p.len() == 1 {
                return Ok(Command::QueryDns { ctx });
            }
            let primary = p.string(1, MAX_STRING)?;
            let secondary = if p.len() == 3 {
                Some(p.string(2, MAX_STRING)?)
            } else {
                None
            };
            Ok(Command::ConfigureDns {
                ctx,
                primary,
                secondary,
            })
        }
        ("QIDNSGIP", form) => {
            let p = write_params(form, group)?;
            p.expect_count(2, 2)?;
            let ctx = p.small(0, 1, 16)?;
            let host = p.string(1, MAX_STRING)?;
            Ok(Command::ResolveHost { ctx, host })
        }
        ("QISWTMD", form) => {
            let p = write_params(form, group)?;
            p.expect_count(2, 2)?;
            let client = p.small(0, 0, 11)?;
            let mode =
                AccessMode::from_wire(p.small(1, 0, 2)?).ok_or(ParseError::OutOfRange(group))?;
            Ok(Command::SwitchAccessMode { client, mode })
        }
        _ => Err(ParseError::Syntax(group)),
    }
}

fn parse_ssl_config(form: Form<'_>) -> Result<Command, ParseError> {
    let group = CommandGroup::Ssl;
    if matches!(form, Form::Test) {
        return Ok(Command::TestSslConfig);
    }
    let p = write_params(form, group)?;
    let name_text = p.string(0, 40)?;
    let name = SslSettingName::from_wire(&name_text).ok_or(ParseError::OutOfRange(group))?;
    if p.len() == 1 {
        return if name == SslSettingName::CaCertEx {
            Ok(Command::QueryAllCaCertEx)
        } else {
            Err(ParseError::Syntax(group))
        };
    }
    let ctx = p.small(1, 0, 5)?;
    if p.len() == 2 {
        return Ok(Command::QuerySslConfig { ctx, name });
    }
    let setting = SslSetting::parse(name, &p)?;
    Ok(Command::ConfigureSsl { ctx, setting })
}

fn parse_ssl_socket(name: &str, form: Form<'_>) -> Result<Command, ParseError> {
    let group = CommandGroup::Ssl;
    match (name, form) {
        ("QSSLOPEN", Form::Test) => Ok(Command::TestSslOpen),
        ("QSSLSEND", Form::Test) => Ok(Command::TestSslSend),
        ("QSSLRECV", Form::Test) => Ok(Command::TestSslRecv),
        ("QSSLCLOSE", Form::Test) => Ok(Command::TestSslClose),
        ("QSSLSTATE", Form::Test) => Ok(Command::TestSslState),
        ("QSSLSTATE", Form::Exec) => Ok(Command::QuerySslState { client: None }),
        ("QSSLSTATE", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 1)?;
            Ok(Command::QuerySslState {
                client: Some(p.small(0, 0, 11)?),
            })
        }
        ("QSSLOPEN", form) => {
            let p = write_params(form, group)?;
            p.expect_count(5, 6)?;
            let pdp = p.small(0, 1, 16)?;
            let ctx = p.small(1, 0, 5)?;
            let client = p.small(2, 0, 11)?;
            let address = p.string(3, MAX_STRING)?;
            let port = p.int(4, 1, 65535)? as u16;
            let mode = if p.len() == 6 {
                AccessMode::from_wire(p.small(5, 0, 2)?).ok_or(ParseError::OutOfRange(group))?
            } else {
                AccessMode::Buffer
            };
            if address.is_empty() {
                return Err(ParseError::OutOfRange(group));
            }
            Ok(Command::OpenSsl {
                pdp,
                ctx,
                client,
                address,
                port,
                mode,
            })
        }
        ("QSSLSEND", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 2)?;
            let client = p.small(0, 0, 11)?;
            let length = if p.len() == 2 {
                Some(p.int(1, 1, 1460)? as u16)
            } else {
                None
            };
            Ok(Command::SendSsl { client, length })
        }
        ("QSSLRECV", form) => {
            let p = write_params(form, group)?;
            p.expect_count(2, 2)?;
            Ok(Command::ReadSsl {
                client: p.small(0, 0, 11)?,
                length: p.int(1, 1, 1500)? as u16,
            })
        }
        ("QSSLCLOSE", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 2)?;
            let client = p.small(0, 0, 11)?;
            let timeout = if p.len() == 2 {
                Some(p.int(1, 0, 65535)? as u16)
            } else {
                None
            };
            Ok(Command::CloseSsl { client, timeout })
        }
        _ => Err(ParseError::Syntax(group)),
    }
}

fn parse_file(name: &str, form: Form<'_>) -> Result<Command, ParseError> {
    let group = CommandGroup::File;
    match (name, form) {
        ("QFLST", Form::Exec) => Ok(Command::ListFiles { pattern: None }),
        ("QFLST", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 1)?;
            Ok(Command::ListFiles {
                pattern: Some(p.string(0, 1000)?),
            })
        }
        ("QFDEL", form) => {
            let p = write_params(form, group)?;
            p.expect_count(1, 1)?;
            Ok(Command::DeleteFile {
                name: p.string(0, 1000)?,
            })
        }
        ("QFUPL", form) => {
            let p = write_params(form, group)?;
            p.expect_count(2, 4)?;
            let name = p.string(0, 1000)?;
            let size = p.int(1, 1, u32::MAX)?;
            let timeout = if p.len() >= 3 {
                Some(p.int(2, 1, 65535)?)
            } else {
                None
            };
            let ack = if p.len() == 4 { Some(p.flag(3)?) } else { None };
            Ok(Command::UploadFile {
                name,
                size,
                timeout,
                ack,
            })
        }
        _ => Err(ParseError::Syntax(group)),
    }
}

#[cfg(test)]
mod tests;
