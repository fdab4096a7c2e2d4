//! TLS: rustls on ring, certificates from PEM files (reloaded when they change) or generated for
//! development.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum_server::tls_rustls::RustlsConfig;
use base64::Engine as _;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A rustls server configuration with the ring provider, TLS 1.2 and 1.3, and ALPN `http/1.1`
/// only (HTTP/1.1 lets the API server spread calls over several connections, hence replicas).
pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> io::Result<ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(format!("certificate PEM: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(
            "certificate file holds no CERTIFICATE block".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| invalid(format!("private key PEM: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid(format!("certificate and key: {e}")))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Read a certificate chain and key from PEM files.
pub fn load_files(cert: &Path, key: &Path) -> io::Result<ServerConfig> {
    let c = std::fs::read(cert)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", cert.display())))?;
    let k = std::fs::read(key)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", key.display())))?;
    server_config(&c, &k)
}

/// A development CA and a serving certificate it signed.
pub struct SelfSigned {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

impl SelfSigned {
    /// The CA bundle as the webhook configuration's `caBundle` wants it (base64 of the PEM).
    pub fn ca_bundle(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes())
    }
}

/// The names a serving certificate needs inside a cluster and on loopback.
pub fn default_sans(service: &str, namespace: &str) -> Vec<String> {
    vec![
        "localhost".into(),
        "127.0.0.1".into(),
        "::1".into(),
        service.into(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
    ]
}

/// Generate a CA (ECDSA P-256) and a serving certificate for `sans`, signed by it.
pub fn self_signed(sans: &[String]) -> io::Result<SelfSigned> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let err = |e: rcgen::Error| io::Error::other(e.to_string());
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "plimsoll webhook development CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(err)?;
    let mut leaf = CertificateParams::new(sans.to_vec()).map_err(err)?;
    leaf.distinguished_name.push(
        DnType::CommonName,
        sans.first().map(String::as_str).unwrap_or("plimsoll"),
    );
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let cert = leaf.signed_by(&key, &issuer).map_err(err)?;
    Ok(SelfSigned {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// Where the serving certificate comes from.
#[derive(Clone, Debug)]
pub enum TlsSource {
    /// PEM files, polled for changes (cert-manager and kubelet rotate them in place).
    Files {
        cert: PathBuf,
        key: PathBuf,
        reload_every: Duration,
    },
    /// PEM text in memory (`--self-signed`, tests).
    Pem { cert: String, key: String },
}

impl TlsSource {
    pub fn load(&self) -> io::Result<RustlsConfig> {
        let cfg = match self {
            TlsSource::Files { cert, key, .. } => load_files(cert, key)?,
            TlsSource::Pem { cert, key } => server_config(cert.as_bytes(), key.as_bytes())?,
        };
        Ok(RustlsConfig::from_config(Arc::new(cfg)))
    }
}

fn stamp(p: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(p).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Poll the files every `every` and swap the configuration in when they changed and still load.
/// A half-written pair fails to load and is retried at the next tick; the old certificate keeps
/// serving meanwhile. Runs until the task is dropped.
pub async fn watch(config: RustlsConfig, cert: PathBuf, key: PathBuf, every: Duration) {
    let mut last = (stamp(&cert), stamp(&key));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let now = (stamp(&cert), stamp(&key));
        if now == last {
            continue;
        }
        let (c, k) = (cert.clone(), key.clone());
        match tokio::task::spawn_blocking(move || load_files(&c, &k)).await {
            Ok(Ok(cfg)) => {
                config.reload_from_config(Arc::new(cfg));
                last = now;
                tracing::info!(cert = %cert.display(), "reloaded TLS certificate");
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "TLS files changed but do not load; keeping the old certificate")
            }
            Err(e) => tracing::warn!(error = %e, "TLS reload task failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_loads_into_rustls() {
        let s = self_signed(&default_sans("plimsoll", "plimsoll-system")).unwrap();
        assert!(s.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        server_config(s.cert_pem.as_bytes(), s.key_pem.as_bytes()).unwrap();
        assert!(!s.ca_bundle().contains('\n'));
    }

    #[test]
    fn bad_pem_is_an_error() {
        assert!(server_config(b"nope", b"nope").is_err());
    }
}
