//! Keeping user data from ever forming the module's `+++` escape.
//!
//! In transparent mode the module leaves for command mode when it sees, on
//! the line, at least a guard time (1 s) of silence, then `+++` within a
//! guard time, then a guard time of silence again. User data may hold
//! `+++`, and a user may well write it after a pause and pause again: the
//! module would then take the user's next bytes as AT commands (a
//! `AT+QFDEL=...` in the data would run) while the driver still believes
//! the port transparent.
//!
//! The guard makes that impossible without touching the data: when a run of
//! `+` starts after a silence, its third `+` is held back until more than a
//! guard time has passed since the first. The module then never sees three
//! `+` within its guard time after a silence, whatever follows. Only data
//! that starts with `+++` after a pause pays (one guard time of delay).
//!
//! Times are the engine's: a byte counts as sent when the port took it, so
//! the silence measured before a `+` is at least the silence on the wire
//! (a UART still sending earlier bytes only shortens it), and the time of
//! the first `+` is at most its time on the wire. Both errors make the
//! guard hold back more, never less.

/// The module's guard time around `+++`: 1 s of silence before and after.
pub const GUARD_TIME_MS: u32 = 1000;

/// The guard's state: the last two bytes written, as far as an escape is
/// concerned.
///
/// The module starts an escape candidate at a `+` that follows a silence
/// and completes it with the next two bytes if they are `+` and arrive
/// within the guard time of the first (a pause between them does not reset
/// it). So a `+` is dangerous exactly when the two bytes before it are `+`,
/// the first of them came after a silence, and less than the guard time
/// has passed since it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PlusRun {
    /// The byte before the last was a `+` written after a silence, at this
    /// time.
    older: Option<u64>,
    /// The last byte was a `+`.
    last_plus: bool,
    /// ... written after a silence, at this time.
    last_silent: Option<u64>,
}

/// Silence before a `+` that may start an escape: a little less than the
/// guard time, so that a module whose clock runs a little fast is covered.
pub(crate) fn silence_threshold(guard_ms: u32) -> u64 {
    u64::from(guard_ms) - u64::from(guard_ms) / 10
}

/// The silence actually kept around `+++` (and the spread kept between a
/// candidate's first and third `+`): the guard time plus a margin, so that
/// a millisecond clock's rounding can never make it a little short.
pub(crate) fn guard_with_margin(guard_ms: u32) -> u64 {
    u64::from(guard_ms) + 5 + u64::from(guard_ms) / 20
}

impl PlusRun {
    /// How many bytes of `data` may be written at `now`, the last byte
    /// before them having gone out at `last_tx_ms` (0: wait, then ask
    /// again; [`ready_at`](Self::ready_at) says until when).
    pub fn allowance(&self, data: &[u8], now: u64, last_tx_ms: u64, guard_ms: u32) -> usize {
        let mut run = *self;
        for (i, &byte) in data.iter().enumerate() {
            if run.third_too_soon(byte, now, guard_ms) {
                return i;
            }
            let silent = i == 0 && now.saturating_sub(last_tx_ms) >= silence_threshold(guard_ms);
            run.take(byte, silent, now);
        }
        data.len()
    }

    /// When a `+` held back may go.
    pub fn ready_at(&self, guard_ms: u32) -> u64 {
        self.older
            .map_or(0, |first| first.saturating_add(guard_with_margin(guard_ms)))
    }

    /// `bytes` were written; the last of them went out at `now`, after a
    /// silence since `last_tx_ms`.
    pub fn written(&mut self, bytes: &[u8], now: u64, last_tx_ms: u64, guard_ms: u32) {
        for (i, &byte) in bytes.iter().enumerate() {
            let silent = i == 0 && now.saturating_sub(last_tx_ms) >= silence_threshold(guard_ms);
            self.take(byte, silent, now);
        }
    }

    /// `byte` would be the third `+` of a candidate that started after a
    /// silence less than a guard time ago.
    fn third_too_soon(&self, byte: u8, now: u64, guard_ms: u32) -> bool {
        byte == b'+' && self.last_plus && self.older.is_some() && now < self.ready_at(guard_ms)
    }

    fn take(&mut self, byte: u8, silent: bool, now: u64) {
        let plus = byte == b'+';
        *self = PlusRun {
            older: if self.last_plus {
                self.last_silent
            } else {
                None
            },
            last_plus: plus,
            last_silent: (plus && silent).then_some(now),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u32 = 1000;

    #[test]
    fn plus_after_a_silence_waits_for_its_third() {
        let run = PlusRun::default();
        // 2 s of silence, then "+++" and more: the third `+` waits.
        assert_eq!(run.allowance(b"+++ATH\r", 3000, 1000, G), 2);
        let mut run = run;
        run.written(b"++", 3000, 1000, G);
        assert_eq!(run.allowance(b"+ATH\r", 3010, 3000, G), 0);
        assert!(run.ready_at(G) > 3000 + u64::from(G));
        // A pause before the third does not make it safe: the module counts
        // from the first.
        assert_eq!(run.allowance(b"+ATH\r", 3000 + 950, 3000, G), 0);
        // Past the spread it goes.
        let at = run.ready_at(G);
        assert_eq!(run.allowance(b"+ATH\r", at, 3000, G), 5);
    }

    #[test]
    fn a_run_written_in_pieces_without_a_silence_goes_at_once() {
        // Only the first byte of a write can follow a silence: the `+`
        // after `a` did not (even with a silence before `a`), so the third
        // `+` of a later write goes.
        for last_tx in [4990, 1000] {
            let mut run = PlusRun::default();
            run.written(b"a++", 5000, last_tx, G);
            assert_eq!(run.allowance(b"+b", 5000, 5000, G), 2);
        }
    }

    #[test]
    fn plus_without_a_silence_before_goes_at_once() {
        let run = PlusRun::default();
        assert_eq!(run.allowance(b"a+++b", 5000, 4990, G), 5);
        assert_eq!(run.allowance(b"+++", 5000, 4990, G), 3);
        // A long run after a silence: two go, then each pair waits.
        assert_eq!(run.allowance(b"++++++", 9000, 1000, G), 2);
    }

    #[test]
    fn a_run_split_across_writes_is_still_one_run() {
        let mut run = PlusRun::default();
        run.written(b"+", 2000, 0, G);
        assert_eq!(run.allowance(b"+", 2100, 2000, G), 1);
        run.written(b"+", 2100, 2000, G);
        assert_eq!(run.allowance(b"+", 2200, 2100, G), 0);
        // Any other byte ends the run.
        run.written(b"x", 2200, 2100, G);
        assert_eq!(run.allowance(b"++", 2300, 2200, G), 2);
    }

    #[test]
    fn no_byte_sequence_at_any_timing_forms_an_escape() {
        // Model the module: an escape is silence >= G, "+++" within G,
        // silence >= G. Drive the guard with a pseudo-random schedule and
        // check the bytes that reach the line never form one.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let mut run = PlusRun::default();
            let mut now = 0u64;
            let mut last_tx = 0u64;
            let mut line: Vec<(u64, u8)> = Vec::new();
            let mut data: Vec<u8> = (0..40)
                .map(|_| if next() % 4 == 0 { b'x' } else { b'+' })
                .collect();
            while !data.is_empty() {
                now += match next() % 5 {
                    0 => 0,
                    1 => 50,
                    2 => 600,
                    3 => 950,
                    _ => 1500,
                };
                let n = run
                    .allowance(&data, now, last_tx, G)
                    .min(1 + next() as usize % 3);
                if n == 0 {
                    continue;
                }
                let piece: Vec<u8> = data.drain(..n).collect();
                run.written(&piece, now, last_tx, G);
                line.extend(piece.iter().map(|&b| (now, b)));
                last_tx = now;
            }
            let end = now + 10 * u64::from(G);
            for i in 0..line.len().saturating_sub(2) {
                let (t0, b0) = line[i];
                let (_, b1) = line[i + 1];
                let (t2, b2) = line[i + 2];
                let before = if i == 0 { t0 } else { t0 - line[i - 1].0 };
                let after = line.get(i + 3).map_or(end, |&(t, _)| t) - t2;
                let escape = (b0, b1, b2) == (b'+', b'+', b'+')
                    && before >= u64::from(G)
                    && t2 - t0 <= u64::from(G)
                    && after >= u64::from(G);
                assert!(!escape, "an escape formed at byte {i}: {line:?}");
            }
        }
    }
}
