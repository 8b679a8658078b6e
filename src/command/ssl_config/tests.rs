//! Exact bytes of every `AT+QSSLCFG` form and its typed answers.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::testing::{answer, bytes};
use crate::types::{AlpnName, FileName, NegotiateTime, PskIdentity, PskKey};
use crate::Error;

fn ctx(n: u8) -> SslContextId {
    SslContextId::new(n).unwrap()
}

fn path(p: &str) -> FileName<'_> {
    FileName::new(p).unwrap()
}

/// Set line of `setting` on context 1, and the value its query answer
/// `+QSSLCFG: "<name>",1,<printed>` reads back as.
fn round_trip<S>(setting: S, wire_value: &str) -> S::Value
where
    S: SslSetting,
    S::Value: core::fmt::Debug + PartialEq,
{
    assert_eq!(
        bytes(&SetSslConfig::new(ctx(1), setting)),
        format!("AT+QSSLCFG=\"{}\",1,{wire_value}\r", S::NAME)
    );
    let get = GetSslConfig::<S>::new(ctx(1));
    assert_eq!(bytes(&get), format!("AT+QSSLCFG=\"{}\",1\r", S::NAME));
    let raw = format!("\r\n+QSSLCFG: \"{}\",1,{wire_value}\r\n\r\nOK\r\n", S::NAME);
    let got = answer(&get, raw.as_bytes()).unwrap();
    assert_eq!(got.context, ctx(1));
    got.value
}

#[test]
fn every_setting_sets_and_reads_back() {
    assert_eq!(round_trip(SslVersion::Tls12, "3"), SslVersion::Tls12);
    assert_eq!(round_trip(SslVersion::Ssl30, "0"), SslVersion::Ssl30);
    assert_eq!(
        round_trip(CipherSuite::RsaAes256CbcSha, "0X0035"),
        CipherSuite::RsaAes256CbcSha
    );
    assert_eq!(round_trip(CipherSuite::All, "0XFFFF"), CipherSuite::All);
    assert_eq!(
        round_trip(CaCert(path("RAM:cacert.pem")), "\"RAM:cacert.pem\""),
        "RAM:cacert.pem"
    );
    assert_eq!(
        round_trip(CaCertEx(path("UFS:ca.pem")), "\"UFS:ca.pem\""),
        "UFS:ca.pem"
    );
    assert_eq!(
        round_trip(ClientCert(path("RAM:client.pem")), "\"RAM:client.pem\""),
        "RAM:client.pem"
    );
    assert_eq!(
        round_trip(ClientKey(path("RAM:user_key.pem")), "\"RAM:user_key.pem\""),
        "RAM:user_key.pem"
    );
    assert_eq!(round_trip(SecLevel::Server, "1"), SecLevel::Server);
    assert_eq!(
        round_trip(SecLevel::NoAuthentication, "0"),
        SecLevel::NoAuthentication
    );
    assert!(round_trip(IgnoreLocalTime(true), "1"));
    assert!(!round_trip(IgnoreLocalTime(false), "0"));
    assert_eq!(
        round_trip(NegotiateTime::new(120).unwrap(), "120"),
        NegotiateTime::new(120).unwrap()
    );
    assert!(round_trip(Sni(true), "1"));
    assert_eq!(
        round_trip(CloseTimeMode::Milliseconds, "1"),
        CloseTimeMode::Milliseconds
    );
    assert!(round_trip(IgnoreMultiCertChainVerify(true), "1"));
    assert!(!round_trip(IgnoreInvalidCertSign(false), "0"));
    let psk = round_trip(
        Psk {
            identity: PskIdentity::new("device-7").unwrap(),
            key: PskKey::new("0123456789abcdef").unwrap(),
        },
        "\"device-7\",\"0123456789abcdef\"",
    );
    assert_eq!(psk.identity.as_str(), "device-7");
    assert_eq!(psk.key.as_str(), "0123456789abcdef");
    assert!(!format!("{psk:?}").contains("0123456789abcdef"));
    assert!(round_trip(Dtls(true), "1"));
    assert_eq!(round_trip(DtlsVersion::Dtls12, "1"), DtlsVersion::Dtls12);
    assert!(round_trip(SessionCache(true), "1"));
    assert_eq!(
        round_trip(Alpn(AlpnName::new("h2").unwrap()), "\"h2\""),
        "h2"
    );
    assert_eq!(round_trip(Alpn(AlpnName::new("").unwrap()), "\"\""), "");
    assert!(!round_trip(Renegotiation(false), "0"));
    assert_eq!(SETTING_NAMES.len(), 19);
}

#[test]
fn cipher_suites_are_written_unquoted_and_read_in_either_case() {
    for &suite in CipherSuite::SUITES {
        let line = bytes(&SetSslConfig::new(ctx(2), suite));
        assert_eq!(
            line,
            format!("AT+QSSLCFG=\"ciphersuite\",2,0X{:04X}\r", suite.code())
        );
    }
    let get = GetSslConfig::<CipherSuite>::new(ctx(0));
    let raw = b"\r\n+QSSLCFG: \"ciphersuite\",0,0xc02f\r\n\r\nOK\r\n";
    assert_eq!(
        answer(&get, raw).unwrap().value,
        CipherSuite::EcdheRsaAes128GcmSha256
    );
    let raw = b"\r\n+QSSLCFG: \"ciphersuite\",0,0X1301\r\n\r\nOK\r\n";
    assert_eq!(answer(&get, raw), Err(Error::UnexpectedResponse));
}

#[test]
fn the_misprinted_name_of_ignoreinvalidcertsign_is_accepted() {
    let get = GetSslConfig::<IgnoreInvalidCertSign>::new(ctx(3));
    let raw = b"\r\n+QSSLCFG: \"ignoremulticertchainverify\",3,1\r\n\r\nOK\r\n";
    assert!(answer(&get, raw).unwrap().value);
}

#[test]
fn a_query_answer_for_another_setting_or_context_is_not_taken() {
    let get = GetSslConfig::<SslVersion>::new(ctx(1));
    let raw = b"\r\n+QSSLCFG: \"seclevel\",1,2\r\n+QSSLCFG: \"sslversion\",4,3\r\n\r\nOK\r\n";
    assert_eq!(answer(&get, raw), Err(Error::UnexpectedResponse));
    let raw = b"\r\n+QSSLCFG: \"sslversion\",1,9\r\n\r\nOK\r\n";
    assert_eq!(answer(&get, raw), Err(Error::UnexpectedResponse));
    assert_eq!(answer(&get, b"\r\nERROR\r\n"), Err(Error::Rejected));
}

#[test]
fn the_note_chapter_3_2_configuration() {
    assert_eq!(
        bytes(&SetSslConfig::new(ctx(1), SslVersion::Tls10)),
        "AT+QSSLCFG=\"sslversion\",1,1\r"
    );
    assert_eq!(
        bytes(&SetSslConfig::new(ctx(1), CipherSuite::RsaAes256CbcSha)),
        "AT+QSSLCFG=\"ciphersuite\",1,0X0035\r"
    );
    assert_eq!(
        bytes(&SetSslConfig::new(ctx(1), SecLevel::Server)),
        "AT+QSSLCFG=\"seclevel\",1,1\r"
    );
    assert_eq!(
        bytes(&SetSslConfig::new(ctx(1), CaCert(path("RAM:cacert.pem")))),
        "AT+QSSLCFG=\"cacert\",1,\"RAM:cacert.pem\"\r"
    );
    assert_eq!(
        answer(&SetSslConfig::new(ctx(1), SslVersion::Tls10), b"\r\nOK\r\n"),
        Ok(crate::NoResponse)
    );
}

#[test]
fn cacertex_lists_all_contexts() {
    assert_eq!(bytes(&ListCaCertEx), "AT+QSSLCFG=\"cacertex\"\r");
    let raw = b"\r\n+QSSLCFG: \"cacertex\",0,\"RAM:a.pem\"\r\n+QSSLCFG: \"cacertex\",1,\"\"\r\n+QSSLCFG: \"cacertex\",2,\"\"\r\n+QSSLCFG: \"cacertex\",3,\"\"\r\n+QSSLCFG: \"cacertex\",4,\"\"\r\n+QSSLCFG: \"cacertex\",5,\"UFS:b.pem\"\r\n\r\nOK\r\n";
    let all = answer(&ListCaCertEx, raw).unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[5].context, ctx(5));
    assert_eq!(all[5].value.as_str(), "UFS:b.pem");
}

#[test]
fn the_test_form_is_read_leniently() {
    assert_eq!(bytes(&TestSslConfig), "AT+QSSLCFG=?\r");
    let raw = concat!(
        "\r\n+QSSLCFG: \"sslversion\",(0-5),(0-4)\r\n",
        "+QSSLCFG: \"ciphersuite\",(0-5),(0X0035,0X002F,0XFFFF)\r\n",
        "+QSSLCFG: \"cacert\",(0-5),<cacertpath>\r\n",
        "+QSSLCFG: \"seclevel\",(0-5),(0-2)\r\n",
        "+QSSLCFG:  \"sni\" , (0-5) , (0,1)\r\n",
        "+QSSLCFG: \"alpn\",(0-5),<ALPN_name>\r\n",
        "+QSSLCFG: \"ktlsx\",(0-5),(0,1)\r\n",
        "\r\nOK\r\n"
    );
    let caps = answer(&TestSslConfig, raw.as_bytes()).unwrap();
    assert_eq!(caps.known_count(), 6);
    assert!(caps.supports("sni"));
    assert!(caps.supports("alpn"));
    assert!(!caps.supports("psk"));
    assert_eq!(caps.unknown_settings, 1);
}

/// Every value that carries a PSK key prints without it.
#[test]
fn psk_keys_never_print() {
    const KEY: &str = "5ecret-pre-shared-key";
    let psk = Psk {
        identity: PskIdentity::new("device-7").unwrap(),
        key: PskKey::new(KEY).unwrap(),
    };
    let value = PskValue {
        identity: "device-7".try_into().unwrap(),
        key: KEY.try_into().unwrap(),
    };
    let config = crate::modem::ops::SslConfig {
        psk: Some(psk),
        ..crate::modem::ops::SslConfig::default()
    };
    let printed = [
        format!("{:?}", psk.key),
        format!("{psk:?}"),
        format!("{psk:#?}"),
        format!("{:?}", SetSslConfig::new(ctx(1), psk)),
        format!("{value:?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
    ];
    for text in printed {
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("<hidden>"), "{text}");
    }
    // The command line itself carries it: that is where it goes.
    assert!(bytes(&SetSslConfig::new(ctx(1), psk)).contains(KEY));
}
