//! The module clock's date and time, as `AT+CCLK` writes it.

use crate::error::{Error, ParamError};
use crate::wire::{parse_u16, Encoder};

/// A local time with its offset from UTC in quarter hours, years 2000..=2099.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    quarters: i8,
}

impl DateTime {
    /// Check and build a time. `quarters` is the UTC offset in quarter hours
    /// (-48..=56).
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        quarters: i8,
    ) -> Result<Self, Error> {
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year.is_multiple_of(4) => 29,
            2 => 28,
            _ => 0,
        };
        let ok = (2000..=2099).contains(&year)
            && (1..=days_in_month).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60
            && (-48..=56).contains(&quarters);
        if !ok {
            return Err(Error::param("time", ParamError::OutOfRange));
        }
        Ok(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            quarters,
        })
    }

    /// Year (2000..=2099).
    pub const fn year(&self) -> u16 {
        self.year
    }
    /// Month (1..=12).
    pub const fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month.
    pub const fn day(&self) -> u8 {
        self.day
    }
    /// Hour (0..=23).
    pub const fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute.
    pub const fn minute(&self) -> u8 {
        self.minute
    }
    /// Second.
    pub const fn second(&self) -> u8 {
        self.second
    }
    /// Offset from UTC in quarter hours.
    pub const fn quarters(&self) -> i8 {
        self.quarters
    }

    /// Write `yy/MM/dd,hh:mm:ss±zz`.
    pub(crate) fn encode(&self, e: &mut Encoder<'_>) {
        // year is 2000..=2099, so year - 2000 fits two digits.
        e.two_digits((self.year - 2000) as u8)
            .bytes(b"/")
            .two_digits(self.month)
            .bytes(b"/")
            .two_digits(self.day)
            .bytes(b",")
            .two_digits(self.hour)
            .bytes(b":")
            .two_digits(self.minute)
            .bytes(b":")
            .two_digits(self.second)
            .bytes(if self.quarters < 0 { b"-" } else { b"+" })
            .two_digits(self.quarters.unsigned_abs());
    }

    /// Read `yy/MM/dd,hh:mm:ss±zz`.
    pub(crate) fn parse(text: &[u8]) -> Result<Self, Error> {
        let bad = Error::UnexpectedResponse;
        let [y0, y1, b'/', m0, m1, b'/', d0, d1, b',', h0, h1, b':', i0, i1, b':', s0, s1, sign, z0, z1] =
            *text
        else {
            return Err(bad);
        };
        let num = |a: u8, b: u8| two_digits(&[a, b]).ok_or(Error::UnexpectedResponse);
        let zone = num(z0, z1)? as i8;
        let quarters = match sign {
            b'+' => zone,
            b'-' => -zone,
            _ => return Err(bad),
        };
        Self::new(
            2000 + u16::from(num(y0, y1)?),
            num(m0, m1)?,
            num(d0, d1)?,
            num(h0, h1)?,
            num(i0, i1)?,
            num(s0, s1)?,
            quarters,
        )
        .map_err(|_| bad)
    }
}

/// Parse two ASCII digits.
fn two_digits(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            parse_u16(bytes).and_then(|v| u8::try_from(v).ok())
        }
        _ => None,
    }
}
