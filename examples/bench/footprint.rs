//! Flash and static RAM of the QEMU firmware, with and without the driver.

use crate::Figure;

/// The footprint figures, from the firmware's size report.
pub fn measure() -> Result<Vec<Figure>, String> {
    Err("the QEMU firmware (firmware/) is not in this tree yet".into())
}
