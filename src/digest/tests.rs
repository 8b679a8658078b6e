//! Raw bytes in, frames out: the framer (engine face, 256-byte line buffer)
//! and the atat digester (fed as atat's `Ingress` feeds it), each stream
//! whole, one byte at a time and in random chunks.
//!
//! This file is the harness (feeding a stream in every chunking and
//! recording what comes out, owned); the tests are in its modules, one per
//! topic: [`payloads`] (length-framed data), [`interleaving`] (URCs, pushes
//! and prompts among an answer), [`lines`] (what each line is: result
//! codes, echoes, URCs, modes) and [`buffers`] (limits and garbage).

// Test code only: this module is compiled for `cargo test` and nowhere
// else, so its unwraps and panics never reach firmware.
#![cfg(test)]

use super::*;
use crate::types::ClientId;
use atat::{DigestResult, Digester};

mod buffers;
mod interleaving;
mod lines;
mod payloads;

/// What the framer produced, owned, with payload pieces joined.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Echo(Vec<u8>),
    Line(Vec<u8>),
    Urc(Vec<u8>),
    Final(String),
    Prompt,
    Ack,
    Data(PayloadSource, Vec<u8>),
    Raw(Vec<u8>),
    Malformed(Vec<u8>),
    Discarded,
    /// A payload's trailer was wrong (its length was).
    Misframed(PayloadSource),
}

/// What the atat digester produced, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Response(Vec<u8>),
    Error(String),
    Urc(Vec<u8>),
    Prompt(u8),
}

/// Deterministic chunk sizes: xorshift, 1..=max.
struct Chunks(u32, usize);

impl Iterator for Chunks {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        Some(1 + self.0 as usize % self.1)
    }
}

/// The chunkings every stream is fed in.
fn chunkings(len: usize) -> Vec<(String, Box<dyn Iterator<Item = usize>>)> {
    let mut all: Vec<(String, Box<dyn Iterator<Item = usize>>)> = vec![
        ("whole".into(), Box::new(core::iter::repeat(len.max(1)))),
        ("bytewise".into(), Box::new(core::iter::repeat(1))),
    ];
    for seed in [1u32, 7, 1234, 99991] {
        all.push((format!("random{seed}"), Box::new(Chunks(seed, 64))));
    }
    all
}

fn record(out: &mut Vec<Ev>, frame: Frame<'_>) {
    let ev = match frame {
        Frame::Pending => return,
        Frame::Echo(l) => Ev::Echo(l.to_vec()),
        Frame::Line(l) => Ev::Line(l.to_vec()),
        Frame::Urc(l) => Ev::Urc(l.to_vec()),
        Frame::Final(r) => Ev::Final(format!("{r:?}")),
        Frame::Prompt => Ev::Prompt,
        Frame::UploadAck => Ev::Ack,
        Frame::PayloadStart { source, .. } => Ev::Data(source, Vec::new()),
        Frame::Payload { data, .. } => {
            if let Some(Ev::Data(_, bytes)) = out.last_mut() {
                bytes.extend_from_slice(data);
                return;
            }
            panic!("payload without a start");
        }
        Frame::Raw(data) => {
            if let Some(Ev::Raw(bytes)) = out.last_mut() {
                bytes.extend_from_slice(data);
                return;
            }
            Ev::Raw(data.to_vec())
        }
        Frame::Malformed(l) => Ev::Malformed(l.to_vec()),
        Frame::PayloadEnd { intact: true, .. } => return,
        Frame::PayloadEnd { source, .. } => Ev::Misframed(source),
        Frame::Discarded => {
            if out.last() == Some(&Ev::Discarded) {
                return;
            }
            Ev::Discarded
        }
    };
    out.push(ev);
}

/// Feed `stream` to a framer with a `cap`-byte buffer, as the engine does.
fn run_framer(
    stream: &[u8],
    chunks: &mut dyn Iterator<Item = usize>,
    cap: usize,
    expect: Expect,
) -> Vec<Ev> {
    let mut framer = Framer::new(cap);
    framer.set_expect(expect);
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        let room = cap - buf.len();
        let take = chunks.next().unwrap_or(1).min(room).min(stream.len() - pos);
        buf.extend_from_slice(&stream[pos..pos + take]);
        pos += take;
        loop {
            let (frame, used) = framer.next(&buf);
            let waiting = used == 0 && frame == Frame::Pending;
            record(&mut out, frame);
            buf.drain(..used);
            if waiting {
                break;
            }
        }
        assert!(buf.len() < cap, "framer stalled on a full buffer");
        if pos == stream.len() {
            return out;
        }
    }
}

/// Feed `stream` to the atat digester as atat's `Ingress` does.
fn run_digester(stream: &[u8], chunks: &mut dyn Iterator<Item = usize>, cap: usize) -> Vec<Out> {
    let mut digester = QuectelDigester::new(cap);
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        let room = cap - buf.len();
        assert!(
            room > 0 || pos == stream.len(),
            "digester left the buffer full"
        );
        let take = chunks.next().unwrap_or(1).min(room).min(stream.len() - pos);
        buf.extend_from_slice(&stream[pos..pos + take]);
        pos += take;
        loop {
            let (result, used) = digester.digest(&buf);
            let none = matches!(result, DigestResult::None);
            match result {
                DigestResult::None => {}
                DigestResult::Urc(u) => out.push(Out::Urc(u.to_vec())),
                DigestResult::Prompt(p) => out.push(Out::Prompt(p)),
                DigestResult::Response(Ok(r)) => out.push(Out::Response(r.to_vec())),
                DigestResult::Response(Err(e)) => out.push(Out::Error(format!("{e:?}"))),
            }
            if used == 0 {
                assert!(none, "a result must consume bytes");
                break;
            }
            buf.drain(..used);
        }
        if pos == stream.len() {
            return out;
        }
    }
}

/// Frames of `stream` for every chunking (all must agree).
fn frames(stream: &[u8], expect: Expect) -> Vec<Ev> {
    let mut first: Option<Vec<Ev>> = None;
    for (name, mut chunks) in chunkings(stream.len()) {
        let got = run_framer(stream, &mut *chunks, 256, expect);
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "framer, chunking {name}"),
        }
    }
    first.unwrap_or_default()
}

/// atat digester results of `stream` for every chunking (all must agree).
fn digested(stream: &[u8], cap: usize) -> Vec<Out> {
    let mut first: Option<Vec<Out>> = None;
    for (name, mut chunks) in chunkings(stream.len()) {
        let got = run_digester(stream, &mut *chunks, cap);
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "digester, chunking {name}"),
        }
    }
    first.unwrap_or_default()
}

fn line(s: &str) -> Ev {
    Ev::Line(s.as_bytes().to_vec())
}
fn urc(s: &str) -> Ev {
    Ev::Urc(s.as_bytes().to_vec())
}
fn ok() -> Ev {
    Ev::Final("Ok".into())
}
fn client(n: u8) -> ClientId {
    ClientId::new(n).unwrap()
}

/// Payloads that break a terminator-searching digester.
fn hostile_payloads() -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = [
        &b"\r\nOK\r\n"[..],
        b"\r\nERROR\r\n",
        b">",
        b"> ",
        b"<html>\r\n<body>a > b</body></html>\r\n",
        b"+QSSLURC: \"closed\",0\r\n",
        b"\r\n+QSSLURC: \"recv\",1,5\r\nabcde",
        b"\r\n+QSSLRECV: 5\r\nabcde\r\n\r\nOK\r\n",
        b"\x00\x00\x00",
        b"\x1a\x1b",
        b"ends in whitespace \t \r\n",
        b"\r\n",
        b"AT+QSSLRECV=1,10\r",
        b"x",
    ]
    .iter()
    .map(|p| p.to_vec())
    .collect();
    all.push((0..=255u8).collect());
    all.push((0..1500u32).map(|i| (i * 31 % 251) as u8).collect());
    all
}
