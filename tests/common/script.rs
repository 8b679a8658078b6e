//! A scripted module: checks every byte the driver writes against the
//! script and answers with the script's bytes. Time is simulated: it moves
//! only when the engine waits, so timeouts are exact and instant.

use std::collections::VecDeque;

use embedded_io::{ErrorType, Read, ReadReady, Write};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::CountingTimer;
use quectel_ssl::*;

/// One step of a conversation.
#[derive(Debug, Clone)]
pub enum Step {
    /// The driver must write exactly these bytes next.
    Expect(Vec<u8>),
    /// The module sends these bytes (once the expectations before are met).
    Reply(Vec<u8>),
    /// The driver writes the resync's probe, `AT+QFLST="RAM:sync-<16 hex
    /// digits>"` CR (the nonce is the engine's own): the module, its echo
    /// on, echoes the line and answers `OK`.
    Probe,
    /// As [`Step::Probe`], but these bytes reach the driver between the
    /// probe and its echo (what a misframed payload still held).
    ProbeAfter(Vec<u8>),
    /// The driver writes a resync probe, which the module does not see (it
    /// is in transparent mode: the peer gets the line).
    LostProbe,
    /// The driver writes any one command line (up to its CR): the module
    /// answers `OK`.
    AnyOk,
    /// The driver writes any number of command lines starting with these
    /// bytes (a whole configuration): the module answers `OK` to each.
    /// The step ends at the first line that starts otherwise.
    AllOk(Vec<u8>),
}

/// The probe line up to its nonce.
const PROBE_PREFIX: &[u8] = b"AT+QFLST=\"RAM:sync-";
/// The whole probe line: prefix, 16 hex digits, quote, CR.
const PROBE_LEN: usize = PROBE_PREFIX.len() + 16 + 2;

/// `Expect` the command line `line` (CR added).
pub fn cmd(line: &str) -> Step {
    Step::Expect(format!("{line}\r").into_bytes())
}

/// `Expect` raw bytes.
pub fn data(bytes: &[u8]) -> Step {
    Step::Expect(bytes.to_vec())
}

/// `Reply` with module bytes.
pub fn reply(bytes: &[u8]) -> Step {
    Step::Reply(bytes.to_vec())
}

/// `Reply` `\r\nOK\r\n`.
pub fn ok() -> Step {
    reply(b"\r\nOK\r\n")
}

/// The mock port.
#[derive(Debug, Default)]
pub struct ScriptPort {
    steps: VecDeque<Step>,
    rx: VecDeque<u8>,
    written: Vec<u8>,
    /// Every byte the driver wrote, in order.
    pub all_written: Vec<u8>,
    /// Bytes the port takes before it is full (writes take 0 bytes):
    /// `None`, no limit.
    pub accept: Option<usize>,
    /// Most bytes one read hands over (`None`: all it can).
    pub read_chunk: Option<usize>,
    /// `read_ready` says yes even with nothing to read (a HAL that cannot
    /// tell); a read then hands over 0 bytes.
    pub always_ready: bool,
}

impl ScriptPort {
    pub fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        let mut port = Self {
            steps: steps.into_iter().collect(),
            ..Self::default()
        };
        port.release_replies();
        port
    }

    /// Add steps at the end of the script.
    pub fn push(&mut self, steps: impl IntoIterator<Item = Step>) {
        self.steps.extend(steps);
        self.release_replies();
    }

    /// The script is played to the end and every reply was read.
    pub fn done(&self) -> bool {
        self.steps.is_empty() && self.rx.is_empty() && self.written.is_empty()
    }

    /// What is left of the script (for failure messages).
    pub fn remaining(&self) -> &VecDeque<Step> {
        &self.steps
    }

    fn release_replies(&mut self) {
        while let Some(Step::Reply(bytes)) = self.steps.front() {
            self.rx.extend(bytes.iter().copied());
            self.steps.pop_front();
        }
    }

    fn check_written(&mut self) {
        loop {
            if let Some(Step::Probe | Step::LostProbe | Step::ProbeAfter(_)) = self.steps.front() {
                let n = PROBE_PREFIX.len().min(self.written.len());
                assert_eq!(
                    String::from_utf8_lossy(&self.written[..n]),
                    String::from_utf8_lossy(&PROBE_PREFIX[..n]),
                    "driver wrote unexpected bytes (a resync probe is due)"
                );
                if self.written.len() < PROBE_LEN {
                    return;
                }
                let line: Vec<u8> = self.written.drain(..PROBE_LEN).collect();
                assert!(
                    line[PROBE_PREFIX.len()..PROBE_LEN - 2]
                        .iter()
                        .all(u8::is_ascii_hexdigit)
                        && line.ends_with(b"\"\r"),
                    "not a probe: {:?}",
                    String::from_utf8_lossy(&line)
                );
                match self.steps.pop_front() {
                    Some(Step::Probe) => {
                        self.rx.extend(line);
                        self.rx.extend(b"\r\nOK\r\n");
                    }
                    Some(Step::ProbeAfter(before)) => {
                        self.rx.extend(before);
                        self.rx.extend(line);
                        self.rx.extend(b"\r\nOK\r\n");
                    }
                    _ => {}
                }
                self.release_replies();
                continue;
            }
            if let Some(Step::AllOk(prefix)) = self.steps.front() {
                let n = prefix.len().min(self.written.len());
                if self.written[..n] != prefix[..n] {
                    self.steps.pop_front();
                    self.release_replies();
                    continue;
                }
                let Some(end) = self.written.iter().position(|&b| b == b'\r') else {
                    return;
                };
                self.written.drain(..=end);
                self.rx.extend(b"\r\nOK\r\n");
                continue;
            }
            if let Some(Step::AnyOk) = self.steps.front() {
                let Some(end) = self.written.iter().position(|&b| b == b'\r') else {
                    return;
                };
                self.written.drain(..=end);
                self.steps.pop_front();
                self.rx.extend(b"\r\nOK\r\n");
                self.release_replies();
                continue;
            }
            let Some(Step::Expect(want)) = self.steps.front() else {
                break;
            };
            let n = want.len().min(self.written.len());
            assert_eq!(
                String::from_utf8_lossy(&self.written[..n]),
                String::from_utf8_lossy(&want[..n]),
                "driver wrote unexpected bytes"
            );
            if self.written.len() < want.len() {
                return;
            }
            let want_len = want.len();
            self.written.drain(..want_len);
            self.steps.pop_front();
            self.release_replies();
        }
        assert!(
            self.written.is_empty(),
            "driver wrote {:?} with nothing expected",
            String::from_utf8_lossy(&self.written)
        );
    }
}

impl ErrorType for ScriptPort {
    type Error = embedded_io::ErrorKind;
}

impl Read for ScriptPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf
            .len()
            .min(self.rx.len())
            .min(self.read_chunk.unwrap_or(usize::MAX));
        for (dst, src) in buf.iter_mut().zip(self.rx.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
}

impl ReadReady for ScriptPort {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        Ok(self.always_ready || !self.rx.is_empty())
    }
}

impl Write for ScriptPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = self.accept.map_or(buf.len(), |left| left.min(buf.len()));
        if let Some(left) = self.accept.as_mut() {
            *left -= n;
        }
        let buf = &buf[..n];
        self.written.extend_from_slice(buf);
        self.all_written.extend_from_slice(buf);
        self.check_written();
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A delay that returns at once: with [`CountingTimer`] it makes a clock
/// that moves only when the engine waits.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWait;

impl embedded_hal::delay::DelayNs for NoWait {
    fn delay_ns(&mut self, _: u32) {}
}

/// Simulated time.
pub fn sim_time() -> CountingTimer<NoWait> {
    CountingTimer::new(NoWait)
}

// ----- scripted sessions ---------------------------------------------------

pub type TestModem<'r> = Modem<'r, ScriptPort, CountingTimer<NoWait>>;

pub fn modem<'r>(steps: impl IntoIterator<Item = Step>) -> TestModem<'r> {
    Modem::new(ScriptPort::new(steps), sim_time())
}

pub fn open_cmd(client: u8, mode: AccessMode) -> OpenSslSocket<'static> {
    OpenSslSocket::new(
        PdpContextId::new(1).unwrap(),
        SslContextId::new(0).unwrap(),
        ClientId::new(client).unwrap(),
        HostName::new("example.com").unwrap(),
        443,
        mode,
    )
    .unwrap()
}

pub fn assert_done(m: TestModem<'_>) {
    let (port, _) = m.release();
    assert!(
        port.done(),
        "script not played to the end: {:?}",
        port.remaining()
    );
}

/// Steps that open socket `client` in buffer mode.
pub fn opened(client: u8) -> Vec<Step> {
    opened_in(client, AccessMode::Buffer)
}

/// Steps that open socket `client` in buffer or direct-push mode.
pub fn opened_in(client: u8, mode: AccessMode) -> Vec<Step> {
    let mode = match mode {
        AccessMode::Buffer => 0,
        AccessMode::DirectPush => 1,
        other => unreachable!("{other:?} opens answer CONNECT"),
    };
    vec![
        cmd(&format!(
            "AT+QSSLOPEN=1,0,{client},\"example.com\",443,{mode}"
        )),
        ok(),
        reply(format!("\r\n+QSSLOPEN: {client},0\r\n").as_bytes()),
    ]
}

/// `+QSSLSTATE` of a connected socket in `mode` (0 buffer, 1 push).
pub fn state_line(client: u8, mode: u8) -> String {
    format!("+QSSLSTATE: {client},\"SSLClient\",\"1.2.3.4\",443,5000,2,1,0,{mode},\"uart1\",0")
}

/// The resync the engine runs after a framing doubt, before any other
/// command: `ATE1` (its answer dropped), the probe whose echo ends the
/// quarantine, `ATE0`, then the module's report of its sockets (`states`,
/// `+QSSLSTATE` lines) and active PDP contexts (`pdp`, `+QIACT` lines).
pub fn resync(states: &[String], pdp: &[&str]) -> Vec<Step> {
    let answer = |lines: Vec<String>| {
        let mut text: String = lines.iter().map(|l| format!("\r\n{l}\r\n")).collect();
        text.push_str("\r\nOK\r\n");
        reply(text.as_bytes())
    };
    vec![
        data(b"\rATE1\r"),
        ok(),
        Step::Probe,
        cmd("ATE0"),
        reply(b"ATE0\r\r\nOK\r\n"),
        cmd("AT+QSSLSTATE"),
        answer(states.to_vec()),
        cmd("AT+QIACT?"),
        answer(pdp.iter().map(|p| p.to_string()).collect()),
    ]
}

/// `AT+QIGETERROR` answered "operate successfully": a command after a
/// doubt runs the resync first, then gets this answer of its own.
pub fn last_error_steps() -> [Step; 2] {
    [
        cmd("AT+QIGETERROR"),
        reply(b"\r\n+QIGETERROR: 0,operate successfully\r\n\r\nOK\r\n"),
    ]
}

/// A direct push of `data` for socket `client`: its announcement, the
/// data and the line end.
pub fn push_frame(client: u8, data: &[u8]) -> Vec<u8> {
    let mut out = format!("\r\n+QSSLURC: \"recv\",{client},{}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// What follows a send's late `> ` for buffer-mode socket `client`, run
/// by the next command (`AT+QIGETERROR`): the prompt cancelled (ESC, the
/// module's `SEND FAIL`), then the resync, then that command's answer.
pub fn late_prompt_cancelled(client: u8) -> Vec<Step> {
    let mut steps = vec![data(&[0x1B]), reply(b"\r\nSEND FAIL\r\n")];
    steps.extend(resync(&[state_line(client, 0)], &[]));
    steps.extend(last_error_steps());
    steps
}

/// A read of `sock` polled at most `polls` times (`None`: still waiting;
/// a blocking read would wait for ever for data that never comes).
pub fn read_polled(
    m: &mut TestModem<'_>,
    sock: SocketHandle,
    buf: &mut [u8],
    polls: usize,
) -> Option<Result<usize, Error>> {
    let mut read = quectel_ssl::modem::ops::Receive::new(sock, buf);
    (0..polls).find_map(|_| match m.poll_op(&mut read) {
        Err(nb::Error::WouldBlock) => None,
        Err(nb::Error::Other(e)) => Some(Err(e)),
        Ok(n) => Some(Ok(n)),
    })
}
