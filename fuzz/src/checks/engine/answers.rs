//! The module's answers to the engine's command lines: echo, result
//! codes, state and PDP lists, opens (with their `+QSSLOPEN` or
//! `CONNECT`), the send prompt, and `+QSSLRECV` payloads from what a
//! buffer-mode socket holds.

use super::module::{Module, Plus, Prompt, St};
use super::output::Output;

impl Module {
    /// One command line (without its CR).
    pub(super) fn command(&mut self, line: &[u8], now: u64) {
        // Whatever came before `AT` on the line (a `+++` written in command
        // mode, the ESC of a resync) is ignored, as the module does.
        let Some(start) = line.windows(2).position(|w| w.eq_ignore_ascii_case(b"AT")) else {
            return;
        };
        let cmd = &line[start..];
        self.longest_line = self.longest_line.max(cmd.len());
        let mut outs = Vec::new();
        if self.echo {
            let mut echo = cmd.to_vec();
            echo.push(b'\r');
            outs.push(Output::text(&echo));
        }
        let text = String::from_utf8_lossy(cmd).to_ascii_uppercase();
        let arg = |i: usize| -> Option<u8> {
            let args = text.split_once('=')?.1;
            args.split(',').nth(i)?.trim().parse().ok()
        };
        let ok = Output::text(b"\r\nOK\r\n");
        let error = Output::text(b"\r\nERROR\r\n");
        match text.as_str() {
            "AT" | "AT+CMEE=1" | "AT&D1" => outs.push(ok),
            "ATE0" | "ATE1" => {
                self.echo = text == "ATE1";
                outs.push(ok);
            }
            "AT+QSSLSTATE" => {
                for c in 0..12 {
                    if let Some(line) = self.state_line(c) {
                        outs.push(Output::text(line.as_bytes()));
                    }
                }
                outs.push(ok);
            }
            "AT+QIACT?" => {
                if self.pdp {
                    outs.push(Output::text(b"\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n"));
                }
                outs.push(ok);
            }
            "AT+QIACT=1" => {
                self.pdp = true;
                outs.push(ok);
            }
            "AT+QIGETERROR" => {
                outs.push(Output::text(b"\r\n+QIGETERROR: 0,operate successfully\r\n"));
                outs.push(ok);
            }
            "ATO" => match self.last_transparent {
                Some(c) if self.socks[usize::from(c)].st == St::Connected => {
                    outs.extend(self.connect(c, now));
                }
                _ => outs.push(Output::text(b"\r\nNO CARRIER\r\n")),
            },
            t if t.starts_with("AT+QSSLSTATE=") => {
                if let Some(line) = arg(0).and_then(|c| self.state_line(c)) {
                    outs.push(Output::text(line.as_bytes()));
                }
                outs.push(ok);
            }
            t if t.starts_with("AT+QFLST=") => outs.push(ok),
            t if t.starts_with("AT+QSSLOPEN=") => match (arg(2), arg(5)) {
                (Some(c), Some(mode)) if c < 12 && mode < 3 => {
                    outs.extend(self.open(c, mode, now));
                }
                _ => outs.push(error),
            },
            t if t.starts_with("AT+QSSLSEND=") => match (arg(0), arg(1)) {
                (Some(c), Some(_)) if self.can_send(c) => {
                    let owed = text
                        .rsplit(',')
                        .next()
                        .and_then(|n| n.trim().parse().ok())
                        .unwrap_or(0);
                    self.prompt = Some(Prompt {
                        client: c,
                        owed,
                        data: Vec::new(),
                    });
                    outs.push(Output::text(b"\r\n> "));
                }
                _ => outs.push(error),
            },
            t if t.starts_with("AT+QSSLRECV=") => {
                let want = text
                    .rsplit(',')
                    .next()
                    .and_then(|n| n.trim().parse::<usize>().ok());
                match (arg(0), want) {
                    (Some(c), Some(want)) => outs.push(self.recv(c, want)),
                    _ => outs.push(error),
                }
            }
            t if t.starts_with("AT+QSSLCLOSE=") => {
                if let Some(c) = arg(0).filter(|&c| c < 12) {
                    let sock = &mut self.socks[usize::from(c)];
                    self.ledger.closed |= 1 << c;
                    sock.st = St::Initial;
                    sock.gen = None;
                    sock.held.clear();
                }
                outs.push(ok);
            }
            t if t.starts_with("AT+QISWTMD=") => match (arg(0), arg(1)) {
                (Some(c), Some(mode)) if c < 12 && mode < 3 => {
                    if self.socks[usize::from(c)].st != St::Connected {
                        outs.push(error);
                    } else if mode == 2 {
                        outs.extend(self.connect(c, now));
                    } else {
                        self.socks[usize::from(c)].mode = mode;
                        outs.push(ok);
                    }
                }
                _ => outs.push(error),
            },
            _ => outs.push(error),
        }
        self.answer(outs, now);
    }

    /// `+QSSLSTATE` of socket `c`, if it is not Initial.
    fn state_line(&self, c: u8) -> Option<String> {
        let sock = self.socks.get(usize::from(c))?;
        (sock.st != St::Initial).then(|| {
            format!(
                "\r\n+QSSLSTATE: {c},\"SSLClient\",\"1.2.3.4\",443,5000,{},1,0,{},\"uart1\",0\r\n",
                sock.st as u8, sock.mode
            )
        })
    }

    fn can_send(&self, c: u8) -> bool {
        self.socks
            .get(usize::from(c))
            .is_some_and(|s| s.st == St::Connected && s.mode != 2)
    }

    /// `AT+QSSLOPEN`: the answer, and the `+QSSLOPEN` URC after it.
    fn open(&mut self, c: u8, mode: u8, now: u64) -> Vec<Output> {
        if self.socks[usize::from(c)].st != St::Initial {
            return vec![Output::text(b"\r\nERROR\r\n")];
        }
        let code = if self.pdp {
            std::mem::take(&mut self.open_code)
        } else {
            561
        };
        let sock = &mut self.socks[usize::from(c)];
        sock.mode = mode;
        sock.held.clear();
        if code == 0 {
            sock.st = St::Connected;
            sock.gen = Some(self.ledger.open(c));
            self.ledger.closed_before |= self.ledger.closed & (1 << c);
            self.ledger.closed &= !(1 << c);
        }
        if mode == 2 {
            return if code == 0 {
                self.connect(c, now)
            } else {
                vec![Output::text(b"\r\nERROR\r\n")]
            };
        }
        self.ledger.opened.push((c, code));
        let urc = format!("\r\n+QSSLOPEN: {c},{code}\r\n");
        vec![Output::text(b"\r\nOK\r\n"), Output::text(urc.as_bytes())]
    }

    /// `CONNECT`: the port carries socket `c` from now on.
    /// What a buffer-mode socket held comes right after, as raw data.
    fn connect(&mut self, c: u8, now: u64) -> Vec<Output> {
        self.transparent = Some(c);
        self.last_transparent = Some(c);
        self.plus = Plus::default();
        // The guard time before `+++` counts from here at the earliest.
        self.quiet_since = self.quiet_since.max(now + self.latency);
        let sock = &mut self.socks[usize::from(c)];
        sock.mode = 2;
        let mut outs = vec![Output::text(b"\r\nCONNECT\r\n")];
        if !sock.held.is_empty() {
            // (What the peer sent for buffer mode: made fit for transparent
            // mode, where `NO CARRIER` is the module's.)
            let mut held: Vec<u8> = sock.held.drain(..).collect();
            super::input::make_raw(&mut held);
            outs.push(Output::raw(&held, sock.gen));
        }
        outs
    }

    /// `AT+QSSLRECV=<c>,<want>`: what the module holds, up to `want`.
    fn recv(&mut self, c: u8, want: usize) -> Output {
        let Some(sock) = self.socks.get_mut(usize::from(c)) else {
            return Output::text(b"\r\nERROR\r\n");
        };
        if !matches!(sock.st, St::Connected | St::Closing) || sock.mode != 0 {
            return Output::text(b"\r\nERROR\r\n");
        }
        let n = sock.held.len().min(want).min(1500);
        if n == 0 {
            return Output::text(b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
        }
        let data: Vec<u8> = sock.held.drain(..n).collect();
        Output::recv(&data, sock.gen)
    }
}
