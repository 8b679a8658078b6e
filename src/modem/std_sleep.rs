//! Async sleeps on a host that block no thread: one timer thread, started
//! on first use, wakes each sleeping task at its time (features `std` and
//! `async`). Any executor works, since only the task's waker is used.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The sleepers, by wake-up time (and a number, for equal times).
#[derive(Default)]
struct Sleepers {
    next_id: u64,
    queue: BTreeMap<(Instant, u64), Waker>,
}

struct TimerThread {
    sleepers: Mutex<Sleepers>,
    changed: Condvar,
}

/// The timer thread, started on first use; `None` if the host refused a
/// thread (then sleeps block their caller instead: slow, but never a
/// panic and never a sleep that does not end).
fn timer_thread() -> Option<&'static TimerThread> {
    static TIMER: OnceLock<Option<&'static TimerThread>> = OnceLock::new();
    *TIMER.get_or_init(|| {
        let timer: &'static TimerThread = Box::leak(Box::new(TimerThread {
            sleepers: Mutex::new(Sleepers::default()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("quectel-ssl-timer".into())
            .spawn(move || timer.run())
            .ok()
            .map(|_| timer)
    })
}

impl TimerThread {
    fn run(&self) {
        let Ok(mut sleepers) = self.sleepers.lock() else {
            return;
        };
        loop {
            let now = Instant::now();
            while let Some(entry) = sleepers.queue.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                entry.remove().wake();
            }
            let next = sleepers.queue.keys().next().map(|k| k.0);
            sleepers = match next {
                Some(at) => match self.changed.wait_timeout(sleepers, at - now) {
                    Ok((guard, _)) => guard,
                    Err(_) => return,
                },
                None => match self.changed.wait(sleepers) {
                    Ok(guard) => guard,
                    Err(_) => return,
                },
            };
        }
    }
}

/// A sleep until `at`.
pub(crate) struct Sleep {
    at: Instant,
    /// Its entry in the timer thread's queue.
    id: Option<u64>,
}

/// Sleep for `duration`.
pub(crate) fn sleep(duration: Duration) -> Sleep {
    Sleep {
        at: Instant::now() + duration,
        id: None,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.at {
            return Poll::Ready(());
        }
        let Some(timer) = timer_thread() else {
            std::thread::sleep(self.at.saturating_duration_since(Instant::now()));
            return Poll::Ready(());
        };
        let Ok(mut sleepers) = timer.sleepers.lock() else {
            return Poll::Ready(());
        };
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = sleepers.next_id;
                sleepers.next_id += 1;
                self.id = Some(id);
                id
            }
        };
        let earliest = sleepers.queue.keys().next().is_none_or(|k| self.at < k.0);
        sleepers.queue.insert((self.at, id), cx.waker().clone());
        drop(sleepers);
        if earliest {
            timer.changed.notify_one();
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            if let Some(Ok(mut sleepers)) = timer_thread().map(|t| t.sleepers.lock()) {
                sleepers.queue.remove(&(self.at, id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_end_in_order_without_blocking_the_polling_thread() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        use std::task::Wake;

        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let mut long = Box::pin(sleep(Duration::from_secs(3600)));
        let mut short = Box::pin(sleep(Duration::from_millis(20)));
        // Both return at once: nothing blocks.
        assert!(long.as_mut().poll(&mut cx).is_pending());
        assert!(short.as_mut().poll(&mut cx).is_pending());
        while count.0.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        assert!(short.as_mut().poll(&mut cx).is_ready());
        assert!(
            long.as_mut().poll(&mut cx).is_pending(),
            "the hour is not over"
        );
        drop(long);
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            1,
            "only the short sleep woke"
        );
    }
}
