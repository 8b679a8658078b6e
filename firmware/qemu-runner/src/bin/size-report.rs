//! The driver's cost in flash and static RAM: builds the QEMU firmware
//! (`../qemu`, release profile: `opt-level = "z"`, fat LTO) as `session`
//! (the whole SSL session of the test, every feature it checks), as
//! `client` (a typical client: one connection, one request) and as
//! `baseline` (the same board code with every driver call removed), and
//! the async stack on embassy (`../qemu-embassy`, `stack`: runner and two
//! socket tasks, with embassy's executor and time driver), and prints
//! their sizes and what each costs beyond the baseline.
//!
//! Run from `firmware/qemu`: `cargo size-report`.
//!
//! Sizes come from the ELF's allocated sections, as `size -A` shows them:
//! code (`.text`), read-only data (`.rodata`, the vector table), initialised
//! data (`.data`, whose initial image also sits in flash) and zeroed data
//! (`.bss`, `.uninit`). Flash = code + read-only data + initialised data;
//! static RAM = initialised data + zeroed data (the stack comes on top).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("size-report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("../qemu");
    let elves = build(&firmware)?;
    let find = |name: &str| {
        elves
            .iter()
            .find(|p| p.file_name().is_some_and(|f| f == name))
            .ok_or(format!("cargo built no `{name}`"))
    };
    let session = Sizes::of(find("session")?)?;
    let client = Sizes::of(find("client")?)?;
    let baseline = Sizes::of(find("baseline")?)?;
    let embassy_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../qemu-embassy");
    let embassy = build(&embassy_dir)?;
    let stack = embassy
        .iter()
        .find(|p| p.file_name().is_some_and(|f| f == "stack"))
        .ok_or("cargo built no `stack`")?;
    let stack = Sizes::of(stack)?;
    println!("QEMU firmware (thumbv7em-none-eabihf, opt-level \"z\", fat LTO), bytes:\n");
    println!("| firmware | code | rodata | data | bss | flash | static RAM |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, s) in [
        ("the test (`session`)", session),
        ("a typical client (`client`)", client),
        ("the async stack on embassy, two tasks (`stack`)", stack),
        ("without the driver (`baseline`)", baseline),
    ] {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            s.code,
            s.rodata,
            s.data,
            s.bss,
            s.flash(),
            s.ram()
        );
    }
    for (name, s) in [
        ("driver + test session", session),
        ("driver + typical client", client),
        (
            "driver + embassy stack (with embassy's executor and time)",
            stack,
        ),
    ] {
        let d = |f: fn(&Sizes) -> u64| f(&s) as i64 - f(&baseline) as i64;
        println!(
            "| **{name}** | {} | {} | {} | {} | **{}** | **{}** |",
            d(|s| s.code),
            d(|s| s.rodata),
            d(|s| s.data),
            d(|s| s.bss),
            d(Sizes::flash),
            d(Sizes::ram),
        );
    }
    Ok(())
}

/// `cargo build --release --bins` in `dir`; the executables built.
fn build(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--release", "--bins", "--message-format=json"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("building {} failed", dir.display()));
    }
    // Each built binary is a JSON line with `"executable":"<path>"`; paths
    // of this tree need no JSON unescaping.
    let stdout = String::from_utf8_lossy(&out.stdout);
    Ok(stdout
        .lines()
        .filter_map(|line| {
            let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = start + line.get(start..)?.find('"')?;
            Some(PathBuf::from(line.get(start..end)?))
        })
        .collect())
}

#[derive(Debug, Clone, Copy, Default)]
struct Sizes {
    code: u64,
    rodata: u64,
    data: u64,
    bss: u64,
}

impl Sizes {
    fn flash(&self) -> u64 {
        self.code + self.rodata + self.data
    }

    fn ram(&self) -> u64 {
        self.data + self.bss
    }

    /// Sum the allocated sections of a 32-bit little-endian ELF.
    fn of(path: &Path) -> Result<Sizes, String> {
        let elf = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let bad = || format!("{}: not a 32-bit little-endian ELF", path.display());
        if elf.get(..6) != Some(b"\x7fELF\x01\x01".as_slice()) {
            return Err(bad());
        }
        let u16_at = |at: usize| {
            elf.get(at..at + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .ok_or_else(bad)
        };
        let u32_at = |at: usize| {
            elf.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(bad)
        };
        let table = u32_at(0x20)? as usize;
        let entry = usize::from(u16_at(0x2E)?);
        let count = usize::from(u16_at(0x30)?);
        const SHT_NOBITS: u32 = 8;
        const SHF_WRITE: u32 = 1;
        const SHF_ALLOC: u32 = 2;
        const SHF_EXECINSTR: u32 = 4;
        let mut sizes = Sizes::default();
        for i in 0..count {
            let header = table + i * entry;
            let kind = u32_at(header + 4)?;
            let flags = u32_at(header + 8)?;
            let size = u64::from(u32_at(header + 20)?);
            if flags & SHF_ALLOC == 0 {
                continue;
            }
            let slot = if kind == SHT_NOBITS {
                &mut sizes.bss
            } else if flags & SHF_WRITE != 0 {
                &mut sizes.data
            } else if flags & SHF_EXECINSTR != 0 {
                &mut sizes.code
            } else {
                &mut sizes.rodata
            };
            *slot += size;
        }
        Ok(sizes)
    }
}
