//! List answers read one line at a time: a [`ListCommand`] says what each
//! line of its answer is, and [`Fold`] keeps of the entries only what a
//! step function folds in, so a list the size of the module's
//! (`+QSSLSTATE`, `+QIACT`, `+QFLST`) never has to fit in RAM.

use super::at_command::AtCommand;
use crate::digest::Expect;
use crate::error::Error;
use crate::wire::{Encoder, Fields};

/// A command that answers a list, one entry per line.
pub trait ListCommand: AtCommand {
    /// One entry.
    type Item;
    /// What an entry's line starts with (`b"+QIACT:"`).
    const PREFIX: &'static [u8];
    /// Read one entry from the fields after [`PREFIX`](Self::PREFIX).
    fn item(fields: Fields<'_>) -> Result<Self::Item, Error>;
}

/// `list`'s command line, its answer folded entry by entry into a value
/// that starts as `A::default()`; `step` also sees a `context` the fold
/// keeps (what it looks for):
///
/// ```
/// use quectel_ssl::command::file::{FileEntry, ListFiles};
/// use quectel_ssl::command::Fold;
/// use quectel_ssl::types::FilePattern;
///
/// // The total size of the files on the module, whatever their number.
/// let total: Fold<_, (), u64> = Fold::new(
///     ListFiles::<0> { pattern: FilePattern::new("*").unwrap() },
///     (),
///     |_, sum, file: FileEntry| *sum += u64::from(file.size),
/// );
/// # let _ = total;
/// ```
#[derive(Debug, Clone)]
pub struct Fold<C: ListCommand, K, A> {
    list: C,
    context: K,
    step: fn(&K, &mut A, C::Item),
    timeout_ms: Option<u32>,
}

impl<C: ListCommand, K, A> Fold<C, K, A> {
    /// Fold `list`'s entries with `step`, which also sees `context`.
    pub fn new(list: C, context: K, step: fn(&K, &mut A, C::Item)) -> Self {
        Self {
            list,
            context,
            step,
            timeout_ms: None,
        }
    }

    /// Wait `ms` for the answer instead of `list`'s own time (e.g. the read
    /// form `AT+QIACT?` answers from memory, while the manual's 150 s are
    /// for an activation).
    pub fn with_timeout(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }
}

impl<C: ListCommand, K, A: Default> AtCommand for Fold<C, K, A> {
    type Response = A;
    type Partial = A;
    const MAX_TIMEOUT_MS: u32 = C::MAX_TIMEOUT_MS;
    fn timeout_ms(&self) -> u32 {
        self.timeout_ms.unwrap_or_else(|| self.list.timeout_ms())
    }
    fn expectation(&self) -> Expect {
        self.list.expectation()
    }
    fn encode(&self, e: &mut Encoder<'_>) {
        self.list.encode(e);
    }
    fn line(&self, partial: &mut A, line: &[u8]) -> Result<(), Error> {
        if let Some(fields) = Fields::after(line, C::PREFIX) {
            (self.step)(&self.context, partial, C::item(fields)?);
        }
        Ok(())
    }
    fn finish(&self, partial: A) -> Result<A, Error> {
        Ok(partial)
    }
}
