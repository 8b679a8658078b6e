//! Exact bytes of the PDP and DNS commands and their typed answers.

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::command::testing::{answer, bytes};
use crate::NoResponse;

fn ctx(n: u8) -> PdpContextId {
    PdpContextId::new(n).unwrap()
}

#[test]
fn the_note_chapter_3_1_pdp_setup() {
    let configure = ConfigurePdpContext {
        context: ctx(1),
        pdp_type: PdpType::Ipv4,
        apn: Apn::new("UNINET").unwrap(),
        username: UserName::new("").unwrap(),
        password: Password::new("").unwrap(),
        auth: AuthMethod::Pap,
    };
    assert_eq!(bytes(&configure), "AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1\r");
    assert_eq!(answer(&configure, b"\r\nOK\r\n"), Ok(NoResponse));
    let activate = ActivatePdpContext { context: ctx(1) };
    assert_eq!(bytes(&activate), "AT+QIACT=1\r");
    assert_eq!(activate.timeout_ms(), 150_000);
    assert_eq!(bytes(&GetPdpContexts), "AT+QIACT?\r");
    let active = answer(
        &GetPdpContexts,
        b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].context, ctx(1));
    assert!(active[0].active);
    assert_eq!(active[0].pdp_type, PdpType::Ipv4);
    assert_eq!(active[0].address.as_str(), "10.7.157.1");
    let deactivate = DeactivatePdpContext { context: ctx(1) };
    assert_eq!(bytes(&deactivate), "AT+QIDEACT=1\r");
    assert_eq!(deactivate.timeout_ms(), 40_000);
}

#[test]
fn no_active_context_is_a_bare_ok_and_several_are_listed() {
    assert!(answer(&GetPdpContexts, b"\r\nOK\r\n").unwrap().is_empty());
    let raw = b"\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n+QIACT: 16,1,3,\"10.0.0.3\",\"2001:db8::1\"\r\n\r\nOK\r\n";
    let active = answer(&GetPdpContexts, raw).unwrap();
    assert_eq!(active.len(), 2);
    assert_eq!(active[1].context, ctx(16));
    assert_eq!(active[1].pdp_type, PdpType::Ipv4v6);
}

#[test]
fn dns_set_and_query() {
    let set = ConfigureDns {
        context: ctx(1),
        primary: IpAddr::from([8, 8, 8, 8]),
        secondary: Some(IpAddr::from([1, 1, 1, 1])),
    };
    assert_eq!(bytes(&set), "AT+QIDNSCFG=1,\"8.8.8.8\",\"1.1.1.1\"\r");
    let v6 = ConfigureDns {
        context: ctx(2),
        primary: "2001:4860:4860::8888".parse().unwrap(),
        secondary: None,
    };
    assert_eq!(bytes(&v6), "AT+QIDNSCFG=2,\"2001:4860:4860::8888\"\r");
    let get = GetDnsConfig { context: ctx(1) };
    assert_eq!(bytes(&get), "AT+QIDNSCFG=1\r");
    let dns = answer(
        &get,
        b"\r\n+QIDNSCFG: 1,\"8.8.8.8\",\"1.1.1.1\"\r\n\r\nOK\r\n",
    )
    .unwrap();
    assert_eq!(dns.primary.as_str(), "8.8.8.8");
    assert_eq!(dns.secondary.as_str(), "1.1.1.1");
    // The same class of defect as `GetSslState` (found by
    // `fuzz/response_parsers`): another context's servers are not these.
    assert_eq!(
        answer(
            &get,
            b"\r\n+QIDNSCFG: 2,\"8.8.8.8\",\"1.1.1.1\"\r\n\r\nOK\r\n"
        ),
        Err(crate::Error::UnexpectedResponse)
    );
    // Before the context is active the module answers ERROR.
    assert_eq!(answer(&get, b"\r\nERROR\r\n"), Err(crate::Error::Rejected));
}
