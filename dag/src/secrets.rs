//! The secret values of a run and where they may go.
//!
//! A secret is a value the user gave with `--input-secret` (or a `{secret:
//! ...}` mount's value). It reaches a container only through a BuildKit
//! secret mount, or as a secret env var when an exec's `env` entry is
//! exactly the secret: BuildKit then serves it through the session and
//! neither the LLB nor the daemon's cache records hold it. Any other op
//! field that holds a secret (args, other env, file content, paths, image
//! references, build args, labels, ...) is an error naming the field, and
//! the evaluator refuses to build new values from secrets (`cue_eval`'s
//! `set_secrets`). [`Secrets::redact`] is applied to everything the CLI
//! prints.

use crate::ops::{DockerBuild, Exec, Mount, Op, Source};
use crate::path::Path;
use crate::state::SecretValue;

/// What is printed in place of a secret's value.
pub const REDACTED: &str = "<secret>";

/// Lines of a multi-line secret shorter than this (`---`, `}`) are not
/// secrets on their own.
const MIN_LINE: usize = 8;

/// A line of a multi-line secret is a secret on its own only when one of
/// its words is at least this long (a token, a key, an address): lines
/// such as `apiVersion: v1` in a kubeconfig are also in the manifests
/// applied with it, and are no secret.
const MIN_WORD: usize = 12;

/// The secrets of one run, each with the name it was given under.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// (name, value), longest value first so redaction replaces whole values.
    entries: Vec<(String, SecretValue)>,
}

/// An op field that holds a secret where none may go.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field}: holds the value of secret {name}; a secret reaches a container only through a secret mount (`mount: \"/run/secrets/x\": secret: value`) or as an exec env var whose value is exactly the secret")]
pub struct SecretMisuse {
    /// The op field, e.g. `a.#compute[1].args[2]`.
    pub field: Path,
    /// The secret's name (the input's path).
    pub name: String,
}

impl Secrets {
    /// Secrets from `(name, value)` pairs; empty values are ignored.
    pub fn new(pairs: impl IntoIterator<Item = (String, SecretValue)>) -> Secrets {
        let mut entries: Vec<(String, SecretValue)> = Vec::new();
        for (name, value) in pairs {
            if value.0.is_empty() {
                continue;
            }
            // Output is shown line by line: each line of a multi-line
            // secret (a key, a kubeconfig) counts on its own too.
            if value.0.contains('\n') {
                for line in value.0.lines().map(str::trim) {
                    let telling = line.split_whitespace().any(|w| w.len() >= MIN_WORD);
                    if line.len() >= MIN_LINE
                        && telling
                        && !entries.iter().any(|(_, v)| v.0 == line)
                    {
                        entries.push((name.clone(), SecretValue(line.to_string())));
                    }
                }
            }
            entries.push((name, value));
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.1 .0.len()));
        Secrets { entries }
    }

    /// Adds one secret.
    pub fn add(&mut self, name: String, value: SecretValue) {
        let mut pairs = std::mem::take(&mut self.entries);
        pairs.push((name, value));
        *self = Secrets::new(pairs);
    }

    /// No secrets at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The (name, value) pairs.
    pub fn entries(&self) -> Vec<(String, SecretValue)> {
        self.entries.clone()
    }

    /// The clear-text values (for the evaluator and the solver's last check).
    pub fn values(&self) -> Vec<String> {
        self.entries.iter().map(|(_, v)| v.0.clone()).collect()
    }

    /// The name of a secret `text` holds, if any.
    pub fn found_in(&self, text: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, v)| text.contains(v.0.as_str()))
            .map(|(n, _)| n.as_str())
    }

    /// The name of the secret `text` is exactly, if any.
    pub fn exactly(&self, text: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, v)| v.0 == text)
            .map(|(n, _)| n.as_str())
    }

    /// `text` with every secret value replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (_, v) in &self.entries {
            if out.contains(v.0.as_str()) {
                out = out.replace(v.0.as_str(), REDACTED);
            }
        }
        out
    }

    /// Checks the ops of a component (read at `path`, its `#compute`),
    /// moving env entries that are exactly a secret to the exec's secret env.
    pub fn check_ops(&self, ops: &mut [Op], path: &Path) -> Result<(), SecretMisuse> {
        if self.is_empty() {
            return Ok(());
        }
        for (i, op) in ops.iter_mut().enumerate() {
            self.check_op(op, &path.index(i))?;
        }
        Ok(())
    }

    fn check_op(&self, op: &mut Op, at: &Path) -> Result<(), SecretMisuse> {
        match op {
            Op::FetchContainer { reference } | Op::PushContainer { reference } => {
                self.plain(reference, at.field("ref"))
            }
            Op::FetchGit { remote, reference } => {
                self.plain(remote, at.field("remote"))?;
                self.plain(reference, at.field("ref"))
            }
            Op::Local { dir, include } => {
                self.plain(dir, at.field("dir"))?;
                self.list(include, at.field("include"))
            }
            Op::Exec(e) => self.exec(e, at),
            Op::Copy { from, src, dest } => {
                self.source(from)?;
                self.plain(src, at.field("src"))?;
                self.plain(dest, at.field("dest"))
            }
            Op::Load { from } => self.source(from),
            Op::Subdir { dir } => self.plain(dir, at.field("dir")),
            Op::WriteFile { content, dest, .. } => {
                self.plain(content, at.field("content"))?;
                self.plain(dest, at.field("dest"))
            }
            Op::Mkdir { dir, path, .. } => {
                self.plain(dir, at.field("dir"))?;
                self.plain(path, at.field("path"))
            }
            Op::Export { source, .. } => self.plain(source, at.field("source")),
            Op::DockerBuild(d) => self.docker_build(d, at),
        }
    }

    fn exec(&self, e: &mut Exec, at: &Path) -> Result<(), SecretMisuse> {
        self.list(&e.args, at.field("args"))?;
        if let Some(dir) = &e.dir {
            self.plain(dir, at.field("dir"))?;
        }
        let env = std::mem::take(&mut e.env);
        for (name, value) in env {
            let field = at.field("env").field(&name);
            self.plain(&name, field.clone())?;
            if self.exactly(&value).is_some() {
                let id = keyed_id(&field.to_string(), &SecretValue(value.clone()));
                e.secret_env.insert(name, (id, SecretValue(value)));
            } else {
                self.plain(&value, field)?;
                e.env.insert(name, value);
            }
        }
        for (target, m) in e.mounts.iter_mut() {
            let field = at.field("mount").field(target);
            self.plain(target, field.clone())?;
            match m {
                Mount::From { from, path } => {
                    self.source(from)?;
                    self.plain(path, field.field("path"))?;
                }
                Mount::Tmpfs | Mount::Cache { .. } | Mount::Secret { .. } => {}
            }
        }
        Ok(())
    }

    fn docker_build(&self, d: &mut DockerBuild, at: &Path) -> Result<(), SecretMisuse> {
        if let Some(c) = &mut d.context {
            self.source(c)?;
        }
        if let Some(text) = &d.dockerfile {
            self.plain(text, at.field("dockerfile"))?;
        }
        if let Some(p) = &d.dockerfile_path {
            self.plain(p, at.field("dockerfilePath"))?;
        }
        for (k, v) in &d.build_args {
            let field = at.field("buildArg").field(k);
            self.plain(k, field.clone())?;
            self.plain(v, field)?;
        }
        for (k, v) in &d.labels {
            let field = at.field("label").field(k);
            self.plain(k, field.clone())?;
            self.plain(v, field)?;
        }
        self.list(&d.platforms, at.field("platforms"))
    }

    fn source(&self, s: &mut Source) -> Result<(), SecretMisuse> {
        let path = s.path.clone();
        self.check_ops(&mut s.ops, &path)
    }

    fn list(&self, items: &[String], at: Path) -> Result<(), SecretMisuse> {
        for (i, s) in items.iter().enumerate() {
            self.plain(s, at.index(i))?;
        }
        Ok(())
    }

    /// A field where no secret may appear.
    fn plain(&self, text: &str, field: Path) -> Result<(), SecretMisuse> {
        match self.found_in(text) {
            Some(name) => Err(SecretMisuse {
                field,
                name: name.to_string(),
            }),
            None => Ok(()),
        }
    }
}

static PLACEHOLDER_IDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, secret ids end in `#<keyed>` instead of the keyed digest of
/// the value, so that the LLB is the same on every machine (`dagger llb
/// --offline`); such LLB is only printed, never solved.
pub fn use_placeholder_ids() {
    PLACEHOLDER_IDS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The LLB id of a secret used at `path` (a mount or env var): the path,
/// then a digest of the value keyed with this machine's secret key. BuildKit
/// keeps secret values out of its cache keys, so without the digest a new
/// token would be answered with what the old one produced; keyed, the
/// digest tells nothing about the value to whoever reads the LLB or the
/// daemon's records.
pub fn keyed_id(path: &str, value: &SecretValue) -> String {
    if PLACEHOLDER_IDS.load(std::sync::atomic::Ordering::Relaxed) {
        return format!("{path}#<keyed>");
    }
    let mac = hmac_sha256(machine_key(), value.0.as_bytes());
    let hex: String = mac[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("{path}#{hex}")
}

/// 32 random bytes kept in `$XDG_CACHE_HOME/dagger/secret-key` (mode 0600),
/// created on first use; a per-process key if that file cannot be used (then
/// secret steps simply re-run every time).
fn machine_key() -> &'static [u8; 32] {
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let dir = std::env::var_os("XDG_CACHE_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cache")))
            .map(|d| d.join("dagger"));
        if let Some(dir) = dir {
            let file = dir.join("secret-key");
            if let Ok(bytes) = std::fs::read(&file) {
                if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
                    return key;
                }
            }
            let key = random_key();
            if write_key(&dir, &file, &key).is_ok() {
                return key;
            }
        }
        random_key()
    })
}

fn random_key() -> [u8; 32] {
    use std::io::Read;
    let mut key = [0u8; 32];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .is_err()
    {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        key[..16].copy_from_slice(&nanos.to_le_bytes());
        key[16..20].copy_from_slice(&std::process::id().to_le_bytes());
    }
    key
}

/// Writes the key atomically, readable by its owner only.
fn write_key(dir: &std::path::Path, file: &std::path::Path, key: &[u8; 32]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".secret-key.{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(key)?;
    f.sync_all()?;
    // Another process may have won the race: keep its key.
    if file.exists() {
        let _ = std::fs::remove_file(&tmp);
        return match std::fs::read(file) {
            Ok(b) if b.as_slice() == key => Ok(()),
            _ => Err(std::io::Error::other("key written by another process")),
        };
    }
    std::fs::rename(&tmp, file)
}

/// HMAC-SHA-256 (RFC 2104).
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn secrets() -> Secrets {
        Secrets::new([
            ("token".to_string(), SecretValue("s3cr3t-value".into())),
            ("short".to_string(), SecretValue("s3cr3t".into())),
        ])
    }

    fn exec(args: &[&str], env: &[(&str, &str)]) -> Op {
        Op::Exec(Exec {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            secret_env: BTreeMap::new(),
            dir: None,
            always: false,
            mounts: BTreeMap::new(),
        })
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2_shape() {
        // RFC 4231 case 2 uses a 4-byte key; zero-padded to 32 bytes the
        // HMAC is the same (keys shorter than the block are zero-padded).
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mac = hmac_sha256(&key, b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn keyed_ids_differ_by_value_not_by_call() {
        let a = keyed_id("x.#compute[0].env.T", &SecretValue("one".into()));
        let b = keyed_id("x.#compute[0].env.T", &SecretValue("two".into()));
        assert_ne!(a, b);
        assert_eq!(
            a,
            keyed_id("x.#compute[0].env.T", &SecretValue("one".into()))
        );
        assert!(a.starts_with("x.#compute[0].env.T#") && !a.contains("one"));
    }

    #[test]
    fn redaction_replaces_whole_values_first() {
        let s = secrets();
        assert_eq!(
            s.redact("a s3cr3t-value and s3cr3t"),
            "a <secret> and <secret>"
        );
        assert_eq!(s.redact("nothing here"), "nothing here");
    }

    #[test]
    fn a_secret_in_args_is_refused_at_its_field() {
        let mut ops = vec![exec(&["echo", "x-s3cr3t-value-y"], &[])];
        let err = secrets()
            .check_ops(&mut ops, &Path::parse("a.#compute").unwrap())
            .unwrap_err();
        assert_eq!(err.field.to_string(), "a.#compute[0].args[1]");
        assert_eq!(err.name, "token");
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn an_env_var_that_is_exactly_a_secret_becomes_secret_env() {
        let mut ops = vec![exec(&["sh"], &[("TOKEN", "s3cr3t-value"), ("X", "plain")])];
        secrets()
            .check_ops(&mut ops, &Path::parse("a.#compute").unwrap())
            .unwrap();
        let Op::Exec(e) = &ops[0] else { panic!() };
        assert_eq!(e.env.keys().collect::<Vec<_>>(), ["X"]);
        let (id, value) = &e.secret_env["TOKEN"];
        assert!(id.starts_with("a.#compute[0].env.TOKEN#"), "{id}");
        assert_eq!(value.0, "s3cr3t-value");
    }

    #[test]
    fn a_secret_inside_a_longer_env_value_is_refused() {
        let mut ops = vec![exec(&["sh"], &[("AUTH", "Bearer s3cr3t-value")])];
        let err = secrets()
            .check_ops(&mut ops, &Path::parse("a.#compute").unwrap())
            .unwrap_err();
        assert_eq!(err.field.to_string(), "a.#compute[0].env.AUTH");
    }

    #[test]
    fn write_file_content_and_nested_sources_are_checked() {
        let mut ops = vec![Op::Load {
            from: Source {
                path: Path::parse("b.#compute").unwrap(),
                ops: vec![Op::WriteFile {
                    content: "s3cr3t".into(),
                    dest: "/x".into(),
                    mode: 0o644,
                }],
            },
        }];
        let err = secrets()
            .check_ops(&mut ops, &Path::parse("a.#compute").unwrap())
            .unwrap_err();
        assert_eq!(err.field.to_string(), "b.#compute[0].content");
        assert_eq!(err.name, "short");
    }

    #[test]
    fn lines_of_a_multi_line_secret_count_when_they_carry_a_long_word() {
        let kubeconfig = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: k8s-aws-v1.aHR0cHM6Ly9zdHM\n";
        let s = Secrets::new([("kubeconfig".to_string(), SecretValue(kubeconfig.into()))]);
        // A manifest applied with it shares its structural lines.
        assert_eq!(s.found_in("apiVersion: v1\nkind: Pod\n"), None);
        // The token's line is a secret on its own, and so is the whole.
        assert_eq!(
            s.found_in("log: token: k8s-aws-v1.aHR0cHM6Ly9zdHM"),
            Some("kubeconfig")
        );
        assert_eq!(s.found_in(kubeconfig), Some("kubeconfig"));
    }
}
