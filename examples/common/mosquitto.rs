//! A real Mosquitto broker on a free loopback port with a TLS listener,
//! its CA and certificate made at run time (shared by the MQTT example and
//! tests).

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quectel_sim::testing::{KeyKind, TestPki, Validity};

/// Where Debian installs the broker (`/usr/sbin` is not on every `PATH`).
const CANDIDATES: &[&str] = &[
    "mosquitto",
    "/usr/sbin/mosquitto",
    "/usr/local/sbin/mosquitto",
];

/// A running `mosquitto`; killed when dropped.
pub struct Mosquitto {
    child: Child,
    port: u16,
    dir: PathBuf,
}

/// The broker's binary, or a sentence saying it is missing.
pub fn find_mosquitto() -> Result<PathBuf, String> {
    for candidate in CANDIDATES {
        let found = Command::new(candidate)
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if found {
            return Ok(PathBuf::from(candidate));
        }
    }
    Err(
        "mosquitto is not installed (Debian: apt-get install mosquitto); \
         the MQTT session needs a real broker"
            .into(),
    )
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

impl Mosquitto {
    /// Start a broker whose certificate (RSA: the module's default cipher
    /// suite needs one) names `name`, issued by `pki`.
    pub fn start(pki: &TestPki, name: &str) -> Result<Mosquitto, String> {
        let binary = find_mosquitto()?;
        let dir = std::env::temp_dir().join(format!(
            "quectel-mosquitto-{}-{}",
            std::process::id(),
            free_port().map_err(|e| e.to_string())?
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let cert = pki.server_cert_with(&[name], Validity::current(), KeyKind::Rsa);
        let write = |file: &str, text: &str| -> Result<PathBuf, String> {
            let path = dir.join(file);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        };
        let ca = write("ca.pem", pki.ca_pem())?;
        let cert_file = write("cert.pem", &cert.cert_pem)?;
        let key = write("key.pem", &cert.key_pem)?;
        let port = free_port().map_err(|e| e.to_string())?;
        let conf = write(
            "mosquitto.conf",
            &format!(
                "listener {port} 127.0.0.1\n\
                 cafile {}\ncertfile {}\nkeyfile {}\n\
                 allow_anonymous true\npersistence false\n\
                 log_dest stderr\nlog_type error\nlog_type warning\n",
                ca.display(),
                cert_file.display(),
                key.display()
            ),
        )?;
        let child = Command::new(&binary)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let mut broker = Mosquitto { child, port, dir };
        broker.wait_listening()?;
        Ok(broker)
    }

    /// Wait until the listener accepts connections (or the broker died).
    fn wait_listening(&mut self) -> Result<(), String> {
        let until = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("mosquitto exited at start: {status}"));
            }
            if Instant::now() > until {
                return Err("mosquitto did not listen within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// The TLS listener's port (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
