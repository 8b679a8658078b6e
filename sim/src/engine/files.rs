//! The FILE commands: `AT+QFUPL`, `AT+QFDEL`, `AT+QFLST`.

use std::time::{Duration, Instant};

use super::port_mode::Upload;
use super::reply::Reply;
use super::{Module, Next};
use crate::at::Command;
use crate::error_code::CmeError;
use crate::filesystem::{Drive, FilePath};

/// `<timeout>` of `AT+QFUPL` when omitted, seconds.
const DEFAULT_UPLOAD_TIMEOUT: u32 = 5;

impl Module {
    /// `AT+QFUPL`: checks the name and room, then `CONNECT`.
    pub(crate) fn upload_file(
        &mut self,
        name: &str,
        size: u32,
        timeout: Option<u32>,
        ack: Option<bool>,
    ) -> (Reply, Next) {
        let path = match FilePath::parse(name) {
            Ok(p) => p,
            Err(e) => return (self.cme(e), Next::Command),
        };
        let size = size as usize;
        if let Err(e) = self.files.check_create(&path, size) {
            return (self.cme(e), Next::Command);
        }
        let timeout = Duration::from_secs(u64::from(timeout.unwrap_or(DEFAULT_UPLOAD_TIMEOUT)));
        let upload = Upload {
            path,
            size,
            data: Vec::with_capacity(size.min(1 << 20)),
            ack: ack.unwrap_or(false),
            timeout,
            deadline: Instant::now() + self.config.turnaround + timeout,
        };
        (Reply::result("CONNECT"), Next::Upload(upload))
    }

    pub(crate) fn execute_file(&mut self, command: Command) -> Reply {
        match command {
            Command::DeleteFile { name } => self.delete_files(&name),
            Command::ListFiles { pattern } => self.list_files(pattern.as_deref().unwrap_or("*")),
            _ => Reply::error(),
        }
    }

    fn delete_files(&mut self, name: &str) -> Reply {
        let drive = match name {
            "*" => Some(Drive::Ufs),
            n if n.eq_ignore_ascii_case("RAM:*") => Some(Drive::Ram),
            n if n.eq_ignore_ascii_case("UFS:*") => Some(Drive::Ufs),
            _ => None,
        };
        if let Some(drive) = drive {
            for (path, _) in self.files.list(drive) {
                let _ = self.files.delete(&path);
            }
            return Reply::ok();
        }
        match FilePath::parse(name).and_then(|p| self.files.delete(&p)) {
            Ok(()) => Reply::ok(),
            Err(e) => self.cme(e),
        }
    }

    fn list_files(&mut self, pattern: &str) -> Reply {
        let (drive, prefix) = match pattern.split_once(':') {
            Some((d, rest)) if d.eq_ignore_ascii_case("RAM") => (Drive::Ram, rest),
            Some((d, rest)) if d.eq_ignore_ascii_case("UFS") => (Drive::Ufs, rest),
            Some(_) => return self.cme(CmeError::OperationNotSupported),
            None => (Drive::Ufs, pattern),
        };
        let matches = |name: &str| match prefix.strip_suffix('*') {
            Some(start) => name.starts_with(start),
            None => name == prefix,
        };
        let lines: Vec<String> = self
            .files
            .list(drive)
            .into_iter()
            .filter(|(path, _)| matches(&path.name))
            .map(|(path, size)| {
                let shown = if drive == Drive::Ufs && !self.config.ufs_prefix_in_list {
                    path.name.clone()
                } else {
                    path.full()
                };
                format!("+QFLST: \"{shown}\",{size}")
            })
            .collect();
        Reply::lines(&lines)
    }
}
