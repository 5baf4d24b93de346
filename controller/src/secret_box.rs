//! Secret inputs encrypted at rest: `.dagger/` holds only ciphertext.
//!
//! The key is 32 random bytes in the user's config directory
//! (`$XDG_CONFIG_HOME/dagger/secrets.key`, else `~/.config/dagger/...`),
//! mode 0600, outside the project: copying or committing `.dagger/` does
//! not give away a secret. Each value is sealed with ChaCha20-Poly1305, a
//! random nonce, and the controller name and field path as associated
//! data, so a ciphertext moved to another field or controller fails to open.

use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

use crate::state::SecretRef;

/// Why a secret could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SecretError(pub String);

/// The key file's path.
pub fn key_path() -> Result<PathBuf, SecretError> {
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(h) => PathBuf::from(h).join(".config"),
            None => {
                return Err(SecretError(
                    "cannot find the user's config directory (neither XDG_CONFIG_HOME nor HOME is set) to keep the secrets key".into(),
                ))
            }
        },
    };
    Ok(base.join("dagger").join("secrets.key"))
}

/// The key, created on first use.
fn key(create: bool) -> Result<[u8; 32], SecretError> {
    let path = key_path()?;
    let err = |what: &str, e: std::io::Error| {
        SecretError(format!("{what} the secrets key {}: {e}", path.display()))
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let mode = std::fs::metadata(&path)
                .map_err(|e| err("cannot read", e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(SecretError(format!(
                    "the secrets key {} is readable by others (mode {:o}); run `chmod 600 {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                )));
            }
            bytes.try_into().map_err(|_| {
                SecretError(format!(
                    "the secrets key {} is not 32 bytes long",
                    path.display()
                ))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let dir = path.parent().unwrap_or(std::path::Path::new("."));
            std::fs::create_dir_all(dir).map_err(|e| err("cannot create", e))?;
            let mut bytes = [0u8; 32];
            random(&mut bytes).map_err(|e| err("cannot create", e))?;
            // Written under a temporary name with mode 0600 from the
            // start, then renamed: never readable by others, never partial.
            let tmp = dir.join(format!(".secrets.key.{}", std::process::id()));
            {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&tmp)
                    .map_err(|e| err("cannot create", e))?;
                f.write_all(&bytes).map_err(|e| err("cannot write", e))?;
                f.sync_all().map_err(|e| err("cannot write", e))?;
            }
            // Another process may have won the race: keep its key.
            if std::fs::hard_link(&tmp, &path).is_err() {
                let _ = std::fs::remove_file(&tmp);
                return key(false);
            }
            let _ = std::fs::remove_file(&tmp);
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SecretError(format!(
            "the secrets key {} is missing: the secret was encrypted with a key that is no longer there; set it again with `dagger input secret`",
            path.display()
        ))),
        Err(e) => Err(err("cannot read", e)),
    }
}

fn random(buf: &mut [u8]) -> std::io::Result<()> {
    std::fs::File::open("/dev/urandom")?.read_exact(buf)
}

fn aad(controller: &str, path: &str) -> Vec<u8> {
    format!("dagger-secret-v1\0{controller}\0{path}").into_bytes()
}

/// Encrypts `value` for field `path` of `controller`.
pub fn seal(controller: &str, path: &str, value: &str) -> Result<SecretRef, SecretError> {
    let key = key(true)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let mut nonce = [0u8; 12];
    random(&mut nonce).map_err(|e| SecretError(format!("cannot draw a nonce: {e}")))?;
    let aad = aad(controller, path);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: value.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| SecretError("cannot encrypt the secret".into()))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(SecretRef::Encrypted {
        nonce: b64.encode(nonce),
        ciphertext: b64.encode(sealed),
    })
}

/// The clear text of a stored secret of field `path` of `controller`.
pub fn open(controller: &str, path: &str, secret: &SecretRef) -> Result<String, SecretError> {
    match secret {
        SecretRef::Env { var } => std::env::var(var).map_err(|_| {
            SecretError(format!(
                "secret input {path}: environment variable {var} is not set"
            ))
        }),
        SecretRef::File { path: file } => std::fs::read_to_string(file)
            .map(|s| s.strip_suffix('\n').unwrap_or(&s).to_string())
            .map_err(|e| SecretError(format!("secret input {path}: cannot read {file}: {e}"))),
        SecretRef::Encrypted { nonce, ciphertext } => {
            let b64 = base64::engine::general_purpose::STANDARD;
            let bad = || {
                SecretError(format!(
                    "secret input {path}: the stored ciphertext is damaged"
                ))
            };
            let nonce = b64.decode(nonce).map_err(|_| bad())?;
            let sealed = b64.decode(ciphertext).map_err(|_| bad())?;
            if nonce.len() != 12 {
                return Err(bad());
            }
            let key = key(false)?;
            let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
            let aad = aad(controller, path);
            let clear = cipher
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| {
                    SecretError(format!(
                        "secret input {path}: cannot decrypt it with the key in {} (a different key, or the value was moved); set it again with `dagger input secret`",
                        key_path().map(|p| p.display().to_string()).unwrap_or_default()
                    ))
                })?;
            String::from_utf8(clear).map_err(|_| bad())
        }
    }
}
