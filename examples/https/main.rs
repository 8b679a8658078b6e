//! HTTPS with `reqwless`, unchanged, over the async stack's `TcpConnect`
//! and `Dns`: the module does the TLS (reqwless's own is off), through the
//! module simulator, to a small HTTPS server started here on loopback.
//!
//! ```text
//! cargo run --example https
//! cargo run --example https -- --help
//! ```
//!
//! A GET, then a POST of 100 kB whose SHA-256 the server answers and this
//! example checks. Exits with status 1 if a step fails, 2 if the command
//! line is wrong.

#[path = "../common/https_server.rs"]
mod https_server;
#[path = "../common/https_session.rs"]
mod https_session;
#[path = "../common/stack_host.rs"]
mod stack_host;

use std::cell::Cell;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::rc::Rc;

use quectel_sim::testing::TestPki;
use quectel_sim::{SimConfig, Simulator};

const USAGE: &str = "usage: https [--help]

A GET and a 100 kB POST with reqwless over the module's TLS (the stack's
TcpConnect and Dns), through the module simulator, to an HTTPS server
started on loopback.

  --help   this text";

const HOST: &str = "files.example";

fn main() -> ExitCode {
    if let Some(arg) = std::env::args().nth(1) {
        if arg == "--help" || arg == "-h" {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        eprintln!("https: unknown argument {arg:?}\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let pki = TestPki::new();
    let server = match https_server::HttpsServer::start(&pki, HOST) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("https: server: {e}");
            return ExitCode::from(1);
        }
    };
    println!("== HTTPS server for {HOST} on 127.0.0.1:{}", server.port());
    let (_sim, port) = Simulator::start(SimConfig::fast().dns(HOST, Ipv4Addr::LOCALHOST.into()));
    let ok = Rc::new(Cell::new(false));
    let result = ok.clone();
    let (server_port, ca) = (server.port(), pki.ca_pem().as_bytes().to_vec());
    stack_host::run(port, move |_spawner, control, stack| async move {
        if let Err(e) = stack_host::set_up(control, &ca).await {
            eprintln!("https: set-up failed: {e}");
            return;
        }
        stack.lend_buffer(Box::leak(vec![0u8; 32 * 1024].into_boxed_slice()));
        let upload: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        println!("== reqwless: GET /hello, POST /upload (the module looks {HOST} up, then connects by name)");
        let say = |m: String| println!("   {m}");
        match https_session::https_session(&stack, HOST, server_port, &upload, say).await {
            Ok(report)
                if report.upload_hash == https_server::sha256_hex(&upload)
                    && report.hello == https_server::hello_body() =>
            {
                println!(
                    "== the GET's body is right; the server's SHA-256 of the POST matches ours"
                );
                result.set(true);
            }
            Ok(report) => eprintln!("https: wrong answers (hash {})", report.upload_hash),
            Err(e) => eprintln!("https: {e}"),
        }
    });
    println!("== the server answered {} requests", server.served());
    if ok.get() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
