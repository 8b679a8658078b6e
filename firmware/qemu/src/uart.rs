//! UART0 of the LM3S6965, an ARM PL011, as the driver's port.
//!
//! Received bytes are taken out of the PL011's 16-byte FIFO by its receive
//! interrupt and kept in a 1 KiB ring, so that bytes arriving while the
//! driver writes a long payload wait there. When the ring is full the
//! interrupt is masked until the driver reads: the bytes stay in the FIFO
//! and QEMU stops taking them from its TCP socket (on a real board this is
//! where RTS/CTS would hold the sender). Writes are polled: a write returns
//! once its bytes are in the transmit FIFO.

use core::cell::UnsafeCell;
use core::convert::Infallible;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use cortex_m::peripheral::NVIC;
use lm3s6965::{interrupt, Interrupt};

/// UART0's registers.
const BASE: usize = 0x4000_C000;
const DR: usize = 0x000;
const FR: usize = 0x018;
const IBRD: usize = 0x024;
const FBRD: usize = 0x028;
const LCRH: usize = 0x02C;
const CR: usize = 0x030;
const IMSC: usize = 0x038;
const ICR: usize = 0x044;

/// FR: receive FIFO empty, transmit FIFO full, busy.
const FR_RXFE: u32 = 1 << 4;
const FR_TXFF: u32 = 1 << 5;
const FR_BUSY: u32 = 1 << 3;
/// LCRH: 8 data bits, FIFOs on.
const LCRH_8N1_FIFO: u32 = (0b11 << 5) | (1 << 4);
/// CR: UART, transmitter and receiver on.
const CR_ENABLE: u32 = (1 << 0) | (1 << 8) | (1 << 9);
/// IMSC / ICR: receive and receive-timeout interrupts.
const INT_RX: u32 = (1 << 4) | (1 << 6);
/// DR: overrun, break, parity and framing error bits above the data byte.
const DR_ERRORS: u32 = 0xF00;

fn reg(offset: usize) -> *mut u32 {
    (BASE + offset) as *mut u32
}

fn read_reg(offset: usize) -> u32 {
    // SAFETY: an aligned register of UART0, which this module alone uses.
    unsafe { read_volatile(reg(offset)) }
}

fn write_reg(offset: usize, value: u32) {
    // SAFETY: as in `read_reg`.
    unsafe { write_volatile(reg(offset), value) }
}

/// Ring size (a power of two).
const RING: usize = 1024;

/// A single-producer (the interrupt), single-consumer (the port) byte ring.
struct Ring {
    buf: UnsafeCell<[u8; RING]>,
    /// Bytes ever written (by the interrupt).
    head: AtomicUsize,
    /// Bytes ever read (by the port).
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

    /// Interrupt side: store `byte` unless full.
    fn push(&self, byte: u8) -> bool {
        let head = self.head.load(Ordering::Relaxed);
        if head.wrapping_sub(self.tail.load(Ordering::Acquire)) >= RING {
            return false;
        }
        // SAFETY: slot `head` is free (checked above) and only the
        // interrupt writes.
        unsafe { (*self.buf.get())[head % RING] = byte };
        self.head.store(head.wrapping_add(1), Ordering::Release);
        true
    }

    /// Port side: take up to `out.len()` bytes.
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
/// The interrupt masked itself: the ring was full.
static RX_PAUSED: AtomicBool = AtomicBool::new(false);
/// Bytes the PL011 flagged with an error (overrun, framing, ...).
static RX_ERRORS: AtomicU32 = AtomicU32::new(0);
/// Most bytes ever waiting in the ring.
static RX_PEAK: AtomicUsize = AtomicUsize::new(0);

#[interrupt]
fn UART0() {
    while read_reg(FR) & FR_RXFE == 0 {
        if RX.len() >= RING {
            // Leave the rest in the FIFO; `Uart::read` unmasks.
            write_reg(IMSC, 0);
            RX_PAUSED.store(true, Ordering::Release);
            break;
        }
        let data = read_reg(DR);
        if data & DR_ERRORS != 0 {
            RX_ERRORS.fetch_add(1, Ordering::Relaxed);
        }
        RX.push(data as u8);
    }
    RX_PEAK.fetch_max(RX.len(), Ordering::Relaxed);
    write_reg(ICR, INT_RX);
}

/// What the receive side saw, for the report.
#[derive(Debug, Clone, Copy)]
pub struct RxStats {
    /// Bytes received with an error flag.
    pub errors: u32,
    /// Most bytes waiting in the ring at once.
    pub peak: usize,
}

/// UART0, owned by the driver.
pub struct Uart {
    _private: (),
}

impl Uart {
    /// Set up UART0 (8N1, FIFOs on; 115200 baud at 12.5 MHz, which QEMU
    /// ignores) and its receive interrupt. Call once.
    pub fn take() -> Self {
        write_reg(CR, 0);
        // 12.5 MHz / (16 * 115200) = 6.78: 6 + 50/64.
        write_reg(IBRD, 6);
        write_reg(FBRD, 50);
        write_reg(LCRH, LCRH_8N1_FIFO);
        write_reg(ICR, 0x7FF);
        write_reg(IMSC, INT_RX);
        write_reg(CR, CR_ENABLE);
        // SAFETY: the handler above is ready; no critical section relies on
        // this interrupt being masked.
        unsafe { NVIC::unmask(Interrupt::UART0) };
        Self { _private: () }
    }

    /// What the receive side saw so far.
    pub fn rx_stats(&self) -> RxStats {
        RxStats {
            errors: RX_ERRORS.load(Ordering::Relaxed),
            peak: RX_PEAK.load(Ordering::Relaxed),
        }
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = Infallible;
}

impl embedded_io::Read for Uart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = RX.pop(buf);
            if RX_PAUSED.swap(false, Ordering::AcqRel) {
                // Room again: let the interrupt take the FIFO's bytes.
                write_reg(IMSC, INT_RX);
            }
            if n > 0 {
                return Ok(n);
            }
            cortex_m::asm::wfi();
        }
    }
}

impl embedded_io::ReadReady for Uart {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(RX.len() > 0)
    }
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            while read_reg(FR) & FR_TXFF != 0 {}
            write_reg(DR, u32::from(byte));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        while read_reg(FR) & FR_BUSY != 0 {}
        Ok(())
    }
}
