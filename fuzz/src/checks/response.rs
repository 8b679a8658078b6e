//! `response_parsers`: every command's answer parser, directly and through
//! the engine and atat paths.

use std::fmt::Debug;

use atat::{AtatCmd, DigestResult, Digester, InternalError};
use quectel_ssl::command::device::{At, GetClock};
use quectel_ssl::command::file::{FileData, ListFiles};
use quectel_ssl::command::pdp::{GetDnsConfig, GetPdpContexts};
use quectel_ssl::command::ssl_config::{
    Alpn, CaCert, CaCertEx, CipherSuite, ClientCert, ClientKey, CloseTimeMode, Dtls, DtlsVersion,
    GetSslConfig, IgnoreInvalidCertSign, IgnoreLocalTime, IgnoreMultiCertChainVerify, ListCaCertEx,
    Psk, Renegotiation, SecLevel, SessionCache, Sni, SslSetting, SslVersion, TestSslConfig,
};
use quectel_ssl::command::ssl_socket::{
    AccessMode, GetLastError, GetSslState, ListSslStates, OpenSslSocket, ReadSslData, SendSslData,
    TestCommand, Testable,
};
use quectel_ssl::command::{parse_body, AtCommand, ResponseReader};
use quectel_ssl::digest::FinalResult;
use quectel_ssl::{
    ClientId, Expect, FilePattern, Frame, Framer, HostName, NegotiateTime, PdpContextId,
    QuectelDigester, ReadLength, SslContextId,
};

use super::bytes::FRAMER_BUFFER;

fn ssl_context(param: u8) -> SslContextId {
    SslContextId::new(param % 6).unwrap_or(SslContextId::MAX)
}

fn client(param: u8) -> ClientId {
    ClientId::new(param % 12).unwrap_or(ClientId::MAX)
}

/// How one path ended the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// A result code.
    Final,
    /// A `> ` prompt or an upload `A`.
    Prompt,
}

/// The answer as the engine reads it: a [`FRAMER_BUFFER`]-byte framer and a
/// [`ResponseReader`]; `None` if the bytes end first. Also says whether a
/// line was discarded on the way.
fn engine_answer<C: AtCommand>(
    cmd: &C,
    expect: Expect,
    stream: &[u8],
) -> Option<(Result<C::Response, quectel_ssl::Error>, Ending, bool)> {
    let mut framer = Framer::new(FRAMER_BUFFER);
    framer.set_expect(expect);
    if let Expect::Upload { .. } = expect {
        // The data phase starts after the upload's `CONNECT`.
        let (frame, _) = framer.next(b"\r\nCONNECT\r\n");
        assert_eq!(frame, Frame::Final(FinalResult::Connect));
    }
    let mut reader = ResponseReader::<C>::new();
    let mut buf: Vec<u8> = Vec::with_capacity(FRAMER_BUFFER);
    let mut read = 0;
    let mut discarded = false;
    loop {
        let take = (FRAMER_BUFFER - buf.len()).min(stream.len() - read);
        buf.extend_from_slice(&stream[read..read + take]);
        read += take;
        loop {
            let (frame, used) = framer.next(&buf);
            if used == 0 && frame == Frame::Pending {
                break;
            }
            discarded |= frame == Frame::Discarded;
            let ending = match frame {
                Frame::Final(_) => Ending::Final,
                _ => Ending::Prompt,
            };
            if let Some(answer) = reader.feed(cmd, &frame) {
                return Some((answer, ending, discarded));
            }
            buf.drain(..used);
        }
        if read == stream.len() {
            return None;
        }
    }
}

/// The answer as atat reads it: a 2048-byte ingress with the digester, the
/// first response (or prompt) handed to `AtatCmd::parse`; `None` if the
/// bytes end first or the response did not fit.
fn atat_answer<C>(
    cmd: &C,
    stream: &[u8],
) -> Option<(Result<<C as AtCommand>::Response, atat::Error>, Ending)>
where
    C: AtCommand + AtatCmd<Response = <C as AtCommand>::Response>,
{
    const CAPACITY: usize = 2048;
    let mut digester = QuectelDigester::new(CAPACITY);
    let mut buf: Vec<u8> = Vec::with_capacity(CAPACITY);
    let mut read = 0;
    loop {
        let take = (CAPACITY - buf.len()).min(stream.len() - read);
        buf.extend_from_slice(&stream[read..read + take]);
        read += take;
        while !buf.is_empty() {
            let (result, used) = digester.digest(&buf);
            match result {
                DigestResult::Response(Err(InternalError::Capacity)) => return None,
                DigestResult::Response(resp) => {
                    return Some((AtatCmd::parse(cmd, resp), Ending::Final))
                }
                DigestResult::Prompt(_) if C::ENDS_AT_PROMPT => {
                    return Some((AtatCmd::parse(cmd, Ok(&[])), Ending::Prompt))
                }
                _ => {}
            }
            if used == 0 {
                break;
            }
            buf.drain(..used);
        }
        if read == stream.len() {
            return None;
        }
    }
}

/// One command's answer parser on `body`: read directly (as atat hands a
/// body over), by the engine and by atat from the same bytes. The two
/// paths must agree where both end the answer the same way: the same value
/// when both succeed, and an error on one path only if the engine had to
/// discard a line (its line buffer is smaller). `post` checks a successful
/// answer against the command.
fn check_command<C>(
    cmd: &C,
    expect: Expect,
    body: &[u8],
    post: impl Fn(&<C as AtCommand>::Response),
) where
    C: AtCommand + AtatCmd<Response = <C as AtCommand>::Response>,
    <C as AtCommand>::Response: Debug + PartialEq,
{
    if let Ok(answer) = parse_body(cmd, body) {
        post(&answer);
    }
    let engine = engine_answer(cmd, expect, body);
    if let Some((Ok(answer), _, _)) = &engine {
        post(answer);
    }
    let via_atat = atat_answer(cmd, body);
    if let Some((Ok(answer), _)) = &via_atat {
        post(answer);
    }
    let (Some((engine, engine_end, discarded)), Some((via_atat, atat_end))) = (engine, via_atat)
    else {
        return;
    };
    if engine_end != atat_end {
        return;
    }
    match (&engine, &via_atat) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "engine and atat read different answers"),
        (Err(_), Err(_)) => {}
        (Err(quectel_ssl::Error::Overflow), Ok(_)) if discarded => {}
        _ => panic!("engine read {engine:?}, atat read {via_atat:?}"),
    }
}

fn check_setting<S>(param: u8, body: &[u8])
where
    S: SslSetting,
    S::Value: Debug + PartialEq,
{
    let cmd = GetSslConfig::<S>::new(ssl_context(param));
    check_command(&cmd, Expect::Response, body, |answer| {
        assert_eq!(answer.context, cmd.context, "answer for another context");
    });
}

/// Commands whose answers `response_parsers` reads, by input byte 0.
pub const COMMANDS: usize = 43;

/// `response_parsers`: byte 0 picks a command (modulo [`COMMANDS`]), byte 1
/// its parameter (context, socket, length, ACK mode), the rest is what the
/// module answers. Every query and test command of the crate, the 19
/// `AT+QSSLCFG` settings each, and the data phases with a prompt.
pub fn check_response(data: &[u8]) {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let (selector, param) = (byte(0), byte(1));
    let body = data.get(2..).unwrap_or_default();
    let ok = |_: &quectel_ssl::NoResponse| {};
    match usize::from(selector) % COMMANDS {
        0 => check_setting::<SslVersion>(param, body),
        1 => check_setting::<CipherSuite>(param, body),
        2 => check_setting::<CaCert<'static>>(param, body),
        3 => check_setting::<CaCertEx<'static>>(param, body),
        4 => check_setting::<ClientCert<'static>>(param, body),
        5 => check_setting::<ClientKey<'static>>(param, body),
        6 => check_setting::<SecLevel>(param, body),
        7 => check_setting::<IgnoreLocalTime>(param, body),
        8 => check_setting::<NegotiateTime>(param, body),
        9 => check_setting::<Sni>(param, body),
        10 => check_setting::<CloseTimeMode>(param, body),
        11 => check_setting::<IgnoreMultiCertChainVerify>(param, body),
        12 => check_setting::<IgnoreInvalidCertSign>(param, body),
        13 => check_setting::<Psk<'static>>(param, body),
        14 => check_setting::<Dtls>(param, body),
        15 => check_setting::<DtlsVersion>(param, body),
        16 => check_setting::<SessionCache>(param, body),
        17 => check_setting::<Alpn<'static>>(param, body),
        18 => check_setting::<Renegotiation>(param, body),
        19 => check_command(&ListCaCertEx, Expect::Response, body, |_| {}),
        20 => check_command(&TestSslConfig, Expect::Response, body, |_| {}),
        21 => check_command(&ListSslStates, Expect::Response, body, |_| {}),
        22 => {
            let cmd = GetSslState {
                client: client(param),
            };
            check_command(&cmd, Expect::Response, body, |status| {
                if let Some(state) = &status.0 {
                    assert_eq!(state.client, cmd.client, "state of another socket");
                }
            });
        }
        23 => {
            let length = ReadLength::new(1 + u16::from(param) * 6).unwrap_or(ReadLength::MAX);
            let cmd = ReadSslData::new(client(param), length);
            check_command(&cmd, Expect::Response, body, |read| {
                assert!(
                    read.data.len() <= usize::from(length.get()),
                    "read more than asked"
                );
            });
        }
        24 => check_command(&GetLastError, Expect::Response, body, |_| {}),
        25..=30 => {
            let testable = [
                Testable::SslOpen,
                Testable::SslSend,
                Testable::SslRecv,
                Testable::SslClose,
                Testable::SslState,
                Testable::LastError,
            ][usize::from(selector) % COMMANDS - 25];
            check_command(&TestCommand(testable), Expect::Response, body, |_| {});
        }
        31 => check_command(&GetPdpContexts, Expect::Response, body, |_| {}),
        32 => {
            let context = PdpContextId::new(1 + param % 16).unwrap_or(PdpContextId::MAX);
            let cmd = GetDnsConfig { context };
            check_command(&cmd, Expect::Response, body, |dns| {
                assert_eq!(dns.context, context, "DNS servers of another context");
            });
        }
        33 => {
            let pattern = FilePattern::new("*").expect("a valid constant");
            check_command(
                &ListFiles::<4> { pattern },
                Expect::Response,
                body,
                |list| {
                    assert!(!list.truncated || list.entries.len() == 4);
                },
            );
        }
        34 => {
            let data = [0u8; 8];
            let cmd = FileData { data: &data };
            let ack = param & 1 != 0;
            check_command(&cmd, Expect::Upload { ack }, body, |_| {});
        }
        35 => check_command(&GetClock, Expect::Response, body, |_| {}),
        36 => {
            let cmd = SendSslData::variable(client(param));
            check_command(&cmd, Expect::Response, body, ok);
        }
        37 | 38 => {
            let mode = if selector % 2 == 0 {
                AccessMode::Buffer
            } else {
                AccessMode::Transparent
            };
            let host = HostName::new("example.com").expect("a valid constant");
            let cmd = OpenSslSocket::new(
                PdpContextId::MIN,
                ssl_context(param),
                client(param),
                host,
                443,
                mode,
            );
            if let Ok(cmd) = cmd {
                check_command(&cmd, cmd.expectation(), body, ok);
            }
        }
        39 => check_command(&At, Expect::Response, body, ok),
        40 => check_setting::<SslVersion>(param.wrapping_add(1), body),
        // A whole-buffer read (the engine always tells the framer a command
        // is in flight: with `Expect::Idle` its lines would be URCs).
        41 => {
            let cmd = ReadSslData::new(client(param), ReadLength::MAX);
            check_command(&cmd, Expect::Response, body, |_| {});
        }
        _ => check_command(
            &ListFiles::<1> {
                pattern: FilePattern::new("RAM:*").expect("a valid constant"),
            },
            Expect::Response,
            body,
            |list| {
                assert!(!list.truncated || list.entries.len() == 1);
            },
        ),
    }
}
