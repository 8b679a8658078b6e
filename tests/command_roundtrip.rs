//! Every command line the driver writes, parsed back by the simulator's own
//! command parser (`quectel_sim::at::parse_command`, written from the
//! module's side) into the values it was built from: random valid values
//! for every command of `src/command/`, set and query forms, test forms.
//!
//! The data phases (`SslPayload`, `FileData`) are raw bytes after a prompt
//! or `CONNECT`, not command lines: the session tests cover them.

use std::net::IpAddr;

use proptest::prelude::*;
use quectel_sim::at::{
    parse_command, AccessMode as SimMode, Command as Sim, PdpAuth, PdpType as SimPdpType,
    SslSetting as SimSetting, SslSettingName as Name,
};
use quectel_sim::clock::ClockValue;
use quectel_ssl::command::device::{
    At, CmeFormat, DateTime, DtrFunction, GetClock, SetClock, SetDtrFunction, SetEcho,
    SetErrorFormat,
};
use quectel_ssl::command::file::{AckMode, DeleteFile, ListFiles, UploadFile};
use quectel_ssl::command::pdp::{
    ActivatePdpContext, AuthMethod, ConfigureDns, ConfigurePdpContext, DeactivatePdpContext,
    GetDnsConfig, GetPdpContexts, PdpType,
};
use quectel_ssl::command::ssl_config::{
    Alpn, CaCert, CaCertEx, CipherSuite, ClientCert, ClientKey, CloseTimeMode, Dtls, DtlsVersion,
    GetSslConfig, IgnoreInvalidCertSign, IgnoreLocalTime, IgnoreMultiCertChainVerify, ListCaCertEx,
    Psk, Renegotiation, SecLevel, SessionCache, SetSslConfig, Sni, SslSetting, SslVersion,
    TestSslConfig,
};
use quectel_ssl::command::ssl_socket::{
    AccessMode, CloseSslSocket, GetLastError, GetSslState, ListSslStates, OpenSslSocket,
    ReadSslData, ReturnToDataMode, SendSslData, SwitchAccessMode, TestCommand, Testable,
};
use quectel_ssl::command::{write_command, AtCommand, MAX_COMMAND_LEN};
use quectel_ssl::*;

/// The line `cmd` writes, without its CR.
fn line<C: AtCommand>(cmd: &C) -> Vec<u8> {
    let mut buf = [0u8; MAX_COMMAND_LEN];
    let n = write_command(cmd, &mut buf);
    assert!(n > 0, "the command did not fit");
    assert_eq!(buf[n - 1], b'\r', "a command line ends with CR");
    assert!(
        !buf[..n - 1].iter().any(|&b| b == b'\r' || b == b'\n'),
        "one line"
    );
    buf[..n - 1].to_vec()
}

/// Parse what `cmd` writes and compare with `want`.
fn check<C: AtCommand>(cmd: &C, want: Sim) -> Result<(), TestCaseError> {
    let line = line(cmd);
    let parsed = parse_command(&line);
    prop_assert_eq!(
        parsed,
        Ok(want),
        "{} parsed back differently",
        String::from_utf8_lossy(&line)
    );
    Ok(())
}

/// Printable ASCII without `"`: what the checked string types accept.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[ !#-~]{{{min},{max}}}")).expect("regex")
}

/// A file name: printable, no quote, no wildcard.
fn file_name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ !#-)+->@-~]{1,80}").expect("regex")
}

fn one_of<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn ssl_ctx() -> impl Strategy<Value = u8> {
    0u8..=5
}
fn client_id() -> impl Strategy<Value = u8> {
    0u8..=11
}
fn pdp_ctx() -> impl Strategy<Value = u8> {
    1u8..=16
}

fn ctx(n: u8) -> SslContextId {
    SslContextId::new(n).unwrap()
}
fn cid(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}
fn pid(n: u8) -> PdpContextId {
    PdpContextId::new(n).unwrap()
}

fn sim_mode(mode: AccessMode) -> SimMode {
    SimMode::from_wire(mode.code()).unwrap()
}

/// `AT+QSSLCFG="<name>",<ctx>,<value>` and its query, for one setting.
fn set_and_query<S: SslSetting>(
    ctx_n: u8,
    setting: S,
    name: Name,
    want: SimSetting,
) -> Result<(), TestCaseError> {
    check(
        &SetSslConfig::new(ctx(ctx_n), setting),
        Sim::ConfigureSsl {
            ctx: ctx_n,
            setting: want,
        },
    )?;
    check(
        &GetSslConfig::<S>::new(ctx(ctx_n)),
        Sim::QuerySslConfig { ctx: ctx_n, name },
    )
}

/// The values of one random SSL context configuration.
#[derive(Debug, Clone)]
struct SslValues {
    ctx: u8,
    version: SslVersion,
    suite: CipherSuite,
    level: SecLevel,
    paths: [String; 4],
    flags: [bool; 7],
    negotiate: u16,
    identity: String,
    key: String,
    alpn: String,
    dtls_version: DtlsVersion,
    close_mode: CloseTimeMode,
}

fn ssl_values() -> impl Strategy<Value = SslValues> {
    let suites: Vec<CipherSuite> = CipherSuite::SUITES
        .iter()
        .copied()
        .chain([CipherSuite::All])
        .collect();
    (
        (
            ssl_ctx(),
            one_of(SslVersion::ALL),
            proptest::sample::select(suites),
            one_of(SecLevel::ALL),
            [file_name(), file_name(), file_name(), file_name()],
            any::<[bool; 7]>(),
        ),
        (
            10u16..=300,
            text(0, 255),
            text(0, 255),
            text(0, 64),
            one_of(DtlsVersion::ALL),
            one_of(CloseTimeMode::ALL),
        ),
    )
        .prop_map(
            |(
                (ctx, version, suite, level, paths, flags),
                (negotiate, identity, key, alpn, dv, cm),
            )| {
                SslValues {
                    ctx,
                    version,
                    suite,
                    level,
                    paths,
                    flags,
                    negotiate,
                    identity,
                    key,
                    alpn,
                    dtls_version: dv,
                    close_mode: cm,
                }
            },
        )
}

fn date_time() -> impl Strategy<Value = (u16, u8, u8, u8, u8, u8, i8)> {
    (
        2000u16..=2099,
        1u8..=12,
        1u8..=31,
        0u8..24,
        0u8..60,
        0u8..60,
        -48i8..=56,
    )
        .prop_filter("a real date", |&(y, mo, d, h, mi, s, q)| {
            DateTime::new(y, mo, d, h, mi, s, q).is_ok()
        })
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u16; 8]>().prop_map(IpAddr::from),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// All 19 `AT+QSSLCFG` settings, set and queried.
    #[test]
    fn every_ssl_setting_set_and_query(v in ssl_values()) {
        let n = v.ctx;
        let path = |i: usize| FileName::new(&v.paths[i]).unwrap();
        let [f0, f1, f2, f3, f4, f5, f6] = v.flags;
        set_and_query(n, v.version, Name::SslVersion, SimSetting::SslVersion(v.version.code()))?;
        set_and_query(n, v.suite, Name::CipherSuite, SimSetting::CipherSuite(v.suite.code()))?;
        set_and_query(n, CaCert(path(0)), Name::CaCert, SimSetting::CaCert(v.paths[0].clone()))?;
        set_and_query(n, CaCertEx(path(1)), Name::CaCertEx, SimSetting::CaCertEx(v.paths[1].clone()))?;
        set_and_query(n, ClientCert(path(2)), Name::ClientCert, SimSetting::ClientCert(v.paths[2].clone()))?;
        set_and_query(n, ClientKey(path(3)), Name::ClientKey, SimSetting::ClientKey(v.paths[3].clone()))?;
        set_and_query(n, v.level, Name::SecLevel, SimSetting::SecLevel(v.level.code()))?;
        set_and_query(n, IgnoreLocalTime(f0), Name::IgnoreLocalTime, SimSetting::IgnoreLocalTime(f0))?;
        set_and_query(
            n,
            NegotiateTime::new(v.negotiate).unwrap(),
            Name::NegotiateTime,
            SimSetting::NegotiateTime(v.negotiate),
        )?;
        set_and_query(n, Sni(f1), Name::Sni, SimSetting::Sni(f1))?;
        set_and_query(
            n,
            v.close_mode,
            Name::CloseTimeMode,
            SimSetting::CloseTimeMode(v.close_mode == CloseTimeMode::Milliseconds),
        )?;
        set_and_query(
            n,
            IgnoreMultiCertChainVerify(f2),
            Name::IgnoreMultiCertChainVerify,
            SimSetting::IgnoreMultiCertChainVerify(f2),
        )?;
        set_and_query(
            n,
            IgnoreInvalidCertSign(f3),
            Name::IgnoreInvalidCertSign,
            SimSetting::IgnoreInvalidCertSign(f3),
        )?;
        let psk = Psk {
            identity: PskIdentity::new(&v.identity).unwrap(),
            key: PskKey::new(&v.key).unwrap(),
        };
        set_and_query(
            n,
            psk,
            Name::Psk,
            SimSetting::Psk { identity: v.identity.clone(), key: v.key.clone() },
        )?;
        set_and_query(n, Dtls(f4), Name::Dtls, SimSetting::Dtls(f4))?;
        set_and_query(
            n,
            v.dtls_version,
            Name::DtlsVersion,
            SimSetting::DtlsVersion(v.dtls_version.code()),
        )?;
        set_and_query(n, SessionCache(f5), Name::SessionCache, SimSetting::SessionCache(f5))?;
        set_and_query(
            n,
            Alpn(AlpnName::new(&v.alpn).unwrap()),
            Name::Alpn,
            SimSetting::Alpn(v.alpn.clone()),
        )?;
        set_and_query(n, Renegotiation(f6), Name::Renegotiation, SimSetting::Renegotiation(f6))?;
    }

    #[test]
    fn open(
        pdp in pdp_ctx(),
        ssl in ssl_ctx(),
        client in client_id(),
        host in text(1, 150),
        port in 1u16..=65535,
        mode in one_of(AccessMode::ALL),
    ) {
        let cmd = OpenSslSocket::new(pid(pdp), ctx(ssl), cid(client), HostName::new(&host).unwrap(), port, mode).unwrap();
        check(&cmd, Sim::OpenSsl { pdp, ctx: ssl, client, address: host.clone(), port, mode: sim_mode(mode) })?;
    }

    #[test]
    fn send_read_close_state(
        client in client_id(),
        send in 1u16..=1460,
        read in 1u16..=1500,
        timeout in proptest::option::of(any::<u16>()),
    ) {
        let c = cid(client);
        check(
            &SendSslData::fixed(c, SendLength::new(send).unwrap()),
            Sim::SendSsl { client, length: Some(send) },
        )?;
        check(&SendSslData::variable(c), Sim::SendSsl { client, length: None })?;
        check(
            &ReadSslData::new(c, ReadLength::new(read).unwrap()),
            Sim::ReadSsl { client, length: read },
        )?;
        check(&CloseSslSocket::new(c, timeout), Sim::CloseSsl { client, timeout })?;
        check(&GetSslState { client: c }, Sim::QuerySslState { client: Some(client) })?;
    }

    #[test]
    fn access_modes(client in client_id(), mode in one_of(AccessMode::ALL)) {
        check(
            &SwitchAccessMode { client: cid(client), mode },
            Sim::SwitchAccessMode { client, mode: sim_mode(mode) },
        )?;
    }

    #[test]
    fn pdp_contexts(
        n in pdp_ctx(),
        pdp_type in one_of(PdpType::ALL),
        auth in one_of(AuthMethod::ALL),
        apn in text(0, 100),
        user in text(0, 127),
        pass in text(0, 127),
    ) {
        let cmd = ConfigurePdpContext {
            context: pid(n),
            pdp_type,
            apn: Apn::new(&apn).unwrap(),
            username: UserName::new(&user).unwrap(),
            password: Password::new(&pass).unwrap(),
            auth,
        };
        let want = Sim::ConfigurePdp {
            ctx: n,
            context_type: SimPdpType::from_wire(pdp_type.code()).unwrap(),
            apn: apn.clone(),
            username: user.clone(),
            password: pass.clone(),
            auth: PdpAuth::from_wire(auth.code()).unwrap(),
        };
        check(&cmd, want)?;
        check(&ActivatePdpContext { context: pid(n) }, Sim::ActivatePdp { ctx: n })?;
        check(&DeactivatePdpContext { context: pid(n) }, Sim::DeactivatePdp { ctx: n })?;
        check(&GetDnsConfig { context: pid(n) }, Sim::QueryDns { ctx: n })?;
    }

    #[test]
    fn dns_servers(n in pdp_ctx(), primary in ip(), secondary in proptest::option::of(ip())) {
        let cmd = ConfigureDns { context: pid(n), primary, secondary };
        let parsed = parse_command(&line(&cmd));
        let Ok(Sim::ConfigureDns { ctx, primary: p, secondary: s }) = parsed else {
            return Err(TestCaseError::fail(format!("{cmd:?} parsed as {parsed:?}")));
        };
        prop_assert_eq!(ctx, n);
        prop_assert_eq!(p.parse::<IpAddr>().ok(), Some(primary));
        prop_assert_eq!(s.map(|s| s.parse::<IpAddr>().ok()), secondary.map(Some));
    }

    #[test]
    fn files(
        name in text(1, 80),
        size in 1u32..,
        timeout in proptest::option::of(1u16..),
        ack in any::<bool>(),
    ) {
        // A pattern may hold wildcards; a name may not.
        let pattern = FilePattern::new(&name).unwrap();
        check(&ListFiles::<4> { pattern }, Sim::ListFiles { pattern: Some(name.clone()) })?;
        let name = name.replace(['*', '?'], "_");
        let file = FileName::new(&name).unwrap();
        let mode = if ack { AckMode::PerBlock } else { AckMode::Off };
        let cmd = UploadFile::new(file, size, timeout, mode).unwrap();
        let parsed = parse_command(&line(&cmd));
        let Ok(Sim::UploadFile { name: got, size: s, timeout: t, ack: a }) = parsed else {
            return Err(TestCaseError::fail(format!("{cmd:?} parsed as {parsed:?}")));
        };
        prop_assert_eq!(got, name.clone());
        prop_assert_eq!(s, size);
        // Absent means the module's defaults: 5 s, no ACK mode.
        let default = u32::from(UploadFile::DEFAULT_TIMEOUT_S);
        prop_assert_eq!(t.unwrap_or(default), timeout.map_or(default, u32::from));
        prop_assert_eq!(a.unwrap_or(false), ack);
        check(&DeleteFile { name: file }, Sim::DeleteFile { name: name.clone() })?;
        check(&ListFiles::<4> { pattern: file.into() }, Sim::ListFiles { pattern: Some(name.clone()) })?;
    }

    #[test]
    fn clock((y, mo, d, h, mi, s, q) in date_time()) {
        let time = DateTime::new(y, mo, d, h, mi, s, q).unwrap();
        let want = ClockValue {
            year: i32::from(y),
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
            zone_quarters: q,
        };
        check(&SetClock(time), Sim::SetClock(want))?;
    }

    #[test]
    fn module_settings(
        echo in any::<bool>(),
        dtr in one_of(DtrFunction::ALL),
        cmee in one_of(CmeFormat::ALL),
    ) {
        check(&SetEcho(echo), Sim::SetEcho(echo))?;
        check(&SetDtrFunction(dtr), Sim::SetDtrMode(dtr.code()))?;
        check(&SetErrorFormat(cmee), Sim::SetErrorMode(cmee.code()))?;
    }
}

/// Commands without parameters, queries and test forms.
#[test]
fn fixed_commands() {
    let run = || -> Result<(), TestCaseError> {
        check(&At, Sim::Attention)?;
        check(&GetClock, Sim::QueryClock)?;
        check(&ReturnToDataMode, Sim::ReturnToData)?;
        check(&GetPdpContexts, Sim::QueryPdpState)?;
        check(&GetLastError, Sim::GetError)?;
        check(&ListSslStates, Sim::QuerySslState { client: None })?;
        check(&ListCaCertEx, Sim::QueryAllCaCertEx)?;
        check(&TestSslConfig, Sim::TestSslConfig)?;
        for (testable, want) in [
            (Testable::SslOpen, Sim::TestSslOpen),
            (Testable::SslSend, Sim::TestSslSend),
            (Testable::SslRecv, Sim::TestSslRecv),
            (Testable::SslClose, Sim::TestSslClose),
            (Testable::SslState, Sim::TestSslState),
            (Testable::LastError, Sim::TestGetError),
        ] {
            check(&TestCommand(testable), want)?;
        }
        Ok(())
    };
    run().unwrap();
}
