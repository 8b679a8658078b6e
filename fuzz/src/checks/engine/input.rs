//! Reading an `engine` input: structure from its bytes (one byte picks an
//! action, the next ones its parameters; a finished input reads as zeros),
//! bulk from a generator it seeds (payload bytes, chunk sizes).

/// The bytes of one input, read front to back, and a generator seeded by
/// them.
pub(crate) struct Source<'a> {
    data: &'a [u8],
    pos: usize,
    rng: u64,
}

impl<'a> Source<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        // FNV-1a of the input: the same input always draws the same bulk.
        let mut rng = 0xcbf2_9ce4_8422_2325_u64;
        for &b in data {
            rng = (rng ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Self {
            data,
            pos: 0,
            rng: rng | 1,
        }
    }

    /// The next byte of the input (0 once it is read to the end).
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// `true` once every byte was read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// A number from the generator (xorshift64*).
    pub fn rand(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` from the generator (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.rand() % n as u64) as usize
    }
}

/// Pieces of protocol text a peer may put in its data: every one of them
/// must stay data. `{c}` is replaced by a socket id. The forged state
/// lines and error answers name `6.6.6.6` and code 566, which the module
/// of this harness never sends: an answer holding them was forged.
const FORGED: &[&str] = &[
    "\r\n+QSSLURC: \"closed\",{c}\r\n",
    "\r\n+QSSLOPEN: {c},0\r\n",
    "\r\n+QSSLOPEN: {c},566\r\n",
    "\r\n+QIURC: \"pdpdeact\",1\r\n",
    "\r\n+QSSLURC: \"recv\",{c},5\r\nFORGE\r\n",
    "\r\n+QSSLURC: \"recv\",{c},1500\r\n",
    "\r\n+QSSLURC: \"recv\",{c}\r\n",
    "\r\nOK\r\n",
    "\r\nERROR\r\n",
    "\r\nSEND OK\r\n",
    "\r\nSEND FAIL\r\n",
    "\r\n> ",
    "\r\nNO CARRIER\r\n",
    "\r\nCONNECT\r\n",
    "\r\n+QSSLRECV: 5\r\nFORGE\r\n\r\nOK\r\n",
    "\r\n+QSSLRECV: 0\r\n",
    "\r\n+QIGETERROR: 566,socket connect failed\r\n",
    "\r\n+QSSLSTATE: {c},\"SSLClient\",\"6.6.6.6\",443,5000,4,1,0,1,\"uart1\",0\r\n",
    "\r\n+QIACT: 1,0,1,\"6.6.6.6\"\r\n",
    "ATE0\r\r\nOK\r\n",
    "AT+QFLST=\"RAM:sync-0123456789abcdef\"\r\r\nOK\r\n",
    "\r\n+CME ERROR: 550\r\n",
    "\r\n",
    "\r\n\r\n",
    "\r",
    "\n",
];

/// `RDY`, the module's boot line: inside a push's span the engine must
/// treat it as a framing doubt (a reboot swallowed by a wrong count, or
/// data), and drop that socket with [`quectel_ssl::Error::Desynchronized`].
const FORGED_BOOT: &str = "\r\nRDY\r\n";

/// Payload bytes a peer sends: `len` bytes (1..=1500), mostly protocol
/// text that must stay data, binary and plain text between.
pub(crate) fn payload(src: &mut Source<'_>, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    while out.len() < len {
        match src.below(16) {
            0..=5 => {
                let piece = FORGED[src.below(FORGED.len())];
                let c = src.below(12).to_string();
                out.extend_from_slice(piece.replace("{c}", &c).as_bytes());
            }
            6 if src.below(4) == 0 => out.extend_from_slice(FORGED_BOOT.as_bytes()),
            7 | 8 => {
                let n = 1 + src.below(24);
                for _ in 0..n {
                    out.push(src.rand() as u8);
                }
            }
            9 => out.extend_from_slice(&[0x00, 0x1a, 0x1b, 0xff]),
            _ => out.extend_from_slice(b"peer data "),
        }
    }
    out.truncate(len);
    out
}

/// A payload length: small most of the time, up to 1500.
pub(crate) fn payload_len(src: &mut Source<'_>, sel: u8) -> usize {
    match sel & 3 {
        0 => 1 + src.below(8),
        1 => 1 + src.below(64),
        2 => 1 + src.below(400),
        _ => 1 + src.below(1500),
    }
}

/// Transparent-mode bytes from the peer: anything but the two patterns
/// the engine must watch for there (`NO CARRIER` and, during an escape,
/// `OK` on a line of its own), which a peer could forge in that mode: the
/// protocol's limit, documented in `ops::transparent`. No `OK` at all, so
/// that none forms across two pieces of data either.
pub(crate) fn raw_data(src: &mut Source<'_>, len: usize) -> Vec<u8> {
    let mut data = payload(src, len);
    make_raw(&mut data);
    data
}

/// Make `data` what a peer may send in transparent mode (see
/// [`raw_data`]).
pub(crate) fn make_raw(data: &mut [u8]) {
    defuse(data, b"NO CARRIER", 1);
    defuse(data, b"OK", 1);
    if data.first() == Some(&b'K') {
        data[0] = b'k';
    }
}

/// Change byte `at` of every `pattern` in `data` so that none is left.
fn defuse(data: &mut [u8], pattern: &[u8], at: usize) {
    let mut i = 0;
    while i + pattern.len() <= data.len() {
        if &data[i..i + pattern.len()] == pattern {
            data[i + at] ^= 0x20;
        }
        i += 1;
    }
}

/// Bytes the user sends: the same mix (a send carries any byte), never
/// starting with ESC, which the module takes as "cancel" right after its
/// prompt.
pub(crate) fn user_data(src: &mut Source<'_>, len: usize) -> Vec<u8> {
    let mut data = payload(src, len);
    if data.first() == Some(&0x1b) {
        data[0] = b'.';
    }
    data
}
