//! Starting a simulator: the engine thread, the line, and the two roles
//! handed back ([`SimHandle`] for the test, [`SimPort`] for the driver).

use std::io;
use std::sync::{Arc, Mutex};

use crate::config::SimConfig;
use crate::engine::inbox::Inbox;
use crate::engine::{self, Module};
use crate::handle::SimHandle;
use crate::line::Line;
use crate::port::SimPort;
use crate::shared::SimCore;
use crate::transcript::Recorder;

/// Starts simulated modules.
pub struct Simulator;

impl Simulator {
    /// Powers up a module connected to an in-process pipe: `RDY` comes
    /// after the configured boot delay.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use quectel_sim::{SimConfig, Simulator};
    ///
    /// let (handle, mut port) = Simulator::start(SimConfig::fast());
    /// let mut boot = [0u8; 67];
    /// port.read_exact(&mut boot).unwrap();
    /// assert!(boot.starts_with(b"\r\nRDY\r\n"));
    /// port.write_all(b"ATE0\r").unwrap();
    /// let mut reply = [0u8; 11];
    /// port.read_exact(&mut reply).unwrap();
    /// assert_eq!(&reply, b"ATE0\r\r\nOK\r\n");
    /// drop(handle);
    /// ```
    ///
    /// Panics if the configured log file cannot be created (see
    /// [`Simulator::try_start`]).
    pub fn start(config: SimConfig) -> (SimHandle, SimPort) {
        match Simulator::try_start(config) {
            Ok(pair) => pair,
            Err(e) => panic!("quectel-sim: cannot start: {e}"),
        }
    }

    /// Like [`Simulator::start`], but reports a log file that cannot be
    /// created.
    pub fn try_start(config: SimConfig) -> io::Result<(SimHandle, SimPort)> {
        let config = Arc::new(config);
        let recorder = Arc::new(Recorder::new(
            config.transcript,
            config.log_file.as_deref(),
        )?);
        let inbox = Arc::new(Inbox::default());
        let line = Arc::new(Line::new(recorder, inbox.clone(), config.baud));
        let module = Arc::new(Mutex::new(Module::new(
            config.clone(),
            line.clone(),
            inbox.clone(),
        )));
        let engine = {
            let module = module.clone();
            let inbox = inbox.clone();
            std::thread::Builder::new()
                .name("sim-engine".into())
                .spawn(move || engine::run(module, inbox))?
        };
        let core = Arc::new(SimCore::new(config, line, inbox, module, engine));
        Ok((SimHandle { core: core.clone() }, SimPort { core }))
    }
}
