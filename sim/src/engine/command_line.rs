//! Command mode: echo, line assembly, and dispatch of a complete line to
//! the command's handler (after the armed faults had their say).

use super::reply::{cme_reply, Reply};
use super::{Module, Next};
use crate::at::{parse_command, Command, CommandGroup, ParseError};
use crate::error_code::{CmeError, QiError};

/// Longest command line kept; longer lines answer `ERROR`.
const MAX_LINE: usize = 2048;
/// Backspace, which removes the previous character of the line.
const BACKSPACE: u8 = 0x08;

impl Module {
    /// One byte in command mode.
    pub(crate) fn command_byte(&mut self, b: u8) {
        if b == b'\n' {
            self.prev_cr = false;
            return;
        }
        self.prev_cr = b == b'\r';
        if self.echo {
            self.echo_buf.push(b);
        }
        match b {
            b'\r' => {
                let line = std::mem::take(&mut self.line_buf);
                self.execute_line(&line);
            }
            BACKSPACE => {
                self.line_buf.pop();
            }
            _ => {
                if self.line_buf.len() <= MAX_LINE {
                    self.line_buf.push(b);
                }
            }
        }
    }

    fn execute_line(&mut self, raw: &[u8]) {
        let start = raw
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(raw.len());
        let end = raw
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(start, |e| e + 1);
        let line = &raw[start..end.max(start)];
        if line.is_empty() {
            return;
        }
        if self.faults.stall > 0 {
            self.faults.stall -= 1;
            self.line.recorder.note("stall fault: command swallowed");
            return;
        }
        let parsed = if line.len() > MAX_LINE {
            Err(ParseError::Unknown)
        } else {
            parse_command(line)
        };
        if let Some((count, code)) = self.faults.error_next {
            if parsed != Ok(Command::GetError) {
                self.faults.error_next = (count > 1).then_some((count - 1, code));
                self.last_error = QiError::from_code(code);
                let reply = match parsed.as_ref().map(Command::group) {
                    Ok(CommandGroup::File) => cme_reply(self.cmee, CmeError::Other(code)),
                    _ => Reply::error(),
                };
                return self.respond(reply, Next::Command);
            }
        }
        let (reply, next) = match parsed {
            Ok(command) => self.execute(command),
            Err(error) => (self.parse_failure(error), Next::Command),
        };
        self.respond(reply, next);
    }

    fn parse_failure(&mut self, error: ParseError) -> Reply {
        match error {
            ParseError::NotAt | ParseError::Unknown => Reply::error(),
            ParseError::Syntax(CommandGroup::TcpIp | CommandGroup::Ssl)
            | ParseError::OutOfRange(CommandGroup::TcpIp | CommandGroup::Ssl) => {
                self.fail(QiError::InvalidParameter)
            }
            ParseError::OutOfRange(CommandGroup::File) => {
                cme_reply(self.cmee, CmeError::InvalidInput)
            }
            ParseError::Syntax(_) | ParseError::OutOfRange(_) => Reply::error(),
        }
    }

    /// The `+CME ERROR` reply for `error` under the current `AT+CMEE`.
    pub(crate) fn cme(&self, error: CmeError) -> Reply {
        cme_reply(self.cmee, error)
    }

    /// Runs one parsed command.
    fn execute(&mut self, command: Command) -> (Reply, Next) {
        match command {
            Command::Attention => (Reply::ok(), Next::Command),
            Command::SetEcho(on) => {
                self.echo = on;
                (Reply::ok(), Next::Command)
            }
            Command::SetDtrMode(mode) => {
                self.dtr_mode = mode;
                (Reply::ok(), Next::Command)
            }
            Command::SetErrorMode(mode) => {
                self.cmee = mode;
                (Reply::ok(), Next::Command)
            }
            Command::QueryErrorMode => {
                (Reply::line(format!("+CMEE: {}", self.cmee)), Next::Command)
            }
            Command::ReturnToData => self.return_to_data(),
            Command::SwitchAccessMode { client, mode } => self.switch_access_mode(client, mode),
            Command::OpenSsl {
                pdp,
                ctx,
                client,
                address,
                port,
                mode,
            } => self.open_ssl(pdp, ctx, client, address, port, mode),
            Command::SendSsl { client, length } => self.send_ssl(client, length),
            Command::CloseSsl { client, timeout } => self.close_ssl(client, timeout),
            Command::OpenTcp {
                pdp,
                connect_id,
                address,
                port,
            } => (self.open_tcp(pdp, connect_id, address, port), Next::Command),
            Command::CloseTcp { connect_id } => (self.close_tcp(connect_id), Next::Command),
            Command::UploadFile {
                name,
                size,
                timeout,
                ack,
            } => self.upload_file(&name, size, timeout, ack),
            Command::SetFunctionality {
                fun: 1,
                reset: true,
            } => (Reply::ok(), Next::Reboot),
            other => (self.execute_simple(other), Next::Command),
        }
    }

    /// Commands that answer and leave the port in command mode.
    fn execute_simple(&mut self, command: Command) -> Reply {
        match command {
            Command::Identify
            | Command::SetFunctionality { .. }
            | Command::QueryFunctionality
            | Command::SetClock(_)
            | Command::QueryClock => self.execute_basic(command),
            Command::ConfigurePdp { .. }
            | Command::QueryPdpConfig { .. }
            | Command::ActivatePdp { .. }
            | Command::QueryPdpState
            | Command::DeactivatePdp { .. }
            | Command::ConfigureDns { .. }
            | Command::QueryDns { .. }
            | Command::ResolveHost { .. }
            | Command::GetError => self.execute_pdp(command),
            Command::DeleteFile { .. } | Command::ListFiles { .. } => self.execute_file(command),
            other => self.execute_ssl(other),
        }
    }
}
