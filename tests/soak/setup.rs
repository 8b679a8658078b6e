//! The soak's state: its sockets, the module set up (again after a
//! reboot), and a round of traffic.

use super::*;

/// One socket of the soak.
pub struct Sock {
    pub id: u8,
    pub mode: AccessMode,
    pub ssl: u8,
    pub pdp: u8,
    pub handle: Option<SocketHandle>,
    pub seg: Segment,
    /// A fatal fault hit this connection: it must report a typed error.
    pub hit: bool,
    /// A fault that may or may not touch this connection came while it was
    /// open (a byte dropped somewhere on the line, its buffer filling): an
    /// error is explained, a shortfall must come with one.
    pub exposed: bool,
    /// Everything written before a fault must still be read back (a peer
    /// close after the module had all the echo): no shortfall at all.
    pub must_complete: bool,
    /// This connection reported a typed error.
    pub erred: bool,
    pub clean: Tally,
    pub faulted: Tally,
    pub faults: u64,
    pub errors: u64,
    /// Errors on a connection no fault hit.
    pub unexplained: u64,
    /// Connections a fatal fault hit that reported no error.
    pub silent: u64,
    /// The buffer lent at each open.
    pub ring: usize,
}

pub struct Soak {
    pub m: SimModem,
    pub sim: SimHandle,
    pub port: u16,
    pub ca: Vec<u8>,
    pub socks: Vec<Sock>,
    pub rng: Rng,
    pub next_seed: u64,
    pub round: u64,
    pub turn: usize,
    /// A fault to inject right before the next send on its socket.
    pub before_send: Option<Planned>,
    /// Close the transparent socket's peer during the next turn.
    pub close_in_turn: bool,
    pub need_init: bool,
    /// Faults scheduled so far (each kind in turn).
    pub faults_planned: u64,
    /// Handles whose close failed: tried again before the next round.
    pub unclosed: Vec<SocketHandle>,
    /// Time spent repairing, injecting, writing, reading, in transparent turns.
    pub phase: [Duration; 5],
    pub by_kind: [u64; KINDS.len()],
    pub notes: Vec<String>,
    pub reinits: u64,
    /// Closes that failed with no reboot to explain them: answers out of
    /// step with their commands (what a port left unsynchronised after
    /// `NO CARRIER` causes).
    pub failed_closes: u64,
    /// The run's pace and volume.
    pub profile: Profile,
    /// Broken rules, each with its socket and what happened.
    pub violations: Vec<String>,
}

/// Poll `op` until it is done or `deadline` passes (`None`).
pub fn poll_until<O: Op<'static>>(
    m: &mut SimModem,
    op: &mut O,
    deadline: Instant,
) -> Option<Result<O::Output, Error>> {
    loop {
        match m.poll_op(op) {
            Ok(v) => return Some(Ok(v)),
            Err(nb::Error::Other(e)) => return Some(Err(e)),
            Err(nb::Error::WouldBlock) if Instant::now() >= deadline => return None,
            // Idle as the blocking face does between looks at the port.
            Err(nb::Error::WouldBlock) => std::thread::sleep(Duration::from_micros(100)),
        }
    }
}

impl Soak {
    pub fn new(seed: u64, profile: Profile) -> (Soak, EchoServer) {
        let pki = TestPki::new();
        let server = EchoServer::start(&pki, EchoServerOptions::default().rsa().name(HOST))
            .expect("echo server");
        // `read_ready` answers at once, as a UART's does: the simulator's
        // default wait of 1 ms per look would let the engine write only 256
        // bytes (one piece) per millisecond.
        let config = SimConfig::fast()
            .guard_time(Duration::from_millis(GUARD_MS))
            .read_ready_wait(Duration::ZERO)
            .baud(profile.baud)
            .dns(HOST, "127.0.0.1".parse().unwrap());
        let (sim, port) = Simulator::start(config);
        let engine = Config {
            guard_ms: GUARD_MS as u32,
            send_retry_ms: 10,
            ..Config::default()
        };
        let m = Modem::with_config(port, StdTimer::new(), engine);
        let socks = (0..12u8)
            .map(|id| Sock {
                id,
                mode: AccessMode::ALL[usize::from(id % 3)],
                ssl: id % 4,
                pdp: 1 + id / 6,
                handle: None,
                seg: Segment::default(),
                hit: false,
                exposed: false,
                must_complete: false,
                erred: false,
                clean: Tally::default(),
                faulted: Tally::default(),
                faults: 0,
                errors: 0,
                unexplained: 0,
                silent: 0,
                ring: match id {
                    9 => SMALL_READ_RING,
                    10 => FILLING_RING,
                    _ => RING,
                },
            })
            .collect();
        let soak = Soak {
            m,
            sim,
            port: server.port(),
            ca: pki.ca_pem().as_bytes().to_vec(),
            socks,
            rng: Rng::new(seed),
            next_seed: seed.wrapping_mul(1_000_003),
            round: 0,
            turn: 0,
            before_send: None,
            close_in_turn: false,
            need_init: true,
            faults_planned: 0,
            unclosed: Vec::new(),
            phase: [Duration::ZERO; 5],
            by_kind: [0; KINDS.len()],
            notes: Vec::new(),
            reinits: 0,
            failed_closes: 0,
            profile,
            violations: Vec::new(),
        };
        (soak, server)
    }

    /// Progress, on stderr (`--nocapture` shows it).
    pub fn log(&self, text: String) {
        eprintln!("soak: round {}: {text}", self.round);
    }

    /// Something that went wrong, kept for the report.
    pub fn note(&mut self, text: String) {
        let text = format!("round {}: {text}", self.round);
        eprintln!("soak: {text}");
        if self.notes.len() < 40 {
            self.notes.push(text);
        }
    }

    pub fn moved(&self) -> u64 {
        self.socks
            .iter()
            .map(|s| s.clean.sent + s.clean.received + s.faulted.sent + s.faulted.received)
            .sum::<u64>()
            + self
                .socks
                .iter()
                .map(|s| s.seg.sent + s.seg.received)
                .sum::<u64>()
    }

    // ----- setting up ------------------------------------------------------

    /// Init, both PDP contexts, the CA, four SSL contexts.
    pub fn init(&mut self) {
        self.m.init().expect("init");
        self.reinits += 1;
        for ctx in [1, 2] {
            self.m
                .configure_pdp(ConfigurePdpContext {
                    context: pdp(ctx),
                    pdp_type: PdpType::Ipv4,
                    apn: Apn::new("internet").unwrap(),
                    username: UserName::new("").unwrap(),
                    password: Password::new("").unwrap(),
                    auth: AuthMethod::None,
                })
                .expect("QICSGP");
        }
        let ca = FileName::new(CA_FILE).unwrap();
        self.m.upload(ca, &self.ca).expect("CA upload");
        for ctx in 0..4 {
            let config = SslConfig {
                session_cache: Some(ctx % 2 == 1),
                negotiate_time: NegotiateTime::new(60 + 60 * u16::from(ctx)).unwrap(),
                ..SslConfig::with_ca(ca)
            };
            self.m.configure_ssl(ssl(ctx), &config).expect("QSSLCFG");
        }
        self.need_init = false;
    }

    pub fn open(&mut self, i: usize) {
        let s = &self.socks[i];
        let cmd = OpenSslSocket::new(
            pdp(s.pdp),
            ssl(s.ssl),
            client(s.id),
            HostName::new(HOST).unwrap(),
            self.port,
            s.mode,
        )
        .unwrap();
        match self.m.open(cmd, buffer(s.ring)) {
            Ok(h) => {
                self.next_seed = self.next_seed.wrapping_add(1);
                let s = &mut self.socks[i];
                s.handle = Some(h);
                s.seg = Segment::new(stream::mix(self.next_seed));
                s.hit = false;
                s.erred = false;
                // A buffer that fills is a standing condition of its socket.
                s.exposed = s.ring < RING && s.mode == AccessMode::DirectPush;
                s.must_complete = false;
                if s.mode == AccessMode::Transparent {
                    // The port carries it now: park it until its turn.
                    if let Err(e) = self.m.transparent(&h).and_then(|t| t.escape()) {
                        self.error(i, e, "escape after open");
                    }
                }
            }
            Err(e) => {
                self.socks[i].unexplained += 1;
                self.note(format!("socket {i}: open failed: {e:?}"));
            }
        }
    }

    /// Everything the last faults broke, set up again.
    pub fn repair(&mut self) {
        if self.need_init {
            self.unclosed.clear();
            self.init();
        }
        for h in std::mem::take(&mut self.unclosed) {
            if let Err(e) = self.m.close(&h) {
                self.note(format!("socket {}: close failed again: {e:?}", h.client()));
                self.unclosed.push(h);
            }
        }
        for ctx in [1, 2] {
            if !self.m.state().pdp_active(pdp(ctx)) {
                self.m.activate_pdp(pdp(ctx)).expect("QIACT");
            }
        }
        for i in 0..12 {
            if self.socks[i].handle.is_none() {
                self.open(i);
            }
        }
    }

    pub fn run_round(&mut self) {
        let t0 = Instant::now();
        self.repair();
        self.sim.clear_transcript();
        let t1 = Instant::now();
        self.schedule();
        let t2 = Instant::now();
        let data: Vec<usize> = (0..12)
            .filter(|&i| self.socks[i].mode != AccessMode::Transparent)
            .collect();
        for &i in &data {
            let len = self.rng.range(1, self.profile.chunk) as usize;
            self.write(i, len);
        }
        let t3 = Instant::now();
        for &i in &data {
            self.read_back(i);
        }
        let t4 = Instant::now();
        self.transparent_turn();
        let t5 = Instant::now();
        for (k, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]
            .into_iter()
            .enumerate()
        {
            self.phase[k] += b - a;
        }
        for i in 0..12 {
            self.probe(i);
        }
        // Now and then a healthy connection is closed and opened again.
        for i in 0..12 {
            if self.socks[i].handle.is_some() && self.rng.one_in(40) {
                self.end(i);
            }
        }
        self.round += 1;
    }

    pub fn finish(&mut self) {
        for i in 0..12 {
            self.probe(i);
            self.end(i);
        }
    }
}
