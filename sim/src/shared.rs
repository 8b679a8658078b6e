//! What a simulator's roles share ([`SimCore`]): the handle, the ports and
//! the fronts hold it; the last one dropped stops the simulator.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::config::SimConfig;
use crate::engine::inbox::Inbox;
use crate::engine::Module;
use crate::line::Line;

/// What the handle and the ports share. Dropping the last of them stops and
/// joins every thread of the simulator.
pub(crate) struct SimCore {
    pub config: Arc<SimConfig>,
    pub line: Arc<Line>,
    pub inbox: Arc<Inbox>,
    pub module: Arc<Mutex<Module>>,
    engine: Mutex<Option<JoinHandle<()>>>,
    stopped: AtomicBool,
}

impl SimCore {
    pub fn new(
        config: Arc<SimConfig>,
        line: Arc<Line>,
        inbox: Arc<Inbox>,
        module: Arc<Mutex<Module>>,
        engine: JoinHandle<()>,
    ) -> SimCore {
        SimCore {
            config,
            line,
            inbox,
            module,
            engine: Mutex::new(Some(engine)),
            stopped: AtomicBool::new(false),
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Stops the engine (which joins the network threads) and the line.
    pub fn stop(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        self.inbox.close();
        let engine = self.engine.lock().ok().and_then(|mut e| e.take());
        if let Some(engine) = engine {
            let _ = engine.join();
        }
        self.line.close();
    }
}

impl Drop for SimCore {
    fn drop(&mut self) {
        self.stop();
    }
}
