//! `ATI`, `AT+CFUN`, `AT+CCLK`.

use super::reply::Reply;
use super::Module;
use crate::at::Command;

/// What `ATI` prints.
const IDENTITY: [&str; 3] = ["Quectel", "EC25", "Revision: EC25EFAR06A06M4G"];

impl Module {
    pub(crate) fn execute_basic(&mut self, command: Command) -> Reply {
        match command {
            Command::Identify => Reply::lines(&IDENTITY.map(String::from)),
            Command::SetFunctionality { fun: 1, .. } => Reply::ok(),
            Command::SetFunctionality { .. } => Reply::error(),
            Command::QueryFunctionality => Reply::line("+CFUN: 1".to_string()),
            Command::SetClock(value) => {
                self.clock.set(value);
                Reply::ok()
            }
            Command::QueryClock => Reply::line(format!("+CCLK: \"{}\"", self.clock.now())),
            _ => Reply::error(),
        }
    }
}
