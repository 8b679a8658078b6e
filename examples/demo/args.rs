//! The demo's command line, parsed apart from `main` so that
//! `tests/example_args.rs` checks it as it is, without running the demo.

use super::cli::host_port;

/// What `--help` prints.
pub const USAGE: &str = "\
usage: demo [--connect HOST:PORT --ca FILE]
  (no flags)           a local TLS echo server, its CA made at run time
  --connect HOST:PORT  any TLS server instead; HOST is sent as SNI and checked
                       against the server's certificate
  --ca FILE            PEM certificate of the CA the server's chain ends at
  -h, --help           print this and exit
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `-h` / `--help`: print [`USAGE`], exit 0.
    Help,
    /// Run the session: against a local echo server, or against a server
    /// given by `--connect`.
    Run(Option<Server>),
}

/// A TLS server of `--connect` and the CA of `--ca` (a file name).
#[derive(Debug, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub ca: String,
}

/// Parse the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let (mut connect, mut ca) = (None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--connect" => &mut connect,
            "--ca" => &mut ca,
            other => return Err(format!("unknown argument {other}")),
        };
        *slot = Some(args.next().ok_or(format!("{flag} wants a value"))?);
    }
    match (connect, ca) {
        (None, None) => Ok(Command::Run(None)),
        (Some(connect), Some(ca)) => {
            let (host, port) = host_port(&connect)?;
            Ok(Command::Run(Some(Server { host, port, ca })))
        }
        _ => Err("--connect HOST:PORT and --ca FILE go together".into()),
    }
}
