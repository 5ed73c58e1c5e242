//! TLS: serving HTTPS natively, asking browsers for an optional client certificate that must
//! chain to the configured CA bundle (the Grid CAs), and handing that certificate to the
//! request. Behind a reverse proxy the certificate arrives in headers instead, trusted only
//! from the configured proxy addresses.

use std::any::Any;
use std::path::Path;
use std::sync::Arc;

use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};

use crate::config::Config;

/// The client certificate (DER) presented on this connection, if any.
#[derive(Debug, Clone)]
pub struct PeerCertificate(pub Vec<u8>);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn read_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    anyhow::ensure!(!certs.is_empty(), "{} holds no certificate", path.display());
    Ok(certs)
}

/// The verifier for client certificates: they must chain to the configured CA bundle.
/// Connections without a certificate are allowed (only certificate login needs one).
pub fn client_verifier(config: &Config) -> anyhow::Result<Option<Arc<dyn ClientCertVerifier>>> {
    let Some(path) = &config.tls_client_ca else {
        return Ok(None);
    };
    let mut roots = RootCertStore::empty();
    for cert in read_certs(path)? {
        roots
            .add(cert)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .allow_unauthenticated()
        .build()
        .map_err(|e| anyhow::anyhow!("client CA bundle {}: {e}", path.display()))?;
    Ok(Some(verifier))
}

/// The server's TLS configuration, when `tls_cert` and `tls_key` are set.
pub fn server_config(
    config: &Config,
    verifier: Option<Arc<dyn ClientCertVerifier>>,
) -> anyhow::Result<Option<rustls::ServerConfig>> {
    let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) else {
        return Ok(None);
    };
    let chain = read_certs(cert)?;
    let key =
        PrivateKeyDer::from_pem_file(key).map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("TLS: {e}"))?;
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let mut server = builder
        .with_single_cert(chain, key)
        .map_err(|e| anyhow::anyhow!("TLS certificate and key: {e}"))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(server))
}

/// `on_connect` hook: turns off Nagle's algorithm on every accepted socket (a response
/// written in parts, as compressed ones are, would otherwise wait for the client's delayed
/// acknowledgement), and remembers the verified client certificate of a TLS connection.
pub fn on_connect(connection: &dyn Any, extensions: &mut Extensions) {
    if let Some(tcp) = connection.downcast_ref::<TcpStream>() {
        let _ = tcp.set_nodelay(true);
    }
    if let Some(tls) =
        connection.downcast_ref::<actix_tls::accept::rustls_0_23::TlsStream<TcpStream>>()
    {
        let (tcp, session) = tls.get_ref();
        let _ = tcp.set_nodelay(true);
        if let Some(cert) = session.peer_certificates().and_then(|c| c.first()) {
            extensions.insert(PeerCertificate(cert.to_vec()));
        }
    }
}

/// Checks a certificate forwarded by a proxy against the CA bundle, when one is configured.
pub fn verify_forwarded(
    verifier: Option<&Arc<dyn ClientCertVerifier>>,
    der: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let Some(verifier) = verifier else {
        return Ok(());
    };
    let cert = CertificateDer::from(der.to_vec());
    let secs = u64::try_from(now.timestamp()).unwrap_or_default();
    verifier
        .verify_client_cert(
            &cert,
            &[],
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs)),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// What b2mms reads from a user certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The subject distinguished name (RFC 4514 style).
    pub dn: String,
    pub email: Option<String>,
    pub common_name: Option<String>,
}

/// Reads the subject of a DER certificate, checking its validity period.
pub fn subject(der: &[u8], now: chrono::DateTime<chrono::Utc>) -> Result<Subject, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| format!("unreadable certificate: {e}"))?;
    let validity = cert.validity();
    let t = now.timestamp();
    if t < validity.not_before.timestamp() || t > validity.not_after.timestamp() {
        return Err("the certificate is outside its validity period".into());
    }
    let subject = cert.subject();
    let email = subject
        .iter_email()
        .filter_map(|a| a.as_str().ok())
        .map(str::to_owned)
        .next()
        .or_else(|| {
            cert.subject_alternative_name()
                .ok()
                .flatten()
                .and_then(|san| {
                    san.value.general_names.iter().find_map(|n| match n {
                        x509_parser::extensions::GeneralName::RFC822Name(e) => {
                            Some((*e).to_owned())
                        }
                        _ => None,
                    })
                })
        });
    let common_name = subject
        .iter_common_name()
        .filter_map(|a| a.as_str().ok())
        .map(str::to_owned)
        .next();
    Ok(Subject {
        dn: subject.to_string(),
        email,
        common_name,
    })
}

/// A PEM certificate from a proxy header (URL-encoded, as nginx's `$ssl_client_escaped_cert`).
pub fn forwarded_der(header: &str) -> Option<Vec<u8>> {
    let pem = percent_encoding::percent_decode_str(header)
        .decode_utf8()
        .ok()?;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .ok()
        .map(|c| c.to_vec())
}
