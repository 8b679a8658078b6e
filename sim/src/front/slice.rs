//! The bridge threads' time slice.

use std::time::Duration;

/// How often the bridge threads check whether they should stop.
pub(super) const SLICE: Duration = Duration::from_millis(50);
