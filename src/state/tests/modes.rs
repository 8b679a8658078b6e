//! The access mode a resync finds in the module against the engine's
//! belief, and which connections are parked.

use super::*;

#[test]
fn a_resync_finds_switches_the_engine_did_not_see() {
    // Every state socket 3 can be in, against every mode the module could
    // list it in: only a parked connection (left with `+++`) or one in
    // transparent mode agrees with "transparent"; the others agree only
    // with their own mode.
    for st in STATES {
        for reported in [Buffer, DirectPush, Transparent] {
            let (mut s, _) = setup(st);
            if s.port() != PortMode::Command {
                s.left_transparent();
            }
            let before = *s.socket(c(3));
            let parked = matches!(st, St::LeftTransparent | St::ConnectedTransparent);
            let agrees = match reported {
                Transparent => before.mode == Transparent || parked,
                other => before.mode == other,
            };
            let initial = before.state == Initial;
            assert_eq!(
                s.mode_reported(c(3), reported),
                agrees || initial,
                "{st:?} listed {reported:?}"
            );
            if initial {
                assert_eq!(*s.socket(c(3)), before);
                continue;
            }
            // The engine's belief now follows the module's: listed
            // transparent, parked in buffer mode (a second report agrees).
            let expected = match reported {
                Transparent if before.mode == Transparent => Transparent,
                Transparent => Buffer,
                other => other,
            };
            assert_eq!(s.socket(c(3)).mode, expected, "{st:?} listed {reported:?}");
            assert!(
                s.mode_reported(c(3), reported),
                "{st:?} listed {reported:?}"
            );
            assert_eq!(s.socket(c(3)).state, before.state);
        }
    }
    // While the port is transparent nothing is compared.
    let (mut s, _) = setup(St::ConnectedTransparent);
    assert!(s.mode_reported(c(3), DirectPush));
    assert_eq!(s.socket(c(3)).mode, Transparent);
}

#[test]
fn a_parked_connection_is_one_the_module_lists_transparent() {
    let mut s = SessionState::new();
    s.adopt(c(1), Connected, Transparent, ssl(0), pdp(1));
    s.adopt(c(2), Connected, Buffer, ssl(0), pdp(1));
    assert!(s.mode_reported(c(1), Transparent));
    assert!(!s.mode_reported(c(2), Transparent));
    // A switch to buffer mode (`AT+QISWTMD=<id>,0`) unparks.
    s.mode_switched(c(1), Buffer);
    assert!(!s.mode_reported(c(1), Transparent));
    // A connection `NO CARRIER` ended is parked by the next `CONNECT`.
    let mut s = SessionState::new();
    s.begin_open(c(4), pdp(1), ssl(0), Transparent).unwrap();
    s.open_result(c(4), SslErrorCode::Success);
    s.carrier_lost();
    s.adopt(c(5), Connected, Buffer, ssl(0), pdp(1));
    s.entered_transparent(c(5));
    s.left_transparent();
    assert!(s.mode_reported(c(4), Transparent));
    assert!(s.mode_reported(c(5), Transparent));
    assert_eq!(s.socket(c(4)).mode, Buffer);
}
