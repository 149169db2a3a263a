//! TLS for all three listeners, through rustls with ring (no OpenSSL): the certificate and key
//! come from `tls.cert_file`/`tls.key_file`, or `tls.self_signed` makes a private CA and a
//! certificate for the bound names under `$HOME/tls/` (key 0600). Clients verify against
//! `DSPY_AGENT_TLS_CA` or the home's `tls/ca.pem`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The environment variable naming the CA file clients verify the server with.
pub const CA_ENV: &str = "DSPY_AGENT_TLS_CA";

pub fn tls_dir(home: &Path) -> PathBuf {
    home.join("tls")
}

/// The CA a client of this home trusts: `DSPY_AGENT_TLS_CA`, else `$HOME/tls/ca.pem`.
pub fn client_ca_path(home: &Path) -> PathBuf {
    std::env::var_os(CA_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| tls_dir(home).join("ca.pem"))
}

/// A server's certificate chain and key, as PEM.
#[derive(Clone)]
pub struct Identity {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
    /// SHA-256 of the leaf certificate (DER), hex with colons.
    pub fingerprint: String,
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn first_cert_der(pem: &[u8]) -> Result<Vec<u8>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .next()
        .and_then(|c| c.ok())
        .map(|c| c.to_vec())
        .ok_or_else(|| Error::usage("no PEM certificate found"))
}

/// The names a self-signed certificate covers: loopback names, the bound addresses (unless a
/// wildcard), and `extra` (http.allowed_hosts, this machine's host name).
pub fn names_for(bound: &[IpAddr], extra: &[String]) -> Vec<String> {
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    for ip in bound.iter().filter(|ip| !ip.is_unspecified()) {
        names.push(ip.to_string());
    }
    names.extend(extra.iter().filter(|n| !n.is_empty()).cloned());
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// Make (or reuse, when made for the same names) the home's CA and server certificate.
pub fn self_signed(home: &Path, names: &[String]) -> Result<Identity> {
    let dir = tls_dir(home);
    crate::state::ensure_home(&dir)?;
    let (ca_path, cert_path, key_path, names_path) = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("names"),
    );
    let wanted = names.join("\n");
    let same = std::fs::read_to_string(&names_path).is_ok_and(|n| n == wanted);
    if same
        && let (Ok(cert_pem), Ok(key_pem)) = (std::fs::read(&cert_path), std::fs::read(&key_path))
        && ca_path.exists()
    {
        let fingerprint = fingerprint(&first_cert_der(&cert_pem)?);
        return Ok(Identity {
            cert_pem,
            key_pem,
            fingerprint,
        });
    }
    let bad = |e: rcgen::Error| Error::runtime(format!("cannot make a TLS certificate: {e}"));
    let ca_key = rcgen::KeyPair::generate().map_err(bad)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(bad)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "dspy-agent local CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = ca_params.self_signed(&ca_key).map_err(bad)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().map_err(bad)?;
    let mut params = rcgen::CertificateParams::new(names.to_vec()).map_err(bad)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "dspy-agent serve");
    let cert = params.signed_by(&key, &issuer).map_err(bad)?;
    // The CA's key is not kept: a new set of names makes a new CA, which clients fetch again.
    let cert_pem = format!("{}{}", cert.pem(), ca.pem()).into_bytes();
    let key_pem = key.serialize_pem().into_bytes();
    crate::state::write_atomic(&key_path, &key_pem)?;
    crate::state::write_atomic(&cert_path, &cert_pem)?;
    crate::state::write_atomic(&ca_path, ca.pem().as_bytes())?;
    crate::state::write_atomic(&names_path, wanted.as_bytes())?;
    Ok(Identity {
        cert_pem,
        key_pem,
        fingerprint: fingerprint(cert.der()),
    })
}

/// The identity from `tls.cert_file` and `tls.key_file`.
pub fn from_files(cert: &Path, key: &Path) -> Result<Identity> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| Error::usage(format!("cannot read {}: {e}", p.display())))
    };
    let (cert_pem, key_pem) = (read(cert)?, read(key)?);
    let der = first_cert_der(&cert_pem)
        .map_err(|_| Error::usage(format!("{}: no PEM certificate in it", cert.display())))?;
    Ok(Identity {
        fingerprint: fingerprint(&der),
        cert_pem,
        key_pem,
    })
}

/// rustls' server configuration for the HTTP listener (ALPN http/1.1).
pub fn server_config(id: &Identity) -> Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&id.cert_pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::usage(format!("bad TLS certificate: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(&id.key_pem)
        .map_err(|e| Error::usage(format!("bad TLS key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::runtime(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::usage(format!("TLS certificate and key do not fit: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// tonic's server TLS for the gRPC listeners.
pub fn grpc_config(id: &Identity) -> tonic::transport::ServerTlsConfig {
    tonic::transport::ServerTlsConfig::new().identity(tonic::transport::Identity::from_pem(
        &id.cert_pem,
        &id.key_pem,
    ))
}
