//! What the driver makes of the simulator's injected faults: typed errors,
//! and no byte lost, duplicated or reordered where the line stays intact.

mod common;

use common::sim::*;
use embedded_io::{Read, Write};
use quectel_sim::{Fault, Urc as SimUrc};
use quectel_ssl::command::ssl_socket::AccessMode;
use quectel_ssl::{Error, SslErrorCode};

#[test]
fn a_stalled_command_times_out_and_the_next_one_works() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    inject(&rig.sim, Fault::Stall { count: 1 });
    assert_eq!(m.last_error().unwrap_err(), Error::Timeout);
    assert!(m.last_error().is_ok());
    assert_eq!(m.socket_states().unwrap().len(), 0);
}

#[test]
fn an_injected_error_is_typed_and_its_code_readable() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    inject(
        &rig.sim,
        Fault::ErrorNext {
            count: 1,
            code: 568,
        },
    );
    assert_eq!(m.socket_states().unwrap_err(), Error::Rejected);
    assert_eq!(m.last_error().unwrap().code, SslErrorCode::OperationBusy);
    // An open refused at once reports the module's code.
    inject(
        &rig.sim,
        Fault::ErrorNext {
            count: 1,
            code: 561,
        },
    );
    let err = m
        .open(
            open_cmd(0, rig.server_port(), AccessMode::Buffer),
            buffer(64),
        )
        .unwrap_err();
    assert_eq!(err, Error::Ssl(SslErrorCode::OpenPdpContextFailed));
    assert_eq!(m.state().open_sockets().count(), 0);
}

#[test]
fn send_fail_bursts_are_back_pressure_and_lose_nothing() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let sock = m
        .open(
            open_cmd(1, rig.server_port(), AccessMode::Buffer),
            buffer(4096),
        )
        .unwrap();
    inject(&rig.sim, Fault::SendFail { count: 4 });
    let data = pattern(6000, 1);
    m.socket(&sock).write_all(&data).unwrap();
    let mut back = vec![0u8; data.len()];
    m.socket(&sock).read_exact(&mut back).unwrap();
    assert_eq!(back, data, "each byte once, in order");
}

#[test]
fn urc_bursts_and_urcs_inside_responses_leave_data_intact() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    let port = rig.server_port();
    let a = m
        .open(open_cmd(2, port, AccessMode::Buffer), buffer(2048))
        .unwrap();
    let b = m
        .open(open_cmd(3, port, AccessMode::DirectPush), buffer(8192))
        .unwrap();
    inject(
        &rig.sim,
        Fault::UrcBurst {
            urc: SimUrc::Recv { client: 2 },
            count: 20,
        },
    );
    inject(
        &rig.sim,
        Fault::UrcMidResponse {
            urc: SimUrc::Line("+QIND: \"csq\",20,99".into()),
            after: 1,
        },
    );
    let states = m.socket_states().unwrap();
    assert_eq!(states.len(), 2, "the list survives a URC between its lines");
    for round in 0..5u8 {
        inject(
            &rig.sim,
            Fault::UrcMidResponse {
                urc: SimUrc::Recv { client: 2 },
                after: 0,
            },
        );
        let da = pattern(1700, round);
        let db = pattern(2500, round + 100);
        m.socket(&a).write_all(&da).unwrap();
        m.socket(&b).write_all(&db).unwrap();
        let mut back = vec![0u8; da.len()];
        m.socket(&a).read_exact(&mut back).unwrap();
        assert_eq!(back, da);
        let mut back = vec![0u8; db.len()];
        m.socket(&b).read_exact(&mut back).unwrap();
        assert_eq!(back, db);
    }
}

#[test]
fn a_wedged_stack_answers_552_to_every_open() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    inject(&rig.sim, Fault::Wedged(true));
    for n in 0..3 {
        let err = m
            .open(
                open_cmd(n, rig.server_port(), AccessMode::Buffer),
                buffer(64),
            )
            .unwrap_err();
        assert_eq!(err, Error::Ssl(SslErrorCode::InvalidParameter));
    }
    // The diagnosis does not blame the configuration.
    let diagnosis = m.diagnose(pdp(1), ssl(0)).unwrap();
    assert!(diagnosis.findings().iter().all(|f| !matches!(
        f,
        quectel_ssl::modem::ops::Finding::PdpInactive | quectel_ssl::modem::ops::Finding::NoCaCert
    )));
    inject(&rig.sim, Fault::Wedged(false));
    m.open(
        open_cmd(0, rig.server_port(), AccessMode::Buffer),
        buffer(64),
    )
    .unwrap();
}

#[test]
fn corrupted_command_bytes_get_a_typed_error_not_a_hang() {
    let mut rig = Rig::new();
    let mut m = rig.ready();
    // A flipped bit in the next command line: the module refuses the line.
    inject(&rig.sim, Fault::CorruptRx { skip: 3, count: 1 });
    let first = m.socket_states();
    assert!(
        matches!(first, Err(Error::Rejected) | Err(Error::Timeout)),
        "{first:?}"
    );
    // The stream is framed again right after.
    assert!(m.socket_states().is_ok());
    // Four bytes dropped from an answer (`+QIGETERROR:` loses its `+QIG`):
    // a typed error, then the next command works.
    inject(&rig.sim, Fault::DropTx { skip: 2, count: 4 });
    assert_eq!(m.last_error(), Err(Error::UnexpectedResponse));
    assert!(m.last_error().is_ok());
}
