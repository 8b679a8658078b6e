//! What every check needs of the bytes it looks at: where a slice lies,
//! the module's limits, the engine's line buffer.

/// Largest payload the module announces (`+QSSLRECV`, direct push).
pub(crate) const MAX_PAYLOAD: usize = 1500;

/// `inner` borrows from `outer` (an empty slice is anywhere).
pub(crate) fn within(outer: &[u8], inner: &[u8]) -> bool {
    let start = outer.as_ptr() as usize;
    let at = inner.as_ptr() as usize;
    inner.is_empty() || (at >= start && at + inner.len() <= start + outer.len())
}

pub(crate) fn has_line_end(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b == b'\r' || b == b'\n')
}

/// The engine's line buffer: the framer is fed through a buffer this small.
pub const FRAMER_BUFFER: usize = 256;
