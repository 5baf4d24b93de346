//! Registry credentials for the daemon, from the user's Docker config.
//!
//! BuildKit asks the session for the credentials of a registry host
//! (`moby.filesync.v1.Auth/Credentials`) when a registry answers 401, for a
//! pull as for a push. They come from the Docker config the `docker` CLI
//! uses: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`:
//!
//! - `credHelpers[HOST]` names a helper for that host, else `credsStore`
//!   one for every host: `docker-credential-NAME get` is run with the
//!   server on its standard input and answers `{"Username", "Secret"}`
//!   (a helper that has nothing for the host leaves `auths` to answer);
//! - `auths[HOST]`: `auth` (base64 of `user:password`), else `username` and
//!   `password`, or an `identitytoken`.
//!
//! No config file means anonymous access. Docker Hub is asked for as
//! `https://index.docker.io/v1/`, as `docker login` stores it. The token
//! calls (`FetchToken`, token authority) are left unimplemented: the
//! daemon then fetches registry tokens itself with these credentials.
//!
//! Credentials are sent to the daemon only; they are never logged, and the
//! `Debug` output of this type names hosts only.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bollard_buildkit_proto::moby::filesync::v1::auth_server::Auth;
use bollard_buildkit_proto::moby::filesync::v1::{
    CredentialsRequest, CredentialsResponse, FetchTokenRequest, FetchTokenResponse,
    GetTokenAuthorityRequest, GetTokenAuthorityResponse, VerifyTokenAuthorityRequest,
    VerifyTokenAuthorityResponse,
};
use tonic::{Request, Response, Status};

/// How long a credential helper may take to answer.
const HELPER_TIMEOUT: Duration = Duration::from_secs(60);

/// Docker Hub's key in a Docker config (what `docker login` writes).
const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// One registry's credentials: a user and password, or (user empty) an
/// identity token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The user name; empty with an identity token.
    pub username: String,
    /// The password or token.
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// The parts of a Docker config that matter here.
#[derive(Default)]
struct DockerConfig {
    /// Where it was read from (for messages), if a file existed.
    path: Option<PathBuf>,
    /// `auths`, by host (scheme and path removed from the key).
    auths: BTreeMap<String, AuthEntry>,
    creds_store: Option<String>,
    /// `credHelpers`, by host.
    cred_helpers: BTreeMap<String, String>,
}

/// One `auths` entry, as written (decoded lazily, so a broken entry only
/// matters to its own host).
#[derive(Default)]
struct AuthEntry {
    key: String,
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identity_token: Option<String>,
}

/// The session's `Auth` service: credentials from the Docker config; cheap
/// to clone (clones share what was read and what helpers answered).
#[derive(Clone)]
pub struct RegistryAuth {
    inner: Arc<Inner>,
}

struct Inner {
    /// The config file to read, decided when this was made.
    path: Option<PathBuf>,
    /// The config, read on the first request.
    config: std::sync::OnceLock<Result<DockerConfig, String>>,
    /// Answers given, by host (a helper runs once per host).
    answered: Mutex<HashMap<String, Option<Credentials>>>,
}

impl std::fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<String> = self
            .inner
            .answered
            .lock()
            .map(|a| a.keys().cloned().collect())
            .unwrap_or_default();
        f.debug_struct("RegistryAuth")
            .field("config", &self.inner.path)
            .field("hosts_asked", &hosts)
            .finish()
    }
}

impl Default for RegistryAuth {
    /// Anonymous for every registry.
    fn default() -> Self {
        RegistryAuth::with_config_file(None)
    }
}

impl RegistryAuth {
    /// Credentials from the Docker config the environment names:
    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
    pub fn from_env() -> RegistryAuth {
        let dir = match std::env::var_os("DOCKER_CONFIG") {
            Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
            _ => std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".docker")),
        };
        RegistryAuth::with_config_file(dir.map(|d| d.join("config.json")))
    }

    /// Credentials from the Docker config file `path` (`None`: anonymous).
    pub fn with_config_file(path: Option<PathBuf>) -> RegistryAuth {
        RegistryAuth {
            inner: Arc::new(Inner {
                path,
                config: std::sync::OnceLock::new(),
                answered: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn config(&self) -> Result<&DockerConfig, String> {
        self.inner
            .config
            .get_or_init(|| load_config(self.inner.path.as_deref()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The credentials for registry `host` as BuildKit names it
    /// (`127.0.0.1:5000`, `registry-1.docker.io`), or `None` for anonymous.
    pub async fn credentials(&self, host: &str) -> Result<Option<Credentials>, String> {
        let key = lookup_host(host);
        if let Some(known) = self
            .inner
            .answered
            .lock()
            .ok()
            .and_then(|a| a.get(&key).cloned())
        {
            return Ok(known);
        }
        let config = self.config()?;
        let server = if key == "index.docker.io" {
            DOCKER_HUB_SERVER.to_string()
        } else {
            key.clone()
        };
        let helper = config
            .cred_helpers
            .get(&key)
            .or(config.creds_store.as_ref());
        let mut found = None;
        if let Some(helper) = helper {
            found = run_helper(helper, &server).await?;
        }
        if found.is_none() {
            if let Some(entry) = config.auths.get(&key) {
                found = entry.decode(config.path.as_deref())?;
            }
        }
        if let Ok(mut a) = self.inner.answered.lock() {
            a.insert(key, found.clone());
        }
        Ok(found)
    }
}

impl RegistryAuth {
    /// A hint for a registry's refusal (401/403) in `message`: whether the
    /// Docker config had credentials for that registry. `None` when the
    /// message is not about a refusal or names no registry.
    pub fn explain_denied(&self, message: &str) -> Option<String> {
        let denied = [
            "401 Unauthorized",
            "403 Forbidden",
            "insufficient_scope",
            "authorization failed",
        ]
        .iter()
        .any(|m| message.contains(m));
        if !denied {
            return None;
        }
        let after = message.find("://").map(|i| &message[i + 3..])?;
        let host = after
            .split(['/', ' ', '"'])
            .next()
            .filter(|h| !h.is_empty())?;
        let key = lookup_host(host);
        let config = match &self.inner.path {
            Some(p) => format!("the Docker config {}", p.display()),
            None => "the Docker config".to_string(),
        };
        let had = self
            .inner
            .answered
            .lock()
            .ok()
            .and_then(|a| a.get(&key).cloned());
        Some(match had {
            Some(Some(_)) => format!(
                "registry {host} refused the credentials {config} has for it: check them \
                 (`docker login {host}`)"
            ),
            _ => format!(
                "registry {host} needs credentials and {config} has none for it: run \
                 `docker login {host}` or point DOCKER_CONFIG at a config that has them"
            ),
        })
    }
}

/// The host a registry is looked up under: Docker Hub's API host is
/// stored as `index.docker.io`.
fn lookup_host(host: &str) -> String {
    let h = normalize_key(host);
    match h.as_str() {
        "registry-1.docker.io" | "docker.io" | "index.docker.io" => "index.docker.io".into(),
        _ => h,
    }
}

/// A config key as a host: `https://HOST/v1/` and `HOST` both give `HOST`.
fn normalize_key(key: &str) -> String {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = k.split('/').next().unwrap_or(k).to_ascii_lowercase();
    if host == "registry-1.docker.io" || host == "docker.io" {
        "index.docker.io".into()
    } else {
        host
    }
}

fn load_config(path: Option<&std::path::Path>) -> Result<DockerConfig, String> {
    let Some(path) = path else {
        return Ok(DockerConfig::default());
    };
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DockerConfig::default()),
        Err(e) => {
            return Err(format!(
                "cannot read the Docker config {}: {e}",
                path.display()
            ))
        }
    };
    let bad = |what: &str| format!("the Docker config {} {what}", path.display());
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| bad(&format!("is not valid JSON: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| bad("is not a JSON object"))?;
    let mut config = DockerConfig {
        path: Some(path.to_path_buf()),
        ..Default::default()
    };
    if let Some(auths) = obj.get("auths") {
        let auths = auths
            .as_object()
            .ok_or_else(|| bad("has an `auths` that is not an object"))?;
        for (key, entry) in auths {
            let field = |name: &str| {
                entry
                    .get(name)
                    .and_then(|v| v.as_str())
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            config.auths.insert(
                normalize_key(key),
                AuthEntry {
                    key: key.clone(),
                    auth: field("auth"),
                    username: field("username"),
                    password: field("password"),
                    identity_token: field("identitytoken"),
                },
            );
        }
    }
    if let Some(store) = obj.get("credsStore") {
        let name = store
            .as_str()
            .ok_or_else(|| bad("has a `credsStore` that is not a string"))?;
        if !name.is_empty() {
            check_helper_name(name).map_err(|e| bad(&e))?;
            config.creds_store = Some(name.to_string());
        }
    }
    if let Some(helpers) = obj.get("credHelpers") {
        let helpers = helpers
            .as_object()
            .ok_or_else(|| bad("has a `credHelpers` that is not an object"))?;
        for (host, name) in helpers {
            let name = name
                .as_str()
                .ok_or_else(|| bad(&format!("has a credHelpers[{host:?}] that is not a string")))?;
            check_helper_name(name).map_err(|e| bad(&e))?;
            config
                .cred_helpers
                .insert(normalize_key(host), name.to_string());
        }
    }
    Ok(config)
}

/// A helper name becomes part of a program name: letters, digits, `-`,
/// `_` and `.` only (no path).
fn check_helper_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "names the credential helper {name:?}: a helper name holds only letters, digits, \
             '-', '_' and '.'"
        ))
    }
}

impl AuthEntry {
    fn decode(&self, path: Option<&std::path::Path>) -> Result<Option<Credentials>, String> {
        let where_ = || {
            format!(
                "the Docker config {} (auths[{:?}])",
                path.map(|p| p.display().to_string()).unwrap_or_default(),
                self.key
            )
        };
        if let Some(token) = &self.identity_token {
            return Ok(Some(Credentials {
                username: String::new(),
                secret: token.clone(),
            }));
        }
        if let Some(auth) = &self.auth {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| format!("{}: `auth` is not base64", where_()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{}: `auth` is not base64 of text", where_()))?;
            let (user, pass) = text
                .split_once(':')
                .ok_or_else(|| format!("{}: `auth` is not base64 of USER:PASSWORD", where_()))?;
            return Ok(Some(Credentials {
                username: user.to_string(),
                secret: pass.trim_end_matches('\n').to_string(),
            }));
        }
        match (&self.username, &self.password) {
            (Some(u), Some(p)) => Ok(Some(Credentials {
                username: u.clone(),
                secret: p.clone(),
            })),
            // An entry without credentials (one `docker login` left for a
            // credential store): anonymous.
            _ => Ok(None),
        }
    }
}

/// Runs `docker-credential-NAME get` for `server`; `None` when the helper
/// has no credentials for it.
async fn run_helper(name: &str, server: &str) -> Result<Option<Credentials>, String> {
    use tokio::io::AsyncWriteExt;
    check_helper_name(name)?;
    let program = format!("docker-credential-{name}");
    let mut child = tokio::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run the credential helper {program} for {server} (named by the \
                 Docker config): {e}"
            )
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that does not read its input fails below with its own words.
        let _ = stdin.write_all(server.as_bytes()).await;
    }
    let out = tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| {
            format!(
                "the credential helper {program} gave no answer for {server} within {}s",
                HELPER_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| format!("the credential helper {program} failed for {server}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        if stdout.contains("credentials not found") {
            return Ok(None);
        }
        // First line only, shortened: a helper's message, never its answer.
        let said = String::from_utf8_lossy(&out.stderr);
        let said = if said.trim().is_empty() {
            stdout.clone()
        } else {
            said
        };
        let line: String = said
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        return Err(format!(
            "the credential helper {program} failed for {server} ({}): {line}",
            out.status
        ));
    }
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|_| {
        format!("the credential helper {program} answered {server} with something other than JSON")
    })?;
    let field = |n: &str| {
        answer
            .get(n)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (user, secret) = (field("Username"), field("Secret"));
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(if user == "<token>" {
        Credentials {
            username: String::new(),
            secret,
        }
    } else {
        Credentials {
            username: user,
            secret,
        }
    }))
}

#[tonic::async_trait]
impl Auth for RegistryAuth {
    async fn credentials(
        &self,
        r: Request<CredentialsRequest>,
    ) -> Result<Response<CredentialsResponse>, Status> {
        let host = &r.get_ref().host;
        match RegistryAuth::credentials(self, host).await {
            Ok(Some(c)) => Ok(Response::new(CredentialsResponse {
                username: c.username,
                secret: c.secret,
            })),
            Ok(None) => Ok(Response::new(CredentialsResponse::default())),
            Err(e) => Err(Status::internal(format!(
                "credentials for registry {host}: {e}"
            ))),
        }
    }

    async fn fetch_token(
        &self,
        _r: Request<FetchTokenRequest>,
    ) -> Result<Response<FetchTokenResponse>, Status> {
        Err(Status::unimplemented(
            "registry tokens are fetched by the daemon with the credentials",
        ))
    }

    async fn get_token_authority(
        &self,
        _r: Request<GetTokenAuthorityRequest>,
    ) -> Result<Response<GetTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("no token authority on this client"))
    }

    async fn verify_token_authority(
        &self,
        _r: Request<VerifyTokenAuthorityRequest>,
    ) -> Result<Response<VerifyTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("no token authority on this client"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_dir(json: &str) -> (tempfile::TempDir, RegistryAuth) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, json).unwrap();
        (dir, RegistryAuth::with_config_file(Some(path)))
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[tokio::test]
    async fn auths_by_host_with_auth_or_username_and_password() {
        let json = format!(
            r#"{{"auths": {{
                "127.0.0.1:5001": {{"auth": "{}"}},
                "https://registry.example.com/v2/": {{"username": "u2", "password": "p2"}},
                "https://index.docker.io/v1/": {{"auth": "{}"}},
                "token.example.com": {{"identitytoken": "tok"}},
                "empty.example.com": {{}}
            }}}}"#,
            b64("alice:s3cr:et"),
            b64("hub:hubpass")
        );
        let (_d, auth) = config_dir(&json);
        let c = auth.credentials("127.0.0.1:5001").await.unwrap().unwrap();
        assert_eq!(
            (c.username.as_str(), c.secret.as_str()),
            ("alice", "s3cr:et")
        );
        let c = auth
            .credentials("registry.example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((c.username.as_str(), c.secret.as_str()), ("u2", "p2"));
        let c = auth
            .credentials("registry-1.docker.io")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.username, "hub");
        let c = auth
            .credentials("token.example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((c.username.as_str(), c.secret.as_str()), ("", "tok"));
        assert_eq!(auth.credentials("empty.example.com").await.unwrap(), None);
        assert_eq!(auth.credentials("other.example.com").await.unwrap(), None);
        let shown = format!("{auth:?} {c:?}");
        assert!(
            !shown.contains("s3cr") && !shown.contains("tok\""),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn no_config_file_is_anonymous_and_a_broken_one_is_named() {
        let auth = RegistryAuth::with_config_file(Some("/nonexistent/config.json".into()));
        assert_eq!(auth.credentials("127.0.0.1:5000").await.unwrap(), None);
        let (_d, auth) = config_dir("{not json");
        let err = auth.credentials("127.0.0.1:5000").await.unwrap_err();
        assert!(err.contains("config.json is not valid JSON"), "{err}");
        let (_d, auth) = config_dir(r#"{"auths": {"h": {"auth": "%%%"}}}"#);
        let err = auth.credentials("h").await.unwrap_err();
        assert!(
            err.contains("auths[\"h\"]") && err.contains("not base64"),
            "{err}"
        );
        let (_d, auth) = config_dir(r#"{"credsStore": "../../bin/sh"}"#);
        let err = auth.credentials("h").await.unwrap_err();
        assert!(err.contains("credential helper \"../../bin/sh\""), "{err}");
    }

    #[tokio::test]
    async fn a_missing_helper_is_named() {
        let (_d, auth) = config_dir(r#"{"credHelpers": {"h:1": "nonexistent-dagger-test"}}"#);
        let err = auth.credentials("h:1").await.unwrap_err();
        assert!(
            err.contains("cannot run the credential helper docker-credential-nonexistent-dagger-test for h:1"),
            "{err}"
        );
        // Other hosts are not affected.
        assert_eq!(auth.credentials("other:1").await.unwrap(), None);
    }

    #[test]
    fn config_keys_normalize_to_hosts() {
        assert_eq!(
            normalize_key("https://index.docker.io/v1/"),
            "index.docker.io"
        );
        assert_eq!(normalize_key("http://127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(
            normalize_key("Registry.Example.com/v2/"),
            "registry.example.com"
        );
        assert_eq!(lookup_host("registry-1.docker.io"), "index.docker.io");
    }
}
