//! The module clock (`AT+CCLK`): a civil date and time zone that runs from
//! the moment it is set, used to check certificate validity when
//! `ignorelocaltime` is 0.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Where the module clock starts at power-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStart {
    /// The host's current UTC time, as a module that took the network time
    /// (NITZ) shows it. The default.
    Host,
    /// A fixed UTC time, in seconds since 1970-01-01.
    Unix(i64),
    /// 1980-01-06 00:00:00, what an EC2x shows without network time.
    ModuleDefault,
}

/// A broken-down civil time as `AT+CCLK` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockValue {
    /// Full year (the wire carries two digits; 2000 is added when parsing).
    pub year: i32,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=59.
    pub second: u8,
    /// Time zone in quarter hours (-48..=56).
    pub zone_quarters: i8,
}

impl ClockValue {
    /// Parses the quoted body of `AT+CCLK="yy/MM/dd,hh:mm:ss±zz"` (without
    /// the quotes). `None` when the text or a field is out of range.
    pub fn parse(text: &str) -> Option<ClockValue> {
        let b = text.as_bytes();
        if b.len() != 20 || b[2] != b'/' || b[5] != b'/' || b[8] != b',' {
            return None;
        }
        if b[11] != b':' || b[14] != b':' || !(b[17] == b'+' || b[17] == b'-') {
            return None;
        }
        let two = |at: usize| -> Option<u8> {
            let (h, l) = (b[at], b[at + 1]);
            if h.is_ascii_digit() && l.is_ascii_digit() {
                Some((h - b'0') * 10 + (l - b'0'))
            } else {
                None
            }
        };
        let zone = two(18)? as i8;
        let value = ClockValue {
            year: 2000 + i32::from(two(0)?),
            month: two(3)?,
            day: two(6)?,
            hour: two(9)?,
            minute: two(12)?,
            second: two(15)?,
            zone_quarters: if b[17] == b'-' { -zone } else { zone },
        };
        value.is_valid().then_some(value)
    }

    fn is_valid(&self) -> bool {
        (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
            && (-48..=56).contains(&self.zone_quarters)
    }

    /// The UTC instant this local time stands for, in Unix seconds.
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let local = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        local - i64::from(self.zone_quarters) * 15 * 60
    }

    /// The local time for a UTC instant and a zone.
    pub fn from_unix(unix: i64, zone_quarters: i8) -> ClockValue {
        let local = unix + i64::from(zone_quarters) * 15 * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        ClockValue {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs % 3600 / 60) as u8,
            second: (secs % 60) as u8,
            zone_quarters,
        }
    }
}

impl fmt::Display for ClockValue {
    /// `yy/MM/dd,hh:mm:ss±zz`, as `+CCLK:` prints it (without quotes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.zone_quarters < 0 { '-' } else { '+' };
        write!(
            f,
            "{:02}/{:02}/{:02},{:02}:{:02}:{:02}{}{:02}",
            self.year.rem_euclid(100),
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            sign,
            self.zone_quarters.unsigned_abs()
        )
    }
}

/// The running module clock.
#[derive(Debug, Clone, Copy)]
pub struct ModuleClock {
    base_unix: i64,
    zone_quarters: i8,
    set_at: Instant,
}

impl ModuleClock {
    /// A clock started as `start` says.
    pub fn new(start: ClockStart) -> ModuleClock {
        let base_unix = match start {
            ClockStart::Host => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            ClockStart::Unix(secs) => secs,
            ClockStart::ModuleDefault => days_from_civil(1980, 1, 6) * 86_400,
        };
        ModuleClock {
            base_unix,
            zone_quarters: 0,
            set_at: Instant::now(),
        }
    }

    /// Sets the clock (`AT+CCLK=`).
    pub fn set(&mut self, value: ClockValue) {
        self.base_unix = value.to_unix();
        self.zone_quarters = value.zone_quarters;
        self.set_at = Instant::now();
    }

    /// The current UTC time in Unix seconds.
    pub fn now_unix(&self) -> i64 {
        self.base_unix + self.set_at.elapsed().as_secs() as i64
    }

    /// The current local time (`AT+CCLK?`).
    pub fn now(&self) -> ClockValue {
        ClockValue::from_unix(self.now_unix(), self.zone_quarters)
    }
}

/// The module clock shared between the engine (`AT+CCLK`) and the
/// certificate verifiers of the SSL contexts, which read it at handshake
/// time.
#[derive(Clone)]
pub(crate) struct SharedClock(Arc<Mutex<ModuleClock>>);

impl SharedClock {
    pub fn new(start: ClockStart) -> SharedClock {
        SharedClock(Arc::new(Mutex::new(ModuleClock::new(start))))
    }

    pub fn set(&self, value: ClockValue) {
        if let Ok(mut c) = self.0.lock() {
            c.set(value);
        }
    }

    pub fn now(&self) -> ClockValue {
        self.get().now()
    }

    pub fn now_unix(&self) -> i64 {
        self.get().now_unix()
    }

    fn get(&self) -> ModuleClock {
        match self.0.lock() {
            Ok(c) => *c,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

impl fmt::Debug for SharedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedClock({})", self.now())
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date for a number of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_cclk() {
        let v = ClockValue::parse("26/11/23,10:00:05+04").unwrap();
        assert_eq!(v.year, 2026);
        assert_eq!(v.zone_quarters, 4);
        assert_eq!(v.to_string(), "26/11/23,10:00:05+04");
        assert_eq!(ClockValue::from_unix(v.to_unix(), 4), v);
        let neg = ClockValue::parse("24/02/29,23:59:59-08").unwrap();
        assert_eq!(neg.to_string(), "24/02/29,23:59:59-08");
    }

    #[test]
    fn rejects_bad_dates() {
        assert!(ClockValue::parse("25/02/29,00:00:00+00").is_none());
        assert!(ClockValue::parse("25/13/01,00:00:00+00").is_none());
        assert!(ClockValue::parse("25/01/01,24:00:00+00").is_none());
        assert!(ClockValue::parse("25/01/01,00:00:00").is_none());
    }

    #[test]
    fn unix_conversion_matches_known_instants() {
        let v = ClockValue::parse("00/01/01,00:00:00+00").unwrap();
        assert_eq!(v.to_unix(), 946_684_800);
        let zoned = ClockValue::parse("00/01/01,01:00:00+04").unwrap();
        assert_eq!(zoned.to_unix(), 946_684_800);
        assert_eq!(
            ModuleClock::new(ClockStart::ModuleDefault)
                .now()
                .to_string()[..8],
            *"80/01/06"
        );
    }
}
