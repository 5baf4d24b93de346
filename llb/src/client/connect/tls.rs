//! TLS to a remote daemon (`BUILDKIT_HOST=tcp://HOST:PORT`), with the
//! options `buildctl` has: a CA to check the daemon's certificate with, a
//! client certificate and key for mutual TLS, and the name the daemon's
//! certificate must carry (default: HOST).
//!
//! Certificates and keys are read once, when the connection options are
//! turned into a [`TlsConnector`]; every problem there is an error naming
//! the file and the option it came from. Handshake failures are explained
//! in words (unknown CA, wrong name, client certificate required).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// TLS settings for a `tcp://` daemon; any of them set turns TLS on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file of the CA (or CAs) that signed the daemon's certificate;
    /// without it the system's CA bundle is used.
    pub ca_cert: Option<PathBuf>,
    /// PEM file of this client's certificate (mutual TLS).
    pub cert: Option<PathBuf>,
    /// PEM file of this client's private key (mutual TLS).
    pub key: Option<PathBuf>,
    /// Name the daemon's certificate must be valid for (default: the host
    /// of the address).
    pub server_name: Option<String>,
}

impl TlsOptions {
    /// Whether any option is set (then TLS is used).
    pub fn is_set(&self) -> bool {
        self.ca_cert.is_some()
            || self.cert.is_some()
            || self.key.is_some()
            || self.server_name.is_some()
    }
}

/// System CA bundles, first found wins (`SSL_CERT_FILE` before them).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// A ready TLS client configuration for one daemon address.
#[derive(Clone)]
pub(crate) struct TlsConnector {
    config: Arc<rustls::ClientConfig>,
    server_name: ServerName<'static>,
    /// What the options were, for error messages.
    ca_label: String,
    has_client_cert: bool,
    /// The last error of a TLS connection after its handshake (TLS 1.3
    /// servers refuse a client certificate then), explained.
    last_error: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConnector")
            .field("server_name", &self.server_name)
            .field("ca", &self.ca_label)
            .field("client_cert", &self.has_client_cert)
            .finish()
    }
}

fn read_pem_certs(path: &Path, option: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{option} {}: {e}", path.display()))?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            format!(
                "{option} {}: not a PEM certificate file ({e})",
                path.display()
            )
        })?;
    if certs.is_empty() {
        return Err(format!(
            "{option} {}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file",
            path.display()
        ));
    }
    Ok(certs)
}

impl TlsConnector {
    /// Reads the files of `opts` for a daemon at `host` (the address's host
    /// part, brackets of an IPv6 address removed).
    pub(crate) fn new(opts: &TlsOptions, host: &str) -> Result<TlsConnector, String> {
        match (&opts.cert, &opts.key) {
            (Some(_), None) => {
                return Err(
                    "--tlscert needs --tlskey (the client certificate's private key)".into(),
                )
            }
            (None, Some(_)) => {
                return Err("--tlskey needs --tlscert (the client certificate)".into())
            }
            _ => {}
        }
        // ring rather than aws-lc (no cmake, quicker to build); its lack of
        // post-quantum key exchange is what the deprecation is about.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        let ca_label = match &opts.ca_cert {
            Some(path) => {
                for cert in read_pem_certs(path, "--tlscacert")? {
                    roots.add(cert).map_err(|e| {
                        format!(
                            "--tlscacert {}: not a usable CA certificate ({e})",
                            path.display()
                        )
                    })?;
                }
                format!("the CA in {}", path.display())
            }
            None => {
                let bundle = std::env::var_os("SSL_CERT_FILE")
                    .map(PathBuf::from)
                    .into_iter()
                    .chain(SYSTEM_BUNDLES.iter().map(PathBuf::from))
                    .find(|p| p.is_file())
                    .ok_or_else(|| {
                        "no --tlscacert given and no system CA bundle found (looked for \
                         SSL_CERT_FILE and /etc/ssl/certs/ca-certificates.crt): pass the \
                         CA that signed the daemon's certificate with --tlscacert"
                            .to_string()
                    })?;
                for cert in read_pem_certs(&bundle, "system CA bundle")? {
                    // A bundle may hold certificates rustls cannot use; the
                    // others still count.
                    let _ = roots.add(cert);
                }
                format!("the system's CAs ({})", bundle.display())
            }
        };
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots);
        let mut config = match (&opts.cert, &opts.key) {
            (Some(cert), Some(key)) => {
                let chain = read_pem_certs(cert, "--tlscert")?;
                let key_bytes =
                    std::fs::read(key).map_err(|e| format!("--tlskey {}: {e}", key.display()))?;
                let private = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|_| {
                    format!(
                        "--tlskey {}: no PEM private key (PKCS#8, PKCS#1 or SEC1) in the file",
                        key.display()
                    )
                })?;
                builder.with_client_auth_cert(chain, private).map_err(|e| {
                    format!(
                        "--tlscert {} and --tlskey {} do not make a usable client \
                             certificate: {e}",
                        cert.display(),
                        key.display()
                    )
                })?
            }
            _ => builder.with_no_client_auth(),
        };
        // gRPC over TLS is HTTP/2, agreed by ALPN (grpc-go servers insist).
        config.alpn_protocols = vec![b"h2".to_vec()];
        let name = opts.server_name.as_deref().unwrap_or(host);
        let server_name = ServerName::try_from(name.to_string())
            .map_err(|_| format!("--tlsservername {name:?} is not a DNS name or IP address"))?;
        Ok(TlsConnector {
            config: Arc::new(config),
            server_name,
            ca_label,
            has_client_cert: opts.cert.is_some(),
            last_error: Default::default(),
        })
    }

    /// Runs the TLS handshake on `tcp`.
    pub(crate) async fn connect(&self, tcp: TcpStream) -> std::io::Result<Recorded> {
        let connector = tokio_rustls::TlsConnector::from(self.config.clone());
        let stream = connector
            .connect(self.server_name.clone(), tcp)
            .await
            .map_err(|e| std::io::Error::new(e.kind(), self.explain(&e.to_string())))?;
        Ok(Recorded {
            inner: stream,
            tls: self.clone(),
        })
    }

    /// The explained error of a TLS connection that failed after its
    /// handshake, if one did.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    fn record<T>(&self, r: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if let Poll::Ready(Err(e)) = &r {
            let text = e.to_string();
            if let Ok(mut slot) = self.last_error.lock() {
                // The daemon's alert says why; a broken pipe after it does not.
                if slot.is_none() || text.contains("alert") {
                    *slot = Some(self.explain(&text));
                }
            }
        }
        r
    }

    /// A TLS error in words: what it means for the options given.
    pub(crate) fn explain(&self, error: &str) -> String {
        let name = match &self.server_name {
            ServerName::DnsName(d) => d.as_ref().to_string(),
            ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
            other => format!("{other:?}"),
        };
        if error.contains("UnknownIssuer")
            || error.contains("unknown issuer")
            || error.contains("BadSignature")
        {
            format!(
                "TLS: the daemon's certificate is not signed by {} (check --tlscacert; {error})",
                self.ca_label
            )
        } else if error.contains("NotValidForName") || error.contains("not valid for name") {
            format!(
                "TLS: the daemon's certificate is not valid for the name {name:?} (set \
                 --tlsservername to a name the certificate carries; {error})"
            )
        } else if error.contains("Expired")
            || error.contains("NotValidYet")
            || error.contains("expired")
            || error.contains("not valid yet")
        {
            format!("TLS: the daemon's certificate is outside its validity period ({error})")
        } else if error.contains("CertificateRequired")
            || (!self.has_client_cert
                && (error.contains("HandshakeFailure") || error.contains("BadCertificate")))
        {
            "TLS: the daemon requires a client certificate: pass --tlscert and --tlskey \
             (or BUILDKIT_TLS_CERT and BUILDKIT_TLS_KEY)"
                .to_string()
        } else if !self.has_client_cert
            && (error.contains("Broken pipe")
                || error.contains("reset by peer")
                || error.contains("unexpected end of file"))
        {
            format!(
                "TLS: the daemon closed the connection after the handshake: it likely requires \
                 a client certificate: pass --tlscert and --tlskey ({error})"
            )
        } else if self.has_client_cert
            && (error.contains("Broken pipe")
                || error.contains("reset by peer")
                || error.contains("unexpected end of file"))
        {
            format!(
                "TLS: the daemon closed the connection after the handshake: it may not accept \
                 the client certificate (is it signed by a CA the daemon trusts?; {error})"
            )
        } else if error.contains("BadCertificate")
            || error.contains("UnknownCA")
            || error.contains("DecryptError")
        {
            format!(
                "TLS: the daemon refused the client certificate (is it signed by a CA the \
                 daemon trusts?; {error})"
            )
        } else if error.contains("InvalidContentType") || error.contains("CorruptMessage") {
            format!("TLS: the daemon did not answer in TLS (does it listen without TLS?; {error})")
        } else {
            format!("TLS: {error}")
        }
    }
}

/// A TLS stream whose errors are kept by its connector: the HTTP/2 layer
/// above turns them into a bare "operation was canceled".
pub(crate) struct Recorded {
    inner: TlsStream<TcpStream>,
    tls: TlsConnector,
}

impl AsyncRead for Recorded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.tls.record(r)
    }
}

impl AsyncWrite for Recorded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.tls.record(r)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_flush(cx);
        this.tls.record(r)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_option_turns_tls_on() {
        assert!(!TlsOptions::default().is_set());
        assert!(TlsOptions {
            server_name: Some("x".into()),
            ..Default::default()
        }
        .is_set());
    }

    #[test]
    fn a_cert_without_a_key_and_a_bad_ca_file_are_refused() {
        let opts = TlsOptions {
            cert: Some("/nonexistent/cert.pem".into()),
            ..Default::default()
        };
        let dir = std::env::temp_dir();
        let ca = dir.join(format!("llb-tls-test-{}.pem", std::process::id()));
        std::fs::write(&ca, "not a certificate").unwrap();
        let err = TlsConnector::new(
            &TlsOptions {
                ca_cert: Some(ca.clone()),
                ..Default::default()
            },
            "localhost",
        )
        .unwrap_err();
        assert!(
            err.contains("--tlscacert") && err.contains("no PEM certificate"),
            "{err}"
        );
        std::fs::remove_file(&ca).unwrap();
        let err = TlsConnector::new(&opts, "localhost").unwrap_err();
        assert_eq!(
            err,
            "--tlscert needs --tlskey (the client certificate's private key)"
        );
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let err = TlsConnector::new(
            &TlsOptions {
                ca_cert: Some("/nonexistent/ca.pem".into()),
                ..Default::default()
            },
            "localhost",
        )
        .unwrap_err();
        assert!(
            err.starts_with("--tlscacert /nonexistent/ca.pem: "),
            "{err}"
        );
    }
}
