//! Docker image reference normalization, with Docker's rules: a name without
//! a registry lives on `docker.io`, a single-component name on `docker.io`
//! lives under `library/`, and a reference with neither tag nor digest gets
//! the tag `latest`. So `alpine` is `docker.io/library/alpine:latest` and
//! `127.0.0.1:5000/x/y` is `127.0.0.1:5000/x/y:latest`.
//!
//! Grammar (distribution's reference format):
//! `[domain/]component(/component)*[:tag][@algorithm:hex]`, where a component
//! is lowercase alphanumerics joined by `.`, `_`, `__` or runs of `-`; a
//! domain is a host name, an IPv4 address or a bracketed IPv6 address with an
//! optional `:port`; a tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.

use std::fmt;

use super::error::BuildError;

/// Docker's default registry, the domain of names without one.
pub const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
const OFFICIAL_REPO_PREFIX: &str = "library/";
const DEFAULT_TAG: &str = "latest";
const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// A fully qualified image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageReference {
    /// Registry host, with port when given (`docker.io`, `127.0.0.1:5000`).
    pub domain: String,
    /// Repository path inside the registry (`library/alpine`).
    pub path: String,
    /// Tag, `latest` when neither tag nor digest was given.
    pub tag: Option<String>,
    /// Content digest (`sha256:...`), when pinned.
    pub digest: Option<String>,
}

impl ImageReference {
    /// Parses and normalizes `reference` the way `docker pull` does.
    pub fn parse_normalized(reference: &str) -> Result<ImageReference, BuildError> {
        let invalid = |reason: &str| BuildError::InvalidImageReference {
            reference: reference.to_string(),
            reason: reason.to_string(),
        };
        if reference.is_empty() {
            return Err(invalid("the reference is empty"));
        }
        if reference.len() == 64 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid(
                "a 64-character hexadecimal string is an image id, not a name",
            ));
        }

        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => {
                if !is_valid_digest(digest) {
                    return Err(invalid("the digest after '@' must look like sha256:<hex>"));
                }
                (rest, Some(digest.to_string()))
            }
            None => (reference, None),
        };

        // A ':' after the last '/' starts the tag; one before it is a port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].find(':') {
            Some(i) => {
                let at = last_slash + i;
                let tag = &rest[at + 1..];
                if !is_valid_tag(tag) {
                    return Err(invalid(
                        "a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
                    ));
                }
                (&rest[..at], Some(tag.to_string()))
            }
            None => (rest, None),
        };

        let (mut domain, mut path) = split_domain(name);
        if domain == LEGACY_DEFAULT_DOMAIN {
            domain = DEFAULT_DOMAIN;
        }
        let path = if domain == DEFAULT_DOMAIN && !path.contains('/') {
            format!("{OFFICIAL_REPO_PREFIX}{path}")
        } else {
            std::mem::take(&mut path).to_string()
        };

        if path.to_lowercase() != path {
            return Err(invalid("the repository name must be lowercase"));
        }
        if !is_valid_domain(domain) {
            return Err(invalid(
                "the registry host is not a valid host name with optional port",
            ));
        }
        if path.is_empty() || !path.split('/').all(is_valid_path_component) {
            return Err(invalid(
                "each part of the repository name must be lowercase letters and digits, joined by '.', '_', '__' or '-'",
            ));
        }
        if domain.len() + 1 + path.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(invalid(
                "the repository name must not be more than 255 characters",
            ));
        }

        let tag = match (&tag, &digest) {
            (None, None) => Some(DEFAULT_TAG.to_string()),
            _ => tag,
        };
        Ok(ImageReference {
            domain: domain.to_string(),
            path,
            tag,
            digest,
        })
    }

    /// `domain/path` without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.domain, self.path)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Docker's rule: the first component is a registry only when it contains a
/// '.' or a ':', is `localhost`, or has uppercase letters.
fn split_domain(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (first, rest)
        }
        _ => (DEFAULT_DOMAIN, name),
    }
}

fn is_valid_path_component(c: &str) -> bool {
    // alnum+ ( ( '.' | '_' | '__' | '-'+ ) alnum+ )*
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        match b[i] {
            b'.' => i += 1,
            b'_' => i += if b.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

fn is_valid_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        match rest.split_once(']') {
            Some((v6, after)) => {
                if v6.is_empty() || !v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
                    return false;
                }
                match after {
                    "" => return true,
                    _ => match after.strip_prefix(':') {
                        Some(port) => ("", port),
                        None => return false,
                    },
                }
            }
            None => return false,
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (h, p),
            None => (d, ""),
        }
    };
    if d.contains(':') && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if d.starts_with('[') {
        return true;
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

fn is_valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|x| word(*x) || *x == b'.' || *x == b'-')
}

fn is_valid_digest(d: &str) -> bool {
    let Some((algo, hex)) = d.split_once(':') else {
        return false;
    };
    let algo_ok = !algo.is_empty()
        && algo.split(['-', '_', '+', '.']).all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphabetic()
                && b.iter().all(|x| x.is_ascii_alphanumeric())
        });
    algo_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        ImageReference::parse_normalized(s).unwrap().to_string()
    }

    #[test]
    fn short_names_live_in_docker_library() {
        assert_eq!(norm("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(norm("busybox:1.36"), "docker.io/library/busybox:1.36");
        assert_eq!(norm("library/alpine"), "docker.io/library/alpine:latest");
        assert_eq!(
            norm("index.docker.io/alpine"),
            "docker.io/library/alpine:latest"
        );
    }

    #[test]
    fn user_repositories_keep_their_path() {
        assert_eq!(norm("dagger/engine:v1"), "docker.io/dagger/engine:v1");
        assert_eq!(norm("a/b/c"), "docker.io/a/b/c:latest");
    }

    #[test]
    fn registries_with_ports_and_localhost() {
        assert_eq!(
            norm("127.0.0.1:5000/library/busybox"),
            "127.0.0.1:5000/library/busybox:latest"
        );
        assert_eq!(norm("localhost/foo:bar"), "localhost/foo:bar");
        assert_eq!(norm("localhost:5000/foo"), "localhost:5000/foo:latest");
        assert_eq!(
            norm("registry.example.com/x"),
            "registry.example.com/x:latest"
        );
        assert_eq!(norm("[::1]:5000/x"), "[::1]:5000/x:latest");
    }

    #[test]
    fn digests_suppress_the_default_tag() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        assert_eq!(
            norm(&format!("alpine@{d}")),
            format!("docker.io/library/alpine@{d}")
        );
        assert_eq!(
            norm(&format!("alpine:3@{d}")),
            format!("docker.io/library/alpine:3@{d}")
        );
    }

    #[test]
    fn invalid_references_are_errors_with_reasons() {
        for bad in [
            "",
            "Alpine",
            "alpine:",
            "alpine:-x",
            "alpine@sha256:xyz",
            "a//b",
            "-a",
            "a..b",
            &"a".repeat(64),
        ] {
            let err = ImageReference::parse_normalized(bad);
            assert!(err.is_err(), "{bad:?} should be rejected");
        }
        let msg = ImageReference::parse_normalized("Alpine")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("Alpine") && msg.contains("lowercase"), "{msg}");
    }

    #[test]
    fn uppercase_first_component_is_a_registry() {
        // Docker treats "Registry/x" as a registry host, which is then valid.
        assert_eq!(norm("Registry/x"), "Registry/x:latest");
    }

    #[test]
    fn component_separators() {
        assert_eq!(norm("a_b__c--d.e"), "docker.io/library/a_b__c--d.e:latest");
        assert!(ImageReference::parse_normalized("a___b").is_err());
    }
}
