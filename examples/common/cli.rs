//! What the host examples' command lines share: one spelling of a server's
//! address (`--connect HOST:PORT`) and counts that read right ("1 byte",
//! "2 bytes"). Included with `#[path]` by `examples/demo` and
//! `examples/serial`, and by `tests/example_args.rs`.

/// `HOST:PORT` of `--connect` as a host name and a port.
pub fn host_port(value: &str) -> Result<(String, u16), String> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or(format!("--connect wants HOST:PORT, not {value:?}"))?;
    if host.is_empty() {
        return Err(format!("--connect wants HOST:PORT, not {value:?}"));
    }
    let port = port
        .parse()
        .map_err(|_| format!("--connect: {port:?} is not a port (1..=65535)"))?;
    if port == 0 {
        return Err("--connect: port 0 is not a port (1..=65535)".into());
    }
    Ok((host.to_string(), port))
}

/// `n` and `unit`, the unit in the plural unless `n` is 1: `count(1,
/// "byte")` is "1 byte", `count(3, "byte")` "3 bytes".
pub fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}
