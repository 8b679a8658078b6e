//! The serial example's command line, parsed apart from `main` so that
//! `tests/example_args.rs` checks it as it is, without running the example.

use super::cli::host_port;

/// What `--help` prints.
pub const USAGE: &str = "\
usage: serial --serial DEVICE --apn APN --connect HOST:PORT --ca FILE [options]
  --serial DEVICE      the module's AT port (e.g. /dev/ttyUSB2), or the simulator's PTY
  --apn APN            the network's access point name
  --connect HOST:PORT  the HTTPS server; HOST is sent as SNI and Host: and
                       checked against the server's certificate
  --ca FILE            PEM certificate of the CA the server's chain ends at
  --path PATH          path of the GET (default /)
  --user USER          APN user name (with --password; default none)
  --password PASSWORD  APN password
  --baud BAUD          the serial line's rate (default 115200)
  -h, --help           print this and exit
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `-h` / `--help`: print [`USAGE`], exit 0.
    Help,
    /// Make the request.
    Run(Args),
}

/// The request to make, and through which device.
#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub device: String,
    pub baud: u32,
    pub apn: String,
    pub user: String,
    pub password: String,
    pub host: String,
    pub port: u16,
    pub path: String,
    pub ca: String,
}

/// Parse the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let (mut device, mut apn, mut connect, mut ca) = (None, None, None, None);
    let (mut user, mut password, mut path, mut baud) = (None, None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--serial" => &mut device,
            "--apn" => &mut apn,
            "--connect" => &mut connect,
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
    let (host, port) = host_port(&need(connect, "--connect")?)?;
    Ok(Command::Run(Args {
        device: need(device, "--serial")?,
        baud: baud
            .map_or(Ok(115_200), |b| b.parse())
            .map_err(|_| "--baud wants a number")?,
        apn: need(apn, "--apn")?,
        user: user.unwrap_or_default(),
        password: password.unwrap_or_default(),
        host,
        port,
        path: path.unwrap_or_else(|| "/".into()),
        ca: need(ca, "--ca")?,
    }))
}
