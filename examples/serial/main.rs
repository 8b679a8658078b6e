//! An HTTPS request through a real module on a Linux serial port, or
//! through the simulator's PTY.
//!
//! ```text
//! cargo run --example serial -- --serial /dev/ttyUSB2 --apn APN \
//!     --connect HOST:443 --ca CA.pem [--path /] [--user U --password P] [--baud 115200]
//! ```
//!
//! `--ca` is the PEM certificate of the CA the server's chain ends at (for
//! most public servers one of `/etc/ssl/certs/`). The module's clock must be
//! right (network time, or `AT+CCLK`): certificate dates are checked. The
//! reply is printed on standard output, progress on standard error (each
//! step says what it waits for before it waits); the exit status is 1 if a
//! step failed, 2 if the command line is wrong. `--help` lists the flags.

mod args;
#[path = "../common/cli.rs"]
mod cli;
mod https;
mod port;

use std::process::ExitCode;
use std::time::Duration;

use args::{Command, USAGE};
use https::{https_get, Request};
use port::SerialPort;

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("serial: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let ca_pem = match std::fs::read(&args.ca) {
        Ok(pem) => pem,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.ca);
            return ExitCode::FAILURE;
        }
    };
    let port = match SerialPort::open(&args.device, args.baud) {
        Ok(port) => port,
        Err(e) => {
            eprintln!("cannot open {}: {e}", args.device);
            return ExitCode::FAILURE;
        }
    };
    let request = Request {
        apn: &args.apn,
        user: &args.user,
        password: &args.password,
        host: &args.host,
        port: args.port,
        path: &args.path,
        ca_pem: &ca_pem,
        idle: Duration::from_secs(10),
    };
    match https_get(port, &request) {
        Ok(reply) => {
            eprintln!("reply: {}", cli::count(reply.len(), "byte"));
            println!("{}", String::from_utf8_lossy(&reply));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
