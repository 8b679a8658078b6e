//! The nb and async faces drive the same operations as the blocking one:
//! a whole session on each, with payloads of every byte value and size.

mod common;

use common::sim::*;
use quectel_ssl::asynch;
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::modem::{ops, StdTimer};
use quectel_ssl::{Error, SocketHandle};

const SIZES: [usize; 6] = [1, 1459, 1460, 1461, 1500, 100_000];

/// Poll `op` with the nb face until it is done, counting the polls that
/// had to give up (`WouldBlock`): the caller's "other work" runs then.
fn nb_run<O: ops::Op<'static>>(m: &mut SimModem, op: &mut O) -> (Result<O::Output, Error>, u32) {
    let mut would_block = 0u32;
    loop {
        match m.poll_op(op) {
            Ok(out) => return (Ok(out), would_block),
            Err(nb::Error::Other(e)) => return (Err(e), would_block),
            Err(nb::Error::WouldBlock) => {
                would_block += 1;
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
        }
    }
}

fn nb_echo(m: &mut SimModem, sock: SocketHandle, data: &[u8]) -> Vec<u8> {
    let mut sent = 0;
    while sent < data.len() {
        let mut write = ops::Transmit::new(sock, &data[sent..], 100, 30_000);
        sent += nb_run(m, &mut write).0.expect("nb write");
    }
    let mut back = vec![0u8; data.len()];
    let mut got = 0;
    while got < back.len() {
        let mut read = ops::Receive::new(sock, &mut back[got..]);
        let n = nb_run(m, &mut read).0.expect("nb read");
        assert!(n > 0, "end of stream too early");
        got += n;
    }
    back
}

#[test]
fn nb_face_runs_a_whole_session_in_every_mode() {
    let mut rig = Rig::new();
    let mut m = rig.modem();
    // Set-up through nb too.
    let (report, _) = nb_run(&mut m, &mut ops::Init::with_guard(GUARD_MS));
    report.expect("init");
    nb_run(&mut m, &mut ops::ActivatePdp::new(pdp(1)))
        .0
        .unwrap_err();
    set_up(&mut m, rig.pki.ca_pem().as_bytes());
    for (n, mode) in [(0u8, AccessMode::Buffer), (1, AccessMode::DirectPush)] {
        let mut open = ops::Open::new(open_cmd(n, rig.server_port(), mode), buffer(200_000));
        let (sock, would_block) = nb_run(&mut m, &mut open);
        let sock = sock.expect("nb open");
        assert!(would_block > 0, "the open had to wait for the handshake");
        for (i, len) in SIZES.into_iter().enumerate() {
            let data = pattern(len, i as u8 + n);
            assert_eq!(nb_echo(&mut m, sock, &data), data, "{mode:?} size {len}");
        }
        // Size 0: nothing written, nothing to wait for.
        assert_eq!(
            nb_run(&mut m, &mut ops::Transmit::new(sock, &[], 100, 1000))
                .0
                .unwrap(),
            0
        );
        nb_run(&mut m, &mut ops::Close::new(sock, Some(0)))
            .0
            .unwrap();
    }
    // Transparent mode through the nb face, out with +++ and back with ATO.
    let mut open = ops::Open::new(
        open_cmd(2, rig.server_port(), AccessMode::Transparent),
        buffer(8192),
    );
    let sock = nb_run(&mut m, &mut open).0.unwrap();
    for len in [1usize, 1460, 5000] {
        let data = pattern(len, 77);
        let mut sent = 0;
        while sent < data.len() {
            sent += nb_run(&mut m, &mut ops::RawWrite::new(sock, &data[sent..]))
                .0
                .unwrap();
        }
        let mut back = vec![0u8; len];
        let mut got = 0;
        while got < len {
            got += nb_run(&mut m, &mut ops::RawRead::new(sock, &mut back[got..]))
                .0
                .unwrap();
        }
        assert_eq!(back, data, "transparent size {len}");
    }
    let (escaped, would_block) = nb_run(&mut m, &mut ops::Escape::with_guard(GUARD_MS));
    escaped.unwrap();
    assert!(
        would_block > 0,
        "the guard times were waited for without blocking"
    );
    nb_run(&mut m, &mut ops::Resume::new(sock)).0.unwrap();
    assert!(rig.sim.in_transparent_mode());
    nb_run(&mut m, &mut ops::Escape::with_guard(GUARD_MS))
        .0
        .unwrap();
    nb_run(&mut m, &mut ops::Close::new(sock, None)).0.unwrap();
}

type AsyncModem = asynch::Modem<'static, quectel_sim::SimPort, StdTimer>;

async fn async_echo(m: &mut AsyncModem, sock: &SocketHandle, data: &[u8]) -> Vec<u8> {
    use embedded_io_async::{Read, Write};
    let mut io = m.socket(sock);
    io.write_all(data).await.expect("async write_all");
    let mut back = vec![0u8; data.len()];
    io.read_exact(&mut back).await.expect("async read_exact");
    back
}

#[test]
fn async_face_runs_a_whole_session_in_every_mode() {
    use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
    use quectel_ssl::{Apn, FileName, Password, UserName};
    let mut rig = Rig::new();
    let port = rig.take_port();
    let ca = rig.pki.ca_pem().as_bytes().to_vec();
    let server_port = rig.server_port();
    block_on(async move {
        let mut m: AsyncModem = asynch::Modem::with_config(port, StdTimer::new(), engine_config());
        m.init().await.expect("init");
        m.configure_pdp(ConfigurePdpContext {
            context: pdp(1),
            pdp_type: PdpType::Ipv4,
            apn: Apn::new("internet").unwrap(),
            username: UserName::new("").unwrap(),
            password: Password::new("").unwrap(),
            auth: AuthMethod::None,
        })
        .await
        .unwrap();
        m.activate_pdp(pdp(1)).await.unwrap();
        let ca_file = FileName::new(CA_FILE).unwrap();
        m.upload(ca_file, &ca).await.unwrap();
        m.configure_ssl(ssl(0), &ops::SslConfig::with_ca(ca_file))
            .await
            .unwrap();
        for (n, mode) in [(0u8, AccessMode::Buffer), (1, AccessMode::DirectPush)] {
            let sock = m
                .open(open_cmd(n, server_port, mode), buffer(200_000))
                .await
                .expect("async open");
            for (i, len) in SIZES.into_iter().enumerate() {
                let data = pattern(len, 40 + i as u8 + n);
                assert_eq!(
                    async_echo(&mut m, &sock, &data).await,
                    data,
                    "{mode:?} size {len}"
                );
            }
            assert_eq!(m.write(&sock, &[]).await.unwrap(), 0);
            m.close_with_timeout(&sock, 5).await.unwrap();
        }
        // Transparent mode on the async face.
        let sock = m
            .open(
                open_cmd(2, server_port, AccessMode::Transparent),
                buffer(8192),
            )
            .await
            .unwrap();
        let data = pattern(4000, 3);
        let mut sent = 0;
        while sent < data.len() {
            sent += m.write_raw(&sock, &data[sent..]).await.unwrap();
        }
        let mut back = vec![0u8; data.len()];
        let mut got = 0;
        while got < back.len() {
            got += m.read_raw(&sock, &mut back[got..]).await.unwrap();
        }
        assert_eq!(back, data);
        m.escape().await.unwrap();
        m.close(&sock).await.unwrap();
    });
}
