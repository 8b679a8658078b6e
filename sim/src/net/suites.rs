//! The module's 31 cipher suites as OpenSSL names them, which of them the
//! simulator's OpenSSL can negotiate, and the cipher strings an SSL
//! context's `ciphersuite` setting turns into.
//!
//! OpenSSL 3 has every suite of the module except the twelve static-ECDH
//! ones (`TLS_ECDH_ECDSA_*`, `TLS_ECDH_RSA_*`): OpenSSL removed static ECDH
//! key exchange in 1.1.0. RC4 needs the legacy provider, which
//! [`load_legacy_provider`] loads once, before the first context is made.

use std::sync::OnceLock;

use openssl::provider::Provider;
use openssl::ssl::{SslContextBuilder, SslMethod};

use crate::at::{ALL_CIPHER_SUITES, MODULE_CIPHER_SUITES};

/// The module's suites by IANA code, with OpenSSL's name for each.
const OPENSSL_NAMES: [(u16, &str); 31] = [
    (0x0035, "AES256-SHA"),
    (0x002F, "AES128-SHA"),
    (0x0005, "RC4-SHA"),
    (0x0004, "RC4-MD5"),
    (0x000A, "DES-CBC3-SHA"),
    (0x003D, "AES256-SHA256"),
    (0xC002, "ECDH-ECDSA-RC4-SHA"),
    (0xC003, "ECDH-ECDSA-DES-CBC3-SHA"),
    (0xC004, "ECDH-ECDSA-AES128-SHA"),
    (0xC005, "ECDH-ECDSA-AES256-SHA"),
    (0xC007, "ECDHE-ECDSA-RC4-SHA"),
    (0xC008, "ECDHE-ECDSA-DES-CBC3-SHA"),
    (0xC009, "ECDHE-ECDSA-AES128-SHA"),
    (0xC00A, "ECDHE-ECDSA-AES256-SHA"),
    (0xC011, "ECDHE-RSA-RC4-SHA"),
    (0xC012, "ECDHE-RSA-DES-CBC3-SHA"),
    (0xC013, "ECDHE-RSA-AES128-SHA"),
    (0xC014, "ECDHE-RSA-AES256-SHA"),
    (0xC00C, "ECDH-RSA-RC4-SHA"),
    (0xC00D, "ECDH-RSA-DES-CBC3-SHA"),
    (0xC00E, "ECDH-RSA-AES128-SHA"),
    (0xC00F, "ECDH-RSA-AES256-SHA"),
    (0xC023, "ECDHE-ECDSA-AES128-SHA256"),
    (0xC024, "ECDHE-ECDSA-AES256-SHA384"),
    (0xC025, "ECDH-ECDSA-AES128-SHA256"),
    (0xC026, "ECDH-ECDSA-AES256-SHA384"),
    (0xC027, "ECDHE-RSA-AES128-SHA256"),
    (0xC028, "ECDHE-RSA-AES256-SHA384"),
    (0xC029, "ECDH-RSA-AES128-SHA256"),
    (0xC02A, "ECDH-RSA-AES256-SHA384"),
    (0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"),
];

/// The security level every context of the simulator and its test servers
/// runs at: 0, so that SSL 3.0, TLS 1.0/1.1 (MD5+SHA-1 signatures), RC4,
/// 3DES and MD5 are allowed, as the module allows them.
pub(crate) const SECURITY_LEVEL: u32 = 0;

/// The legacy provider (RC4), loaded for the life of the process.
static LEGACY: OnceLock<Option<Provider>> = OnceLock::new();

/// Loads OpenSSL's legacy provider (keeping the default one), once. A
/// context made before this call has no RC4 suites.
pub fn load_legacy_provider() {
    LEGACY.get_or_init(|| Provider::try_load(None, "legacy", true).ok());
}

/// OpenSSL's name of the module's suite `code`, whether or not this OpenSSL
/// has it.
pub fn openssl_name(code: u16) -> Option<&'static str> {
    OPENSSL_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// Whether this OpenSSL knows the cipher string `name` (at security level 0).
fn known(name: &str) -> bool {
    let Ok(mut ctx) = SslContextBuilder::new(SslMethod::tls()) else {
        return false;
    };
    ctx.set_security_level(SECURITY_LEVEL);
    ctx.set_cipher_list(&format!("{name}:@SECLEVEL=0")).is_ok()
}

/// The codes of [`MODULE_CIPHER_SUITES`] that the simulator can negotiate
/// (19 of the 31: all but the static-ECDH ones), in the note's order.
/// `0XFFFF` offers exactly these.
pub fn supported_cipher_suites() -> Vec<u16> {
    static SUPPORTED: OnceLock<Vec<u16>> = OnceLock::new();
    SUPPORTED
        .get_or_init(|| {
            load_legacy_provider();
            MODULE_CIPHER_SUITES
                .iter()
                .map(|(code, _)| *code)
                .filter(|code| openssl_name(*code).is_some_and(known))
                .collect()
        })
        .clone()
}

/// Why the simulator cannot negotiate the module's suite `code`, or `None`
/// when it can.
pub fn unsupported_reason(code: u16) -> Option<&'static str> {
    if supported_cipher_suites().contains(&code) {
        return None;
    }
    Some(match openssl_name(code) {
        Some(name) if name.starts_with("ECDH-") => {
            "static ECDH key exchange: OpenSSL removed it in 1.1.0"
        }
        Some(_) => "this OpenSSL build lacks it",
        None => "not a suite of the module",
    })
}

/// The OpenSSL cipher string for the `ciphersuite` setting `code`, or the
/// reason the simulator cannot offer it.
pub(crate) fn cipher_string(code: u16, psk: bool) -> Result<String, String> {
    let mut names: Vec<&str> = if code == ALL_CIPHER_SUITES {
        supported_cipher_suites()
            .into_iter()
            .filter_map(openssl_name)
            .collect()
    } else if let Some(why) = unsupported_reason(code) {
        return Err(format!("ciphersuite 0X{code:04X}: {why}"));
    } else {
        openssl_name(code).into_iter().collect()
    };
    if psk {
        // The module's list has no PSK suite: with a PSK configured the
        // client offers OpenSSL's PSK suites as well.
        names.push("PSK");
    }
    names.push("@SECLEVEL=0");
    Ok(names.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_suite_has_an_openssl_name() {
        for (code, iana) in MODULE_CIPHER_SUITES {
            assert!(openssl_name(code).is_some(), "{iana}");
        }
        assert_eq!(openssl_name(0x0035), Some("AES256-SHA"));
    }

    #[test]
    fn only_static_ecdh_is_missing() {
        let supported = supported_cipher_suites();
        assert_eq!(supported.len(), 19, "{supported:04X?}");
        for (code, iana) in MODULE_CIPHER_SUITES {
            let static_ecdh = iana.starts_with("TLS_ECDH_");
            assert_eq!(supported.contains(&code), !static_ecdh, "{iana}");
        }
    }

    #[test]
    fn cipher_strings() {
        assert_eq!(
            cipher_string(0x0035, false).unwrap(),
            "AES256-SHA:@SECLEVEL=0"
        );
        assert_eq!(
            cipher_string(0xC02F, true).unwrap(),
            "ECDHE-RSA-AES128-GCM-SHA256:PSK:@SECLEVEL=0"
        );
        assert!(cipher_string(0xC004, false)
            .unwrap_err()
            .contains("static ECDH"));
        let all = cipher_string(ALL_CIPHER_SUITES, false).unwrap();
        assert_eq!(all.split(':').count(), 20);
    }
}
