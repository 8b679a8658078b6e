//! Moving data: writes, reads checked against the pattern, transparent
//! turns, and what a connection must report when it ends.

use super::*;

impl Soak {
    pub(crate) fn write(&mut self, i: usize, len: usize) {
        let Some(h) = self.socks[i].handle else {
            return;
        };
        if let Some(planned) = self.before_send.filter(|p| match p {
            Planned::SendFailBurst { client, .. }
            | Planned::UrcMidResponse { client }
            | Planned::Stall { client }
            | Planned::CorruptCommand { client } => usize::from(*client) == i,
            _ => false,
        }) {
            self.before_send = None;
            self.hit(i, planned);
            self.inject(planned);
        }
        let chunk = self.socks[i].seg.next_chunk(len);
        let mut done = 0;
        while done < len {
            match self.m.write(&h, &chunk[done..]) {
                Ok(n) => {
                    done += n;
                    self.socks[i].seg.sent += n as u64;
                }
                Err(e) => return self.error(i, e, "write"),
            }
        }
    }

    /// Read socket `i` until everything sent came back; a read that makes
    /// no progress for the profile's stall time fails the soak.
    pub(crate) fn read_back(&mut self, i: usize) {
        let mut deadline = Instant::now() + self.profile.stall();
        let mut buf = vec![0u8; 4096];
        while let Some(h) = self.socks[i].handle {
            if self.socks[i].seg.outstanding() == 0 {
                return;
            }
            let result = match self.socks[i].mode {
                AccessMode::Transparent => {
                    poll_until(&mut self.m, &mut ops::RawRead::new(h, &mut buf), deadline)
                }
                _ => poll_until(&mut self.m, &mut ops::Receive::new(h, &mut buf), deadline),
            };
            match result {
                Some(Ok(0)) => return self.end_of_stream(i),
                Some(Ok(n)) => {
                    self.socks[i].seg.check(&buf[..n]);
                    deadline = Instant::now() + self.profile.stall();
                }
                Some(Err(e)) => return self.error(i, e, "read"),
                None => self.stalled(i, "reading back"),
            }
        }
    }

    /// The stream of `i` ended (peer closed, or `NO CARRIER`): a write must
    /// now fail with a typed error.
    pub(crate) fn end_of_stream(&mut self, i: usize) {
        let Some(h) = self.socks[i].handle else {
            return;
        };
        let probe = self.socks[i].seg.next_chunk(1);
        match self.m.write(&h, &probe) {
            Err(e) => self.error(i, e, "write after the end of the stream"),
            Ok(_) => {
                self.socks[i].seg.sent += 1;
                self.note(format!(
                    "socket {i}: the stream ended, a write still worked"
                ));
                self.end(i);
            }
        }
    }

    /// Read socket `i` until its stream ends.
    pub(crate) fn await_end(&mut self, i: usize) {
        let mut deadline = Instant::now() + self.profile.stall();
        let mut buf = vec![0u8; 4096];
        while let Some(h) = self.socks[i].handle {
            match poll_until(&mut self.m, &mut ops::RawRead::new(h, &mut buf), deadline) {
                Some(Ok(0)) => return self.end_of_stream(i),
                Some(Ok(n)) => {
                    self.socks[i].seg.check(&buf[..n]);
                    deadline = Instant::now() + self.profile.stall();
                }
                Some(Err(e)) => return self.error(i, e, "read to the end"),
                None => self.stalled(i, "waiting for the end of the stream"),
            }
        }
    }

    /// A connection a fatal fault hit that has not reported yet: make it.
    pub(crate) fn probe(&mut self, i: usize) {
        let s = &self.socks[i];
        let (Some(h), true, false) = (s.handle, s.hit, s.erred) else {
            return;
        };
        let probe = s.seg.next_chunk(1);
        match self.m.write(&h, &probe) {
            Err(e) => self.error(i, e, "probe"),
            Ok(_) => {
                self.socks[i].seg.sent += 1;
                self.note(format!(
                    "socket {i}: a fatal fault, and a write still worked"
                ));
                self.end(i);
            }
        }
    }

    /// One transparent socket's turn: resume, write and read back in steps,
    /// leave.
    pub(crate) fn transparent_turn(&mut self) {
        let Some(i) = (0..TRANSPARENT_SOCKETS.len())
            .map(|k| TRANSPARENT_SOCKETS[(self.turn + k) % TRANSPARENT_SOCKETS.len()])
            .find(|&i| self.socks[i].handle.is_some())
        else {
            return;
        };
        self.turn += 1;
        let Some(h) = self.socks[i].handle else {
            return;
        };
        if let Err(e) = self.m.resume(&h).map(drop) {
            return self.error(i, e, "resume");
        }
        let steps = self.rng.range(1, TURN_STEPS);
        let close_at = self.rng.range(1, steps);
        for step in 1..=steps {
            let len = self.rng.range(1, self.profile.step) as usize;
            let chunk = self.socks[i].seg.next_chunk(len);
            let written = self.m.transparent(&h).and_then(|mut t| t.write_all(&chunk));
            if let Err(e) = written {
                return self.error(i, e, "transparent write");
            }
            self.socks[i].seg.sent += len as u64;
            self.read_back(i);
            if self.socks[i].handle.is_none() {
                return;
            }
            // The peer closes while bytes are still being written: `NO
            // CARRIER` cuts the write short, and what the module makes of
            // the bytes it got in command mode (`ERROR`s, or the start of a
            // line) must not shift the answers of the commands after it.
            if step == close_at && std::mem::take(&mut self.close_in_turn) {
                let planned = Planned::PeerClose { client: i as u8 };
                self.hit(i, planned);
                self.log(format!("inject {planned:?} (transparent turn)"));
                common::sim::inject(&self.sim, planned.fault().unwrap());
                let tail = self.socks[i].seg.next_chunk(self.profile.step as usize);
                let mut at = 0;
                while at < tail.len() {
                    match self
                        .m
                        .transparent(&h)
                        .and_then(|mut t| t.write(&tail[at..]))
                    {
                        Ok(n) => {
                            at += n;
                            self.socks[i].seg.sent += n as u64;
                        }
                        Err(_) => break,
                    }
                }
                return self.await_end(i);
            }
        }
        if self.m.state().port() == PortMode::Transparent(client(i as u8)) {
            if let Err(e) = self.m.transparent(&h).and_then(|t| t.escape()) {
                self.error(i, e, "escape");
            }
        }
    }
}
