//! Hostile input from the user: every string parameter with the bytes that
//! would break an AT line, non-ASCII and over-long values, every number out
//! of range. Each is refused with a typed error, and the engine writes
//! nothing at all (the scripted port expects no byte).

mod common;

use common::script::{sim_time, NoWait, ScriptPort};
use quectel_ssl::command::device::DateTime;
use quectel_ssl::command::file::{AckMode, UploadFile};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_config::Psk;
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket, SslPayload};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::CountingTimer;
use quectel_ssl::*;

type Quiet = Modem<'static, ScriptPort, CountingTimer<NoWait>>;

/// An engine whose port accepts no byte at all.
fn quiet() -> Quiet {
    Modem::new(ScriptPort::new([]), sim_time())
}

fn nothing_written(m: &Quiet) {
    assert!(m.port().all_written.is_empty(), "bytes reached the wire");
}

/// Values no string parameter may take, with the reason expected.
fn hostile(max: usize) -> Vec<(String, ParamError)> {
    let mut all: Vec<(String, ParamError)> = [
        ("a\"b", b'"'),
        ("a\rb", b'\r'),
        ("a\nb", b'\n'),
        ("a\0b", 0),
        ("a\x1ab", 0x1A),
        ("a\x1bb", 0x1B),
        ("tab\there", b'\t'),
        ("del\x7f", 0x7F),
    ]
    .iter()
    .map(|(s, b)| (s.to_string(), ParamError::ForbiddenByte(*b)))
    .collect();
    all.push(("héllo".into(), ParamError::ForbiddenByte(0xC3)));
    all.push(("🔒".into(), ParamError::ForbiddenByte(0xF0)));
    all.push(("x".repeat(max + 1), ParamError::TooLong));
    all
}

fn refused<T: std::fmt::Debug>(result: Result<T, Error>, param: &str, reason: ParamError) {
    match result {
        Err(Error::InvalidParameter {
            param: p,
            reason: r,
        }) => {
            assert_eq!((p, r), (param, reason));
        }
        other => panic!("{param}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn every_string_parameter_refuses_what_would_break_the_line() {
    let mut m = quiet();
    let rx: &'static mut [u8] = Box::leak(vec![0u8; 64].into_boxed_slice());
    let mut rx = Some(rx);
    let pdp = PdpContextId::new(1).unwrap();
    let ctx = SslContextId::new(0).unwrap();
    for (bad, reason) in hostile(150) {
        let open = HostName::new(&bad).and_then(|host| {
            OpenSslSocket::new(pdp, ctx, ClientId::new(0)?, host, 443, AccessMode::Buffer)
        });
        refused(
            open.and_then(|cmd| m.open(cmd, rx.take().unwrap())),
            "serveraddr",
            reason,
        );
        rx = Some(Box::leak(vec![0u8; 64].into_boxed_slice()));
    }
    for (bad, reason) in hostile(80) {
        refused(
            FileName::new(&bad).and_then(|name| m.upload(name, b"data")),
            "filename",
            reason,
        );
        refused(
            FileName::new(&bad).and_then(|name| m.delete_file(name)),
            "filename",
            reason,
        );
        refused(
            FileName::new(&bad).and_then(|ca| m.configure_ssl(ctx, &SslConfig::with_ca(ca))),
            "filename",
            reason,
        );
    }
    let pdp_config =
        |apn: &str, user: &str, pass: &str| -> Result<ConfigurePdpContext<'static>, Error> {
            Ok(ConfigurePdpContext {
                context: pdp,
                pdp_type: PdpType::Ipv4,
                apn: Apn::new(Box::leak(apn.to_string().into_boxed_str()))?,
                username: UserName::new(Box::leak(user.to_string().into_boxed_str()))?,
                password: Password::new(Box::leak(pass.to_string().into_boxed_str()))?,
                auth: AuthMethod::Pap,
            })
        };
    for (bad, reason) in hostile(100) {
        refused(
            pdp_config(&bad, "", "").and_then(|c| m.configure_pdp(c)),
            "APN",
            reason,
        );
    }
    for (bad, reason) in hostile(127) {
        refused(
            pdp_config("apn", &bad, "").and_then(|c| m.configure_pdp(c)),
            "username",
            reason,
        );
        refused(
            pdp_config("apn", "", &bad).and_then(|c| m.configure_pdp(c)),
            "password",
            reason,
        );
    }
    for (bad, reason) in hostile(255) {
        let psk = |id: &str, key: &str| -> Result<SslConfig<'static>, Error> {
            Ok(SslConfig {
                security: quectel_ssl::command::ssl_config::SecLevel::NoAuthentication,
                psk: Some(Psk {
                    identity: PskIdentity::new(Box::leak(id.to_string().into_boxed_str()))?,
                    key: PskKey::new(Box::leak(key.to_string().into_boxed_str()))?,
                }),
                ..SslConfig::default()
            })
        };
        refused(
            psk(&bad, "k").and_then(|c| m.configure_ssl(ctx, &c)),
            "identity",
            reason,
        );
        refused(
            psk("id", &bad).and_then(|c| m.configure_ssl(ctx, &c)),
            "key",
            reason,
        );
    }
    for (bad, reason) in hostile(64) {
        refused(AlpnName::new(&bad), "ALPN_name", reason);
    }
    nothing_written(&m);
}

#[test]
fn every_number_out_of_range_is_refused() {
    let m = quiet();
    let out = ParamError::OutOfRange;
    refused(SslContextId::new(6), "SSL_ctxID", out);
    refused(ClientId::new(12), "clientID", out);
    refused(PdpContextId::new(0), "PDP_ctxID", out);
    refused(PdpContextId::new(17), "PDP_ctxID", out);
    refused(SendLength::new(0), "sendlen", out);
    refused(SendLength::new(1461), "sendlen", out);
    refused(ReadLength::new(0), "readlen", out);
    refused(ReadLength::new(1501), "readlen", out);
    refused(NegotiateTime::new(9), "negotiate_time", out);
    refused(NegotiateTime::new(301), "negotiate_time", out);
    let host = HostName::new("h").unwrap();
    refused(
        OpenSslSocket::new(
            PdpContextId::MIN,
            SslContextId::MIN,
            ClientId::MIN,
            host,
            0,
            AccessMode::Buffer,
        ),
        "server_port",
        out,
    );
    refused(DateTime::new(2026, 2, 30, 0, 0, 0, 0), "time", out);
    refused(DateTime::new(2026, 1, 1, 0, 0, 0, 57), "time", out);
    refused(
        UploadFile::new(FileName::new("RAM:a").unwrap(), 0, None, AckMode::Off),
        "file_size",
        out,
    );
    refused(SslPayload::fixed(&[0u8; 1461]), "sendlen", out);
    refused(
        SslPayload::variable(b"binary\x1a"),
        "data",
        ParamError::NeedsFixedLength,
    );
    refused(
        quectel_ssl::command::ssl_config::CipherSuite::from_code(0x1301).ok_or(
            Error::InvalidParameter {
                param: "cipher_suites",
                reason: out,
            },
        ),
        "cipher_suites",
        out,
    );
    nothing_written(&m);
}

#[test]
fn refusals_of_the_engine_itself_write_nothing() {
    let mut m = quiet();
    let ctx = SslContextId::new(0).unwrap();
    // Authentication with no CA, client authentication with no certificate.
    refused(
        m.configure_ssl(ctx, &SslConfig::default()),
        "cacert",
        ParamError::Empty,
    );
    let mutual = SslConfig {
        security: quectel_ssl::command::ssl_config::SecLevel::ServerAndClient,
        ..SslConfig::with_ca(FileName::new("RAM:ca").unwrap())
    };
    refused(
        m.configure_ssl(ctx, &mutual),
        "clientcert",
        ParamError::Empty,
    );
    // A handle this engine never issued (from another session's state):
    // every operation on it is refused before a byte is written.
    let mut buf = [0u8; 4];
    let handle = quectel_ssl::state::SessionState::new()
        .begin_open(
            ClientId::new(3).unwrap(),
            PdpContextId::MIN,
            ctx,
            AccessMode::Buffer,
        )
        .unwrap();
    assert_eq!(m.write(&handle, b"x"), Err(Error::StaleHandle));
    assert_eq!(m.read(&handle, &mut buf), Err(Error::StaleHandle));
    assert_eq!(
        m.switch_mode(&handle, AccessMode::Transparent),
        Err(Error::InvalidParameter {
            param: "access_mode",
            reason: ParamError::OutOfRange
        })
    );
    assert!(matches!(m.resume(&handle), Err(Error::StaleHandle)));
    assert!(m.transparent(&handle).is_err());
    // Closing a handle whose socket is gone is a no-op, not a command.
    m.close(&handle).unwrap();
    nothing_written(&m);
}
