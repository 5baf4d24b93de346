//! Daemon addresses from `BUILDKIT_HOST` and `DOCKER_HOST`, validated before
//! anything is dialed or run: a value must never reach a subprocess as a
//! flag (`docker-container://--privileged`) or name something unexpected.
//!
//! - `docker-container://NAME`: NAME follows Docker's container-name rule
//!   `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
//! - `tcp://HOST:PORT`: HOST is a hostname (letters, digits and `-` in
//!   dot-separated labels of at most 63 characters that neither start nor end
//!   with `-`, at most 253 in all), an IPv4 address or a bracketed IPv6
//!   address; PORT is a number from 1 to 65535. One trailing `/` is allowed.
//! - `unix://PATH`: PATH is absolute.
//! - Any other form is an error naming the forms expected.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use crate::client::error::ClientError;

/// Where the daemon is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A BuildKit unix socket.
    Unix(PathBuf),
    /// A BuildKit TCP address `host:port` (no TLS).
    Tcp(String),
    /// A container running BuildKit, reached through `docker exec`.
    DockerContainer(String),
    /// Docker's embedded BuildKit behind the Docker API on a unix socket.
    DockerUnix(PathBuf),
    /// Docker's embedded BuildKit behind the Docker API on TCP.
    DockerTcp(String),
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "unix://{}", p.display()),
            Address::Tcp(a) => write!(f, "tcp://{a}"),
            Address::DockerContainer(n) => write!(f, "docker-container://{n}"),
            Address::DockerUnix(p) => write!(f, "Docker at unix://{}", p.display()),
            Address::DockerTcp(a) => write!(f, "Docker at tcp://{a}"),
        }
    }
}

impl Address {
    /// Parses and validates a `BUILDKIT_HOST` value.
    pub fn parse_buildkit_host(s: &str) -> Result<Address, ClientError> {
        let bad = |expected: String| ClientError::BadAddress {
            variable: "BUILDKIT_HOST",
            value: s.to_string(),
            expected,
        };
        if let Some(p) = s.strip_prefix("unix://") {
            check_unix_path(p).map_err(bad)?;
            Ok(Address::Unix(PathBuf::from(p)))
        } else if let Some(a) = s.strip_prefix("tcp://") {
            let a = a.strip_suffix('/').unwrap_or(a);
            check_tcp_address(a).map_err(bad)?;
            Ok(Address::Tcp(a.to_string()))
        } else if let Some(n) = s.strip_prefix("docker-container://") {
            check_container_name(n).map_err(bad)?;
            Ok(Address::DockerContainer(n.to_string()))
        } else {
            Err(bad(
                "expected unix://PATH, tcp://HOST:PORT or docker-container://NAME".into(),
            ))
        }
    }

    /// Parses and validates a `DOCKER_HOST` value.
    pub fn parse_docker_host(s: &str) -> Result<Address, ClientError> {
        let bad = |expected: String| ClientError::BadAddress {
            variable: "DOCKER_HOST",
            value: s.to_string(),
            expected,
        };
        if let Some(p) = s.strip_prefix("unix://") {
            check_unix_path(p).map_err(bad)?;
            Ok(Address::DockerUnix(PathBuf::from(p)))
        } else if let Some(a) = s.strip_prefix("tcp://") {
            let a = a.strip_suffix('/').unwrap_or(a);
            check_tcp_address(a).map_err(bad)?;
            Ok(Address::DockerTcp(a.to_string()))
        } else {
            Err(bad("expected unix://PATH or tcp://HOST:PORT".into()))
        }
    }

    /// The address from the environment: `BUILDKIT_HOST`, else Docker.
    pub fn from_env() -> Result<Address, ClientError> {
        match std::env::var("BUILDKIT_HOST") {
            Ok(v) if !v.is_empty() => Address::parse_buildkit_host(&v),
            _ => match std::env::var("DOCKER_HOST") {
                Ok(v) if !v.is_empty() => Address::parse_docker_host(&v),
                _ => Ok(Address::DockerUnix(PathBuf::from("/var/run/docker.sock"))),
            },
        }
    }
}

/// Checks a Docker container name: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`. On error,
/// what is wrong and what is expected.
pub fn check_container_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the container name {name:?} must start with a letter or digit and hold only \
             letters, digits, '_', '.' and '-' (docker-container://NAME, NAME matching \
             [a-zA-Z0-9][a-zA-Z0-9_.-]*)"
        ))
    }
}

/// Checks `HOST:PORT`: a hostname, an IPv4 address or a bracketed IPv6
/// address, and a port from 1 to 65535. On error, what is wrong and what is
/// expected.
pub fn check_tcp_address(hostport: &str) -> Result<(), String> {
    let form = "expected tcp://HOST:PORT with HOST a hostname, an IPv4 address or [IPv6] \
                and PORT a number from 1 to 65535";
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let Some((ip, port)) = rest.split_once("]:") else {
            return Err(format!("{hostport:?} has no port after the ']'; {form}"));
        };
        if ip.parse::<Ipv6Addr>().is_err() {
            return Err(format!("{ip:?} is not an IPv6 address; {form}"));
        }
        (None, port)
    } else {
        let Some((host, port)) = hostport.rsplit_once(':') else {
            return Err(format!("{hostport:?} has no port; {form}"));
        };
        (Some(host), port)
    };
    if let Some(host) = host {
        if host.parse::<Ipv4Addr>().is_err() && !is_hostname(host) {
            return Err(format!("{host:?} is not a hostname or IP address; {form}"));
        }
    }
    let numeric = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    match port.parse::<u16>() {
        Ok(p) if numeric && p > 0 => Ok(()),
        _ => Err(format!("{port:?} is not a port number; {form}")),
    }
}

/// Whether `host` is a hostname by RFC 1123: dot-separated labels of 1 to
/// 63 letters, digits and `-`, not starting or ending with `-`; at most 253
/// characters in all.
fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Checks the path of `unix://PATH`: absolute. On error, what is expected.
pub fn check_unix_path(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(format!(
            "the socket path {path:?} is not absolute; expected unix:///ABSOLUTE/PATH \
             (for example unix:///run/buildkit/buildkitd.sock)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_buildkit_hosts() {
        assert_eq!(
            Address::parse_buildkit_host("unix:///run/buildkit/buildkitd.sock").unwrap(),
            Address::Unix(PathBuf::from("/run/buildkit/buildkitd.sock"))
        );
        assert_eq!(
            Address::parse_buildkit_host("tcp://127.0.0.1:1234").unwrap(),
            Address::Tcp("127.0.0.1:1234".into())
        );
        assert_eq!(
            Address::parse_buildkit_host("tcp://buildkit.example.com:1234/").unwrap(),
            Address::Tcp("buildkit.example.com:1234".into())
        );
        assert_eq!(
            Address::parse_buildkit_host("tcp://[::1]:1234").unwrap(),
            Address::Tcp("[::1]:1234".into())
        );
        assert_eq!(
            Address::parse_buildkit_host("docker-container://buildkitd").unwrap(),
            Address::DockerContainer("buildkitd".into())
        );
        assert_eq!(
            Address::parse_docker_host("tcp://docker:2375").unwrap(),
            Address::DockerTcp("docker:2375".into())
        );
    }

    #[test]
    fn a_container_name_that_is_a_flag_is_refused() {
        let err = Address::parse_buildkit_host("docker-container://--privileged").unwrap_err();
        assert_eq!(
            err.to_string(),
            "BUILDKIT_HOST=\"docker-container://--privileged\" is not a valid address: the \
             container name \"--privileged\" must start with a letter or digit and hold only \
             letters, digits, '_', '.' and '-' (docker-container://NAME, NAME matching \
             [a-zA-Z0-9][a-zA-Z0-9_.-]*)"
        );
    }

    #[test]
    fn container_names_follow_dockers_rule() {
        for ok in ["b", "9", "buildkitd", "my_build.kit-1", "A.B"] {
            assert!(check_container_name(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "-x",
            "--privileged",
            "_x",
            ".x",
            "a b",
            "a/b",
            "a?context=x",
            "a;rm",
            "é",
        ] {
            assert!(check_container_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tcp_addresses_need_a_host_and_a_numeric_port() {
        for ok in [
            "localhost:1234",
            "127.0.0.1:1",
            "a-b.c9.example:65535",
            "[::1]:1234",
            "[2001:db8::1]:443",
        ] {
            assert!(check_tcp_address(ok).is_ok(), "{ok:?}");
        }
        for (bad, says) in [
            ("localhost", "has no port"),
            ("localhost:", "is not a port number"),
            ("localhost:0", "is not a port number"),
            ("localhost:65536", "is not a port number"),
            ("localhost:+80", "is not a port number"),
            ("localhost:http", "is not a port number"),
            (":1234", "is not a hostname"),
            ("-x:1234", "is not a hostname"),
            ("a_b:1234", "is not a hostname"),
            ("a..b:1234", "is not a hostname"),
            ("--flag=1:1234", "is not a hostname"),
            ("::1:1234", "is not a hostname"),
            ("[::1]", "has no port after"),
            ("[nope]:1", "is not an IPv6 address"),
            ("host:1234/path", "is not a port number"),
        ] {
            let err = check_tcp_address(bad).unwrap_err();
            assert!(err.contains(says), "{bad:?}: {err}");
            assert!(err.contains("expected tcp://HOST:PORT"), "{bad:?}: {err}");
        }
        let long = format!("{}:1", "a".repeat(64));
        assert!(check_tcp_address(&long).is_err());
    }

    #[test]
    fn unix_paths_must_be_absolute() {
        assert!(check_unix_path("/run/buildkit/buildkitd.sock").is_ok());
        for bad in ["", "run/buildkitd.sock", "./x", "-x"] {
            let err = check_unix_path(bad).unwrap_err();
            assert!(err.contains("not absolute"), "{bad:?}: {err}");
        }
        let err = Address::parse_docker_host("unix://var/run/docker.sock").unwrap_err();
        assert!(err.to_string().starts_with(
            "DOCKER_HOST=\"unix://var/run/docker.sock\" is not a valid address: the socket path"
        ));
    }

    #[test]
    fn unknown_schemes_name_the_value_and_the_forms_expected() {
        let err = Address::parse_buildkit_host("ssh://host").unwrap_err();
        assert_eq!(
            err.to_string(),
            "BUILDKIT_HOST=\"ssh://host\" is not a valid address: expected unix://PATH, \
             tcp://HOST:PORT or docker-container://NAME"
        );
        let err = Address::parse_docker_host("docker-container://x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "DOCKER_HOST=\"docker-container://x\" is not a valid address: expected \
             unix://PATH or tcp://HOST:PORT"
        );
    }
}
