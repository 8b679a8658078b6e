//! What each connection owes when it ends: the soak's rules, checked on
//! every connection, faulted or not, and the verdict.

use super::*;

impl Soak {
    /// Socket `i` reported `e`: its connection ends.
    pub(crate) fn error(&mut self, i: usize, e: Error, during: &str) {
        let s = &mut self.socks[i];
        s.errors += 1;
        s.erred = true;
        if !s.hit && !s.exposed {
            s.unexplained += 1;
            self.note(format!("socket {i}: {during}: {e:?} with no fault"));
        }
        if e == Error::ModuleReset {
            self.need_init = true;
        }
        self.end(i);
    }

    /// The connection of socket `i` ends: check what it owes, account for
    /// it and close it.
    pub(crate) fn end(&mut self, i: usize) {
        let s = &mut self.socks[i];
        let Some(h) = s.handle.take() else {
            return;
        };
        let seg = s.seg;
        let mut broken = Vec::new();
        // Every connection: what came back is a prefix of what was sent.
        if seg.mismatched > 0 || seg.extra > 0 {
            broken.push(format!(
                "{} bytes wrong and {} too many in what was read back",
                seg.mismatched, seg.extra
            ));
        }
        // A shortfall always comes with a typed error.
        if seg.outstanding() > 0 && !s.erred {
            broken.push(format!(
                "{} of {} bytes never came back, and no error said so",
                seg.outstanding(),
                seg.sent
            ));
        }
        if s.must_complete && seg.outstanding() > 0 {
            broken.push(format!(
                "{} bytes the module had were lost at the peer's close",
                seg.outstanding()
            ));
        }
        if s.hit && !s.erred {
            s.silent += 1;
        }
        if s.hit || s.erred || s.exposed {
            s.faulted.add(&seg);
        } else {
            s.clean.add(&seg);
        }
        s.seg = Segment::default();
        for why in broken {
            self.violation(i, seg, why);
        }
        if !self.need_init {
            if let Err(e) = self.m.close(&h) {
                self.failed_closes += 1;
                self.note(format!("socket {i}: close failed: {e:?}"));
                self.unclosed.push(h);
            }
        }
    }

    /// A rule was broken on socket `i`'s connection.
    fn violation(&mut self, i: usize, seg: Segment, why: String) {
        let text = format!(
            "round {}: socket {i} (seed {:#x}, {} sent, {} read back): {why}",
            self.round, seg.seed, seg.sent, seg.received
        );
        eprintln!("soak: VIOLATION {text}");
        self.violations.push(text);
    }

    /// A fault planned for socket `i`: a fatal one must make it report.
    pub(crate) fn hit(&mut self, i: usize, planned: Planned) {
        let s = &mut self.socks[i];
        s.faults += 1;
        if planned.fatal() && s.handle.is_some() {
            s.hit = true;
        }
    }

    /// A read of socket `i` made no progress for the profile's stall time:
    /// the soak fails now, with where it stood.
    pub(crate) fn stalled(&self, i: usize, during: &str) -> ! {
        let s = &self.socks[i];
        panic!(
            "soak: round {}: socket {i} ({:?}) stalled {during}: {} of {} bytes read back, \
             nothing for {:?} (faults: hit {}, exposed {})\nlast of the line:\n{}",
            self.round,
            s.mode,
            s.seg.received,
            s.seg.sent,
            self.profile.stall(),
            s.hit,
            s.exposed,
            tail(&self.sim.transcript().to_string(), 40)
        )
    }

    /// Every rule broken, for the final assertion.
    pub fn verdict(&self) -> Vec<String> {
        let mut broken = self.violations.clone();
        for s in &self.socks {
            if s.clean.damage() > 0 {
                broken.push(format!(
                    "socket {}: damage on connections no fault hit",
                    s.id
                ));
            }
            if s.silent > 0 {
                broken.push(format!(
                    "socket {}: {} hit connections reported no error",
                    s.id, s.silent
                ));
            }
            if s.unexplained > 0 {
                broken.push(format!(
                    "socket {}: {} errors with no fault",
                    s.id, s.unexplained
                ));
            }
        }
        if self.failed_closes > 0 {
            broken.push(format!(
                "{} closes failed (answers out of step with commands?)",
                self.failed_closes
            ));
        }
        broken
    }
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
