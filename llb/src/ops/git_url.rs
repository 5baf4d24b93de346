//! Git remote parsing for git source identifiers. Accepted forms:
//! `http(s)://`, `git://` and `ssh://` URLs, scp-style `user@host:path`, and
//! a bare `host/path`, which means `https://host/path`. The identifier
//! BuildKit caches on is `host/path` (so https and ssh URLs of one repository
//! share it); the full URL travels in the `git.fullurl` attribute.

use super::error::BuildError;

/// The transport a remote uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GitScheme {
    Http,
    Https,
    Git,
    Ssh,
}

/// A parsed git remote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitUrl {
    /// Transport.
    pub scheme: GitScheme,
    /// Host with optional port.
    pub host: String,
    /// Repository path as written (`/repo.git`, or `org/repo.git` scp-style).
    pub path: String,
    /// The remote without query and fragment: what `git clone` is given.
    pub remote: String,
    /// The `#fragment`, if the remote carried one (`ref` or `ref:subdir`).
    pub fragment: Option<String>,
}

impl GitUrl {
    /// Parses a remote.
    pub fn parse(remote: &str) -> Result<GitUrl, BuildError> {
        let err = |reason: &str| BuildError::InvalidGitRemote {
            remote: remote.to_string(),
            reason: reason.to_string(),
        };
        if remote.is_empty() {
            return Err(err("the remote is empty"));
        }
        if let Some((scheme, _)) = split_scheme(remote) {
            let scheme = match scheme.to_ascii_lowercase().as_str() {
                "http" => GitScheme::Http,
                "https" => GitScheme::Https,
                "git" => GitScheme::Git,
                "ssh" => GitScheme::Ssh,
                _ => {
                    return Err(err(&format!(
                    "unsupported protocol {scheme:?}; use http, https, git, ssh or user@host:path"
                )))
                }
            };
            return parse_url(remote, scheme).ok_or_else(|| err("the URL has no host"));
        }
        if let Some(url) = parse_scp_style(remote) {
            return Ok(url);
        }
        parse_url(&format!("https://{remote}"), GitScheme::Https)
            .ok_or_else(|| err("expected a URL such as https://host/repo.git"))
    }

    /// The cache identity BuildKit's client uses: `host/clean-path`.
    pub fn identity(&self) -> String {
        format!(
            "{}{}",
            self.host,
            super::path::clean(&format!("/{}", self.path))
        )
    }
}

/// `scheme://...` with an alphanumeric scheme.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    (!scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some((scheme, rest))
}

fn parse_url(url: &str, scheme: GitScheme) -> Option<GitUrl> {
    let (scheme_text, rest) = split_scheme(url)?;
    let (without_fragment, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a, Some(f.to_string())),
        None => (rest, None),
    };
    let without_query = without_fragment
        .split_once('?')
        .map_or(without_fragment, |(a, _)| a);
    let (authority, path) = match without_query.find('/') {
        Some(i) => (&without_query[..i], &without_query[i..]),
        None => (without_query, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() {
        return None;
    }
    Some(GitUrl {
        scheme,
        host: host.to_string(),
        path: path.to_string(),
        remote: format!("{}://{}", scheme_text.to_ascii_lowercase(), without_query),
        fragment,
    })
}

/// `user@host:path[?query][#fragment]`, user and host made of
/// `[A-Za-z0-9-_]` and `[A-Za-z0-9-.]`.
fn parse_scp_style(s: &str) -> Option<GitUrl> {
    let (user, rest) = s.split_once('@')?;
    let (host, rest) = rest.split_once(':')?;
    let user_ok = !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !user_ok || !host_ok {
        return None;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a, Some(f.to_string())),
        None => (rest, None),
    };
    let path = rest.split_once('?').map_or(rest, |(a, _)| a);
    Some(GitUrl {
        scheme: GitScheme::Ssh,
        host: host.to_string(),
        path: path.to_string(),
        remote: format!("{user}@{host}:{path}"),
        fragment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        let u = GitUrl::parse("git://127.0.0.1:9418/repo.git").unwrap();
        assert_eq!(
            (u.scheme, u.identity().as_str(), u.remote.as_str()),
            (
                GitScheme::Git,
                "127.0.0.1:9418/repo.git",
                "git://127.0.0.1:9418/repo.git"
            )
        );

        let u = GitUrl::parse("http://127.0.0.1:8080/a//b/repo.git?x=1#main").unwrap();
        assert_eq!(u.identity(), "127.0.0.1:8080/a/b/repo.git");
        assert_eq!(u.remote, "http://127.0.0.1:8080/a//b/repo.git");
        assert_eq!(u.fragment.as_deref(), Some("main"));

        let u = GitUrl::parse("https://user:pw@github.com/moby/buildkit.git").unwrap();
        assert_eq!(u.identity(), "github.com/moby/buildkit.git");
        assert_eq!(u.remote, "https://user:pw@github.com/moby/buildkit.git");
    }

    #[test]
    fn scp_style_and_bare_hosts() {
        let u = GitUrl::parse("git@github.com:moby/buildkit.git").unwrap();
        assert_eq!(u.scheme, GitScheme::Ssh);
        assert_eq!(u.identity(), "github.com/moby/buildkit.git");
        assert_eq!(u.remote, "git@github.com:moby/buildkit.git");

        let u = GitUrl::parse("github.com/moby/buildkit").unwrap();
        assert_eq!(u.scheme, GitScheme::Https);
        assert_eq!(u.remote, "https://github.com/moby/buildkit");
    }

    #[test]
    fn bad_remotes() {
        assert!(GitUrl::parse("").is_err());
        let e = GitUrl::parse("ftp://host/repo").unwrap_err().to_string();
        assert!(
            e.contains("ftp://host/repo") && e.contains("unsupported protocol"),
            "{e}"
        );
        assert!(GitUrl::parse("https:///repo").is_err());
    }
}
