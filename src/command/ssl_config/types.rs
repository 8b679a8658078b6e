//! Values of the `AT+QSSLCFG` settings.

macro_rules! wire_enum {
    (
        $(#[$doc:meta])* $name:ident : $param:literal {
            $( $(#[$vdoc:meta])* $variant:ident = $code:literal ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        ///
        /// Exhaustive: the vendor's manual fixes the whole value set, so a
        /// match needs no wildcard arm.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
        }

        impl $name {
            /// Every value, in the vendor's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The number written on the AT line.
            pub const fn code(self) -> u8 {
                match self {
                    $( Self::$variant => $code, )*
                }
            }

            /// The value for a number read from the module.
            pub const fn from_code(code: u8) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }

        impl TryFrom<u8> for $name {
            type Error = crate::error::Error;
            fn try_from(code: u8) -> Result<Self, crate::error::Error> {
                Self::from_code(code).ok_or(crate::error::Error::param(
                    $param,
                    crate::error::ParamError::OutOfRange,
                ))
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// `<SSL_version>`.
    ///
    /// SSL 3.0, TLS 1.0 and TLS 1.1 are broken or deprecated (POODLE, BEAST,
    /// SHA-1/MD5 handshake hashes; RFC 8996 forbids TLS 1.0/1.1): choose them
    /// only for a server that can do nothing better. `All` lets a downgrade
    /// attacker pick the weakest one.
    SslVersion: "SSL_version" {
        /// 0: SSL 3.0 (broken: POODLE).
        Ssl30 = 0,
        /// 1: TLS 1.0 (deprecated, RFC 8996).
        Tls10 = 1,
        /// 2: TLS 1.1 (deprecated, RFC 8996).
        Tls11 = 2,
        /// 3: TLS 1.2 — the secure choice.
        Tls12 = 3,
        /// 4: all of the above (negotiates down to SSL 3.0 if the peer does).
        All = 4,
    }
}

wire_enum! {
    /// `<seclevel>`: how the peer is authenticated.
    ///
    /// `NoAuthentication` accepts any certificate: anyone on the path can read
    /// and change the traffic. Use it only for tests.
    SecLevel: "seclevel" {
        /// 0: no authentication (insecure: no certificate is checked).
        NoAuthentication = 0,
        /// 1: authenticate the server against the configured CA.
        Server = 1,
        /// 2: authenticate the server, and present a client certificate if
        /// the server asks for one.
        ServerAndClient = 2,
    }
}

wire_enum! {
    /// `<DTLS_ver>` (only used when DTLS is on).
    DtlsVersion: "DTLS_ver" {
        /// 0: DTLS 1.0.
        Dtls10 = 0,
        /// 1: DTLS 1.2.
        Dtls12 = 1,
    }
}

wire_enum! {
    /// `<close_time_mode>`: the unit of `AT+QSSLCLOSE`'s timeout.
    CloseTimeMode: "close_time_mode" {
        /// 0: seconds.
        Seconds = 0,
        /// 1: milliseconds.
        Milliseconds = 1,
    }
}

macro_rules! cipher_suites {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $iana:literal, weak = $weak:literal; )*) => {
        /// `<cipher_suites>`: one suite of the module's list, or all of them.
        ///
        /// Written unquoted as `0X` + four hex digits, as the module wants.
        /// Suites with RC4, 3DES or MD5 are broken ([`is_weak`](Self::is_weak)):
        /// RC4 is biased (RFC 7465 prohibits it), 3DES has 64-bit blocks
        /// (Sweet32), MD5 collides. `All` includes them: the server picks.
        /// Static RSA and ECDH suites (`Rsa*`, `Ecdh*`) are not broken but
        /// have no forward secrecy: a later leak of the server's key decrypts
        /// recorded traffic.
        ///
        /// Exhaustive: the module's whole list, as the vendor's manual gives it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum CipherSuite {
            $( $(#[$doc])* $name, )*
            /// `0XFFFF`: every suite above (the module's default), the server
            /// picks. It includes the RC4, 3DES and MD5 suites: with TLS 1.2
            /// only, as `SslConfig`'s default, a maintained server never
            /// picks those (see `SslConfig::cipher`).
            All,
        }

        impl CipherSuite {
            /// The 31 single suites, in the vendor's order (`All` excluded).
            pub const SUITES: &'static [Self] = &[$(Self::$name),*];

            /// The IANA code, as written on the AT line (`0XFFFF` for `All`).
            pub const fn code(self) -> u16 {
                match self {
                    $( Self::$name => $code, )*
                    Self::All => 0xFFFF,
                }
            }

            /// The suite for a code read from the module.
            pub const fn from_code(code: u16) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$name), )*
                    0xFFFF => Some(Self::All),
                    _ => None,
                }
            }

            /// The IANA name, e.g. `TLS_RSA_WITH_AES_256_CBC_SHA`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Self::$name => $iana, )*
                    Self::All => "ALL",
                }
            }

            /// `true` for suites built on RC4, 3DES or MD5, and for `All`
            /// (which includes them: with another version than TLS 1.2 only,
            /// a weakness).
            pub const fn is_weak(self) -> bool {
                match self {
                    $( Self::$name => $weak, )*
                    Self::All => true,
                }
            }
        }
    };
}

cipher_suites! {
    /// 0X0035
    RsaAes256CbcSha = 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", weak = false;
    /// 0X002F
    RsaAes128CbcSha = 0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", weak = false;
    /// 0X0005 (weak: RC4)
    RsaRc4128Sha = 0x0005, "TLS_RSA_WITH_RC4_128_SHA", weak = true;
    /// 0X0004 (weak: RC4, MD5)
    RsaRc4128Md5 = 0x0004, "TLS_RSA_WITH_RC4_128_MD5", weak = true;
    /// 0X000A (weak: 3DES)
    Rsa3desEdeCbcSha = 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", weak = true;
    /// 0X003D
    RsaAes256CbcSha256 = 0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", weak = false;
    /// 0XC002 (weak: RC4)
    EcdhEcdsaRc4128Sha = 0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", weak = true;
    /// 0XC003 (weak: 3DES)
    EcdhEcdsa3desEdeCbcSha = 0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", weak = true;
    /// 0XC004
    EcdhEcdsaAes128CbcSha = 0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", weak = false;
    /// 0XC005
    EcdhEcdsaAes256CbcSha = 0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", weak = false;
    /// 0XC007 (weak: RC4)
    EcdheEcdsaRc4128Sha = 0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", weak = true;
    /// 0XC008 (weak: 3DES)
    EcdheEcdsa3desEdeCbcSha = 0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", weak = true;
    /// 0XC009
    EcdheEcdsaAes128CbcSha = 0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", weak = false;
    /// 0XC00A
    EcdheEcdsaAes256CbcSha = 0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", weak = false;
    /// 0XC011 (weak: RC4)
    EcdheRsaRc4128Sha = 0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", weak = true;
    /// 0XC012 (weak: 3DES)
    EcdheRsa3desEdeCbcSha = 0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", weak = true;
    /// 0XC013
    EcdheRsaAes128CbcSha = 0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", weak = false;
    /// 0XC014
    EcdheRsaAes256CbcSha = 0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", weak = false;
    /// 0XC00C (weak: RC4)
    EcdhRsaRc4128Sha = 0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", weak = true;
    /// 0XC00D (weak: 3DES)
    EcdhRsa3desEdeCbcSha = 0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", weak = true;
    /// 0XC00E
    EcdhRsaAes128CbcSha = 0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", weak = false;
    /// 0XC00F
    EcdhRsaAes256CbcSha = 0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", weak = false;
    /// 0XC023
    EcdheEcdsaAes128CbcSha256 = 0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", weak = false;
    /// 0XC024
    EcdheEcdsaAes256CbcSha384 = 0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", weak = false;
    /// 0XC025
    EcdhEcdsaAes128CbcSha256 = 0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", weak = false;
    /// 0XC026
    EcdhEcdsaAes256CbcSha384 = 0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", weak = false;
    /// 0XC027
    EcdheRsaAes128CbcSha256 = 0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", weak = false;
    /// 0XC028
    EcdheRsaAes256CbcSha384 = 0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", weak = false;
    /// 0XC029
    EcdhRsaAes128CbcSha256 = 0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", weak = false;
    /// 0XC02A
    EcdhRsaAes256CbcSha384 = 0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", weak = false;
    /// 0XC02F
    EcdheRsaAes128GcmSha256 = 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", weak = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_31_suites_and_all() {
        assert_eq!(CipherSuite::SUITES.len(), 31);
        for &suite in CipherSuite::SUITES {
            assert_eq!(CipherSuite::from_code(suite.code()), Some(suite));
            assert_eq!(
                suite.is_weak(),
                ["RC4", "3DES", "MD5"]
                    .iter()
                    .any(|w| suite.name().contains(w)),
                "{}",
                suite.name()
            );
        }
        assert_eq!(CipherSuite::from_code(0xFFFF), Some(CipherSuite::All));
        assert_eq!(CipherSuite::from_code(0x1301), None);
        let weak = CipherSuite::SUITES.iter().filter(|s| s.is_weak()).count();
        assert_eq!(weak, 11);
    }

    #[test]
    fn enums_round_trip_their_codes() {
        for &v in SslVersion::ALL {
            assert_eq!(SslVersion::from_code(v.code()), Some(v));
        }
        assert_eq!(SslVersion::ALL.len(), 5);
        assert_eq!(SslVersion::Tls12.code(), 3);
        assert!(SslVersion::try_from(5).is_err());
        assert_eq!(SecLevel::from_code(2), Some(SecLevel::ServerAndClient));
        assert_eq!(DtlsVersion::from_code(1), Some(DtlsVersion::Dtls12));
        assert_eq!(
            CloseTimeMode::from_code(1),
            Some(CloseTimeMode::Milliseconds)
        );
        assert_eq!(CloseTimeMode::from_code(2), None);
    }
}
