//! The module's brain: one thread that takes host bytes and events, runs the
//! AT command state machine and writes the module's output.
//!
//! Module map: [`command_line`] assembles and dispatches command lines,
//! [`basic`], [`pdp`], [`ssl_commands`], [`close`], [`files`] execute
//! commands, [`data_modes`] handles the `> ` payload, the upload and
//! transparent mode, [`network`] reacts to the socket workers, [`urc`]
//! holds and writes URCs ([`pending`] is one held), [`reply`] frames
//! responses, [`state`] holds sockets and contexts, [`port_mode`] what the
//! port is doing.

mod basic;
mod close;
mod command_line;
mod data_modes;
pub(crate) mod event;
mod files;
pub(crate) mod inbox;
mod network;
mod pdp;
mod pending;
mod port_mode;
pub(crate) mod reply;
mod ssl_commands;
pub(crate) mod state;
mod tcp_probe;
mod urc;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use self::event::Event;
use self::inbox::Inbox;
use self::pending::Pending;
use self::port_mode::Transparent;
pub(crate) use self::port_mode::{Next, PortMode};
use self::reply::Reply;
use self::state::{PdpContext, Socket, SslContextConfig};
use crate::clock::SharedClock;
use crate::config::SimConfig;
use crate::error_code::QiError;
use crate::fault::{Fault, Urc};
use crate::filesystem::FileSystem;
use crate::line::Line;
use crate::net::{Connection, OpenFailure, OpenRequest, TlsCacheEntry};

/// How long an unpowered module waits for its power-up: for ever, in
/// practice.
const UNPOWERED: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The boot URCs that follow `RDY`.
const BOOT_URCS: &[u8] =
    b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n";

/// Faults armed for later commands.
#[derive(Default)]
pub(crate) struct ArmedFaults {
    pub error_next: Option<(u32, u16)>,
    pub stall: u32,
    pub send_fail: u32,
    pub wedged: bool,
    pub urc_mid: Option<(Urc, u32)>,
}

/// The simulated module.
pub(crate) struct Module {
    pub config: Arc<SimConfig>,
    line: Arc<Line>,
    inbox: Arc<Inbox>,
    pub mode: PortMode,
    line_buf: Vec<u8>,
    prev_cr: bool,
    echo_buf: Vec<u8>,
    pub echo: bool,
    cmee: u8,
    dtr_mode: u8,
    dtr_on: bool,
    input: VecDeque<(Instant, Vec<u8>)>,
    pub sockets: Vec<Socket>,
    pub pdp: Vec<PdpContext>,
    pub ssl: Vec<SslContextConfig>,
    pub files: FileSystem,
    pub clock: SharedClock,
    tls_cache: Vec<Option<TlsCacheEntry>>,
    pub last_error: QiError,
    generation: u64,
    last_transparent: Option<u8>,
    pending: VecDeque<Pending>,
    deferred: Vec<String>,
    pending_opens: Vec<OpenRequest>,
    recv_noticed: [bool; 12],
    faults: ArmedFaults,
    reaper: Vec<Connection>,
    /// `AT+QIOPEN` connections (a diagnosis's TCP probes).
    tcp: [tcp_probe::TcpProbe; 12],
    /// Every failed open since power-up of the simulator, with its real
    /// reason (kept across module reboots: it is the test's record).
    pub open_failures: Vec<OpenFailure>,
}

impl Module {
    pub fn new(config: Arc<SimConfig>, line: Arc<Line>, inbox: Arc<Inbox>) -> Module {
        let mut module = Module {
            files: FileSystem::new(config.ram_capacity, config.ufs_capacity),
            clock: SharedClock::new(config.clock_start),
            tls_cache: Vec::new(),
            config,
            line,
            inbox,
            mode: PortMode::Command,
            line_buf: Vec::new(),
            prev_cr: false,
            echo_buf: Vec::new(),
            echo: true,
            cmee: 1,
            dtr_mode: 0,
            dtr_on: true,
            input: VecDeque::new(),
            sockets: Vec::new(),
            pdp: Vec::new(),
            ssl: Vec::new(),
            last_error: QiError::Success,
            generation: 0,
            last_transparent: None,
            pending: VecDeque::new(),
            deferred: Vec::new(),
            pending_opens: Vec::new(),
            recv_noticed: [false; 12],
            faults: ArmedFaults::default(),
            reaper: Vec::new(),
            tcp: Default::default(),
            open_failures: Vec::new(),
        };
        module.power_up();
        if !module.config.powered_at_start {
            // Unpowered: nothing comes out and input is dropped, as while
            // booting, until a reboot powers the module up.
            module.mode = PortMode::Booting {
                until: Instant::now() + UNPOWERED,
            };
        }
        module
    }

    /// Forgets everything a reboot forgets and starts booting.
    fn power_up(&mut self) {
        for socket in &mut self.sockets {
            if let Some(conn) = socket.conn.take() {
                conn.abort();
                self.reaper.push(conn);
            }
        }
        self.sockets = (0..12).map(|_| Socket::default()).collect();
        self.tcp = Default::default();
        self.pdp = vec![PdpContext::default(); 16];
        self.ssl = vec![SslContextConfig::defaults(self.config.profile); 6];
        self.tls_cache = (0..6).map(|_| None).collect();
        self.files.clear_ram();
        self.echo = self.config.echo_on_boot;
        self.cmee = 1;
        self.dtr_mode = 0;
        self.last_error = QiError::Success;
        self.last_transparent = None;
        self.pending.clear();
        self.deferred.clear();
        self.pending_opens.clear();
        self.recv_noticed = [false; 12];
        self.faults = ArmedFaults::default();
        self.line_buf.clear();
        self.prev_cr = false;
        self.input.clear();
        self.mode = PortMode::Booting {
            until: Instant::now() + self.config.boot_delay,
        };
    }

    /// A reboot: `+QIURC: "pdpdeact"` for the active contexts, then boot.
    pub fn reboot(&mut self) {
        self.line.recorder.note("module reboots");
        if self.config.pdpdeact_on_reboot {
            let active: Vec<usize> = (0..16).filter(|&i| self.pdp[i].active).collect();
            for i in active {
                self.write(format!("\r\n+QIURC: \"pdpdeact\",{}\r\n", i + 1).as_bytes());
            }
        }
        self.power_up();
    }

    /// Writes module output (after any pending echo).
    pub fn write(&mut self, bytes: &[u8]) {
        self.flush_echo();
        self.line.module_wrote(bytes);
    }

    fn flush_echo(&mut self) {
        if !self.echo_buf.is_empty() {
            let echo = std::mem::take(&mut self.echo_buf);
            self.line.module_wrote(&echo);
        }
    }

    /// Sends a response now or after the turn-around latency, then moves
    /// the port to `then`.
    pub fn respond(&mut self, mut reply: Reply, then: Next) {
        if !reply.units.is_empty() {
            if let Some((urc, after)) = self.faults.urc_mid.take() {
                reply.insert_urc(&urc.text(), after as usize);
            }
        }
        let latency = self.config.turnaround;
        if latency.is_zero() || reply.units.is_empty() {
            self.write(&reply.bytes());
            self.enter(then);
        } else {
            self.flush_echo();
            self.mode = PortMode::Busy {
                until: Instant::now() + latency,
                reply,
                then,
            };
        }
    }

    fn enter(&mut self, then: Next) {
        self.after_reply();
        self.mode = match then {
            Next::Command => PortMode::Command,
            Next::Prompt(p) => PortMode::Prompt(p),
            Next::Upload(u) => PortMode::Upload(u),
            Next::WaitConnect { client } => PortMode::WaitConnect { client },
            Next::Lingering { client, until } => PortMode::Lingering { client, until },
            Next::Transparent { client } => {
                self.mode = PortMode::Transparent(Transparent::new(client, Instant::now()));
                self.pump_transparent();
                return;
            }
            Next::Reboot => {
                self.reboot();
                return;
            }
        };
    }

    /// Sets the last TCP/IP error and answers `ERROR`.
    pub fn fail(&mut self, code: QiError) -> Reply {
        self.last_error = code;
        Reply::error()
    }

    /// Whether host bytes can be processed now.
    fn wants_input(&self) -> bool {
        match &self.mode {
            PortMode::Busy { .. } | PortMode::WaitConnect { .. } | PortMode::Lingering { .. } => {
                false
            }
            PortMode::Transparent(t) => self.transparent_can_take(t.client),
            _ => true,
        }
    }

    /// The next moment a timer fires.
    fn next_deadline(&self) -> Option<Instant> {
        match &self.mode {
            PortMode::Booting { until }
            | PortMode::Busy { until, .. }
            | PortMode::Lingering { until, .. } => Some(*until),
            PortMode::Upload(u) => Some(u.deadline),
            PortMode::Transparent(t) => t.deadline(self.config.guard_time),
            _ => None,
        }
    }

    /// Handles one batch from the inbox.
    fn handle(&mut self, events: Vec<Event>, input: Vec<(Instant, Vec<u8>)>) {
        for event in events {
            match event {
                Event::Net {
                    client,
                    generation,
                    event,
                } => self.on_net(client, generation, event),
                Event::Fault(fault) => self.inject(fault),
                Event::Dtr(on) => self.on_dtr(on),
                Event::TcpProbe { id, result } => self.on_tcp_probe(id, result),
            }
        }
        self.input.extend(input);
        self.process_input();
        self.on_timers(Instant::now());
        self.process_input();
        self.flush_transparent_tx();
        self.flush_echo();
        self.flush_urcs();
        self.reap();
    }

    fn process_input(&mut self) {
        while self.wants_input() {
            let Some((at, mut bytes)) = self.input.pop_front() else {
                break;
            };
            let mut used = 0;
            for &b in &bytes {
                if !self.wants_input() {
                    break;
                }
                used += 1;
                self.on_host_byte(b, at);
            }
            if used < bytes.len() {
                bytes.drain(..used);
                self.input.push_front((at, bytes));
                break;
            }
        }
    }

    fn on_host_byte(&mut self, b: u8, at: Instant) {
        match &mut self.mode {
            PortMode::Booting { .. } => {}
            PortMode::Command => self.command_byte(b),
            PortMode::Prompt(_) => self.prompt_byte(b),
            PortMode::Upload(_) => self.upload_byte(b),
            PortMode::Transparent(t) => t.byte(b, at, self.config.guard_time),
            PortMode::Busy { .. } | PortMode::WaitConnect { .. } | PortMode::Lingering { .. } => {}
        }
    }

    fn on_timers(&mut self, now: Instant) {
        match &self.mode {
            PortMode::Booting { until } if *until <= now => {
                self.line.recorder.note("boot complete");
                self.write(BOOT_URCS);
                self.mode = PortMode::Command;
            }
            PortMode::Busy { until, .. } if *until <= now => {
                let PortMode::Busy { reply, then, .. } =
                    std::mem::replace(&mut self.mode, PortMode::Command)
                else {
                    return;
                };
                self.write(&reply.bytes());
                self.enter(then);
            }
            PortMode::Upload(u) if u.deadline <= now => self.upload_timeout(),
            PortMode::Lingering { client, until } if *until <= now => {
                let client = *client;
                self.linger_done(client, false);
            }
            PortMode::Transparent(_) => self.transparent_timers(now),
            _ => {}
        }
    }

    fn on_dtr(&mut self, on: bool) {
        let falling = self.dtr_on && !on;
        self.dtr_on = on;
        if falling && self.dtr_mode == 1 && matches!(self.mode, PortMode::Transparent(_)) {
            self.line
                .recorder
                .note("DTR ON->OFF: leaving transparent mode");
            self.leave_transparent();
        }
    }

    /// Applies a fault from the handle (line faults are applied by the
    /// handle itself, on the line).
    fn inject(&mut self, fault: Fault) {
        self.line
            .recorder
            .note(&format!("fault injected: {fault:?}"));
        match fault {
            Fault::PeerClose { client } => self.fault_peer_close(client),
            Fault::PdpDeactivate { ctx } => self.network_deactivates(ctx),
            Fault::Reboot => self.reboot(),
            Fault::ErrorNext { count, code } => {
                self.faults.error_next = (count > 0).then_some((count, code));
            }
            Fault::Stall { count } => self.faults.stall = count,
            Fault::SendFail { count } => self.faults.send_fail = count,
            Fault::UrcBurst { urc, count } => {
                for _ in 0..count {
                    self.pending.push_back(Pending::Line(urc.text()));
                }
            }
            Fault::UrcMidResponse { urc, after } => self.faults.urc_mid = Some((urc, after)),
            Fault::Wedged(on) => self.faults.wedged = on,
            Fault::CorruptRx { .. }
            | Fault::CorruptTx { .. }
            | Fault::DropRx { .. }
            | Fault::DropTx { .. } => {}
        }
    }

    /// Moves finished connections out of the reaper.
    fn reap(&mut self) {
        let (done, alive): (Vec<_>, Vec<_>) = self.reaper.drain(..).partition(|c| c.is_finished());
        self.reaper = alive;
        for conn in done {
            conn.join();
        }
    }

    /// Stops every network thread.
    fn shutdown(&mut self) {
        for socket in &mut self.sockets {
            if let Some(conn) = socket.conn.take() {
                self.reaper.push(conn);
            }
        }
        for conn in self.reaper.drain(..) {
            conn.join();
        }
    }
}

/// Closes the host side of the line when the engine thread ends, even by a
/// panic, so that a reader never waits for a module that is gone.
struct CloseLineOnExit(Arc<Line>);

impl Drop for CloseLineOnExit {
    fn drop(&mut self) {
        self.0.host.close();
    }
}

/// The engine thread's loop.
pub(crate) fn run(module: Arc<Mutex<Module>>, inbox: Arc<Inbox>) {
    let _close = match module.lock() {
        Ok(m) => CloseLineOnExit(m.line.clone()),
        Err(_) => return,
    };
    loop {
        let (deadline, block) = match module.lock() {
            Ok(m) => (m.next_deadline(), !m.wants_input() || m.input.is_empty()),
            Err(_) => return,
        };
        let batch = inbox.wait(deadline, block);
        let Ok(mut m) = module.lock() else { return };
        if batch.closed {
            m.shutdown();
            return;
        }
        m.handle(batch.events, batch.input);
    }
}
