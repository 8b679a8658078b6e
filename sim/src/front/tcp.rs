//! The TCP front: the module's serial line on a TCP socket, one client at a
//! time (QEMU's `-serial tcp:HOST:PORT` connects as that client).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::slice::SLICE;

/// A client that takes no byte for this long is dropped.
const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
use crate::{Fault, SimConfig, SimHandle, SimPort, Simulator};

/// A simulator served on a TCP listener. Dropping it stops the threads and
/// the simulator.
pub struct TcpFront {
    local_addr: SocketAddr,
    handle: SimHandle,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TcpFront {
    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The simulator's handle (faults, transcript).
    pub fn handle(&self) -> &SimHandle {
        &self.handle
    }
}

impl Drop for TcpFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.handle.shutdown();
    }
}

/// Listens on `addr` and serves a new simulator to one client at a time.
///
/// The module powers up when the first client connects (so `RDY` reaches
/// it, as a module powered with its host would); later clients find the
/// module as the previous one left it. Module output while no client is
/// connected is lost, as on an unplugged wire. A second client while one is
/// connected takes over: the previous one is disconnected (so a restarted
/// emulator gets the line at once, even before the old connection is seen
/// to be gone).
pub fn serve_tcp(config: SimConfig, addr: impl ToSocketAddrs) -> io::Result<TcpFront> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let local_addr = listener.local_addr()?;
    // Powered when the first client connects: its `RDY` is the only one.
    let (handle, port) = Simulator::try_start(config.powered_at_start(false))?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let (handle, stop) = (handle.clone(), stop.clone());
        std::thread::Builder::new()
            .name("tcp-front".into())
            .spawn(move || serve(listener, &handle, port, &stop))?
    };
    Ok(TcpFront {
        local_addr,
        handle,
        stop,
        thread: Some(thread),
    })
}

fn serve(listener: TcpListener, handle: &SimHandle, port: SimPort, stop: &Arc<AtomicBool>) {
    let mut first = true;
    let mut buf = [0u8; 4096];
    let mut next = None;
    while !stop.load(Ordering::SeqCst) {
        let client = match next.take() {
            Some(client) => client,
            None => match listener.accept() {
                Ok((client, _)) => client,
                Err(_) => {
                    let _ = port.read_timeout(&mut buf, SLICE);
                    continue;
                }
            },
        };
        if first {
            first = false;
            handle.inject(Fault::Reboot);
        }
        next = bridge(client, &listener, &port, stop);
    }
}

/// Moves bytes both ways until the client leaves, a new client arrives
/// (returned, to be served next) or the front stops.
fn bridge(
    client: TcpStream,
    listener: &TcpListener,
    port: &SimPort,
    stop: &Arc<AtomicBool>,
) -> Option<TcpStream> {
    let _ = client.set_nonblocking(false);
    let _ = client.set_nodelay(true);
    let _ = client.set_read_timeout(Some(SLICE));
    let _ = client.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(mut reader) = client.try_clone() else {
        return None;
    };
    let gone = Arc::new(AtomicBool::new(false));
    let to_sim = {
        let (mut port, stop, gone) = (port.clone(), stop.clone(), gone.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stop.load(Ordering::SeqCst) && !gone.load(Ordering::SeqCst) {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if port.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
            gone.store(true, Ordering::SeqCst);
        })
    };
    let mut writer = client;
    let mut buf = [0u8; 4096];
    let mut newcomer = None;
    while !stop.load(Ordering::SeqCst) && !gone.load(Ordering::SeqCst) {
        if let Ok((new_client, _)) = listener.accept() {
            newcomer = Some(new_client);
            break;
        }
        match port.read_timeout(&mut buf, SLICE) {
            Ok(0) => {}
            Ok(n) => {
                if writer.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    gone.store(true, Ordering::SeqCst);
    let _ = writer.shutdown(Shutdown::Both);
    let _ = to_sim.join();
    newcomer
}
