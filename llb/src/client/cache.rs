//! Remote build cache: what `--cache-to` / `--cache-from` say, as BuildKit's
//! cache exporters and importers take it (`type=registry,ref=REF,mode=max`,
//! `type=local,dest=DIR`, `type=local,src=DIR`).
//!
//! The syntax is `buildctl`'s: comma-separated `key=value` fields, one of
//! them `type`; a value without any `=` is a registry reference
//! (`type=registry,ref=VALUE`). Exports default to `mode=min` (the
//! results' own layers), `mode=max` also exports every intermediate step.
//! A registry on loopback (`127.*`, `localhost`) is spoken to over plain
//! HTTP (`registry.insecure=true`), as image pushes there are.
//!
//! Imports apply to every solve of a client. Exports are made once, at the
//! end of a run, by [`super::Client::export_cache`]: one build whose result
//! holds every result the run solved, so one cache manifest covers them all
//! (a cache export per solve would leave only the last one's in the ref).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bollard_buildkit_proto::moby::buildkit::v1::CacheOptionsEntry;

/// One cache exporter or importer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSpec {
    /// `registry` or `local`.
    pub kind: String,
    /// Its attributes (`ref`, `mode`, `dest`, `src`, ...).
    pub attrs: BTreeMap<String, String>,
}

/// The cache exports and imports of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheOptions {
    /// Where the run's cache goes (`--cache-to`).
    pub exports: Vec<CacheSpec>,
    /// Where cache is looked up (`--cache-from`).
    pub imports: Vec<CacheSpec>,
}

impl CacheOptions {
    /// Whether nothing is imported or exported.
    pub fn is_empty(&self) -> bool {
        self.exports.is_empty() && self.imports.is_empty()
    }
}

/// Which way a spec goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Export,
    Import,
}

impl Way {
    fn flag(self) -> &'static str {
        match self {
            Way::Export => "--cache-to",
            Way::Import => "--cache-from",
        }
    }
}

impl CacheSpec {
    /// Parses a `--cache-to` value; relative `dest` paths are taken from `cwd`.
    pub fn parse_export(s: &str, cwd: &Path) -> Result<CacheSpec, String> {
        parse(s, Way::Export, cwd)
    }

    /// Parses a `--cache-from` value; relative `src` paths are taken from `cwd`.
    pub fn parse_import(s: &str, cwd: &Path) -> Result<CacheSpec, String> {
        parse(s, Way::Import, cwd)
    }

    /// The local directory of a `type=local` spec (`dest` or `src`).
    pub fn local_dir(&self) -> Option<PathBuf> {
        if self.kind != "local" {
            return None;
        }
        self.attrs
            .get("dest")
            .or_else(|| self.attrs.get("src"))
            .map(PathBuf::from)
    }

    pub(crate) fn to_proto(&self) -> CacheOptionsEntry {
        CacheOptionsEntry {
            r#type: self.kind.clone(),
            attrs: self
                .attrs
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

impl std::fmt::Display for CacheSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "type={}", self.kind)?;
        for (k, v) in &self.attrs {
            write!(f, ",{k}={v}")?;
        }
        Ok(())
    }
}

/// Splits `a=1,b="x,y"` into fields, double quotes protecting commas (as
/// a CSV record).
fn fields(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("a double quote is not closed".into());
    }
    out.push(cur);
    Ok(out)
}

fn parse(s: &str, way: Way, cwd: &Path) -> Result<CacheSpec, String> {
    let flag = way.flag();
    let bad = |why: String| format!("{flag} {s:?}: {why}");
    let form = match way {
        Way::Export => {
            "expected type=registry,ref=REF[,mode=min|max] or type=local,dest=DIR[,mode=min|max]"
        }
        Way::Import => "expected type=registry,ref=REF or type=local,src=DIR",
    };
    if s.trim().is_empty() {
        return Err(bad(format!("empty; {form}")));
    }
    let mut spec = CacheSpec {
        kind: String::new(),
        attrs: BTreeMap::new(),
    };
    if !s.contains('=') {
        // buildctl's short form: a registry reference.
        spec.kind = "registry".into();
        spec.attrs.insert("ref".into(), s.to_string());
    } else {
        for field in fields(s).map_err(|e| bad(format!("{e}; {form}")))? {
            let Some((key, value)) = field.split_once('=') else {
                return Err(bad(format!("{field:?} is not KEY=VALUE; {form}")));
            };
            let key = key.trim().to_ascii_lowercase();
            if key.is_empty() {
                return Err(bad(format!("{field:?} has no key; {form}")));
            }
            if key == "type" {
                if !spec.kind.is_empty() {
                    return Err(bad(format!("type is given twice; {form}")));
                }
                spec.kind = value.to_string();
            } else if spec.attrs.insert(key.clone(), value.to_string()).is_some() {
                return Err(bad(format!("{key} is given twice")));
            }
        }
    }
    match spec.kind.as_str() {
        "" => return Err(bad(format!("no type; {form}"))),
        "registry" => {
            let r = spec.attrs.get("ref").map(String::as_str).unwrap_or("");
            if r.is_empty() {
                return Err(bad(format!("type=registry needs ref=REF; {form}")));
            }
            check_reference(r).map_err(&bad)?;
            let host = r.split('/').next().unwrap_or("");
            if r.contains('/')
                && (host.starts_with("127.")
                    || host == "localhost"
                    || host.starts_with("localhost:"))
            {
                spec.attrs
                    .entry("registry.insecure".into())
                    .or_insert_with(|| "true".into());
            }
        }
        "local" => {
            let key = match way {
                Way::Export => "dest",
                Way::Import => "src",
            };
            let dir = spec.attrs.get(key).cloned().unwrap_or_default();
            if dir.is_empty() {
                return Err(bad(format!("type=local needs {key}=DIR; {form}")));
            }
            let abs = cwd.join(&dir);
            if way == Way::Import {
                if !abs.join("index.json").is_file() {
                    return Err(bad(format!(
                        "{} holds no cache (no index.json): it is made by --cache-to \
                         type=local,dest=DIR",
                        abs.display()
                    )));
                }
                if !spec.attrs.contains_key("digest") {
                    let digest = super::session::content::latest_digest(&abs).map_err(&bad)?;
                    spec.attrs.insert("digest".into(), digest);
                }
            }
            spec.attrs
                .insert(key.into(), abs.to_string_lossy().into_owned());
        }
        other => {
            return Err(bad(format!(
                "unknown cache type {other:?} (supported: registry, local); {form}"
            )))
        }
    }
    if way == Way::Export {
        match spec.attrs.get("mode").map(String::as_str) {
            None => {
                spec.attrs.insert("mode".into(), "min".into());
            }
            Some("min" | "max") => {}
            Some(m) => return Err(bad(format!("mode={m:?}: expected mode=min or mode=max"))),
        }
    } else if spec.attrs.contains_key("mode") {
        return Err(bad("mode is for --cache-to (exports) only".into()));
    }
    Ok(spec)
}

/// A registry reference as BuildKit takes it: no spaces, a repository.
fn check_reference(r: &str) -> Result<(), String> {
    let ok = !r.starts_with('-')
        && !r.ends_with('/')
        && r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "ref={r:?} is not an image reference (HOST[:PORT]/REPOSITORY[:TAG])"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cwd() -> PathBuf {
        PathBuf::from("/work")
    }

    #[test]
    fn registry_exports_default_to_mode_min_and_loopback_is_plain_http() {
        let s =
            CacheSpec::parse_export("type=registry,ref=127.0.0.1:5000/cache:x", &cwd()).unwrap();
        assert_eq!(s.kind, "registry");
        assert_eq!(s.attrs["mode"], "min");
        assert_eq!(s.attrs["registry.insecure"], "true");
        let s =
            CacheSpec::parse_export("type=registry,ref=r.example.com/c,mode=max", &cwd()).unwrap();
        assert_eq!(s.attrs["mode"], "max");
        assert!(!s.attrs.contains_key("registry.insecure"));
        let s = CacheSpec::parse_import("r.example.com/c:tag", &cwd()).unwrap();
        assert_eq!(s.to_string(), "type=registry,ref=r.example.com/c:tag");
    }

    #[test]
    fn local_paths_are_made_absolute() {
        let s = CacheSpec::parse_export("type=local,dest=out/cache", &cwd()).unwrap();
        assert_eq!(s.attrs["dest"], "/work/out/cache");
        assert_eq!(s.local_dir(), Some(PathBuf::from("/work/out/cache")));
    }

    #[test]
    fn bad_specs_say_what_is_expected() {
        for (spec, says) in [
            ("", "empty"),
            ("type=registry", "needs ref=REF"),
            ("type=registry,ref=", "needs ref=REF"),
            ("type=s3,bucket=x", "unknown cache type \"s3\""),
            ("ref=x/y", "no type"),
            (
                "type=registry,ref=x/y,mode=all",
                "expected mode=min or mode=max",
            ),
            ("type=local", "needs dest=DIR"),
            ("type=registry,ref=a b/c", "not an image reference"),
            ("type=registry,ref=x/y,nokey", "is not KEY=VALUE"),
            ("type=registry,type=local,ref=x/y", "type is given twice"),
            ("type=registry,ref=\"x/y", "double quote"),
        ] {
            let err = CacheSpec::parse_export(spec, &cwd()).unwrap_err();
            assert!(err.starts_with("--cache-to "), "{spec:?}: {err}");
            assert!(err.contains(says), "{spec:?}: {err}");
        }
        let err = CacheSpec::parse_import("type=local,src=/nonexistent/dir", &cwd()).unwrap_err();
        assert!(err.contains("no index.json"), "{err}");
        let err = CacheSpec::parse_import("type=registry,ref=x/y,mode=max", &cwd()).unwrap_err();
        assert!(err.contains("mode is for --cache-to"), "{err}");
    }
}
