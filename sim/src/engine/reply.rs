//! Responses as the module frames them: a list of units (a line, a line with
//! its payload, a final result) so that a URC can be put between two units
//! but never inside one.

use crate::error_code::CmeError;

/// A response to one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reply {
    pub units: Vec<Vec<u8>>,
}

impl Reply {
    /// No response at all.
    pub fn none() -> Reply {
        Reply::default()
    }

    /// A final result alone: `\r\n<text>\r\n`.
    pub fn result(text: &str) -> Reply {
        Reply {
            units: vec![format!("\r\n{text}\r\n").into_bytes()],
        }
    }

    /// `\r\nOK\r\n`.
    pub fn ok() -> Reply {
        Reply::result("OK")
    }

    /// `\r\nERROR\r\n`.
    pub fn error() -> Reply {
        Reply::result("ERROR")
    }

    /// Information lines then a final result:
    /// `\r\n<l1>\r\n<l2>\r\n\r\n<final>\r\n`; with no lines, the final
    /// result alone.
    pub fn lines_then(lines: &[String], final_result: &str) -> Reply {
        let mut units: Vec<Vec<u8>> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                if i == 0 {
                    format!("\r\n{line}\r\n").into_bytes()
                } else {
                    format!("{line}\r\n").into_bytes()
                }
            })
            .collect();
        units.push(format!("\r\n{final_result}\r\n").into_bytes());
        Reply { units }
    }

    /// Information lines then `OK`.
    pub fn lines(lines: &[String]) -> Reply {
        Reply::lines_then(lines, "OK")
    }

    /// One information line then `OK`.
    pub fn line(line: String) -> Reply {
        Reply::lines(&[line])
    }

    /// `\r\n<header>\r\n<payload>\r\n` then `\r\nOK\r\n`.
    pub fn payload(header: &str, payload: &[u8]) -> Reply {
        let mut unit = format!("\r\n{header}\r\n").into_bytes();
        unit.extend_from_slice(payload);
        unit.extend_from_slice(b"\r\n");
        Reply {
            units: vec![unit, b"\r\nOK\r\n".to_vec()],
        }
    }

    /// Raw bytes as one unit (the `\r\n> ` prompt).
    pub fn raw(bytes: &[u8]) -> Reply {
        Reply {
            units: vec![bytes.to_vec()],
        }
    }

    /// Appends the units of `other`.
    pub fn then(mut self, other: Reply) -> Reply {
        self.units.extend(other.units);
        self
    }

    /// Puts a URC after `after` units (at most before the last one).
    pub fn insert_urc(&mut self, text: &str, after: usize) {
        if self.units.is_empty() {
            return;
        }
        let at = after.min(self.units.len() - 1);
        self.units
            .insert(at, format!("\r\n{text}\r\n").into_bytes());
    }

    /// All bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.units.concat()
    }
}

/// The `+CME ERROR` reply for `error` under `AT+CMEE=<mode>`.
pub(crate) fn cme_reply(mode: u8, error: CmeError) -> Reply {
    match mode {
        0 => Reply::error(),
        2 => match error.verbose_text() {
            Some(text) => Reply::result(&format!("+CME ERROR: {text}")),
            None => Reply::result(&format!("+CME ERROR: {}", error.code())),
        },
        _ => Reply::result(&format!("+CME ERROR: {}", error.code())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        assert_eq!(Reply::ok().bytes(), b"\r\nOK\r\n");
        assert_eq!(
            Reply::lines(&[
                "+QFLST: \"RAM:a.pem\",10".into(),
                "+QFLST: \"RAM:b.pem\",20".into()
            ])
            .bytes(),
            b"\r\n+QFLST: \"RAM:a.pem\",10\r\n+QFLST: \"RAM:b.pem\",20\r\n\r\nOK\r\n"
        );
        assert_eq!(Reply::lines(&[]).bytes(), b"\r\nOK\r\n");
        assert_eq!(
            Reply::payload("+QSSLRECV: 3", b"abc").bytes(),
            b"\r\n+QSSLRECV: 3\r\nabc\r\n\r\nOK\r\n"
        );
    }

    #[test]
    fn urc_goes_between_units() {
        let mut r = Reply::line("+QIACT: 1,1,1,\"10.7.157.1\"".into());
        r.insert_urc("+QSSLURC: \"recv\",1", 1);
        assert_eq!(
            r.bytes(),
            b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\n+QSSLURC: \"recv\",1\r\n\r\nOK\r\n"
        );
        let mut r = Reply::ok();
        r.insert_urc("X", 5);
        assert_eq!(r.bytes(), b"\r\nX\r\n\r\nOK\r\n");
    }

    #[test]
    fn cme_modes() {
        assert_eq!(cme_reply(0, CmeError::NotFound).bytes(), b"\r\nERROR\r\n");
        assert_eq!(
            cme_reply(1, CmeError::NotFound).bytes(),
            b"\r\n+CME ERROR: 405\r\n"
        );
        assert_eq!(
            cme_reply(2, CmeError::NotFound).bytes(),
            b"\r\n+CME ERROR: 405\r\n"
        );
        assert_eq!(
            cme_reply(2, CmeError::OperationNotSupported).bytes(),
            b"\r\n+CME ERROR: operation not supported\r\n"
        );
    }
}
