//! The table printed at the end of the soak.

use std::fmt::Write as _;

use super::*;

/// One row's figures: a socket, a mode, or all of them.
#[derive(Default)]
struct Row {
    clean: Tally,
    faulted: Tally,
    faults: u64,
    errors: u64,
}

impl Row {
    fn add(&mut self, s: &Sock) {
        self.clean.merge(&s.clean);
        self.faulted.merge(&s.faulted);
        self.faults += s.faults;
        self.errors += s.errors;
    }

    fn line(&self, t: &mut String, name: &str, mode: &str, ssl: &str, pdp: &str) {
        let mb = |b: u64| b as f64 / 1e6;
        let (c, f) = (&self.clean, &self.faulted);
        let _ = writeln!(
            t,
            "| {name} | {mode} | {ssl} | {pdp} | {} ({}) | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} / {} / {} |",
            c.segments + f.segments,
            f.segments,
            mb(c.sent + f.sent),
            mb(c.received + f.received),
            self.faults,
            self.errors,
            c.lost,
            c.duplicated,
            c.reordered,
            f.lost,
            f.duplicated,
            f.reordered,
        );
    }
}

/// The table: one row per socket, per access mode and for all; the time
/// and throughput; the faults injected by kind; what went wrong.
pub fn report(soak: &Soak, elapsed: Duration, seed: u64) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\nsoak: seed {seed:#x}, {} rounds, {} set-ups of the module",
        soak.round, soak.reinits
    );
    let _ = writeln!(
        t,
        "\n| socket | mode | SSL ctx | PDP ctx | connections (faulted) | sent MB | received MB | faults | typed errors | lost | dup | reord | faulted conn.: lost / dup / reord |"
    );
    let _ = writeln!(t, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut all = Row::default();
    for s in &soak.socks {
        let mut row = Row::default();
        row.add(s);
        let mode = format!("{:?}", s.mode);
        row.line(
            &mut t,
            &s.id.to_string(),
            &mode,
            &s.ssl.to_string(),
            &s.pdp.to_string(),
        );
        all.add(s);
    }
    for mode in AccessMode::ALL {
        let mut row = Row::default();
        for s in soak.socks.iter().filter(|s| s.mode == *mode) {
            row.add(s);
        }
        row.line(&mut t, "mode", &format!("{mode:?}"), "", "");
    }
    all.line(&mut t, "all", "", "", "");
    let moved = (all.clean.sent + all.faulted.sent + all.clean.received + all.faulted.received)
        as f64
        / 1e6;
    let secs = elapsed.as_secs_f64();
    let _ = writeln!(
        t,
        "\nmoved {moved:.1} MB (sent + received) in {secs:.1} s: {:.2} MB/s",
        moved / secs
    );
    let _ = writeln!(
        t,
        "time: repairs {:.1} s, faults {:.1} s, writes {:.1} s, reads {:.1} s, transparent turns {:.1} s",
        soak.phase[0].as_secs_f64(),
        soak.phase[1].as_secs_f64(),
        soak.phase[2].as_secs_f64(),
        soak.phase[3].as_secs_f64(),
        soak.phase[4].as_secs_f64()
    );
    let _ = writeln!(t, "\n| fault | injected |\n|---|---|");
    for (kind, n) in KINDS.iter().zip(soak.by_kind) {
        let _ = writeln!(t, "| {kind} | {n} |");
    }
    for note in &soak.notes {
        let _ = writeln!(t, "note: {note}");
    }
    t
}
