//! The OCI platform an op runs for (`linux/amd64`), carried by image sources
//! and execs the way BuildKit's own client marks them.

use std::fmt;

use bollard_buildkit_proto::pb;

/// An OCI platform: operating system, architecture and optional variant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// GOARCH-style architecture: `amd64`, `arm64`, `arm`, `386`, ...
    pub architecture: String,
    /// `v7` for `arm/v7`; empty when not needed.
    pub variant: String,
}

impl Platform {
    /// `linux/amd64`.
    pub fn linux_amd64() -> Platform {
        Platform::new("linux", "amd64", "")
    }

    /// A platform from its parts.
    pub fn new(os: &str, architecture: &str, variant: &str) -> Platform {
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.to_string(),
        }
    }

    /// Linux on the architecture this program runs on, which is what
    /// BuildKit's client uses when nothing else is asked for.
    pub fn host() -> Platform {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            "arm" => return Platform::new("linux", "arm", "v7"),
            other => other,
        };
        Platform::new("linux", arch, "")
    }

    /// Parses `os/arch[/variant]` (as in `docker build --platform`).
    pub fn parse(s: &str) -> Option<Platform> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok =
            |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => Some(Platform::new(os, arch, "")),
            [os, arch, variant] if ok(os) && ok(arch) && ok(variant) => {
                Some(Platform::new(os, arch, variant))
            }
            _ => None,
        }
    }

    pub(crate) fn to_pb(&self) -> pb::Platform {
        pb::Platform {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            variant: self.variant.clone(),
            ..Default::default()
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in ["linux/amd64", "linux/arm/v7", "windows/amd64"] {
            assert_eq!(Platform::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Platform::parse("linux"), None);
        assert_eq!(Platform::parse("linux/"), None);
        assert_eq!(Platform::parse("a/b/c/d"), None);
    }
}
