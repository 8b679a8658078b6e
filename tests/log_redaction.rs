//! What the driver logs (feature `log`, on for the tests): commands by name
//! and first parameter, lengths, ids, URC kinds, results. Never payload
//! bytes, PDP user names and passwords, PSK identities and keys: a whole
//! session with all of them is run and every record is searched for each.

mod common;

use std::sync::Mutex;

use common::sim::{buffer, client, open_cmd, pdp, ssl, Rig, CA_FILE};
use embedded_io::Write;
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_config::Psk;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::*;

/// Every record logged in this test binary: (target, message).
static RECORDS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let entry = (record.target().to_string(), record.args().to_string());
        RECORDS.lock().unwrap().push(entry);
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

const USER: &str = "operator-user-8812";
const PASSWORD: &str = "pdp-pass-Zq7#41";
const PSK_IDENTITY: &str = "device-identity-5150";
const PSK_KEY: &str = "7c1f0e9a44d2b8aa31c6e05f9d7b2e68";
const MARKER: &[u8] = b"PAYLOAD-MARKER-3f9e";

/// How a byte string could show up in a record: as text, as lower and upper
/// case hex, and as Rust's `Debug` of a byte slice.
fn renderings(bytes: &[u8]) -> Vec<String> {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let list = format!("{:?}", bytes);
    vec![
        String::from_utf8_lossy(bytes).into_owned(),
        hex.clone(),
        hex.to_uppercase(),
        list.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
    ]
}

#[test]
fn payload_passwords_and_keys_never_reach_the_log() {
    log::set_logger(&CAPTURE).expect("the only logger of this test binary");
    log::set_max_level(log::LevelFilter::Trace);

    let mut rig = Rig::new();
    let mut m = rig.modem();
    m.init().expect("init");
    m.configure_pdp(ConfigurePdpContext {
        context: pdp(1),
        pdp_type: PdpType::Ipv4,
        apn: Apn::new("internet").unwrap(),
        username: UserName::new(USER).unwrap(),
        password: Password::new(PASSWORD).unwrap(),
        auth: AuthMethod::PapOrChap,
    })
    .expect("QICSGP");
    m.activate_pdp(pdp(1)).expect("QIACT");
    let ca_file = FileName::new(CA_FILE).unwrap();
    m.upload(ca_file, rig.pki.ca_pem().as_bytes())
        .expect("CA upload");
    m.configure_ssl(ssl(0), &SslConfig::with_ca(ca_file))
        .expect("QSSLCFG");
    let psk = SslConfig {
        psk: Some(Psk {
            identity: PskIdentity::new(PSK_IDENTITY).unwrap(),
            key: PskKey::new(PSK_KEY).unwrap(),
        }),
        ..SslConfig::with_ca(ca_file)
    };
    m.configure_ssl(ssl(1), &psk).expect("QSSLCFG with a PSK");

    // Payload: the marker between every byte value, both ways, in both
    // modes that carry it framed by the driver.
    let mut payload: Vec<u8> = MARKER.to_vec();
    payload.extend(0..=255u8);
    payload.extend_from_slice(MARKER);
    for (n, mode) in [(0, AccessMode::Buffer), (1, AccessMode::DirectPush)] {
        let sock = m
            .open(open_cmd(n, rig.server_port(), mode), buffer(4096))
            .expect("open");
        m.socket(&sock).write_all(&payload).expect("send");
        let mut back = vec![0u8; payload.len()];
        let mut got = 0;
        while got < back.len() {
            got += m.read(&sock, &mut back[got..]).expect("read");
        }
        assert_eq!(back, payload, "echo");
        m.close(&sock).expect("close");
        assert_eq!(sock.client(), client(n));
    }

    let records = RECORDS.lock().unwrap().clone();
    let driver: Vec<&String> = records
        .iter()
        .filter(|(target, _)| target.starts_with("quectel_ssl"))
        .map(|(_, message)| message)
        .collect();
    // The log is there and says what happened...
    for expected in [
        "AT+QICSGP=1 ",
        "AT+QSSLCFG=\"psk\" ",
        "AT+QSSLSEND=0",
        "AT+QSSLRECV=0",
        "bytes pushed",
        "socket 1: closed",
    ] {
        assert!(
            driver.iter().any(|m| m.contains(expected)),
            "no driver record contains {expected:?}"
        );
    }
    // ...and no record, the driver's or any other's, holds a secret.
    let mut secrets = Vec::new();
    for s in [USER, PASSWORD, PSK_IDENTITY, PSK_KEY] {
        secrets.extend(renderings(s.as_bytes()));
    }
    secrets.extend(renderings(MARKER));
    for (target, message) in &records {
        for secret in &secrets {
            assert!(
                !message.contains(secret.as_str()),
                "{target} logged {secret:?}: {message}"
            );
        }
    }
}
