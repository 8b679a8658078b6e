//! An MQTT session over the module's TLS: `rust-mqtt`, unchanged, on a
//! socket of the async stack, through the module simulator, to a real
//! Mosquitto broker started here on loopback with a TLS listener (its CA
//! and certificate made at run time).
//!
//! ```text
//! cargo run --example mqtt             # needs mosquitto (Debian: apt-get install mosquitto)
//! cargo run --example mqtt -- --help
//! ```
//!
//! Prints each step as it starts, the MQTT events, and at the end what
//! crossed the serial line. Exits with status 1 if a step fails (or
//! mosquitto is not installed), 2 if the command line is wrong.

#[path = "../common/mosquitto.rs"]
mod mosquitto;
#[path = "../common/mqtt_session.rs"]
mod mqtt_session;
#[path = "../common/stack_host.rs"]
mod stack_host;

use std::cell::Cell;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::rc::Rc;

use quectel_sim::testing::TestPki;
use quectel_sim::{SimConfig, Simulator};

const USAGE: &str = "usage: mqtt [--transcript]

An MQTT session (connect, subscribe at QoS 1, publish at QoS 1, our own
message back, disconnect) with rust-mqtt over the module's TLS, through the
module simulator, to a Mosquitto broker started on loopback.

  --transcript   print every byte that crossed the serial line at the end
  --help         this text";

const BROKER: &str = "broker.example";

fn main() -> ExitCode {
    let mut transcript = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--transcript" => transcript = true,
            other => {
                eprintln!("mqtt: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let pki = TestPki::new();
    println!("== start mosquitto on loopback with a TLS listener for {BROKER}");
    let broker = match mosquitto::Mosquitto::start(&pki, BROKER) {
        Ok(broker) => broker,
        Err(e) => {
            eprintln!("mqtt: {e}");
            return ExitCode::from(1);
        }
    };
    println!("   listening on 127.0.0.1:{}", broker.port());
    let config = SimConfig::fast().dns(BROKER, Ipv4Addr::LOCALHOST.into());
    let (sim, port) = Simulator::start(config);
    let ok = Rc::new(Cell::new(false));
    let result = ok.clone();
    let broker_port = broker.port();
    let ca = pki.ca_pem().as_bytes().to_vec();
    stack_host::run(port, move |_spawner, control, stack| async move {
        if let Err(e) = stack_host::set_up(control, &ca).await {
            eprintln!("mqtt: set-up failed: {e}");
            return;
        }
        println!(
            "== connect to {BROKER}:{broker_port} (TCP and the TLS handshake, done by the module)"
        );
        let rx: &'static mut [u8] = Box::leak(vec![0u8; 8192].into_boxed_slice());
        let socket = match stack.connect(BROKER, broker_port, rx).await {
            Ok(socket) => socket,
            Err(e) => {
                eprintln!("mqtt: connect failed: {e}");
                return;
            }
        };
        println!("== MQTT session (rust-mqtt, unchanged)");
        let message = b"hello from a Quectel module's TLS";
        let say = |m: String| println!("   {m}");
        match mqtt_session::mqtt_session(
            socket,
            "quectel-ssl-example",
            "quectel/example",
            message,
            say,
        )
        .await
        {
            Ok(report) if report.received == message && report.acknowledged => {
                println!(
                    "== our own message came back, byte for byte, and the broker acknowledged it"
                );
                result.set(true);
            }
            Ok(report) => eprintln!("mqtt: unexpected outcome: {report:?}"),
            Err(e) => eprintln!("mqtt: {e}"),
        }
    });
    if transcript {
        println!("\n== the serial line\n{}", sim.transcript());
    }
    drop(broker);
    if ok.get() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
