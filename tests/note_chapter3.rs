//! The vendor note's chapter 3 examples as byte-exact fixtures: the bytes
//! each typed command writes, and the module's bytes read back into typed
//! answers and URCs (framer + response reader, as the engine reads them).

use quectel_ssl::command::device::SetEcho;
use quectel_ssl::command::pdp::{
    ActivatePdpContext, AuthMethod, ConfigurePdpContext, DeactivatePdpContext, GetPdpContexts,
    PdpType,
};
use quectel_ssl::command::ssl_config::{CaCert, CipherSuite, SecLevel, SetSslConfig, SslVersion};
use quectel_ssl::command::ssl_socket::{
    AccessMode, CloseSslSocket, ListSslStates, OpenSslSocket, ReadSslData, SendSslData,
    SocketState, SslPayload,
};
use quectel_ssl::command::{write_command, AtCommand, ResponseReader, MAX_COMMAND_LEN};
use quectel_ssl::digest::{Frame, Framer};
use quectel_ssl::*;

/// URC lines, and pushed data per socket (99: transparent-mode bytes).
type Unsolicited = (Vec<Vec<u8>>, Vec<(u8, Vec<u8>)>);

/// What came back for one exchange: the answer and the URCs around it.
struct Exchange<R> {
    answer: Result<R, Error>,
    urcs: Vec<Vec<u8>>,
    pushed: Vec<(u8, Vec<u8>)>,
}

/// One command against a scripted module: checks the bytes written, then
/// reads `module` (what the module sends back) with the engine's framing.
struct Script {
    framer: Framer,
}

impl Script {
    fn new() -> Self {
        Self {
            framer: Framer::new(256),
        }
    }

    fn run<C: AtCommand>(&mut self, cmd: &C, wire: &str, module: &[u8]) -> Exchange<C::Response> {
        let mut buf = [0u8; MAX_COMMAND_LEN];
        let n = write_command(cmd, &mut buf);
        assert_eq!(
            String::from_utf8_lossy(&buf[..n]),
            wire,
            "bytes written for {wire:?}"
        );
        if !C::DATA_PHASE {
            self.framer.set_expect(cmd.expectation());
        }
        let mut reader = ResponseReader::new();
        let mut urcs = Vec::new();
        let mut pushed: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut push_to: Option<u8> = None;
        let mut rest = module;
        loop {
            let (frame, used) = self.framer.next(rest);
            match frame {
                Frame::Urc(line) => urcs.push(line.to_vec()),
                Frame::PayloadStart {
                    source: digest::PayloadSource::Push(client),
                    ..
                } => {
                    push_to = Some(client.get());
                    pushed.push((client.get(), Vec::new()));
                }
                Frame::PayloadStart { .. } => push_to = None,
                Frame::Payload { data, .. } if push_to.is_some() => {
                    pushed.last_mut().unwrap().1.extend_from_slice(data)
                }
                _ => {}
            }
            if let Some(answer) = reader.feed(cmd, &frame) {
                assert_eq!(
                    &rest[used..],
                    b"",
                    "bytes left after the answer to {wire:?}"
                );
                return Exchange {
                    answer,
                    urcs,
                    pushed,
                };
            }
            assert!(used > 0, "answer to {wire:?} incomplete");
            rest = &rest[used..];
        }
    }

    /// Bytes the module sends on its own: the URCs they hold.
    fn unsolicited(&mut self, module: &[u8]) -> Unsolicited {
        let mut urcs = Vec::new();
        let mut pushed: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut rest = module;
        while !rest.is_empty() {
            let (frame, used) = self.framer.next(rest);
            match frame {
                Frame::Urc(line) => urcs.push(line.to_vec()),
                Frame::PayloadStart {
                    source: digest::PayloadSource::Push(client),
                    ..
                } => pushed.push((client.get(), Vec::new())),
                Frame::Payload { data, .. } => pushed.last_mut().unwrap().1.extend_from_slice(data),
                Frame::Raw(data) => pushed.push((99, data.to_vec())),
                _ => {}
            }
            assert!(used > 0, "unsolicited bytes incomplete");
            rest = &rest[used..];
        }
        (urcs, pushed)
    }
}

fn pdp(n: u8) -> PdpContextId {
    PdpContextId::new(n).unwrap()
}
fn ssl(n: u8) -> SslContextId {
    SslContextId::new(n).unwrap()
}
fn client(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}
const DATA: &[u8] = b"Test data from SSL";

#[test]
fn section_3_1_pdp_context() {
    let mut s = Script::new();
    // Echo is on after boot: the reply to ATE0 is itself echoed.
    let e = s.run(&SetEcho(false), "ATE0\r", b"ATE0\r\r\nOK\r\n");
    assert_eq!(e.answer, Ok(NoResponse));
    let cfg = ConfigurePdpContext {
        context: pdp(1),
        pdp_type: PdpType::Ipv4,
        apn: Apn::new("UNINET").unwrap(),
        username: UserName::new("").unwrap(),
        password: Password::new("").unwrap(),
        auth: AuthMethod::Pap,
    };
    let e = s.run(
        &cfg,
        "AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1\r",
        b"\r\nOK\r\n",
    );
    assert_eq!(e.answer, Ok(NoResponse));
    let e = s.run(
        &ActivatePdpContext { context: pdp(1) },
        "AT+QIACT=1\r",
        b"\r\nOK\r\n",
    );
    assert_eq!(e.answer, Ok(NoResponse));
    let e = s.run(
        &GetPdpContexts,
        "AT+QIACT?\r",
        b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n",
    );
    let active = e.answer.unwrap();
    assert_eq!(active[0].address.as_str(), "10.7.157.1");
    assert!(active[0].active);
    let e = s.run(
        &DeactivatePdpContext { context: pdp(1) },
        "AT+QIDEACT=1\r",
        b"\r\nOK\r\n",
    );
    assert_eq!(e.answer, Ok(NoResponse));
}

#[test]
fn section_3_2_ssl_context() {
    let mut s = Script::new();
    let ok = b"\r\nOK\r\n";
    let e = s.run(
        &SetSslConfig::new(ssl(1), SslVersion::Tls10),
        "AT+QSSLCFG=\"sslversion\",1,1\r",
        ok,
    );
    assert!(e.answer.is_ok());
    let e = s.run(
        &SetSslConfig::new(ssl(1), CipherSuite::RsaAes256CbcSha),
        "AT+QSSLCFG=\"ciphersuite\",1,0X0035\r",
        ok,
    );
    assert!(e.answer.is_ok());
    let e = s.run(
        &SetSslConfig::new(ssl(1), SecLevel::Server),
        "AT+QSSLCFG=\"seclevel\",1,1\r",
        ok,
    );
    assert!(e.answer.is_ok());
    let e = s.run(
        &SetSslConfig::new(ssl(1), CaCert(FileName::new("RAM:cacert.pem").unwrap())),
        "AT+QSSLCFG=\"cacert\",1,\"RAM:cacert.pem\"\r",
        ok,
    );
    assert!(e.answer.is_ok());
}

fn open(port: u16, mode: AccessMode) -> OpenSslSocket<'static> {
    OpenSslSocket::new(
        pdp(1),
        ssl(1),
        client(4),
        HostName::new("220.180.239.212").unwrap(),
        port,
        mode,
    )
    .unwrap()
}

#[test]
fn section_3_3_buffer_access_mode() {
    let mut s = Script::new();
    // 3.3.1: OK at once, the result later in a URC.
    let e = s.run(
        &open(8010, AccessMode::Buffer),
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8010,0\r",
        b"\r\nOK\r\n",
    );
    assert!(e.answer.is_ok());
    let (urcs, _) = s.unsolicited(b"\r\n+QSSLOPEN: 4,0\r\n");
    assert_eq!(
        Urc::parse(&urcs[0]),
        Urc::Opened {
            client: client(4),
            result: SslErrorCode::Success
        }
    );
    let e = s.run(
        &ListSslStates,
        "AT+QSSLSTATE\r",
        b"\r\n+QSSLSTATE: 4,\"SSLClient\",\"220.180.239.212\",8010,65344,2,1,4,0,\"usbmodem\",1\r\n\r\nOK\r\n",
    );
    let states = e.answer.unwrap();
    assert_eq!(states[0].state, SocketState::Connected);
    assert_eq!(states[0].local_port, 65344);

    // 3.3.2.1: variable length, ended by Ctrl+Z.
    let e = s.run(
        &SendSslData::variable(client(4)),
        "AT+QSSLSEND=4\r",
        b"\r\n> ",
    );
    assert!(e.answer.is_ok());
    let e = s.run(
        &SslPayload::variable(DATA).unwrap(),
        "Test data from SSL\x1a",
        b"\r\nSEND OK\r\n",
    );
    assert!(e.answer.is_ok());
    // 3.3.2.2: fixed length.
    let e = s.run(
        &SendSslData::fixed(client(4), SendLength::new(18).unwrap()),
        "AT+QSSLSEND=4,18\r",
        b"\r\n> ",
    );
    assert!(e.answer.is_ok());
    let e = s.run(
        &SslPayload::fixed(DATA).unwrap(),
        "Test data from SSL",
        b"\r\nSEND OK\r\n",
    );
    assert!(e.answer.is_ok());

    // 3.3.3: the notice, then two reads.
    let (urcs, _) = s.unsolicited(b"\r\n+QSSLURC: \"recv\",4\r\n");
    assert_eq!(Urc::parse(&urcs[0]), Urc::DataReady { client: client(4) });
    let read = ReadSslData::new(client(4), ReadLength::new(1500).unwrap());
    let e = s.run(
        &read,
        "AT+QSSLRECV=4,1500\r",
        b"\r\n+QSSLRECV: 18\r\nTest data from SSL\r\n\r\nOK\r\n",
    );
    assert_eq!(e.answer.unwrap().data.as_slice(), DATA);
    let e = s.run(
        &read,
        "AT+QSSLRECV=4,1500\r",
        b"\r\n+QSSLRECV: 0\r\n\r\nOK\r\n",
    );
    assert!(e.answer.unwrap().data.is_empty());
    // Beyond the note: real modules put a notice between the command and
    // its answer.
    let e = s.run(
        &read,
        "AT+QSSLRECV=4,1500\r",
        b"\r\n+QSSLURC: \"recv\",4\r\n\r\n+QSSLRECV: 2\r\nhi\r\n\r\nOK\r\n",
    );
    assert_eq!(e.urcs, vec![b"+QSSLURC: \"recv\",4".to_vec()]);
    assert_eq!(e.answer.unwrap().data.as_slice(), b"hi");

    // 3.3.4
    let e = s.run(
        &CloseSslSocket::new(client(4), None),
        "AT+QSSLCLOSE=4\r",
        b"\r\nOK\r\n",
    );
    assert!(e.answer.is_ok());
}

#[test]
fn section_3_4_direct_push_mode() {
    let mut s = Script::new();
    let e = s.run(
        &open(8011, AccessMode::DirectPush),
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,1\r",
        b"\r\nOK\r\n",
    );
    assert!(e.answer.is_ok());
    let (urcs, _) = s.unsolicited(b"\r\n+QSSLOPEN: 4,0\r\n");
    assert_eq!(urcs, vec![b"+QSSLOPEN: 4,0".to_vec()]);
    let e = s.run(
        &ListSslStates,
        "AT+QSSLSTATE\r",
        b"\r\n+QSSLSTATE: 4,\"SSLClient\",\"220.180.239.212\",8011,65047,2,1,4,1,\"usbmodem\",1\r\n\r\nOK\r\n",
    );
    assert_eq!(e.answer.unwrap()[0].access_mode, AccessMode::DirectPush);
    let e = s.run(
        &SendSslData::variable(client(4)),
        "AT+QSSLSEND=4\r",
        b"\r\n> ",
    );
    assert!(e.answer.is_ok());
    let e = s.run(
        &SslPayload::variable(DATA).unwrap(),
        "Test data from SSL\x1a",
        b"\r\nSEND OK\r\n",
    );
    assert!(e.answer.is_ok());
    // 3.4.3: the data comes in the URC itself.
    let (_, pushed) = s.unsolicited(b"\r\n+QSSLURC: \"recv\",4,18\r\nTest data from SSL\r\n");
    assert_eq!(pushed, vec![(4, DATA.to_vec())]);
    // ... and is not lost when it arrives during another command.
    let e = s.run(
        &SendSslData::fixed(client(4), SendLength::new(18).unwrap()),
        "AT+QSSLSEND=4,18\r",
        b"\r\n+QSSLURC: \"recv\",4,18\r\nTest data from SSL\r\n\r\n> ",
    );
    assert!(e.answer.is_ok());
    assert_eq!(e.pushed, vec![(4, DATA.to_vec())]);
    let e = s.run(
        &CloseSslSocket::new(client(4), None),
        "AT+QSSLCLOSE=4\r",
        b"\r\nOK\r\n",
    );
    assert!(e.answer.is_ok());
}

#[test]
fn section_3_5_transparent_mode() {
    let mut s = Script::new();
    let e = s.run(
        &open(8011, AccessMode::Transparent),
        "AT+QSSLOPEN=1,1,4,\"220.180.239.212\",8011,2\r",
        b"\r\nCONNECT\r\n",
    );
    assert!(e.answer.is_ok());
    // Bytes from the server come out raw, whatever they look like.
    let (urcs, raw) = s.unsolicited(b"Test data from SSL\r\nOK\r\n");
    assert!(urcs.is_empty());
    assert_eq!(raw, vec![(99, b"Test data from SSL\r\nOK\r\n".to_vec())]);
    // The host sent +++ with its guard times: it reads the OK as command mode.
    s.framer.leave_raw();
    let (urcs, _) = s.unsolicited(b"\r\nOK\r\n");
    assert!(urcs.is_empty());
    // NO CARRIER on its own: the server stopped the connection.
    let (urcs, _) = s.unsolicited(b"\r\nNO CARRIER\r\n");
    assert_eq!(urcs, vec![b"NO CARRIER".to_vec()]);
    let e = s.run(
        &CloseSslSocket::new(client(4), None),
        "AT+QSSLCLOSE=4\r",
        b"\r\nOK\r\n",
    );
    assert!(e.answer.is_ok());
}
