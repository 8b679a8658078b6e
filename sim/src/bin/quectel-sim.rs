//! `quectel-sim`: a simulated Quectel EC2x module on a PTY or a TCP port.
//! Control lines on standard input inject faults (type `help`).
//!
//! Standard output carries what a script reads: the PTY's path or the
//! listener's address first, then the answers to control lines. What the
//! module is doing (booting, waiting for a client) goes to standard error.
//! `--help` prints the usage and exits 0; a wrong command line exits 2.

use std::io::BufRead;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use quectel_sim::control::{parse_control, ControlCommand, CONTROL_HELP};
use quectel_sim::front::{serve_pty, serve_tcp};
use quectel_sim::{DefaultsProfile, SimConfig, SimHandle};

const USAGE: &str = "\
usage: quectel-sim (--pty | --listen ADDR:PORT) [options]
  --pty                 serve on a new pseudo-terminal (its path is printed)
  --listen ADDR:PORT    serve on a TCP listener, one client at a time
                        (port 0: any free port; the address is printed)
  --baud N              pace both directions at N baud (10 bits per byte)
  --log FILE            write the line transcript to FILE as it happens
  --guard-ms N          +++ guard time (default 1000)
  --boot-ms N           time to RDY (default 3000)
  --turnaround-ms N     command turn-around latency (default 0)
  --dns NAME=IP         resolve NAME to IP (repeatable)
  --route IP:PORT=IP:PORT  connect to the second address instead of the first
  --at-port NAME        AT port name in +QSSLSTATE (default uart1)
  --real-defaults       SSL defaults of real firmware (sni 0, ignorelocaltime 1)
  --no-ufs-prefix       +QFLST prints UFS names without UFS:
  --tls13               let sslversion 4 negotiate TLS 1.3
  -h, --help            print this and exit
Control lines on stdin:
";

/// What the command line asks for.
enum Command {
    Help,
    Serve(Front, Box<SimConfig>, Duration),
}

enum Front {
    Pty,
    Listen(String),
}

fn value<'a>(
    args: &mut impl Iterator<Item = &'a String>,
    flag: &str,
) -> Result<&'a String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn millis(text: &str, flag: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{flag}: not a number of milliseconds"))
}

/// The arguments after the program name: what to serve, how, and the boot
/// time (to say what the module waits for).
fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut front = None;
    let mut config = SimConfig::default();
    let mut boot = Duration::from_secs(3);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--pty" => front = Some(Front::Pty),
            "--listen" => front = Some(Front::Listen(value(&mut it, arg)?.clone())),
            "--baud" => {
                let baud = value(&mut it, arg)?
                    .parse()
                    .map_err(|_| "--baud: not a number")?;
                config = config.baud(Some(baud));
            }
            "--log" => config = config.log_file(Some(PathBuf::from(value(&mut it, arg)?))),
            "--guard-ms" => config = config.guard_time(millis(value(&mut it, arg)?, arg)?),
            "--boot-ms" => {
                boot = millis(value(&mut it, arg)?, arg)?;
                config = config.boot_delay(boot);
            }
            "--turnaround-ms" => config = config.turnaround(millis(value(&mut it, arg)?, arg)?),
            "--dns" => {
                let spec = value(&mut it, arg)?;
                let (name, ip) = spec.split_once('=').ok_or("--dns expects NAME=IP")?;
                let ip: IpAddr = ip.parse().map_err(|_| "--dns: bad IP address")?;
                config = config.dns(name, ip);
            }
            "--route" => {
                let spec = value(&mut it, arg)?;
                let (from, to) = spec
                    .split_once('=')
                    .ok_or("--route expects IP:PORT=IP:PORT")?;
                let from: SocketAddr = from.parse().map_err(|_| "--route: bad address")?;
                let to: SocketAddr = to.parse().map_err(|_| "--route: bad address")?;
                config = config.route(from, to);
            }
            "--at-port" => config = config.at_port(value(&mut it, arg)?),
            "--real-defaults" => config = config.defaults_profile(DefaultsProfile::RealFirmware),
            "--no-ufs-prefix" => config = config.ufs_prefix_in_list(false),
            "--tls13" => config = config.allow_tls13(true),
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let front = front.ok_or("choose --pty or --listen ADDR:PORT")?;
    Ok(Command::Serve(front, Box::new(config), boot))
}

/// Reads control lines until `quit`. When standard input ends (a detached
/// run), keeps serving until the process is killed.
fn control_loop(handle: &SimHandle) {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        match parse_control(&line) {
            Ok(ControlCommand::Fault(fault)) => {
                handle.inject(fault);
                println!("ok");
            }
            Ok(ControlCommand::Dtr(on)) => {
                handle.set_dtr(on);
                println!("ok");
            }
            Ok(ControlCommand::Transcript) => print!("{}", handle.transcript()),
            Ok(ControlCommand::Sockets) => {
                for s in handle.sockets() {
                    println!("{s:?}");
                }
            }
            Ok(ControlCommand::Files) => {
                for (name, size) in handle.files() {
                    println!("{name} {size}");
                }
            }
            Ok(ControlCommand::Help) => println!("{CONTROL_HELP}"),
            Ok(ControlCommand::Quit) => return,
            Ok(_) => println!("not supported"),
            Err(e) => println!("error: {e}"),
        }
    }
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (front, config, boot) = match parse_args(&args) {
        Ok(Command::Serve(front, config, boot)) => (front, *config, boot),
        Ok(Command::Help) => {
            println!("{USAGE}{CONTROL_HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("quectel-sim: {message}\n{USAGE}{CONTROL_HELP}");
            return ExitCode::from(2);
        }
    };
    let boot = boot.as_millis();
    let result = match front {
        Front::Pty => serve_pty(config).map(|pty| {
            println!("{}", pty.path().display());
            eprintln!(
                "quectel-sim: serving on {}; the module boots, RDY in {boot} ms; \
                 control lines on standard input (help lists them)",
                pty.path().display()
            );
            control_loop(pty.handle());
        }),
        Front::Listen(addr) => serve_tcp(config, addr.as_str()).map(|tcp| {
            println!("{}", tcp.local_addr());
            eprintln!(
                "quectel-sim: listening on {}; waiting for a client, the module powers up \
                 when the first one connects (RDY {boot} ms later); control lines on standard \
                 input (help lists them)",
                tcp.local_addr()
            );
            control_loop(tcp.handle());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quectel-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
