//! Speed and size, measured: `cargo run --release --example bench`.
//!
//! One table: throughput through the simulator with its line paced like a
//! UART (as a share of the line rate and of what the AT protocol allows),
//! instructions per byte counted by callgrind (this crate's digester against
//! atat's own), and the footprint of the QEMU firmware with and without the
//! driver. `-- --json` prints one JSON object per figure instead; `--quick`
//! moves 128 KiB per throughput run instead of 1 MiB; `--only TEXT` runs
//! only the rows whose name holds TEXT; `--help` says so.
//! Before each long measurement a line on standard error says what it
//! waits for.
//!
//! Benchmarks report; they assert nothing. The targets are in the table,
//! and a missed one says by how much.

mod args;
mod cpu;
mod footprint;
mod stack;
mod throughput;

use std::process::ExitCode;

use args::{Command, Selection, USAGE};
use quectel_ssl::command::ssl_socket::AccessMode;
use throughput::Direction;

/// One measured figure.
pub struct Figure {
    name: String,
    value: f64,
    unit: &'static str,
}

impl Figure {
    pub fn new(name: &str, value: f64, unit: &'static str) -> Self {
        Self {
            name: name.to_string(),
            value,
            unit,
        }
    }

    fn json(&self) -> String {
        format!(
            "{{\"name\":\"{}\",\"value\":{:.3},\"unit\":\"{}\"}}",
            self.name, self.value, self.unit
        )
    }
}

/// `value` against a target: "ok" or how far off.
fn verdict(value: f64, target: f64, higher_is_better: bool) -> String {
    let met = if higher_is_better {
        value >= target
    } else {
        value <= target
    };
    if met {
        "meets target".into()
    } else if higher_is_better {
        format!("MISSES target by {:.1} points", target - value)
    } else {
        format!("MISSES target by {:.1}", value - target)
    }
}

fn main() -> ExitCode {
    let (bytes, json, only) = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Run { bytes, json, only }) => (bytes, json, Selection::new(only)),
        Ok(Command::Worker { what, chunk }) => {
            cpu::worker(&what, chunk);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprint!("bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut figures: Vec<Figure> = Vec::new();
    let say = |text: String| {
        if !json {
            println!("{text}");
        }
    };

    let run_size = if bytes == args::FULL_RUN {
        "1 MiB"
    } else {
        "128 KiB"
    };
    say(format!(
        "quectel-ssl benchmarks ({run_size} per throughput run; line rate = baud / 10 bytes per second)\n"
    ));
    say("throughput through the simulator (end to end, real TLS on loopback)".into());
    say(format!(
        "  {:>7} {:>4} {:<12} {:<8} {:>10} {:>7} {:>9}  {}",
        "baud",
        "lat",
        "mode",
        "dir",
        "B/s",
        "line%",
        "protocol%",
        "target (>= 95 % of line rate at 115200)"
    ));
    let modes = [
        AccessMode::Buffer,
        AccessMode::DirectPush,
        AccessMode::Transparent,
    ];
    let plan: Vec<(u32, u64)> = vec![(115_200, 0), (921_600, 0), (115_200, 2)];
    for (baud, latency) in plan {
        for mode in modes {
            for direction in [Direction::Send, Direction::Receive] {
                if !only.wants_blocking(baud, latency, &row_name(mode, direction)) {
                    continue;
                }
                eprintln!(
                    "bench: moving {} {direction:?} in {mode:?} mode at {baud} baud, \
                     {latency} ms module latency, through the simulator",
                    run_size
                );
                match throughput::measure(baud, latency, mode, direction, bytes) {
                    Ok(run) => {
                        let target = if baud == 115_200 && latency == 0 {
                            verdict(run.line_share() * 100.0, 95.0, true)
                        } else {
                            String::new()
                        };
                        say(format!(
                            "  {:>7} {:>2}ms {:<12} {:<8} {:>10.0} {:>6.1}% {:>8.1}%  {}",
                            baud,
                            latency,
                            format!("{mode:?}"),
                            format!("{direction:?}"),
                            run.bytes_per_s(),
                            run.line_share() * 100.0,
                            run.protocol_share() * 100.0,
                            target
                        ));
                        figures.extend(run.figures());
                    }
                    Err(e) => say(format!(
                        "  {baud} {latency}ms {mode:?} {direction:?}: FAILED: {e}"
                    )),
                }
            }
        }
    }

    stack_section(bytes, &only, &say, &mut figures);

    if only.wants("cpu") {
        cpu_section(&say, &mut figures);
    }
    if only.wants("footprint") {
        footprint_section(&say, &mut figures);
    }

    if json {
        for f in &figures {
            println!("{}", f.json());
        }
    }
    ExitCode::SUCCESS
}

/// A row's mode and direction as its name spells them: `buffer.send`.
fn row_name(mode: AccessMode, direction: Direction) -> String {
    format!("{mode:?}.{direction:?}").to_lowercase()
}

/// Instructions per byte under callgrind.
fn cpu_section(say: &dyn Fn(String), figures: &mut Vec<Figure>) {
    say("\ninstructions per payload byte (callgrind, in-memory module)".into());
    eprintln!("bench: counting instructions under callgrind (eight runs of the bench itself)");
    match cpu::measure() {
        Ok(cpu) => {
            for f in &cpu {
                let target = match f.name.as_str() {
                    "cpu.receive.1500B.instructions_per_byte" => verdict(f.value, 5.0, false),
                    "cpu.digest.atat_over_quectel" => verdict(f.value, 1.0, true),
                    _ => String::new(),
                };
                say(format!(
                    "  {:<48} {:>9.2} {:<8} {}",
                    f.name, f.value, f.unit, target
                ));
            }
            figures.extend(cpu);
        }
        Err(e) => say(format!("  not measured: {e}")),
    }
}

/// Flash and static RAM of the QEMU firmware.
fn footprint_section(say: &dyn Fn(String), figures: &mut Vec<Figure>) {
    say(
        "\nfootprint (QEMU firmware, thumbv7em-none-eabihf, opt-level z, fat LTO; driver = a typical client's cost beyond the baseline)"
            .into(),
    );
    eprintln!("bench: building the QEMU firmware three ways for `cargo size-report`");
    match footprint::measure() {
        Ok(sizes) => {
            for f in &sizes {
                let target = match f.name.as_str() {
                    "footprint.driver.flash" => verdict(f.value, 32.0 * 1024.0, false),
                    "footprint.driver.static_ram_beyond_buffers" => {
                        verdict(f.value, 4.0 * 1024.0, false)
                    }
                    _ => String::new(),
                };
                say(format!(
                    "  {:<48} {:>9.0} {:<8} {}",
                    f.name, f.value, f.unit, target
                ));
            }
            figures.extend(sizes);
        }
        Err(e) => say(format!("  not measured: {e}")),
    }
}

/// The async stack's rows: one socket per access mode beside the blocking
/// face's row, twelve sockets at once, and the push-to-task latency.
fn stack_section(bytes: usize, only: &Selection, say: &dyn Fn(String), figures: &mut Vec<Figure>) {
    let blocking = |baud: u32, mode: AccessMode, direction: Direction| {
        let name =
            format!("throughput.{baud}baud.0ms.{mode:?}.{direction:?}.line_share").to_lowercase();
        figures.iter().find(|f| f.name == name).map(|f| f.value)
    };
    let modes = [
        AccessMode::Buffer,
        AccessMode::DirectPush,
        AccessMode::Transparent,
    ];
    let mut plan = Vec::new();
    for baud in [115_200u32, 921_600] {
        for mode in modes {
            for direction in [Direction::Send, Direction::Receive] {
                plan.push((baud, 1usize, mode, direction));
            }
        }
    }
    for (mode, direction) in [
        (AccessMode::DirectPush, Direction::Receive),
        (AccessMode::Buffer, Direction::Receive),
        (AccessMode::Buffer, Direction::Send),
    ] {
        plan.push((115_200, 12, mode, direction));
    }
    plan.retain(|&(baud, sockets, mode, direction)| {
        only.wants(&format!(
            "stack.{sockets}sockets.{baud}baud.{}",
            row_name(mode, direction)
        ))
    });
    let latency = only.wants("latency.push");
    if plan.is_empty() && !latency {
        return;
    }
    say(
        "\nthe async stack (runner task + one task per socket, embassy's std executor; same runs)"
            .into(),
    );
    say(format!(
        "  {:>7} {:>7} {:<12} {:<8} {:>10} {:>7}  {}",
        "baud",
        "sockets",
        "mode",
        "dir",
        "B/s",
        "line%",
        "target (within 1 point of the blocking face; 12 sockets >= 95 % at 115200)"
    ));
    let mut rows = Vec::new();
    for (baud, sockets, mode, direction) in plan {
        if sockets == 1 {
            eprintln!("bench: async stack, {direction:?} in {mode:?} mode at {baud} baud");
        } else {
            eprintln!(
                "bench: async stack, {sockets} sockets at once, {direction:?} in {mode:?} mode \
                 at {baud} baud"
            );
        }
        let run = stack::measure(baud, mode, direction, bytes, sockets);
        let target = |run: &throughput::Run| {
            if sockets > 1 {
                return verdict(run.line_share() * 100.0, 95.0, true);
            }
            match blocking(baud, mode, direction) {
                Some(b) => {
                    let gap = b - run.line_share() * 100.0;
                    let verdict = if gap <= 1.0 {
                        "meets target"
                    } else {
                        "MISSES target"
                    };
                    format!("{verdict} ({gap:+.1} points below blocking {b:.1}%)")
                }
                None => String::new(),
            }
        };
        rows.push((baud, sockets, mode, direction, run.map(|r| (target(&r), r))));
    }
    for (baud, sockets, mode, direction, run) in rows {
        match run {
            Ok((target, run)) => {
                say(format!(
                    "  {:>7} {:>7} {:<12} {:<8} {:>10.0} {:>6.1}%  {}",
                    baud,
                    sockets,
                    format!("{mode:?}"),
                    format!("{direction:?}"),
                    run.bytes_per_s(),
                    run.line_share() * 100.0,
                    target
                ));
                let name = format!("stack.{sockets}sockets.{baud}baud.{mode:?}.{direction:?}")
                    .to_lowercase();
                figures.push(Figure::new(
                    &format!("{name}.bytes_per_s"),
                    run.bytes_per_s(),
                    "B/s",
                ));
                figures.push(Figure::new(
                    &format!("{name}.line_share"),
                    run.line_share() * 100.0,
                    "%",
                ));
            }
            Err(e) => say(format!(
                "  {baud} {sockets} {mode:?} {direction:?}: FAILED: {e}"
            )),
        }
    }
    if !latency {
        return;
    }
    eprintln!("bench: async stack, push-to-task latency (50 pushes of 16 bytes at 115200 baud)");
    match stack::push_latency(115_200, 50) {
        Ok(latency) => {
            for (name, us) in latency.summary() {
                let target = if name.starts_with("latency.push_to_wake") {
                    verdict(us, 1000.0, false)
                } else {
                    String::new()
                };
                say(format!("  {name:<48} {us:>9.0} us       {target}"));
                figures.push(Figure::new(&name, us, "us"));
            }
        }
        Err(e) => say(format!("  latency: FAILED: {e}")),
    }
}
