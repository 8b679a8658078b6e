//! UART0 of the LM3S6965, an ARM PL011, as an `embedded-io-async` port.
//!
//! The receive interrupt moves bytes from the 16-byte FIFO into a 1 KiB
//! ring and wakes the reader (the stack's runner), so the runner sleeps
//! until bytes come; when the ring is full the interrupt masks itself and
//! the bytes wait in the FIFO (QEMU then stops taking them from its
//! socket). A read is cancel-safe: it takes bytes from the ring only when
//! it returns them. Writes go into the transmit FIFO (QEMU empties it at
//! once).

use core::cell::UnsafeCell;
use core::convert::Infallible;
use core::future::poll_fn;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use core::task::Poll;

use cortex_m::peripheral::NVIC;
use embassy_sync::waitqueue::AtomicWaker;
use lm3s6965::{interrupt, Interrupt};

const BASE: usize = 0x4000_C000;
const DR: usize = 0x000;
const FR: usize = 0x018;
const IBRD: usize = 0x024;
const FBRD: usize = 0x028;
const LCRH: usize = 0x02C;
const CR: usize = 0x030;
const IMSC: usize = 0x038;
const ICR: usize = 0x044;
const FR_RXFE: u32 = 1 << 4;
const FR_TXFF: u32 = 1 << 5;
const FR_BUSY: u32 = 1 << 3;
const LCRH_8N1_FIFO: u32 = (0b11 << 5) | (1 << 4);
const CR_ENABLE: u32 = (1 << 0) | (1 << 8) | (1 << 9);
const INT_RX: u32 = (1 << 4) | (1 << 6);

fn read_reg(offset: usize) -> u32 {
    // SAFETY: an aligned register of UART0, which this module alone uses.
    unsafe { read_volatile((BASE + offset) as *const u32) }
}

fn write_reg(offset: usize, value: u32) {
    // SAFETY: as in `read_reg`.
    unsafe { write_volatile((BASE + offset) as *mut u32, value) }
}

const RING: usize = 1024;

/// A single-producer (the interrupt), single-consumer (the port) ring.
struct Ring {
    buf: UnsafeCell<[u8; RING]>,
    head: AtomicUsize,
    tail: AtomicUsize,
}

// SAFETY: the interrupt only writes slots between `head` and `tail + RING`,
// the port only reads slots between `tail` and `head`; each index is
// published after its slots are written or read.
unsafe impl Sync for Ring {}

impl Ring {
    const fn new() -> Self {
        Self {
            buf: UnsafeCell::new([0; RING]),
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
        }
    }

    fn len(&self) -> usize {
        self.head
            .load(Ordering::Acquire)
            .wrapping_sub(self.tail.load(Ordering::Acquire))
    }

    fn push(&self, byte: u8) {
        let head = self.head.load(Ordering::Relaxed);
        // SAFETY: the caller checked there is room; only the interrupt
        // writes.
        unsafe { (*self.buf.get())[head % RING] = byte };
        self.head.store(head.wrapping_add(1), Ordering::Release);
    }

    fn pop(&self, out: &mut [u8]) -> usize {
        let tail = self.tail.load(Ordering::Relaxed);
        let n = self
            .head
            .load(Ordering::Acquire)
            .wrapping_sub(tail)
            .min(out.len());
        for (i, slot) in out[..n].iter_mut().enumerate() {
            // SAFETY: slots `tail..tail + n` were published by the
            // interrupt and are not written again until `tail` moves.
            *slot = unsafe { (*self.buf.get())[tail.wrapping_add(i) % RING] };
        }
        self.tail.store(tail.wrapping_add(n), Ordering::Release);
        n
    }
}

static RX: Ring = Ring::new();
static RX_PAUSED: AtomicBool = AtomicBool::new(false);
static RX_WAKER: AtomicWaker = AtomicWaker::new();

#[interrupt]
fn UART0() {
    while read_reg(FR) & FR_RXFE == 0 {
        if RX.len() >= RING {
            write_reg(IMSC, 0);
            RX_PAUSED.store(true, Ordering::Release);
            break;
        }
        RX.push(read_reg(DR) as u8);
    }
    write_reg(ICR, INT_RX);
    RX_WAKER.wake();
}

/// UART0, owned by the stack's runner.
pub struct Uart {
    _private: (),
}

impl Uart {
    /// Set up UART0 (8N1, FIFOs on) and its receive interrupt. Call once.
    pub fn take() -> Self {
        write_reg(CR, 0);
        write_reg(IBRD, 6);
        write_reg(FBRD, 50);
        write_reg(LCRH, LCRH_8N1_FIFO);
        write_reg(ICR, 0x7FF);
        write_reg(IMSC, INT_RX);
        write_reg(CR, CR_ENABLE);
        // SAFETY: the handler above is ready.
        unsafe { NVIC::unmask(Interrupt::UART0) };
        Self { _private: () }
    }
}

impl embedded_io_async::ErrorType for Uart {
    type Error = Infallible;
}

impl embedded_io_async::Read for Uart {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        poll_fn(|cx| {
            RX_WAKER.register(cx.waker());
            let n = RX.pop(buf);
            if RX_PAUSED.swap(false, Ordering::AcqRel) {
                write_reg(IMSC, INT_RX);
            }
            if n > 0 {
                Poll::Ready(Ok(n))
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

impl embedded_io_async::Write for Uart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            while read_reg(FR) & FR_TXFF != 0 {}
            write_reg(DR, u32::from(byte));
        }
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        while read_reg(FR) & FR_BUSY != 0 {}
        Ok(())
    }
}
