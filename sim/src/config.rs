//! [`SimConfig`]: everything about a simulated module that a test may want
//! to change, builder style.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::clock::ClockStart;

/// Which defaults the SSL contexts start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultsProfile {
    /// The application note's defaults: `sslversion` 4, `ciphersuite`
    /// `0XFFFF`, `seclevel` 0, `sni` 1, `ignorelocaltime` 0,
    /// `negotiatetime` 300.
    Note,
    /// What some real firmware reports: `sni` 0 and `ignorelocaltime` 1.
    RealFirmware,
}

/// Per-socket send buffer size, bytes (see the README: modelled, not
/// measured).
pub const DEFAULT_SEND_BUFFER: usize = 10 * 1024;
/// Per-socket receive buffer size, bytes.
pub const DEFAULT_RECV_BUFFER: usize = 16 * 1024;

/// Configuration of a simulated module. `SimConfig::default()` is the
/// faithful one (3 s boot, 1 s guard time); [`SimConfig::fast`] is the usual
/// start for tests.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub(crate) echo_on_boot: bool,
    pub(crate) boot_delay: Duration,
    pub(crate) powered_at_start: bool,
    pub(crate) guard_time: Duration,
    pub(crate) baud: Option<u32>,
    pub(crate) turnaround: Duration,
    pub(crate) dns: HashMap<String, IpAddr>,
    pub(crate) host_resolver: bool,
    pub(crate) dns_delay: Duration,
    pub(crate) routes: HashMap<SocketAddr, SocketAddr>,
    pub(crate) at_port: String,
    pub(crate) recv_buffer: usize,
    pub(crate) send_buffer: usize,
    pub(crate) pdp_addresses: HashMap<u8, IpAddr>,
    pub(crate) rejected_apns: Vec<String>,
    pub(crate) profile: DefaultsProfile,
    pub(crate) ufs_prefix_in_list: bool,
    pub(crate) transcript: bool,
    pub(crate) log_file: Option<PathBuf>,
    pub(crate) read_ready_wait: Duration,
    pub(crate) allow_tls13: bool,
    pub(crate) negotiate_time_unit: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) clock_start: ClockStart,
    pub(crate) ram_capacity: usize,
    pub(crate) ufs_capacity: usize,
    pub(crate) pdpdeact_on_reboot: bool,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            echo_on_boot: true,
            boot_delay: Duration::from_secs(3),
            powered_at_start: true,
            guard_time: Duration::from_secs(1),
            baud: None,
            turnaround: Duration::ZERO,
            dns: HashMap::new(),
            host_resolver: true,
            dns_delay: Duration::ZERO,
            routes: HashMap::new(),
            at_port: "uart1".to_string(),
            recv_buffer: DEFAULT_RECV_BUFFER,
            send_buffer: DEFAULT_SEND_BUFFER,
            pdp_addresses: HashMap::new(),
            rejected_apns: Vec::new(),
            profile: DefaultsProfile::Note,
            ufs_prefix_in_list: true,
            transcript: true,
            log_file: None,
            read_ready_wait: Duration::from_millis(1),
            allow_tls13: false,
            negotiate_time_unit: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(150),
            clock_start: ClockStart::Host,
            ram_capacity: 1024 * 1024,
            ufs_capacity: 8 * 1024 * 1024,
            pdpdeact_on_reboot: true,
        }
    }
}

impl SimConfig {
    /// The default configuration with a 20 ms boot, for tests (guard time
    /// stays at the real 1 s; shorten it with [`SimConfig::guard_time`]).
    pub fn fast() -> SimConfig {
        SimConfig::default().boot_delay(Duration::from_millis(20))
    }

    /// Echo on after boot and reboot (default true, as on a module).
    pub fn echo_on_boot(mut self, on: bool) -> Self {
        self.echo_on_boot = on;
        self
    }

    /// Time from power-up (or reboot) to `RDY` (default 3 s, as measured on
    /// modules). Bytes written before `RDY` are dropped.
    pub fn boot_delay(mut self, delay: Duration) -> Self {
        self.boot_delay = delay;
        self
    }

    /// Whether the module powers up when the simulator starts (default
    /// true). Off: it stays unpowered (bytes from the host dropped, nothing
    /// sent) until a [`Fault::Reboot`](crate::Fault::Reboot) powers it up,
    /// so that its one `RDY` comes after that moment (the TCP front powers
    /// it up when its first client connects).
    pub fn powered_at_start(mut self, on: bool) -> Self {
        self.powered_at_start = on;
        self
    }

    /// `+++` guard time (default 1 s).
    pub fn guard_time(mut self, guard: Duration) -> Self {
        self.guard_time = guard;
        self
    }

    /// Pace both directions of the line at `baud` (10 bits per byte).
    pub fn baud(mut self, baud: Option<u32>) -> Self {
        self.baud = baud.filter(|b| *b > 0);
        self
    }

    /// Delay between the end of a command line and the start of its
    /// response (default 0; real modules take a few milliseconds).
    pub fn turnaround(mut self, latency: Duration) -> Self {
        self.turnaround = latency;
        self
    }

    /// Resolve `name` to `ip` (checked before the host resolver).
    pub fn dns(mut self, name: &str, ip: IpAddr) -> Self {
        self.dns.insert(name.to_ascii_lowercase(), ip);
        self
    }

    /// Use the host resolver for names not in the table (default true).
    pub fn host_resolver(mut self, on: bool) -> Self {
        self.host_resolver = on;
        self
    }

    /// How long a name lookup takes (default 0). A second open with a host
    /// name on the same PDP context during a lookup gets 564 (DNS busy).
    pub fn dns_delay(mut self, delay: Duration) -> Self {
        self.dns_delay = delay;
        self
    }

    /// Connections to `module_side` really go to `host_side` (address
    /// translation, so the note's `220.180.239.212:8010` can reach a local
    /// server). The TLS server name is still `module_side`'s address.
    pub fn route(mut self, module_side: SocketAddr, host_side: SocketAddr) -> Self {
        self.routes.insert(module_side, host_side);
        self
    }

    /// The `<AT_port>` name in `+QSSLSTATE` lines (default `uart1`).
    pub fn at_port(mut self, name: &str) -> Self {
        self.at_port = name.to_string();
        self
    }

    /// Per-socket receive buffer in bytes (default 16 KiB). When full, the
    /// module stops reading from the TLS stream.
    pub fn recv_buffer(mut self, bytes: usize) -> Self {
        self.recv_buffer = bytes.max(1);
        self
    }

    /// Per-socket send buffer in bytes (default 10 KiB): `SEND FAIL` when a
    /// send does not fit.
    pub fn send_buffer(mut self, bytes: usize) -> Self {
        self.send_buffer = bytes.max(1);
        self
    }

    /// The address `AT+QIACT` assigns to PDP context `ctx` (default
    /// `10.7.157.<ctx>`, the note's example for context 1).
    pub fn pdp_address(mut self, ctx: u8, ip: IpAddr) -> Self {
        self.pdp_addresses.insert(ctx, ip);
        self
    }

    /// An APN the network refuses: `AT+QIACT` fails with 561.
    pub fn reject_apn(mut self, apn: &str) -> Self {
        self.rejected_apns.push(apn.to_string());
        self
    }

    /// SSL context defaults: the note's, or real firmware's.
    pub fn defaults_profile(mut self, profile: DefaultsProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Print UFS files in `+QFLST` with the `UFS:` prefix (default true;
    /// false imitates firmware that prints bare names).
    pub fn ufs_prefix_in_list(mut self, on: bool) -> Self {
        self.ufs_prefix_in_list = on;
        self
    }

    /// Record a transcript of the line (default true).
    pub fn transcript(mut self, on: bool) -> Self {
        self.transcript = on;
        self
    }

    /// Also write the transcript, formatted, to a file (created anew) as it
    /// happens.
    pub fn log_file(mut self, path: Option<PathBuf>) -> Self {
        self.log_file = path;
        self
    }

    /// How long `ReadReady::read_ready` waits for data before answering
    /// false (default 1 ms; zero never waits).
    pub fn read_ready_wait(mut self, wait: Duration) -> Self {
        self.read_ready_wait = wait;
        self
    }

    /// Let `sslversion` 4 ("all") negotiate TLS 1.3 as well (default false:
    /// an EC2x speaks at most TLS 1.2).
    pub fn allow_tls13(mut self, on: bool) -> Self {
        self.allow_tls13 = on;
        self
    }

    /// Length of one second of `negotiatetime` (default 1 s; tests shorten
    /// it to exercise the handshake timeout quickly).
    pub fn negotiate_time_unit(mut self, unit: Duration) -> Self {
        self.negotiate_time_unit = unit;
        self
    }

    /// TCP connect timeout (default 150 s, the note's network time).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Where the module clock starts at power-up (default the host's time).
    pub fn clock_start(mut self, start: ClockStart) -> Self {
        self.clock_start = start;
        self
    }

    /// Sizes of the RAM and UFS drives in bytes (default 1 MiB and 8 MiB).
    pub fn drive_sizes(mut self, ram: usize, ufs: usize) -> Self {
        self.ram_capacity = ram;
        self.ufs_capacity = ufs;
        self
    }

    /// Emit `+QIURC: "pdpdeact",<ctx>` for active contexts before `RDY` on a
    /// reboot (default true, as seen on modules).
    pub fn pdpdeact_on_reboot(mut self, on: bool) -> Self {
        self.pdpdeact_on_reboot = on;
        self
    }

    /// The `+++` guard time in use.
    pub fn guard_time_value(&self) -> Duration {
        self.guard_time
    }

    /// The address context `ctx` gets when activated.
    pub(crate) fn address_of(&self, ctx: u8) -> IpAddr {
        self.pdp_addresses
            .get(&ctx)
            .copied()
            .unwrap_or(IpAddr::V4(Ipv4Addr::new(10, 7, 157, ctx)))
    }
}
