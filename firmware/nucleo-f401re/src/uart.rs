//! USART1 as the driver's port: the receive interrupt moves each byte into
//! a 1 KiB queue, so bytes arriving while the driver writes a long payload
//! are kept (the USART itself holds one byte). Writes are polled.

use core::cell::RefCell;
use core::convert::Infallible;
use core::sync::atomic::{AtomicU32, Ordering};

use critical_section::Mutex;
use embedded_hal_nb::serial::{Read as _, Write as _};
use heapless::spsc::{Consumer, Producer, Queue};
use stm32f4xx_hal::gpio::{PA10, PA9};
use stm32f4xx_hal::pac::{self, interrupt, USART1};
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::Rcc;
use stm32f4xx_hal::serial::{config::Config, Rx, RxListen, Serial, Tx};

/// What the interrupt owns: the receiver and the queue's producing end.
type Receiver = (Rx<USART1>, Producer<'static, u8>);
static RECEIVER: Mutex<RefCell<Option<Receiver>>> = Mutex::new(RefCell::new(None));
/// Bytes lost: the USART overran (the interrupt came too late) or the
/// queue was full.
static LOST: AtomicU32 = AtomicU32::new(0);

#[interrupt]
fn USART1() {
    critical_section::with(|cs| {
        if let Some((rx, queue)) = RECEIVER.borrow_ref_mut(cs).as_mut() {
            loop {
                match rx.read() {
                    Ok(byte) => {
                        if queue.enqueue(byte).is_err() {
                            LOST.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(nb::Error::WouldBlock) => break,
                    // Overrun, noise, framing: the byte is gone.
                    Err(nb::Error::Other(_)) => {
                        LOST.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    });
}

/// The module's UART, 115200 8N1 (the EC2x default).
pub struct ModemUart {
    tx: Tx<USART1>,
    queue: Consumer<'static, u8>,
}

impl ModemUart {
    /// Set up USART1 on PA9 (TX) / PA10 (RX) and its receive interrupt.
    pub fn new(usart: USART1, tx: PA9, rx: PA10, rcc: &mut Rcc) -> Self {
        let serial = Serial::new(
            usart,
            (tx, rx),
            Config::default().baudrate(115_200.bps()).wordlength_8(),
            rcc,
        )
        .unwrap_or_else(|_| panic!("115200 baud is reachable from 84 MHz"));
        let (tx, mut rx) = serial.split();
        let queue = cortex_m::singleton!(: Queue<u8, 1024> = Queue::new())
            .unwrap_or_else(|| panic!("one ModemUart"));
        let (producer, consumer) = queue.split();
        rx.listen();
        critical_section::with(|cs| RECEIVER.borrow_ref_mut(cs).replace((rx, producer)));
        // SAFETY: the handler and what it uses are in place.
        unsafe { cortex_m::peripheral::NVIC::unmask(pac::Interrupt::USART1) };
        Self {
            tx,
            queue: consumer,
        }
    }

    /// Bytes lost so far.
    pub fn lost(&self) -> u32 {
        LOST.load(Ordering::Relaxed)
    }
}

impl embedded_io::ErrorType for ModemUart {
    type Error = Infallible;
}

impl embedded_io::ReadReady for ModemUart {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.queue.ready())
    }
}

impl embedded_io::Read for ModemUart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        while !self.queue.ready() {
            cortex_m::asm::wfi();
        }
        let mut n = 0;
        while let Some(slot) = buf.get_mut(n) {
            match self.queue.dequeue() {
                Some(byte) => *slot = byte,
                None => break,
            }
            n += 1;
        }
        Ok(n)
    }
}

impl embedded_io::Write for ModemUart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            // The USART's errors are receive errors: a write cannot fail.
            let _ = nb::block!(self.tx.write(byte));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        let _ = nb::block!(self.tx.flush());
        Ok(())
    }
}
