//! Recovery: sockets kept across an MCU reset are swept at start, a module
//! reboot fails every handle with a typed error and the engine starts over,
//! a lost PDP context closes its sockets.

mod common;

use std::time::Duration;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::testing::EchoServerOptions;
use quectel_sim::Fault;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::{Event, StdTimer};
use quectel_ssl::{Error, Modem, SslErrorCode};

#[test]
fn init_sweeps_sockets_a_previous_mcu_run_left_open() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let port = rig.server_port();
    for n in [2u8, 5, 9] {
        m.open(open_cmd(n, port, AccessMode::Buffer), buffer(256))
            .unwrap();
    }
    assert_eq!(rig.sim.sockets().len(), 3);
    // The MCU resets: a new engine on the same module knows nothing.
    let (port_io, _) = m.release();
    let mut fresh: SimModem = Modem::with_config(port_io, StdTimer::new(), engine_config());
    let report = fresh.init().unwrap();
    assert_eq!(report.swept_sockets, 3);
    assert_eq!(report.active_pdp, 1);
    assert!(rig.sim.sockets().is_empty());
    // And the sockets can be used again.
    let sock = fresh
        .open(
            open_cmd(5, rig.server_port(), AccessMode::Buffer),
            buffer(256),
        )
        .unwrap();
    fresh.socket(&sock).write_all(b"again").unwrap();
}

#[test]
fn a_module_reboot_fails_every_handle_and_init_starts_over() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let port = rig.server_port();
    let a = m
        .open(open_cmd(0, port, AccessMode::Buffer), buffer(256))
        .unwrap();
    let b = m
        .open(open_cmd(1, port, AccessMode::DirectPush), buffer(2048))
        .unwrap();
    inject(&rig.sim, Fault::Reboot);
    // Wait for the boot lines.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !matches!(m.take_event(), Some(Event::Rebooted)) {
        assert!(std::time::Instant::now() < deadline, "no reboot seen");
        m.poll().unwrap();
    }
    assert_eq!(m.write(&a, b"x"), Err(Error::ModuleReset));
    let mut buf = [0u8; 8];
    assert_eq!(m.read(&b, &mut buf), Err(Error::ModuleReset));
    assert_eq!(m.state().open_sockets().count(), 0);
    // Everything was lost on the module too: set it all up again.
    set_up(&mut m, rig.pki.ca_pem().as_bytes());
    let c = m
        .open(open_cmd(0, port, AccessMode::Buffer), buffer(256))
        .unwrap();
    m.socket(&c).write_all(b"back").unwrap();
    let mut back = [0u8; 4];
    m.socket(&c).read_exact(&mut back).unwrap();
    assert_eq!(&back, b"back");
}

#[test]
fn a_lost_pdp_context_closes_its_sockets() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(3, rig.server_port(), AccessMode::Buffer),
            buffer(256),
        )
        .unwrap();
    inject(&rig.sim, Fault::PdpDeactivate { ctx: 1 });
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while m.state().pdp_active(pdp(1)) {
        assert!(std::time::Instant::now() < deadline, "no pdpdeact seen");
        m.poll().unwrap();
    }
    assert_eq!(
        m.write(&sock, b"x"),
        Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown))
    );
    let mut buf = [0u8; 8];
    assert_eq!(
        m.read(&sock, &mut buf),
        Err(Error::Ssl(SslErrorCode::PdpContextBrokenDown))
    );
    m.close(&sock).unwrap();
    // Back up: activate again and open.
    m.activate_pdp(pdp(1)).unwrap();
    let sock = m
        .open(
            open_cmd(3, rig.server_port(), AccessMode::Buffer),
            buffer(256),
        )
        .unwrap();
    m.socket(&sock).write_all(b"ok").unwrap();
}

#[test]
fn a_peer_close_delivers_the_last_bytes_then_the_end() {
    // The server echoes 900 bytes and closes: TCP puts the data before the
    // close, and so must the driver.
    let mut rig = Rig::with(
        EchoServerOptions::default().rsa().close_after(900),
        sim_config(),
    );
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(6, rig.server_port(), AccessMode::Buffer),
            buffer(256),
        )
        .unwrap();
    let data = pattern(900, 5);
    m.socket(&sock).write_all(&data).unwrap();
    let mut back = Vec::new();
    let mut buf = [0u8; 100];
    loop {
        let n = m.socket(&sock).read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        back.extend_from_slice(&buf[..n]);
    }
    assert_eq!(back, data, "every byte before the close, exactly once");
    assert_eq!(m.write(&sock, b"x"), Err(Error::Closed));
    m.close(&sock).unwrap();
}

#[test]
fn an_injected_peer_close_is_seen_and_the_socket_closes() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(6, rig.server_port(), AccessMode::DirectPush),
            buffer(2048),
        )
        .unwrap();
    inject(&rig.sim, Fault::PeerClose { client: 6 });
    let mut buf = [0u8; 16];
    assert_eq!(m.socket(&sock).read(&mut buf).unwrap(), 0);
    assert_eq!(m.write(&sock, b"x"), Err(Error::Closed));
    m.close(&sock).unwrap();
    assert!(rig.sim.sockets().is_empty());
}

#[test]
fn a_boot_rdy_still_unread_when_init_starts_is_taken_in_stride() {
    // The module booted before the driver existed: its `RDY` waits in the
    // port. Init writes `AT`, then reads that `RDY`; the module answers the
    // `AT` all the same, and every later answer must still meet its own
    // command (the upload's checksum, the file list).
    let mut rig = Rig::new();
    // Wait until the module has written its `RDY` (however long the boot
    // takes on this machine), not for a fixed time.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !rig
        .sim
        .transcript()
        .bytes(quectel_sim::transcript::Direction::ToHost)
        .windows(3)
        .any(|w| w == b"RDY")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the module never booted"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut m = rig.modem();
    set_up(&mut m, rig.pki.ca_pem().as_bytes());
    let listed = m
        .list_files::<4>(quectel_ssl::FileName::new(CA_FILE).unwrap())
        .unwrap();
    assert_eq!(listed.entries.len(), 1, "{listed:?}");
    let port = rig.server_port();
    let sock = m
        .open(open_cmd(0, port, AccessMode::Buffer), buffer(256))
        .unwrap();
    m.socket(&sock).write_all(b"in step").unwrap();
    let mut got = [0u8; 7];
    m.socket(&sock).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"in step");
}
