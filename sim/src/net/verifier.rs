//! The module's server-certificate check: webpki against the uploaded CA,
//! with the validity dates taken from the module clock, and the relaxations
//! of `ignorelocaltime`, `ignoremulticertchainverify` and
//! `ignoreinvalidcertsign`.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::clock::SharedClock;

/// How many times a date failure is retried with a time inside the failing
/// certificate's validity (one per certificate of a typical chain).
const DATE_RETRIES: usize = 4;

/// A server certificate verifier configured from an SSL context.
#[derive(Debug)]
pub(crate) struct ModuleVerifier {
    /// `None` for `seclevel` 0: no authentication at all.
    pub inner: Option<Arc<WebPkiServerVerifier>>,
    pub provider: Arc<CryptoProvider>,
    pub clock: SharedClock,
    pub ignore_dates: bool,
    pub ignore_chain: bool,
    pub ignore_signature: bool,
}

impl ServerCertVerifier for ModuleVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let Some(inner) = &self.inner else {
            return Ok(ServerCertVerified::assertion());
        };
        let secs = self.clock.now_unix().max(0) as u64;
        let mut now = UnixTime::since_unix_epoch(Duration::from_secs(secs));
        let mut attempts = 0;
        loop {
            let result = inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            );
            let Err(Error::InvalidCertificate(error)) = &result else {
                return result;
            };
            attempts += 1;
            match error {
                CertificateError::ExpiredContext { not_after, .. }
                    if self.ignore_dates && attempts <= DATE_RETRIES =>
                {
                    now = UnixTime::since_unix_epoch(Duration::from_secs(
                        not_after.as_secs().saturating_sub(1),
                    ));
                }
                CertificateError::NotValidYetContext { not_before, .. }
                    if self.ignore_dates && attempts <= DATE_RETRIES =>
                {
                    now = UnixTime::since_unix_epoch(Duration::from_secs(not_before.as_secs() + 1));
                }
                CertificateError::BadSignature if self.ignore_signature => {
                    return Ok(ServerCertVerified::assertion());
                }
                CertificateError::UnknownIssuer
                    if self.ignore_chain && !intermediates.is_empty() =>
                {
                    return Ok(ServerCertVerified::assertion());
                }
                _ => return result,
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
