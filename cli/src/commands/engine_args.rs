//! Flags about the BuildKit daemon shared by the commands that run plans
//! (`compute`, `up`): TLS to a remote daemon and the remote build cache.
//!
//! Flatten [`EngineArgs`] into a command's `Args`, turn it into
//! [`EngineOptions`] with [`EngineArgs::options`] (a usage error, exit 2,
//! when it fails), give them to the solver (`LazySolver::with_engine`), and
//! once the run succeeded call [`export_cache`] to write `--cache-to`.
//!
//! The daemon's address stays `BUILDKIT_HOST` (else Docker's BuildKit);
//! registry credentials come from the Docker config (`DOCKER_CONFIG`,
//! `~/.docker/config.json`) without any flag.

use std::path::PathBuf;

use ::dag::buildkit::{EngineOptions, LazySolver};
use ::llb::client::{CacheOptions, CacheSpec, ConnectOptions, TlsOptions};

use super::progress::Diag;

/// TLS and cache flags; each TLS flag falls back to its `BUILDKIT_TLS_*`
/// environment variable.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// CA certificate (PEM) that signed a tcp:// daemon's certificate
    /// [env: BUILDKIT_TLS_CA_CERT]; default: the system's CAs.
    #[arg(long = "tlscacert", value_name = "FILE")]
    pub tls_ca_cert: Option<PathBuf>,
    /// Client certificate (PEM) for a daemon that requires mutual TLS
    /// [env: BUILDKIT_TLS_CERT]; needs --tlskey.
    #[arg(long = "tlscert", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tlscert [env: BUILDKIT_TLS_KEY].
    #[arg(long = "tlskey", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Name the daemon's certificate must be valid for, when it is not the
    /// host of BUILDKIT_HOST [env: BUILDKIT_TLS_SERVER_NAME].
    #[arg(long = "tlsservername", value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Export the build cache when the run succeeded (repeatable):
    /// `type=registry,ref=REF[,mode=min|max]` or
    /// `type=local,dest=DIR[,mode=min|max]`; mode=max also exports
    /// intermediate steps.
    #[arg(long = "cache-to", value_name = "SPEC")]
    pub cache_to: Vec<String>,
    /// Import build cache (repeatable): `type=registry,ref=REF` or
    /// `type=local,src=DIR` (a --cache-to type=local,dest=DIR); a bare REF
    /// means type=registry.
    #[arg(long = "cache-from", value_name = "SPEC")]
    pub cache_from: Vec<String>,
}

/// The value of a flag, else of its environment variable (empty = unset).
fn or_env<T: Clone>(flag: &Option<T>, var: &str, from: impl Fn(String) -> T) -> Option<T> {
    flag.clone()
        .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()).map(from))
}

impl EngineArgs {
    /// The TLS options (flags, else `BUILDKIT_TLS_*`), files checked.
    pub fn tls(&self) -> Result<TlsOptions, String> {
        let tls = TlsOptions {
            ca_cert: or_env(&self.tls_ca_cert, "BUILDKIT_TLS_CA_CERT", PathBuf::from),
            cert: or_env(&self.tls_cert, "BUILDKIT_TLS_CERT", PathBuf::from),
            key: or_env(&self.tls_key, "BUILDKIT_TLS_KEY", PathBuf::from),
            server_name: or_env(&self.tls_server_name, "BUILDKIT_TLS_SERVER_NAME", |s| s),
        };
        match (&tls.cert, &tls.key) {
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
        for (flag, path) in [
            ("--tlscacert", &tls.ca_cert),
            ("--tlscert", &tls.cert),
            ("--tlskey", &tls.key),
        ] {
            if let Some(p) = path {
                if let Err(e) = std::fs::metadata(p) {
                    return Err(format!("{flag} {}: {e}", p.display()));
                }
            }
        }
        if tls.is_set() {
            if let Ok(host) = std::env::var("BUILDKIT_HOST") {
                if !host.is_empty() && !host.starts_with("tcp://") {
                    return Err(format!(
                        "the TLS options (--tlscacert, --tlscert, --tlskey, --tlsservername, \
                         BUILDKIT_TLS_*) are for a tcp:// daemon, and BUILDKIT_HOST is {host}"
                    ));
                }
            }
        }
        if let Some(name) = &tls.server_name {
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!("--tlsservername {name:?} is not a host name"));
            }
        }
        Ok(tls)
    }

    /// The cache exports and imports, parsed (relative paths from the
    /// working directory).
    pub fn cache(&self) -> Result<CacheOptions, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        let exports = self
            .cache_to
            .iter()
            .map(|s| CacheSpec::parse_export(s, &cwd))
            .collect::<Result<Vec<_>, _>>()?;
        let imports = self
            .cache_from
            .iter()
            .map(|s| CacheSpec::parse_import(s, &cwd))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CacheOptions { exports, imports })
    }

    /// What the solver needs, or a usage error (exit 2).
    pub fn options(&self) -> Result<EngineOptions, String> {
        Ok(EngineOptions {
            connect: ConnectOptions { tls: self.tls()? },
            cache: self.cache()?,
        })
    }
}

/// Writes the `--cache-to` exports of a successful run and says so on
/// stderr (a `cache-exported` event in JSON mode); the error to print
/// (exit 1) when the export failed.
pub async fn export_cache(solver: &LazySolver, diag: Diag) -> Result<(), String> {
    for spec in solver.export_cache().await? {
        if diag.json {
            diag.event("cache-exported", serde_json::json!({ "to": spec }));
        } else {
            diag.note(&format!("cache exported to {spec}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cert_needs_its_key() {
        let args = EngineArgs {
            tls_cert: Some("/etc/hostname".into()),
            ..Default::default()
        };
        // BUILDKIT_TLS_KEY may be set around the tests: only check when not.
        if std::env::var_os("BUILDKIT_TLS_KEY").is_none() {
            assert!(args.tls().unwrap_err().contains("--tlscert needs --tlskey"));
        }
    }

    #[test]
    fn missing_files_and_bad_cache_specs_are_usage_errors() {
        let args = EngineArgs {
            tls_ca_cert: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        };
        assert!(args
            .tls()
            .unwrap_err()
            .starts_with("--tlscacert /nonexistent/ca.pem: "));
        let args = EngineArgs {
            cache_to: vec!["type=registry".into()],
            ..Default::default()
        };
        assert!(args.cache().unwrap_err().contains("needs ref=REF"));
    }
}
