//! The bench's command line, parsed apart from `main` so that
//! `tests/example_args.rs` checks it as it is, without running the bench.

/// What `--help` prints.
pub const USAGE: &str = "\
usage: bench [--quick] [--json] [--only TEXT]...
  (no flags)   the whole table: 1 MiB per throughput run (about 22 minutes)
  --quick      128 KiB per throughput run (about 4 minutes)
  --json       one JSON object per figure on standard output, instead of the table
  --only TEXT  only the rows whose name holds TEXT (given again: any of them);
               names are those of --json, without the last part:
                 throughput.921600baud.0ms.buffer.send   (the blocking face)
                 stack.1sockets.921600baud.buffer.send   (the async stack; its
                     blocking row, which it is compared with, runs too)
                 latency.push, cpu, footprint            (whole sections)
               e.g. `--only 921600baud.0ms.transparent.send --only 1sockets.921600`
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
        /// Only the rows whose name holds one of these (none: every row).
        only: Vec<String>,
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
    let (mut bytes, mut json, mut only) = (FULL_RUN, false, Vec::new());
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--quick" => bytes = QUICK_RUN,
            "--json" => json = true,
            "--only" => only.push(args.next().ok_or("--only wants TEXT")?.to_lowercase()),
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
    Ok(Command::Run { bytes, json, only })
}

/// The rows `--only` selects (all when it was not given).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Selection {
    only: Vec<String>,
}

impl Selection {
    pub fn new(only: Vec<String>) -> Self {
        Self { only }
    }

    /// Whether the row (or section) called `name` runs.
    pub fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|text| name.contains(text.as_str()))
    }

    /// Whether the blocking face's row `baud`/`latency`/`row` (mode and
    /// direction, as `buffer.send`) runs: selected itself, or the async
    /// stack's row compared with it is.
    pub fn wants_blocking(&self, baud: u32, latency: u64, row: &str) -> bool {
        self.wants(&format!("throughput.{baud}baud.{latency}ms.{row}"))
            || (latency == 0 && self.wants(&format!("stack.1sockets.{baud}baud.{row}")))
    }
}
