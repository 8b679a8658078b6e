//! An HTTPS request through a real module on a Linux serial port, or
//! through the simulator's PTY.
//!
//! ```text
//! cargo run --example serial -- --port /dev/ttyUSB2 --apn APN --host HOST \
//!     --port-number 443 --ca CA.pem [--path /] [--user U --password P] [--baud 115200]
//! ```
//!
//! `--ca` is the PEM certificate of the CA the server's chain ends at (for
//! most public servers one of `/etc/ssl/certs/`). The module's clock must be
//! right (network time, or `AT+CCLK`): certificate dates are checked. The
//! reply is printed on standard output, progress on standard error; the
//! exit status is 1 if a step failed.

mod https;
mod port;

use std::process::ExitCode;
use std::time::Duration;

use https::{https_get, Request};
use port::SerialPort;

const USAGE: &str = "usage: serial --port DEVICE --apn APN --host HOST --port-number N --ca FILE \
[--path PATH] [--user USER --password PASSWORD] [--baud BAUD]";

struct Args {
    device: String,
    baud: u32,
    apn: String,
    user: String,
    password: String,
    host: String,
    port: u16,
    path: String,
    ca: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut device, mut apn, mut host, mut port, mut ca) = (None, None, None, None, None);
    let (mut user, mut password, mut path, mut baud) = (None, None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--port" => &mut device,
            "--apn" => &mut apn,
            "--host" => &mut host,
            "--port-number" => &mut port,
            "--ca" => &mut ca,
            "--user" => &mut user,
            "--password" => &mut password,
            "--path" => &mut path,
            "--baud" => &mut baud,
            other => return Err(format!("unknown argument {other}")),
        };
        *slot = Some(args.next().ok_or(format!("{flag} wants a value"))?);
    }
    let need = |v: Option<String>, name: &str| v.ok_or(format!("{name} is needed"));
    Ok(Args {
        device: need(device, "--port")?,
        baud: baud
            .map_or(Ok(115_200), |b| b.parse())
            .map_err(|_| "--baud wants a number")?,
        apn: need(apn, "--apn")?,
        user: user.unwrap_or_default(),
        password: password.unwrap_or_default(),
        host: need(host, "--host")?,
        port: need(port, "--port-number")?
            .parse()
            .map_err(|_| "--port-number wants a port")?,
        path: path.unwrap_or_else(|| "/".into()),
        ca: need(ca, "--ca")?,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
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
            println!("{}", String::from_utf8_lossy(&reply));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
