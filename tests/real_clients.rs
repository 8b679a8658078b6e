//! Real clients, unchanged, against real servers through the module's TLS:
//! `rust-mqtt` to a Mosquitto broker (subscribe, publish, receive our own
//! message, QoS 1), `reqwless` GET and a 100 kB POST verified by hash, and
//! both at once with ten more sockets echoing every byte value, on
//! embassy's std executor.
//!
//! Mosquitto must be installed (`.ci/run` installs Debian's); without it
//! the MQTT tests fail, saying so.

mod common;

#[path = "../examples/common/https_server.rs"]
mod https_server;
#[path = "../examples/common/https_session.rs"]
mod https_session;
#[path = "../examples/common/mosquitto.rs"]
mod mosquitto;
#[path = "../examples/common/mqtt_session.rs"]
mod mqtt_session;

use std::cell::RefCell;
use std::net::Ipv4Addr;
use std::rc::Rc;

use common::sim::*;
use common::stack::*;
use embedded_io_async::{Read, Write};
use https_server::{hello_body, sha256_hex, HttpsServer};
use https_session::https_session;
use mosquitto::Mosquitto;
use mqtt_session::mqtt_session;
use quectel_sim::testing::EchoServerOptions;
use quectel_ssl::asynch::{ConnectOptions, Stack};
use quectel_ssl::command::ssl_socket::AccessMode;

const BROKER: &str = "broker.test";
const FILES: &str = "files.test";

/// A module that knows the broker's and the web server's names, with an
/// echo server and the CA that signed all three.
fn rig() -> Rig {
    let config = sim_config()
        .dns(BROKER, Ipv4Addr::LOCALHOST.into())
        .dns(FILES, Ipv4Addr::LOCALHOST.into());
    Rig::with(EchoServerOptions::default().rsa(), config)
}

fn broker(rig: &Rig) -> Mosquitto {
    Mosquitto::start(&rig.pki, BROKER).unwrap_or_else(|e| panic!("{e}"))
}

/// An MQTT payload of every byte value.
fn mqtt_payload() -> Vec<u8> {
    (0..=255u8).chain((0..=255u8).rev()).collect()
}

async fn run_mqtt(stack: Stack<'static>, broker_port: u16, id: &str) {
    let socket = stack
        .connect(BROKER, broker_port, buffer(8192))
        .await
        .expect("TLS to the broker");
    let payload = mqtt_payload();
    let report = mqtt_session(socket, id, "quectel/test", &payload, |m| {
        println!("mqtt: {m}")
    })
    .await
    .expect("MQTT session");
    assert!(report.acknowledged, "PUBACK");
    assert_eq!(report.received, payload, "our own message, every byte");
}

async fn run_https(stack: Stack<'static>, server: u16) {
    stack.lend_buffer(buffer(32 * 1024));
    let upload = pattern(100_000, 9);
    let report = https_session(&stack, FILES, server, &upload, |m| println!("https: {m}"))
        .await
        .expect("HTTPS session");
    assert_eq!(report.hello, hello_body(), "the GET's body, every byte");
    assert_eq!(
        report.upload_hash,
        sha256_hex(&upload),
        "the server got the POST's body"
    );
}

#[test]
fn rust_mqtt_over_the_modules_tls_to_mosquitto_qos_1() {
    let mut rig = rig();
    let broker = broker(&rig);
    let (port, ca, broker_port) = (
        rig.take_port(),
        rig.pki.ca_pem().as_bytes().to_vec(),
        broker.port(),
    );
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        run_mqtt(stack, broker_port, "quectel-ssl-test").await;
    });
}

#[test]
fn reqwless_get_and_100_kb_post_over_the_modules_tls() {
    let mut rig = rig();
    let server = HttpsServer::start(&rig.pki, FILES).expect("HTTPS server");
    let (port, ca, server_port) = (
        rig.take_port(),
        rig.pki.ca_pem().as_bytes().to_vec(),
        server.port(),
    );
    run_stack(port, move |_spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        run_https(stack, server_port).await;
    });
    assert_eq!(server.served(), 2);
}

/// Echo `len` bytes of every value on its own connection, writer and
/// reader in two tasks of their own.
async fn echo(stack: Stack<'static>, server: u16, n: u8, mode: AccessMode) -> bool {
    let stack = stack.with_options(ConnectOptions {
        mode,
        ..ConnectOptions::default()
    });
    let socket = stack
        .connect(HOST, server, buffer(64 * 1024))
        .await
        .expect("echo connect");
    let data = pattern(30_000 + usize::from(n) * 101, n);
    let (mut reader, mut writer) = socket.split();
    let expected = data.clone();
    let (_, back) = embassy_futures::join::join(
        async move { writer.write_all(&data).await.expect("echo write") },
        async move {
            let mut back = vec![0u8; expected.len()];
            reader.read_exact(&mut back).await.expect("echo read");
            back == expected
        },
    )
    .await;
    back
}

#[test]
fn mqtt_https_and_ten_echo_sockets_at_once_on_one_modem() {
    let mut rig = rig();
    let broker = broker(&rig);
    let server = HttpsServer::start(&rig.pki, FILES).expect("HTTPS server");
    let (port, ca) = (rig.take_port(), rig.pki.ca_pem().as_bytes().to_vec());
    let (broker_port, server_port, echo_port) = (broker.port(), server.port(), rig.server_port());
    run_stack(port, move |spawner, control, stack| async move {
        set_up_stack(control, &ca).await;
        let done = Rc::new(RefCell::new(Vec::<(String, bool)>::new()));
        let report = |name: String, ok: bool| {
            let done = done.clone();
            move || done.borrow_mut().push((name, ok))
        };
        let finish = report("mqtt".into(), true);
        spawn(spawner, async move {
            run_mqtt(stack, broker_port, "quectel-ssl-busy").await;
            finish();
        });
        let finish = report("https".into(), true);
        spawn(spawner, async move {
            run_https(stack, server_port).await;
            finish();
        });
        for n in 0..10u8 {
            let mode = if n % 2 == 0 {
                AccessMode::Buffer
            } else {
                AccessMode::DirectPush
            };
            let done = done.clone();
            spawn(spawner, async move {
                let same = echo(stack, echo_port, n, mode).await;
                done.borrow_mut()
                    .push((format!("echo {n} ({mode:?})"), same));
            });
        }
        while done.borrow().len() < 12 {
            embassy_futures::yield_now().await;
        }
        for (name, ok) in done.take() {
            assert!(ok, "{name}: the bytes differ");
        }
    });
}
