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
        let every = if cfg!(debug_assertions) {
            1
        } else {
            FAULT_EVERY
        };
        // A fault waiting for its send is not doubled up.
        if self.round < WARM_UP || !self.round.is_multiple_of(every) || self.before_send.is_some() {
            return;
        }
        // Every kind in turn (see `KINDS`), with a random target.
        let kind = self.faults_planned % KINDS.len() as u64;
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
            _ => self
                .pick(&data)
                .map(|c| Planned::CorruptResult { client: c as u8 }),
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
            Planned::RecvNoticeBurst { client } | Planned::PeerClose { client } => {
                self.hit(usize::from(client), planned);
                self.inject(planned);
            }
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
            Planned::CorruptLength { client } => self.corrupt_length(usize::from(client), planned),
            Planned::CorruptResult { client } => self.corrupt_result(usize::from(client), planned),
        }
    }

    /// Drop a digit of a `+QSSLRECV` length: needs the module's answer to be
    /// the next thing on the line, so data for `i` waits in the module and
    /// nothing else is in flight.
    pub(crate) fn corrupt_length(&mut self, i: usize, planned: Planned) {
        let Some(h) = self.socks[i].handle else {
            return;
        };
        while self.m.take_event().is_some() {}
        let len = self.rng.range(1000, 1460) as usize;
        let chunk = self.socks[i].seg.next_chunk(len);
        match self.m.write(&h, &chunk) {
            Ok(n) => self.socks[i].seg.sent += n as u64,
            Err(e) => return self.error(i, e, "write before a corrupted length"),
        }
        let waiting = self.socks[i].seg.outstanding() as usize;
        let deadline = Instant::now() + ECHO_DEADLINE;
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
            self.note(format!("socket {i}: no data notice to corrupt"));
            return;
        }
        self.hit(i, planned);
        self.inject(planned);
        self.read_back(i);
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
