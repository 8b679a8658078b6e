//! Checked parameter types: ids, lengths and AT-safe strings.
//!
//! Each type can only hold a value the module accepts, so a command built from
//! them can always be written. Construction is where bad input is refused,
//! with [`Error::InvalidParameter`] naming the parameter, before any byte is
//! written to the port.

use core::fmt;

use crate::error::{Error, ParamError};

macro_rules! checked_number {
    ($(#[$doc:meta])* $name:ident($int:ty), $param:literal, $min:literal..=$max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name($int);

        impl $name {
            /// Smallest value the module accepts.
            pub const MIN: Self = Self($min);
            /// Largest value the module accepts.
            pub const MAX: Self = Self($max);

            #[doc = concat!("Check `value` against ", stringify!($min), "..=", stringify!($max), ".")]
            #[allow(unused_comparisons)]
            pub const fn new(value: $int) -> Result<Self, Error> {
                if value >= $min && value <= $max {
                    Ok(Self(value))
                } else {
                    Err(Error::param($param, ParamError::OutOfRange))
                }
            }

            /// The number as written on the AT line.
            pub const fn get(self) -> $int {
                self.0
            }

            /// Every valid value, in ascending order.
            pub fn all() -> impl Iterator<Item = Self> {
                ($min..=$max).map(Self)
            }
        }

        impl TryFrom<$int> for $name {
            type Error = Error;
            fn try_from(value: $int) -> Result<Self, Error> {
                Self::new(value)
            }
        }

        impl From<$name> for $int {
            fn from(value: $name) -> $int {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

checked_number! {
    /// `<SSL_ctxID>`: one of the module's 6 SSL contexts, 0..=5.
    SslContextId(u8), "SSL_ctxID", 0..=5
}
checked_number! {
    /// `<clientID>`: one of the module's 12 SSL sockets, 0..=11.
    ClientId(u8), "clientID", 0..=11
}
checked_number! {
    /// `<PDP_ctxID>`: a PDP context, 1..=16.
    PdpContextId(u8), "PDP_ctxID", 1..=16
}
checked_number! {
    /// `<sendlen>`: bytes in one fixed-length `AT+QSSLSEND`, 1..=1460.
    SendLength(u16), "sendlen", 1..=1460
}
checked_number! {
    /// `<readlen>`: bytes asked for by one `AT+QSSLRECV`, 1..=1500.
    ReadLength(u16), "readlen", 1..=1500
}
checked_number! {
    /// `<negotiate_time>`: TLS handshake timeout in seconds, 10..=300
    /// (module default 300).
    NegotiateTime(u16), "negotiate_time", 10..=300
}

impl ClientId {
    /// The socket's index, usable to index a per-socket table of 12.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl SslContextId {
    /// The context's index, usable to index a per-context table of 6.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl PdpContextId {
    /// The context's index (id - 1), usable to index a table of 16.
    pub const fn index(self) -> usize {
        self.0 as usize - 1
    }
}

impl SendLength {
    /// Largest payload of one `AT+QSSLSEND`.
    pub const MAX_BYTES: usize = 1460;
}

impl ReadLength {
    /// Largest payload one `AT+QSSLRECV` returns.
    pub const MAX_BYTES: usize = 1500;
}

/// Check that `s` can be written between double quotes on an AT line.
///
/// Only printable ASCII (0x20..=0x7E) is allowed, and not `"`: the module has
/// no escape for a quote, and CR, LF, NUL, 0x1A (Ctrl+Z) and 0x1B (ESC) would
/// end the line or a data phase. Non-ASCII bytes are refused too: the module's
/// handling of them is undocumented.
pub(crate) fn check_at_string(
    s: &str,
    param: &'static str,
    max_len: usize,
    allow_empty: bool,
    wildcards: bool,
) -> Result<(), Error> {
    if s.is_empty() && !allow_empty {
        return Err(Error::param(param, ParamError::Empty));
    }
    if let Some(&bad) = s
        .as_bytes()
        .iter()
        .find(|&&b| !(0x20..=0x7E).contains(&b) || b == b'"')
    {
        return Err(Error::param(param, ParamError::ForbiddenByte(bad)));
    }
    if s.len() > max_len {
        return Err(Error::param(param, ParamError::TooLong));
    }
    if !wildcards && s.bytes().any(|b| b == b'*' || b == b'?') {
        return Err(Error::param(param, ParamError::Wildcard));
    }
    Ok(())
}

macro_rules! checked_str {
    ($(#[$doc:meta])* $name:ident, $param:literal, max = $max:literal, empty = $empty:literal) => {
        checked_str!($(#[$doc])* $name, $param, max = $max, empty = $empty, wildcards = true);
    };
    ($(#[$doc:meta])* $name:ident, $param:literal, max = $max:literal, empty = $empty:literal, wildcards = $wild:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name<'a>(&'a str);

        checked_str!(@impl $name, $param, $max, $empty, $wild);

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
    };
    // A secret: `Debug` and `defmt::Format` print `<hidden>`, and there is
    // no `Display` (`as_str` is the one deliberate way to the text).
    ($(#[$doc:meta])* $name:ident, $param:literal, max = $max:literal, empty = $empty:literal, secret) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a>(&'a str);

        checked_str!(@impl $name, $param, $max, $empty, true);

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&format_args!("<hidden>")).finish()
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name<'_> {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{=str}(<hidden>)", stringify!($name))
            }
        }
    };
    (@impl $name:ident, $param:literal, $max:literal, $empty:literal, $wild:literal) => {
        impl<'a> $name<'a> {
            /// Longest accepted value, in bytes.
            pub const MAX_LEN: usize = $max;

            /// Check `value`: printable ASCII without `"`, not longer than
            /// [`MAX_LEN`](Self::MAX_LEN) (see the type's docs for emptiness).
            pub fn new(value: &'a str) -> Result<Self, Error> {
                check_at_string(value, $param, $max, $empty, $wild)?;
                Ok(Self(value))
            }

            /// The checked text.
            pub const fn as_str(&self) -> &'a str {
                self.0
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = Error;
            fn try_from(value: &'a str) -> Result<Self, Error> {
                Self::new(value)
            }
        }
    };
}

checked_str! {
    /// The name of one file on the module, e.g. `RAM:cacert.pem`,
    /// `UFS:client.pem` (≤ 80 bytes). No wildcard (`*`, `?`): what takes a
    /// `FileName` (upload, delete, a certificate setting) acts on that file
    /// only. A listing takes a [`FilePattern`].
    FileName, "filename", max = 80, empty = false, wildcards = false
}
checked_str! {
    /// A file name pattern for `AT+QFLST`, e.g. `*`, `RAM:*`, `UFS:*.pem`
    /// (≤ 80 bytes); only a listing takes one.
    FilePattern, "filename", max = 80, empty = false
}

impl<'a> From<FileName<'a>> for FilePattern<'a> {
    /// A name is a pattern that matches itself.
    fn from(name: FileName<'a>) -> Self {
        Self(name.0)
    }
}
checked_str! {
    /// `<serveraddr>`: a host name or IP address (≤ 150 bytes).
    HostName, "serveraddr", max = 150, empty = false
}
checked_str! {
    /// `<APN>` of a PDP context (≤ 100 bytes; may be empty).
    Apn, "APN", max = 100, empty = true
}
checked_str! {
    /// `<username>` of a PDP context (≤ 127 bytes; may be empty).
    UserName, "username", max = 127, empty = true
}
checked_str! {
    /// `<password>` of a PDP context (≤ 127 bytes; may be empty). A secret:
    /// `Debug` and `defmt::Format` print `<hidden>`.
    Password, "password", max = 127, empty = true, secret
}
checked_str! {
    /// `<identity>` of a pre-shared key (≤ 255 bytes; may be empty).
    PskIdentity, "identity", max = 255, empty = true
}
checked_str! {
    /// `<key>` of a pre-shared key (≤ 255 bytes; may be empty). A secret:
    /// `Debug` and `defmt::Format` print `<hidden>`.
    PskKey, "key", max = 255, empty = true, secret
}
checked_str! {
    /// `<ALPN_name>`: the protocol offered by ALPN, e.g. `h2`, `http/1.1`
    /// (≤ 64 bytes; empty means no ALPN extension).
    AlpnName, "ALPN_name", max = 64, empty = true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hold_only_their_range() {
        assert!(SslContextId::new(5).is_ok());
        assert_eq!(
            SslContextId::new(6),
            Err(Error::param("SSL_ctxID", ParamError::OutOfRange))
        );
        assert!(ClientId::new(11).is_ok());
        assert!(ClientId::new(12).is_err());
        assert!(PdpContextId::new(0).is_err());
        assert!(PdpContextId::new(1).is_ok());
        assert!(PdpContextId::new(16).is_ok());
        assert!(PdpContextId::new(17).is_err());
        assert_eq!(ClientId::all().count(), 12);
        assert_eq!(SslContextId::all().count(), 6);
        assert_eq!(PdpContextId::all().count(), 16);
        assert_eq!(PdpContextId::MIN.index(), 0);
    }

    #[test]
    fn lengths_hold_only_their_range() {
        assert!(SendLength::new(0).is_err());
        assert!(SendLength::new(1460).is_ok());
        assert!(SendLength::new(1461).is_err());
        assert!(ReadLength::new(1500).is_ok());
        assert!(ReadLength::new(1501).is_err());
        assert!(ReadLength::new(0).is_err());
        assert!(NegotiateTime::new(9).is_err());
        assert!(NegotiateTime::new(10).is_ok());
        assert!(NegotiateTime::new(300).is_ok());
        assert!(NegotiateTime::new(301).is_err());
    }

    #[test]
    fn strings_that_would_break_the_line_are_refused() {
        for bad in [
            "a\"b", "a\rb", "a\nb", "a\0b", "a\x1Ab", "a\x1Bb", "a\tb", "é",
        ] {
            let err = FileName::new(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidParameter {
                        param: "filename",
                        reason: ParamError::ForbiddenByte(_)
                    }
                ),
                "{bad:?} gave {err:?}"
            );
        }
        assert_eq!(
            FileName::new(""),
            Err(Error::param("filename", ParamError::Empty))
        );
        assert!(Apn::new("").is_ok());
        let long = "x".repeat(81);
        assert_eq!(
            FileName::new(&long),
            Err(Error::param("filename", ParamError::TooLong))
        );
        assert!(FileName::new(&long[..80]).is_ok());
        let psk = "k".repeat(255);
        assert!(PskKey::new(&psk).is_ok());
        assert!(PskKey::new(&"k".repeat(256)).is_err());
        assert_eq!(
            FileName::new("RAM:cacert.pem").unwrap().as_str(),
            "RAM:cacert.pem"
        );
    }

    #[test]
    fn secrets_never_print() {
        let key = PskKey::new("k3y-0123456789").unwrap();
        let password = Password::new("pa55-word").unwrap();
        assert_eq!(format!("{key:?}"), "PskKey(<hidden>)");
        assert_eq!(format!("{password:#?}"), "Password(\n    <hidden>,\n)");
        // The text is there for the command line, and only through as_str.
        assert_eq!(key.as_str(), "k3y-0123456789");
        assert_eq!(password.as_str(), "pa55-word");
        // Names and identities are not secrets.
        assert_eq!(
            format!("{:?}", PskIdentity::new("dev-1").unwrap()),
            "PskIdentity(\"dev-1\")"
        );
    }
}
