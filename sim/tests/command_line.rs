//! The `quectel-sim` binary as a person or a script runs it: `--help`, a
//! wrong command line, and a TCP listener that serves a client and ends on
//! the `quit` control line. Runs the binary cargo built for these tests
//! (`CARGO_BIN_EXE_quectel-sim`), so the exit statuses are the real ones.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn sim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_quectel-sim"))
}

#[test]
fn help_prints_the_usage_on_stdout_and_exits_0() {
    for flag in ["--help", "-h"] {
        let out = sim().arg(flag).output().expect("run quectel-sim");
        assert_eq!(out.status.code(), Some(0), "{flag}");
        let usage = String::from_utf8(out.stdout).expect("UTF-8 usage");
        assert!(usage.starts_with("usage: quectel-sim"), "{usage}");
        for named in ["--pty", "--listen ADDR:PORT", "--boot-ms", "quit"] {
            assert!(usage.contains(named), "{named} missing from:\n{usage}");
        }
        assert!(out.stderr.is_empty(), "{flag} writes nothing to stderr");
    }
}

#[test]
fn a_wrong_command_line_says_why_and_exits_2() {
    for (args, why) in [
        (&["--tcp", "127.0.0.1:0"][..], "unknown argument --tcp"),
        (&[][..], "choose --pty or --listen ADDR:PORT"),
        (&["--listen"][..], "--listen needs a value"),
        (&["--pty", "--boot-ms", "soon"][..], "not a number"),
    ] {
        let out = sim().args(args).output().expect("run quectel-sim");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: quectel-sim"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn listen_prints_the_address_serves_a_client_and_quits() {
    let mut child = sim()
        .args(["--listen", "127.0.0.1:0", "--boot-ms", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start quectel-sim");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut address = String::new();
    stdout.read_line(&mut address).expect("the address line");
    let address: std::net::SocketAddr = address.trim().parse().expect("an address");

    // The module powers up when the first client connects: RDY, then AT.
    let mut client = TcpStream::connect(address).expect("connect");
    // Only a safety net against a hang; nothing is timed.
    client
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"RDY\r\n") {
        client.read_exact(&mut byte).expect("RDY");
        seen.push(byte[0]);
    }
    client.write_all(b"AT\r").expect("write AT");
    while !seen.ends_with(b"OK\r\n") {
        client.read_exact(&mut byte).expect("OK");
        seen.push(byte[0]);
    }

    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"quit\n").expect("quit");
    let status = child.wait().expect("quectel-sim exits");
    assert!(status.success(), "{status}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(
        stderr.contains(&format!("listening on {address}; waiting for a client")),
        "{stderr}"
    );
}
