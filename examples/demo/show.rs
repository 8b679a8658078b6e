//! The demo's output: each step's title (printed before the step starts,
//! so a long wait says what it waits for), the serial traffic it caused as
//! the simulator's transcript recorded it, and its outcome.

use std::time::{Duration, Instant};

use quectel_sim::transcript::{render_bytes, Direction};
use quectel_sim::SimHandle;
use quectel_ssl::Error;

/// Prints each step with the serial traffic it caused.
pub struct Show {
    sim: SimHandle,
    shown: usize,
    started: Instant,
}

impl Show {
    /// Show the steps of a session with the simulator behind `sim`.
    pub fn new(sim: SimHandle) -> Self {
        Self {
            sim,
            shown: 0,
            started: Instant::now(),
        }
    }

    /// Time since [`Show::new`].
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Print the line traffic since the last call, one line per direction
    /// change, binary shown safely.
    fn traffic(&mut self) {
        let entries = self.sim.transcript().entries;
        let new = entries.get(self.shown..).unwrap_or_default();
        let mut i = 0;
        while i < new.len() {
            let direction = new[i].direction;
            let mut bytes = Vec::new();
            while i < new.len() && new[i].direction == direction {
                bytes.extend_from_slice(&new[i].bytes);
                i += 1;
            }
            match direction {
                Direction::ToModule => println!("    MCU -> {}", render_bytes(&bytes)),
                Direction::ToHost => println!("     <- module {}", render_bytes(&bytes)),
                Direction::Note => println!("    ({})", String::from_utf8_lossy(&bytes)),
            }
        }
        self.shown = entries.len();
    }

    /// Run one step: print its title (before it starts: a long wait says
    /// what it waits for), then its traffic and its outcome.
    pub fn step<T>(
        &mut self,
        title: &str,
        run: impl FnOnce() -> Result<T, Error>,
        describe: impl FnOnce(&T) -> String,
    ) -> Result<T, String> {
        println!("\n== {title}");
        let result = run();
        self.traffic();
        match result {
            Ok(value) => {
                println!("   ok: {}", describe(&value));
                Ok(value)
            }
            Err(e) => {
                println!("   FAILED: {e}");
                Err(format!("{title}: {e}"))
            }
        }
    }
}
