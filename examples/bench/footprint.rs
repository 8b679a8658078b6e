//! Flash and static RAM of the QEMU firmware (`firmware/qemu`) with and
//! without the driver, from its own size report (`cargo size-report`
//! there), plus the buffer sizes the engine needs.

use std::path::Path;
use std::process::Command;

use crate::Figure;

/// Receive buffers the firmware binaries lend the driver (their
/// `cortex_m::singleton!` `RxBuffer`s in `firmware/qemu/src/bin/`): inputs
/// of the "beyond the caller's buffers" figures, not results.
const SESSION_BUFFERS: f64 = (2048 + 8192) as f64;
const CLIENT_BUFFER: f64 = 2048.0;

/// The footprint figures.
pub fn measure() -> Result<Vec<Figure>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware/qemu");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&dir)
        // The bench runs under cargo: its variables would point the inner
        // build at the host's profile and target.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .arg("size-report")
        .output()
        .map_err(|e| format!("cannot run cargo size-report: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo size-report failed (needs `rustup target add thumbv7em-none-eabihf`): {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    let report = String::from_utf8_lossy(&out.stdout);
    let row = |label: &str| -> Result<(f64, f64), String> {
        let line = report
            .lines()
            .find(|l| l.contains(label))
            .ok_or(format!("no `{label}` row in the size report"))?;
        let cells: Vec<f64> = line
            .split('|')
            .filter_map(|c| c.trim().trim_matches('*').parse().ok())
            .collect();
        match cells[..] {
            [_, _, _, _, flash, ram] => Ok((flash, ram)),
            _ => Err(format!("unreadable size report row: {line}")),
        }
    };
    let (client_flash, client_ram) = row("driver + typical client")?;
    let (session_flash, session_ram) = row("driver + test session")?;
    let (base_flash, base_ram) = row("(`baseline`)")?;
    let (stack_flash, stack_ram) = row("driver + embassy stack")?;
    Ok(vec![
        Figure::new("footprint.baseline.flash", base_flash, "bytes"),
        Figure::new("footprint.baseline.static_ram", base_ram, "bytes"),
        Figure::new("footprint.driver.flash", client_flash, "bytes"),
        Figure::new("footprint.driver.static_ram", client_ram, "bytes"),
        Figure::new(
            "footprint.driver.static_ram_beyond_buffers",
            client_ram - CLIENT_BUFFER,
            "bytes",
        ),
        Figure::new("footprint.test_session.flash", session_flash, "bytes"),
        Figure::new("footprint.test_session.static_ram", session_ram, "bytes"),
        Figure::new(
            "footprint.test_session.static_ram_beyond_buffers",
            session_ram - SESSION_BUFFERS,
            "bytes",
        ),
        Figure::new("footprint.embassy_stack.flash", stack_flash, "bytes"),
        Figure::new("footprint.embassy_stack.static_ram", stack_ram, "bytes"),
        Figure::new(
            "footprint.line_buffer",
            quectel_ssl::modem::DEFAULT_LINE_LEN as f64,
            "bytes",
        ),
        Figure::new(
            "footprint.command_buffer",
            quectel_ssl::command::MAX_COMMAND_LEN as f64,
            "bytes",
        ),
    ])
}
