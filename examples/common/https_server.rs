//! A small HTTPS server on loopback (OpenSSL, an RSA certificate made at
//! run time): `GET /hello` answers a fixed body, `POST /upload` answers the
//! SHA-256 of the body it got, in hex (shared by the HTTPS example and
//! tests).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod};
use quectel_sim::testing::{KeyKind, TestPki, Validity};

/// What `GET /hello` answers: 20,000 bytes of every value.
pub fn hello_body() -> Vec<u8> {
    (0..20_000u32).map(|i| (i * 7 + i / 256) as u8).collect()
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    openssl::sha::sha256(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The running server (its thread serves until the process ends).
pub struct HttpsServer {
    port: u16,
    served: Arc<AtomicUsize>,
}

impl HttpsServer {
    /// Serve on a free loopback port with a certificate for `name`.
    pub fn start(pki: &TestPki, name: &str) -> std::io::Result<HttpsServer> {
        let cert = pki.server_cert_with(&[name], Validity::current(), KeyKind::Rsa);
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("quectel-https-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let (cert_file, key_file) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cert_file, &cert.cert_pem)?;
        std::fs::write(&key_file, &cert.key_pem)?;
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
        acceptor.set_certificate_chain_file(&cert_file)?;
        acceptor.set_private_key_file(&key_file, SslFiletype::PEM)?;
        let acceptor = Arc::new(acceptor.build());
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        let served = Arc::new(AtomicUsize::new(0));
        let counter = served.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (acceptor, counter) = (acceptor.clone(), counter.clone());
                std::thread::spawn(move || {
                    if let Ok(mut tls) = acceptor.accept(stream) {
                        if serve(&mut tls).is_ok() {
                            counter.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                });
            }
        });
        Ok(HttpsServer { port, served })
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Requests answered so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

/// One request: read its head and body, answer, close.
fn serve(tls: &mut (impl Read + Write)) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tls.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    tls.read_exact(&mut body)?;
    let answer = if head.starts_with("GET /hello ") {
        hello_body()
    } else if head.starts_with("POST /upload ") {
        sha256_hex(&body).into_bytes()
    } else {
        b"not found".to_vec()
    };
    let status = if answer == b"not found" {
        "404 Not Found"
    } else {
        "200 OK"
    };
    write!(
        tls,
        "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    )?;
    tls.write_all(&answer)?;
    tls.flush()
}
