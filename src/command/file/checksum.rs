//! The `AT+QFUPL` checksum: a 16-bit XOR over the data taken as big-endian
//! 16-bit words; an odd last byte is the high byte of a last word.

/// Incremental checksum, for data uploaded in blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checksum {
    acc: u16,
    /// A high byte waiting for its low byte.
    pending: Option<u8>,
}

impl Checksum {
    /// A checksum of no data.
    pub const fn new() -> Self {
        Self {
            acc: 0,
            pending: None,
        }
    }

    /// Add the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        let mut bytes = data.iter();
        if let Some(high) = self.pending.take() {
            match bytes.next() {
                Some(&low) => self.acc ^= u16::from_be_bytes([high, low]),
                None => {
                    self.pending = Some(high);
                    return;
                }
            }
        }
        let rest = bytes.as_slice();
        let mut words = rest.chunks_exact(2);
        for word in &mut words {
            self.acc ^= u16::from_be_bytes([word[0], word[1]]);
        }
        self.pending = words.remainder().first().copied();
    }

    /// The checksum of everything added so far.
    pub const fn value(&self) -> u16 {
        match self.pending {
            Some(high) => self.acc ^ ((high as u16) << 8),
            None => self.acc,
        }
    }
}

/// The checksum of `data` as the module computes it.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum = Checksum::new();
    sum.update(data);
    sum.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_big_endian_and_an_odd_byte_is_high() {
        assert_eq!(checksum(&[]), 0);
        assert_eq!(checksum(&[0x12, 0x34]), 0x1234);
        assert_eq!(checksum(&[0x12, 0x34, 0x56]), 0x1234 ^ 0x5600);
        assert_eq!(checksum(&[0xFF, 0xFF, 0xFF, 0xFF]), 0);
    }

    #[test]
    fn blocks_of_any_size_give_the_same_sum() {
        let data: Vec<u8> = (0..2051u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = checksum(&data);
        for split in [1, 2, 3, 1023, 1024, 1025] {
            let mut sum = Checksum::new();
            for block in data.chunks(split) {
                sum.update(block);
            }
            assert_eq!(sum.value(), whole, "blocks of {split}");
        }
        let mut sum = Checksum::new();
        sum.update(&data[..1]);
        sum.update(&[]);
        sum.update(&data[1..]);
        assert_eq!(sum.value(), whole);
    }
}
