//! The PTY front: the module appears as `/dev/pts/N`.

use std::io::{self, Write as _};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::fs::{Mode, OFlags};
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};

use super::slice::SLICE;
use crate::{SimConfig, SimHandle, SimPort, Simulator};

/// A simulator served on a pseudo-terminal. Dropping it stops the bridge
/// threads and the simulator.
pub struct PtyFront {
    path: PathBuf,
    handle: SimHandle,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    _slave: OwnedFd,
}

impl PtyFront {
    /// The device path to open (`/dev/pts/N`).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The simulator's handle (faults, transcript).
    pub fn handle(&self) -> &SimHandle {
        &self.handle
    }
}

impl Drop for PtyFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        self.handle.shutdown();
    }
}

fn slice_spec() -> Timespec {
    Timespec {
        tv_sec: 0,
        tv_nsec: SLICE.as_nanos() as _,
    }
}

/// Creates a PTY in raw mode and serves a new simulator on it. The slave
/// side is kept open by the simulator, so a program may open and close the
/// device as often as it likes.
pub fn serve_pty(config: SimConfig) -> io::Result<PtyFront> {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let path = PathBuf::from(name.to_string_lossy().into_owned());
    let slave = rustix::fs::open(&path, OFlags::RDWR | OFlags::NOCTTY, Mode::empty())?;
    let mut termios = tcgetattr(&slave)?;
    termios.make_raw();
    tcsetattr(&slave, OptionalActions::Now, &termios)?;
    let master = Arc::new(master);
    let (handle, port) = Simulator::try_start(config)?;
    let stop = Arc::new(AtomicBool::new(false));
    let to_sim = {
        let (master, mut port, stop) = (master.clone(), port.clone(), stop.clone());
        std::thread::Builder::new()
            .name("pty-to-sim".into())
            .spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::SeqCst) {
                    let mut fds = [PollFd::new(&*master, PollFlags::IN)];
                    if !matches!(poll(&mut fds, Some(&slice_spec())), Ok(n) if n > 0) {
                        continue;
                    }
                    match rustix::io::read(&*master, &mut buf) {
                        Ok(n) if n > 0 => {
                            if port.write_all(&buf[..n]).is_err() {
                                return;
                            }
                        }
                        _ => std::thread::sleep(SLICE),
                    }
                }
            })?
    };
    let to_pty = {
        let (master, stop) = (master.clone(), stop.clone());
        std::thread::Builder::new()
            .name("sim-to-pty".into())
            .spawn(move || pump_to_pty(&master, &port, &stop))?
    };
    Ok(PtyFront {
        path,
        handle,
        stop,
        threads: vec![to_sim, to_pty],
        _slave: slave,
    })
}

fn pump_to_pty(master: &OwnedFd, port: &SimPort, stop: &AtomicBool) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let n = match port.read_timeout(&mut buf, SLICE) {
            Ok(n) => n,
            Err(_) => return,
        };
        let mut rest = &buf[..n];
        while !rest.is_empty() && !stop.load(Ordering::SeqCst) {
            let mut fds = [PollFd::new(master, PollFlags::OUT)];
            if !matches!(poll(&mut fds, Some(&slice_spec())), Ok(k) if k > 0) {
                continue;
            }
            match rustix::io::write(master, rest) {
                Ok(k) => rest = &rest[k..],
                Err(_) => break,
            }
        }
    }
}
