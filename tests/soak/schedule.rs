//! When and how the soak injects its faults.

use super::*;

impl Soak {
    pub(crate) fn inject(&mut self, planned: Planned) {
        self.log(format!("inject {planned:?}"));
        self.by_kind[planned.kind()] += 1;
        if let Some(fault) = planned.fault() {
            self.sim.clear_transcript();
            common::sim::inject(&self.sim, fault);
        }
    }

    /// A live socket in `modes`, at random.
    pub(crate) fn pick(&mut self, modes: &[AccessMode]) -> Option<usize> {
        let live: Vec<usize> = (0..12)
            .filter(|&i| self.socks[i].handle.is_some() && modes.contains(&self.socks[i].mode))
            .collect();
        (!live.is_empty()).then(|| live[self.rng.range(0, live.len() as u64 - 1) as usize])
    }

    pub(crate) fn schedule(&mut self) {
        // Every round in a debug build and on a paced line (their few rounds
        // meet many kinds), else every few.
        let every = if cfg!(debug_assertions) || self.profile.baud.is_some() {
            1
        } else {
            FAULT_EVERY
        };
        // A fault waiting for its send is not doubled up.
        if self.round < WARM_UP || !self.round.is_multiple_of(every) || self.before_send.is_some() {
            return;
        }
        // Every kind in turn (see `KINDS`), with a random target; a paced
        // line meets the line faults first.
        let order = self.profile.fault_order;
        let kind = order[(self.faults_planned % order.len() as u64) as usize];
        self.faults_planned += 1;
        let data = [AccessMode::Buffer, AccessMode::DirectPush];
        let planned = match kind {
            0 => self.pick(&data).map(|c| Planned::SendFailBurst {
                client: c as u8,
                count: self.rng.range(2, 6) as u32,
            }),
            1 => self
                .pick(&data)
                .map(|c| Planned::UrcMidResponse { client: c as u8 }),
            2 => self
                .pick(&[AccessMode::Buffer])
                .map(|c| Planned::RecvNoticeBurst { client: c as u8 }),
            3 => self
                .pick(AccessMode::ALL)
                .map(|c| Planned::PeerClose { client: c as u8 }),
            4 => Some(Planned::PeerCloseTransparent),
            5 => Some(Planned::PdpLoss {
                ctx: self.rng.range(1, 2) as u8,
            }),
            6 => Some(Planned::Reboot),
            7 => self.pick(&data).map(|c| Planned::Stall { client: c as u8 }),
            8 => self
                .pick(&data)
                .map(|c| Planned::CorruptCommand { client: c as u8 }),
            9 => self
                .pick(&[AccessMode::Buffer])
                .map(|c| Planned::CorruptLength { client: c as u8 }),
            10 => self
                .pick(&data)
                .map(|c| Planned::CorruptResult { client: c as u8 }),
            11 => self
                .pick(&[AccessMode::DirectPush])
                .map(|c| Planned::CorruptPushLength { client: c as u8 }),
            _ => self
                .pick(&data)
                .map(|c| Planned::LineDrop { client: c as u8 }),
        };
        let Some(planned) = planned else {
            return;
        };
        match planned {
            Planned::SendFailBurst { .. }
            | Planned::UrcMidResponse { .. }
            | Planned::Stall { .. }
            | Planned::CorruptCommand { .. } => {
                // Marked as hit when injected, on the connection it meets.
                self.before_send = Some(planned);
            }
            Planned::RecvNoticeBurst { client } => {
                self.hit(usize::from(client), planned);
                self.inject(planned);
            }
            Planned::PeerClose { client } => self.peer_close(usize::from(client), planned),
            Planned::PeerCloseTransparent => {
                self.by_kind[planned.kind()] += 1;
                self.close_in_turn = true;
            }
            Planned::PdpLoss { ctx } => {
                for i in 0..12 {
                    if self.socks[i].pdp == ctx {
                        self.hit(i, planned);
                    }
                }
                self.inject(planned);
            }
            Planned::Reboot => {
                for i in 0..12 {
                    self.hit(i, planned);
                }
                self.inject(planned);
            }
            Planned::CorruptLength { client } => {
                // `\r\n+QSSLRECV: 1234\r\n`: byte 14 is the length's second
                // digit.
                self.drop_in_read(usize::from(client), planned, |_| 14)
            }
            Planned::CorruptResult { client } => self.corrupt_result(usize::from(client), planned),
            Planned::CorruptPushLength { client } => {
                self.drop_in_push(usize::from(client), planned, true)
            }
            Planned::LineDrop { client } => {
                let i = usize::from(client);
                if self.socks[i].mode == AccessMode::Buffer {
                    let at = self.rng.next();
                    // Anywhere in `\r\n+QSSLRECV: <n>\r\n<n bytes>\r\n\r\nOK\r\n`.
                    self.drop_in_read(i, planned, move |n| {
                        let len = 13 + n.to_string().len() + 2 + n + 8;
                        (at % len as u64) as u32
                    });
                } else {
                    self.drop_in_push(i, planned, false);
                }
            }
        }
    }

    /// The peer of `i` closes. A buffer-mode connection first gets all its
    /// echo into the module: then nothing may be lost at the close (the
    /// module still has it to read), only the end of the stream follow.
    fn peer_close(&mut self, i: usize, planned: Planned) {
        let complete = self.socks[i].mode == AccessMode::Buffer && self.await_notice(i).is_some();
        self.hit(i, planned);
        self.inject(planned);
        if complete {
            self.socks[i].must_complete = true;
            // Everything the module holds comes back, then the end.
            self.read_back(i);
            self.end_of_stream(i);
        }
    }

    /// Write to buffer-mode `i` and wait until the module holds the whole
    /// echo and has said so: the next thing on the line is then the answer
    /// to the read of it. Returns the bytes waiting.
    fn await_notice(&mut self, i: usize) -> Option<usize> {
        let h = self.socks[i].handle?;
        while self.m.take_event().is_some() {}
        let len = self.rng.range(1000, 1460) as usize;
        let chunk = self.socks[i].seg.next_chunk(len);
        match self.m.write(&h, &chunk) {
            Ok(n) => self.socks[i].seg.sent += n as u64,
            Err(e) => {
                self.error(i, e, "write before a fault");
                return None;
            }
        }
        let waiting = self.socks[i].seg.outstanding() as usize;
        let deadline = Instant::now() + self.profile.stall();
        let mut notified = false;
        while !notified && Instant::now() < deadline {
            let buffered = self
                .sim
                .socket(self.socks[i].id)
                .is_some_and(|info| info.recv_buffered == waiting);
            if self.m.poll().is_err() {
                break;
            }
            while let Some(event) = self.m.take_event() {
                notified |= buffered
                    && event
                        == (Event::DataReady {
                            client: client(self.socks[i].id),
                        });
            }
        }
        if !notified {
            self.note(format!("socket {i}: no data notice before the fault"));
            return None;
        }
        Some(waiting)
    }

    /// Drop one byte of the next `+QSSLRECV` answer of buffer-mode `i`, at
    /// `skip(n)` for an answer of `n` bytes; a planned fault that is fatal
    /// makes the connection owe an error, the others expose it.
    fn drop_in_read(&mut self, i: usize, planned: Planned, skip: impl FnOnce(usize) -> u32) {
        let Some(waiting) = self.await_notice(i) else {
            return;
        };
        let n = waiting.min(self.socks[i].ring).min(ReadLength::MAX_BYTES);
        self.mark(i, planned);
        self.by_kind[planned.kind()] += 1;
        self.log(format!("inject {planned:?}"));
        common::sim::inject(
            &self.sim,
            quectel_sim::Fault::DropTx {
                skip: skip(n),
                count: 1,
            },
        );
        self.read_back(i);
    }

    /// Write 1,000 to 1,460 bytes to direct-push `i` with one byte of what
    /// the module sends after the prompt dropped: `SEND OK`, then the echo's
    /// push `\r\n+QSSLURC: "recv",<id>,<len>\r\n<data>\r\n`. With `digit`,
    /// the byte is the length's second digit (the connection owes an
    /// error); else anywhere (it is exposed).
    fn drop_in_push(&mut self, i: usize, planned: Planned, digit: bool) {
        let Some(h) = self.socks[i].handle else {
            return;
        };
        while self.m.take_event().is_some() {}
        let len = self.rng.range(1000, 1460) as usize;
        let id_len = self.socks[i].id.to_string().len();
        // `\r\n> `, then `\r\nSEND OK\r\n`.
        let before_push = 4 + 11;
        // `\r\n+QSSLURC: "recv",` <id> `,`
        let to_length = 19 + id_len + 1;
        let skip = if digit {
            before_push + to_length + 1
        } else {
            let push = to_length + 4 + 2 + len + 2;
            4 + (self.rng.next() % (11 + push) as u64) as usize
        };
        self.mark(i, planned);
        self.by_kind[planned.kind()] += 1;
        self.log(format!("inject {planned:?} at byte {skip}"));
        common::sim::inject(
            &self.sim,
            quectel_sim::Fault::DropTx {
                skip: skip as u32,
                count: 1,
            },
        );
        let chunk = self.socks[i].seg.next_chunk(len);
        match self.m.write(&h, &chunk) {
            Ok(n) => self.socks[i].seg.sent += n as u64,
            Err(e) => return self.error(i, e, "write with a byte dropped"),
        }
        self.read_back(i);
    }

    /// A fatal fault makes `i` owe an error; another exposes it.
    fn mark(&mut self, i: usize, planned: Planned) {
        if planned.fatal() {
            self.hit(i, planned);
        } else {
            self.socks[i].faults += 1;
            self.socks[i].exposed = true;
        }
    }

    /// Flip a bit of `SEND OK`: the send never ends (timeout).
    pub(crate) fn corrupt_result(&mut self, i: usize, planned: Planned) {
        let Some(h) = self.socks[i].handle else {
            return;
        };
        self.hit(i, planned);
        self.inject(planned);
        let chunk = self.socks[i].seg.next_chunk(100);
        match self.m.write(&h, &chunk) {
            Ok(n) => self.socks[i].seg.sent += n as u64,
            Err(e) => self.error(i, e, "write with a corrupted SEND OK"),
        }
    }
}
