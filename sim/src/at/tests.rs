//! The parser against the lines the module accepts and refuses.

use super::*;

fn ok(line: &str) -> Command {
    parse_command(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn err(line: &str) -> ParseError {
    parse_command(line.as_bytes()).expect_err(line)
}

#[test]
fn basic_commands() {
    assert_eq!(ok("AT"), Command::Attention);
    assert_eq!(ok("at"), Command::Attention);
    assert_eq!(ok("ATE0"), Command::SetEcho(false));
    assert_eq!(ok("ate1"), Command::SetEcho(true));
    assert_eq!(ok("AT&D1"), Command::SetDtrMode(1));
    // The driver writes `AT&D2` for `DtrFunction::Disconnect`
    // (tests/command_roundtrip.rs).
    assert_eq!(ok("AT&D2"), Command::SetDtrMode(2));
    assert_eq!(err("AT&D3"), ParseError::Unknown);
    assert_eq!(ok("ATO"), Command::ReturnToData);
    assert_eq!(ok("AT+CMEE=2"), Command::SetErrorMode(2));
    assert_eq!(
        ok("AT+CFUN=1,1"),
        Command::SetFunctionality {
            fun: 1,
            reset: true
        }
    );
    assert_eq!(
        err("AT+CMEE=3"),
        ParseError::OutOfRange(CommandGroup::Basic)
    );
    assert_eq!(err("XYZ"), ParseError::NotAt);
    assert_eq!(err("ATZZ"), ParseError::Unknown);
    assert_eq!(err("AT+FOO=1"), ParseError::Unknown);
}

#[test]
fn clock() {
    match ok(r#"AT+CCLK="26/11/23,10:00:05+00""#) {
        Command::SetClock(v) => assert_eq!(v.to_string(), "26/11/23,10:00:05+00"),
        other => panic!("{other:?}"),
    }
    assert_eq!(ok("AT+CCLK?"), Command::QueryClock);
    assert_eq!(
        err(r#"AT+CCLK="26/13/23,10:00:05+00""#),
        ParseError::OutOfRange(CommandGroup::Basic)
    );
}

#[test]
fn pdp_commands() {
    assert_eq!(
        ok(r#"AT+QICSGP=1,1,"UNINET","","",1"#),
        Command::ConfigurePdp {
            ctx: 1,
            context_type: PdpType::Ipv4,
            apn: "UNINET".into(),
            username: String::new(),
            password: String::new(),
            auth: PdpAuth::Pap,
        }
    );
    assert_eq!(ok("AT+QICSGP=3"), Command::QueryPdpConfig { ctx: 3 });
    assert_eq!(ok("AT+QIACT=1"), Command::ActivatePdp { ctx: 1 });
    assert_eq!(ok("AT+QIACT?"), Command::QueryPdpState);
    assert_eq!(ok("AT+QIDEACT=16"), Command::DeactivatePdp { ctx: 16 });
    assert_eq!(
        err("AT+QIACT=17"),
        ParseError::OutOfRange(CommandGroup::TcpIp)
    );
    assert_eq!(
        ok(r#"AT+QIDNSCFG=1,"8.8.8.8","1.1.1.1""#),
        Command::ConfigureDns {
            ctx: 1,
            primary: "8.8.8.8".into(),
            secondary: Some("1.1.1.1".into()),
        }
    );
    assert_eq!(ok("AT+QIDNSCFG=1"), Command::QueryDns { ctx: 1 });
    assert_eq!(ok("AT+QIGETERROR"), Command::GetError);
    // The driver's `TestCommand(Testable::LastError)`.
    assert_eq!(ok("AT+QIGETERROR=?"), Command::TestGetError);
    assert_eq!(Command::TestGetError.group(), CommandGroup::TcpIp);
    assert_eq!(
        ok("AT+QISWTMD=4,2"),
        Command::SwitchAccessMode {
            client: 4,
            mode: AccessMode::Transparent
        }
    );
}

#[test]
fn ssl_config_commands() {
    assert_eq!(
        ok(r#"AT+QSSLCFG="sslversion",1,1"#),
        Command::ConfigureSsl {
            ctx: 1,
            setting: SslSetting::SslVersion(1)
        }
    );
    assert_eq!(
        ok(r#"AT+QSSLCFG="ciphersuite",1,0X0035"#),
        Command::ConfigureSsl {
            ctx: 1,
            setting: SslSetting::CipherSuite(0x35)
        }
    );
    assert_eq!(
        ok(r#"AT+QSSLCFG="ciphersuite",1,0xffff"#),
        Command::ConfigureSsl {
            ctx: 1,
            setting: SslSetting::CipherSuite(0xFFFF)
        }
    );
    assert_eq!(
        err(r#"AT+QSSLCFG="ciphersuite",1,"0X0035""#),
        ParseError::Syntax(CommandGroup::Ssl)
    );
    assert_eq!(
        err(r#"AT+QSSLCFG="ciphersuite",1,0X1234"#),
        ParseError::OutOfRange(CommandGroup::Ssl)
    );
    assert_eq!(
        ok(r#"AT+QSSLCFG="cacert",1,"RAM:cacert.pem""#),
        Command::ConfigureSsl {
            ctx: 1,
            setting: SslSetting::CaCert("RAM:cacert.pem".into())
        }
    );
    assert_eq!(
        ok(r#"AT+QSSLCFG="psk",2,"id","key""#),
        Command::ConfigureSsl {
            ctx: 2,
            setting: SslSetting::Psk {
                identity: "id".into(),
                key: "key".into()
            }
        }
    );
    assert_eq!(
        ok(r#"AT+QSSLCFG="seclevel",5"#),
        Command::QuerySslConfig {
            ctx: 5,
            name: SslSettingName::SecLevel
        }
    );
    assert_eq!(ok(r#"AT+QSSLCFG="cacertex""#), Command::QueryAllCaCertEx);
    assert_eq!(ok("AT+QSSLCFG=?"), Command::TestSslConfig);
    assert_eq!(
        err(r#"AT+QSSLCFG="negotiatetime",1,9"#),
        ParseError::OutOfRange(CommandGroup::Ssl)
    );
    assert_eq!(
        err(r#"AT+QSSLCFG="sslversion",6,1"#),
        ParseError::OutOfRange(CommandGroup::Ssl)
    );
    for name in SslSettingName::ALL {
        assert_eq!(SslSettingName::from_wire(name.wire()), Some(name));
    }
}

#[test]
fn ssl_socket_commands() {
    assert_eq!(
        ok(r#"AT+QSSLOPEN=1,1,4,"example.com",443"#),
        Command::OpenSsl {
            pdp: 1,
            ctx: 1,
            client: 4,
            address: "example.com".into(),
            port: 443,
            mode: AccessMode::Buffer,
        }
    );
    assert_eq!(
        ok("AT+QSSLSEND=4"),
        Command::SendSsl {
            client: 4,
            length: None
        }
    );
    assert_eq!(
        ok("AT+QSSLSEND=4,18"),
        Command::SendSsl {
            client: 4,
            length: Some(18)
        }
    );
    assert_eq!(
        err("AT+QSSLSEND=4,1461"),
        ParseError::OutOfRange(CommandGroup::Ssl)
    );
    assert_eq!(
        err("AT+QSSLSEND=12"),
        ParseError::OutOfRange(CommandGroup::Ssl)
    );
    assert_eq!(
        ok("AT+QSSLRECV=4,1500"),
        Command::ReadSsl {
            client: 4,
            length: 1500
        }
    );
    assert_eq!(
        err("AT+QSSLRECV=4,0"),
        ParseError::OutOfRange(CommandGroup::Ssl)
    );
    assert_eq!(
        ok("AT+QSSLCLOSE=4"),
        Command::CloseSsl {
            client: 4,
            timeout: None
        }
    );
    assert_eq!(ok("AT+QSSLSTATE"), Command::QuerySslState { client: None });
    assert_eq!(
        ok("AT+QSSLSTATE=3"),
        Command::QuerySslState { client: Some(3) }
    );
    assert_eq!(ok("AT+QSSLSTATE=?"), Command::TestSslState);
    assert_eq!(ok("at+qsslopen=?"), Command::TestSslOpen);
}

#[test]
fn file_commands() {
    assert_eq!(
        ok(r#"AT+QFUPL="RAM:cacert.pem",1758,100,1"#),
        Command::UploadFile {
            name: "RAM:cacert.pem".into(),
            size: 1758,
            timeout: Some(100),
            ack: Some(true)
        }
    );
    assert_eq!(
        err(r#"AT+QFUPL="RAM:a",0"#),
        ParseError::OutOfRange(CommandGroup::File)
    );
    assert_eq!(ok("AT+QFLST"), Command::ListFiles { pattern: None });
    assert_eq!(
        ok(r#"AT+QFLST="RAM:*""#),
        Command::ListFiles {
            pattern: Some("RAM:*".into())
        }
    );
    assert_eq!(
        ok(r#"AT+QFDEL="RAM:a.pem""#),
        Command::DeleteFile {
            name: "RAM:a.pem".into()
        }
    );
}
