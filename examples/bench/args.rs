//! The bench's command line, parsed apart from `main` so that
//! `tests/example_args.rs` checks it as it is, without running the bench.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: bench [--quick] [--json]
  (no flags)   the whole table: 1 MiB per throughput run (about 22 minutes)
  --quick      128 KiB per throughput run (about 4 minutes)
  --json       one JSON object per figure on standard output, instead of the table
  -h, --help   print this and exit
Run it as `cargo run --release --example bench`: a debug build's figures say
little. Progress goes to standard error.
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `-h` / `--help`: print [`USAGE`], exit 0.
    Help,
    /// Measure everything.
    Run {
        /// Payload bytes per throughput run.
        bytes: usize,
        /// Print JSON instead of the table.
        json: bool,
    },
    /// One CPU measurement in this process, run by the bench itself under
    /// callgrind (`--worker WHAT CHUNK`; not for people, so not in
    /// [`USAGE`]).
    Worker { what: String, chunk: usize },
}

/// Payload bytes per throughput run: the default and `--quick`.
pub const FULL_RUN: usize = 1024 * 1024;
pub const QUICK_RUN: usize = 128 * 1024;

/// Parse the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let (mut bytes, mut json) = (FULL_RUN, false);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--quick" => bytes = QUICK_RUN,
            "--json" => json = true,
            "--worker" => {
                let what = args.next().ok_or("--worker wants WHAT CHUNK")?;
                let chunk = args
                    .next()
                    .and_then(|c| c.parse().ok())
                    .ok_or("--worker wants WHAT CHUNK")?;
                return Ok(Command::Worker { what, chunk });
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Command::Run { bytes, json })
}
