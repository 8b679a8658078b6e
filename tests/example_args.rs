//! The host examples' command lines: `--help`, the one spelling of a
//! server (`--connect HOST:PORT`) and of a serial device (`--serial`), and
//! the refusals.
//!
//! The examples' own parsers are compiled in here (`#[path]`), as they are:
//! an example has no `CARGO_BIN_EXE_*` for a test to run, and `cargo run
//! --example` from a test would build and lock the target directory under
//! the running `cargo test`. What each `main` does with the result is three
//! lines (`Help`: print the usage, exit 0); CI runs each `--help` for real.

#[path = "../examples/bench/args.rs"]
mod bench_args;
#[path = "../examples/common/cli.rs"]
mod cli;
#[path = "../examples/demo/args.rs"]
mod demo_args;
#[path = "../examples/serial/args.rs"]
mod serial_args;

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

#[test]
fn help_is_asked_for_with_either_spelling_anywhere_on_the_line() {
    for line in ["--help", "-h", "--connect example.com:443 --help"] {
        assert_eq!(demo_args::parse(words(line)), Ok(demo_args::Command::Help));
        assert_eq!(
            serial_args::parse(words(line)),
            Ok(serial_args::Command::Help)
        );
    }
    for line in ["--help", "-h", "--quick -h"] {
        assert_eq!(
            bench_args::parse(words(line)),
            Ok(bench_args::Command::Help)
        );
    }
}

#[test]
fn each_usage_names_the_program_and_every_flag_its_parser_takes() {
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            demo_args::USAGE,
            "usage: demo ",
            &["--connect HOST:PORT", "--ca FILE", "--help"],
        ),
        (
            serial_args::USAGE,
            "usage: serial ",
            &[
                "--serial DEVICE",
                "--apn APN",
                "--connect HOST:PORT",
                "--ca FILE",
                "--path PATH",
                "--user USER",
                "--password PASSWORD",
                "--baud BAUD",
                "--help",
            ],
        ),
        (
            bench_args::USAGE,
            "usage: bench ",
            &["--quick", "--json", "--only TEXT", "--help"],
        ),
    ];
    for (usage, start, flags) in cases {
        assert!(usage.starts_with(start), "{usage}");
        for flag in flags {
            assert!(usage.contains(flag), "{flag} missing from:\n{usage}");
        }
    }
}

#[test]
fn demo_takes_a_server_as_connect_host_port_with_its_ca() {
    assert_eq!(
        demo_args::parse(words("")),
        Ok(demo_args::Command::Run(None))
    );
    assert_eq!(
        demo_args::parse(words("--connect example.com:8443 --ca ca.pem")),
        Ok(demo_args::Command::Run(Some(demo_args::Server {
            host: "example.com".into(),
            port: 8443,
            ca: "ca.pem".into(),
        })))
    );
    assert_eq!(
        demo_args::parse(words("--connect example.com:443")),
        Err("--connect HOST:PORT and --ca FILE go together".into())
    );
}

#[test]
fn serial_takes_its_device_as_serial_and_its_server_as_connect() {
    let line = "--serial /dev/ttyUSB2 --apn internet --connect example.com:443 --ca ca.pem \
                --path /index.html --user u --password p --baud 921600";
    assert_eq!(
        serial_args::parse(words(line)),
        Ok(serial_args::Command::Run(serial_args::Args {
            device: "/dev/ttyUSB2".into(),
            baud: 921_600,
            apn: "internet".into(),
            user: "u".into(),
            password: "p".into(),
            host: "example.com".into(),
            port: 443,
            path: "/index.html".into(),
            ca: "ca.pem".into(),
        }))
    );
    let least = "--serial /dev/pts/3 --apn internet --connect example.com:443 --ca ca.pem";
    let Ok(serial_args::Command::Run(args)) = serial_args::parse(words(least)) else {
        panic!("{least} is a whole command line");
    };
    assert_eq!((args.baud, args.path.as_str()), (115_200, "/"));
    assert_eq!((args.user.as_str(), args.password.as_str()), ("", ""));
}

#[test]
fn serial_refuses_the_old_flags_and_names_what_is_missing() {
    for (line, why) in [
        (
            "--port /dev/ttyUSB2 --apn a --connect h:443 --ca c",
            "unknown argument --port",
        ),
        (
            "--serial /dev/ttyUSB2 --apn a --host h --port-number 443 --ca c",
            "unknown argument --host",
        ),
        (
            "--serial /dev/ttyUSB2 --apn a --ca c",
            "--connect is needed",
        ),
        ("--apn a --connect h:443 --ca c", "--serial is needed"),
        (
            "--serial d --apn a --connect h:443 --ca c --baud fast",
            "--baud wants a number",
        ),
        ("--serial", "--serial wants a value"),
    ] {
        assert_eq!(serial_args::parse(words(line)), Err(why.into()), "{line}");
    }
}

#[test]
fn connect_wants_a_host_and_a_port_from_1_to_65535() {
    assert_eq!(cli::host_port("10.0.0.1:443"), Ok(("10.0.0.1".into(), 443)));
    assert_eq!(cli::host_port("a.test:65535"), Ok(("a.test".into(), 65535)));
    for bad in [
        "example.com",
        ":443",
        "example.com:0",
        "example.com:65536",
        "h:x",
    ] {
        let refused = cli::host_port(bad);
        assert!(
            refused.as_ref().is_err_and(|e| e.starts_with("--connect")),
            "{bad}: {refused:?}"
        );
    }
}

#[test]
fn counts_are_singular_only_for_one() {
    assert_eq!(cli::count(0, "byte"), "0 bytes");
    assert_eq!(cli::count(1, "byte"), "1 byte");
    assert_eq!(cli::count(2, "byte"), "2 bytes");
    assert_eq!(cli::count(1, "payload byte"), "1 payload byte");
}

#[test]
fn bench_takes_quick_json_only_and_its_own_worker_line() {
    use bench_args::{parse, Command, FULL_RUN, QUICK_RUN};
    assert_eq!(
        parse(words("")),
        Ok(Command::Run {
            bytes: FULL_RUN,
            json: false,
            only: vec![]
        })
    );
    assert_eq!(
        parse(words("--quick --json")),
        Ok(Command::Run {
            bytes: QUICK_RUN,
            json: true,
            only: vec![]
        })
    );
    assert_eq!(
        parse(words("--quick --only 921600baud --only Latency")),
        Ok(Command::Run {
            bytes: QUICK_RUN,
            json: false,
            only: vec!["921600baud".into(), "latency".into()]
        })
    );
    assert_eq!(parse(words("--only")), Err("--only wants TEXT".into()));
    assert_eq!(
        parse(words("--worker recv 1500")),
        Ok(Command::Worker {
            what: "recv".into(),
            chunk: 1500
        })
    );
    assert_eq!(
        parse(words("--worker recv")),
        Err("--worker wants WHAT CHUNK".into())
    );
    assert_eq!(
        parse(words("--fast")),
        Err("unknown argument --fast".into())
    );
}

#[test]
fn bench_only_selects_rows_by_name_and_a_stack_row_brings_its_blocking_row() {
    use bench_args::Selection;
    let all = Selection::default();
    assert!(all.wants("cpu") && all.wants_blocking(115_200, 2, "buffer.receive"));
    let some = Selection::new(vec!["1sockets.921600baud.buffer.send".into()]);
    assert!(some.wants("stack.1sockets.921600baud.buffer.send"));
    assert!(!some.wants("stack.1sockets.921600baud.buffer.receive"));
    assert!(some.wants_blocking(921_600, 0, "buffer.send"));
    assert!(!some.wants_blocking(115_200, 2, "buffer.send"));
    assert!(!some.wants("cpu") && !some.wants("footprint"));
    let blocking = Selection::new(vec!["115200baud.2ms.buffer.receive".into()]);
    assert!(blocking.wants_blocking(115_200, 2, "buffer.receive"));
    assert!(!blocking.wants("stack.1sockets.115200baud.buffer.receive"));
}
