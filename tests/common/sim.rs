//! A simulator, a TLS echo server and a driver ready to talk to them.

use std::time::Duration;

use quectel_sim::testing::{EchoServer, EchoServerOptions, TestPki};
use quectel_sim::{SimConfig, SimHandle, SimPort, Simulator};
use quectel_ssl::command::pdp::{AuthMethod, ConfigurePdpContext, PdpType};
use quectel_ssl::command::ssl_socket::{AccessMode, OpenSslSocket};
use quectel_ssl::modem::ops::SslConfig;
use quectel_ssl::modem::StdTimer;
use quectel_ssl::*;

/// The echo server's name (the simulator's DNS table points it at 127.0.0.1).
pub const HOST: &str = "echo.test";
/// Where the CA goes on the module.
pub const CA_FILE: &str = "RAM:cacert.pem";
/// The `+++` guard time used by both sides in tests (a module needs 1 s).
pub const GUARD_MS: u32 = 150;

pub type SimModem = Modem<'static, SimPort, StdTimer>;

/// The simulator's configuration for tests.
pub fn sim_config() -> SimConfig {
    SimConfig::fast()
        .guard_time(Duration::from_millis(u64::from(GUARD_MS)))
        .dns(HOST, "127.0.0.1".parse().unwrap())
}

/// The engine's configuration for tests: same guard time as the simulator.
pub fn engine_config() -> Config {
    Config {
        guard_ms: GUARD_MS,
        ..Config::default()
    }
}

/// A receive buffer that lives as long as the test.
pub fn buffer(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// Everything a session test needs.
pub struct Rig {
    pub pki: TestPki,
    pub server: EchoServer,
    pub sim: SimHandle,
    port: Option<SimPort>,
}

impl Rig {
    /// An RSA echo server (the default cipher suite needs one) and a module.
    pub fn new() -> Rig {
        Rig::with(EchoServerOptions::default().rsa(), sim_config())
    }

    pub fn with(options: EchoServerOptions, config: SimConfig) -> Rig {
        let pki = TestPki::new();
        let server = EchoServer::start(&pki, options.name(HOST)).expect("echo server");
        let (sim, port) = Simulator::start(config);
        Rig {
            pki,
            server,
            sim,
            port: Some(port),
        }
    }

    /// The driver on the simulator's port (once).
    pub fn modem(&mut self) -> SimModem {
        let port = self.port.take().expect("one modem per rig");
        Modem::with_config(port, StdTimer::new(), engine_config())
    }

    /// The port, for a face other than the blocking one.
    pub fn take_port(&mut self) -> SimPort {
        self.port.take().expect("one port per rig")
    }

    /// A driver through the note's chapter 3 set-up: init, PDP context 1,
    /// CA upload, SSL context 0 with the secure defaults.
    pub fn ready(&mut self) -> SimModem {
        let mut m = self.modem();
        set_up(&mut m, self.pki.ca_pem().as_bytes());
        m
    }

    /// The echo server's port.
    pub fn server_port(&self) -> u16 {
        self.server.port()
    }
}

/// Init, PDP context 1 up, CA uploaded, SSL context 0 configured.
pub fn set_up(m: &mut SimModem, ca: &[u8]) {
    m.init().expect("init");
    m.configure_pdp(ConfigurePdpContext {
        context: pdp(1),
        pdp_type: PdpType::Ipv4,
        apn: Apn::new("internet").unwrap(),
        username: UserName::new("").unwrap(),
        password: Password::new("").unwrap(),
        auth: AuthMethod::None,
    })
    .expect("QICSGP");
    m.activate_pdp(pdp(1)).expect("QIACT");
    let ca_file = FileName::new(CA_FILE).unwrap();
    m.upload(ca_file, ca).expect("CA upload");
    m.configure_ssl(ssl(0), &SslConfig::with_ca(ca_file))
        .expect("QSSLCFG");
}

pub fn pdp(n: u8) -> PdpContextId {
    PdpContextId::new(n).unwrap()
}
pub fn ssl(n: u8) -> SslContextId {
    SslContextId::new(n).unwrap()
}
pub fn client(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}

/// The open command for socket `n` to the echo server.
pub fn open_cmd(n: u8, port: u16, mode: AccessMode) -> OpenSslSocket<'static> {
    OpenSslSocket::new(
        pdp(1),
        ssl(0),
        client(n),
        HostName::new(HOST).unwrap(),
        port,
        mode,
    )
    .unwrap()
}

/// A payload of `len` bytes holding every byte value, in a pattern that
/// shows any loss, duplication or reordering.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// Run a future to completion on this thread.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park_timeout(Duration::from_millis(5));
    }
}

/// Inject `fault` and wait until the simulator has applied it (its
/// transcript notes it), so the bytes that follow meet it.
pub fn inject(sim: &quectel_sim::SimHandle, fault: quectel_sim::Fault) {
    let seen = |sim: &quectel_sim::SimHandle| {
        sim.transcript()
            .to_string()
            .matches("fault injected")
            .count()
    };
    let before = seen(sim);
    sim.inject(fault);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while seen(sim) == before {
        assert!(std::time::Instant::now() < deadline, "fault never applied");
        std::thread::sleep(Duration::from_millis(1));
    }
}
