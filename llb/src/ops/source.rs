//! Source ops: where filesystems come from. `docker-image://` (a registry
//! image), `git://` (a checkout) and `local://` (a directory on the client,
//! sent through the session). Identifiers and attribute names are the ones
//! BuildKit's source resolvers read.

use std::collections::BTreeMap;

use super::error::BuildError;
use super::git_url::{GitScheme, GitUrl};
use super::platform::Platform;
use super::reference::ImageReference;
use super::state::{OpMeta, Output, State, VertexKind};

/// Attribute names of source ops (BuildKit's `solver/pb/attr.go`).
pub mod attr {
    pub const IMAGE_RESOLVE_MODE: &str = "image.resolvemode";
    pub const IMAGE_RECORD_TYPE: &str = "image.recordtype";
    pub const GIT_KEEP_GIT_DIR: &str = "git.keepgitdir";
    pub const GIT_FULL_URL: &str = "git.fullurl";
    pub const GIT_AUTH_HEADER_SECRET: &str = "git.authheadersecret";
    pub const GIT_AUTH_TOKEN_SECRET: &str = "git.authtokensecret";
    pub const GIT_MOUNT_SSH_SOCK: &str = "git.mountsshsock";
    pub const LOCAL_SESSION_ID: &str = "local.session";
    pub const LOCAL_UNIQUE_ID: &str = "local.unique";
    pub const LOCAL_INCLUDE_PATTERNS: &str = "local.includepattern";
    pub const LOCAL_EXCLUDE_PATTERNS: &str = "local.excludepatterns";
    pub const LOCAL_FOLLOW_PATHS: &str = "local.followpaths";
    pub const LOCAL_SHARED_KEY_HINT: &str = "local.sharedkeyhint";
}

/// Names of the session secrets a git source may use for HTTP auth; set by
/// default, as BuildKit's client does, so a token given to the session works.
pub const GIT_AUTH_HEADER_KEY: &str = "GIT_AUTH_HEADER";
/// See [`GIT_AUTH_HEADER_KEY`].
pub const GIT_AUTH_TOKEN_KEY: &str = "GIT_AUTH_TOKEN";

/// A source op as it will be marshaled.
#[derive(Clone, Debug)]
pub(crate) struct SourceOp {
    pub(crate) identifier: String,
    pub(crate) attrs: BTreeMap<String, String>,
    /// Image sources are per platform; git and local sources are not.
    pub(crate) platform_specific: bool,
    pub(crate) caps: Vec<&'static str>,
}

fn source_state(op: SourceOp, meta: OpMeta, platform: Option<Platform>) -> State {
    let state = State::scratch();
    let state = match &platform {
        Some(p) => state.with_platform(p.clone()),
        None => state,
    };
    state.with_output(Output::new(VertexKind::Source(op), meta, platform, 0))
}

/// When an image source looks at the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveMode {
    /// The daemon's default policy.
    Default,
    /// Always check the registry.
    ForcePull,
    /// Use a local image when there is one.
    PreferLocal,
}

impl ResolveMode {
    fn as_attr(self) -> &'static str {
        match self {
            ResolveMode::Default => "default",
            ResolveMode::ForcePull => "pull",
            ResolveMode::PreferLocal => "local",
        }
    }
}

/// `docker-image://` source: the root filesystem of an image.
#[derive(Clone, Debug)]
pub struct Image {
    reference: ImageReference,
    resolve_mode: Option<ResolveMode>,
    record_type: Option<String>,
    platform: Option<Platform>,
    meta: OpMeta,
}

impl Image {
    /// An image source; `reference` is normalized like Docker does.
    pub fn new(reference: &str) -> Result<Image, BuildError> {
        Ok(Image {
            reference: ImageReference::parse_normalized(reference)?,
            resolve_mode: None,
            record_type: None,
            platform: None,
            meta: OpMeta::default(),
        })
    }

    /// The normalized reference (`docker.io/library/alpine:latest`).
    pub fn reference(&self) -> &ImageReference {
        &self.reference
    }

    /// Sets `image.resolvemode`.
    pub fn resolve_mode(mut self, mode: ResolveMode) -> Image {
        self.resolve_mode = Some(mode);
        self
    }

    /// Sets `image.recordtype` (`internal` hides the pull from history).
    pub fn record_type(mut self, record_type: impl Into<String>) -> Image {
        self.record_type = Some(record_type.into());
        self
    }

    /// Pulls for `platform` instead of the definition's default platform.
    pub fn platform(mut self, platform: Platform) -> Image {
        self.platform = Some(platform);
        self
    }

    /// Op metadata (display name).
    pub fn meta(mut self, meta: OpMeta) -> Image {
        self.meta = meta;
        self
    }

    /// The state holding the image's root filesystem. Apply the image's
    /// config with [`State::with_image_config`] once it is resolved.
    pub fn build(self) -> State {
        let mut attrs = BTreeMap::new();
        let mut caps = vec![super::caps::SOURCE_IMAGE];
        if let Some(mode) = self.resolve_mode {
            attrs.insert(
                attr::IMAGE_RESOLVE_MODE.to_string(),
                mode.as_attr().to_string(),
            );
            if mode == ResolveMode::ForcePull {
                caps.push(super::caps::SOURCE_IMAGE_RESOLVE_MODE);
            }
        }
        if let Some(rt) = self.record_type {
            attrs.insert(attr::IMAGE_RECORD_TYPE.to_string(), rt);
        }
        let op = SourceOp {
            identifier: format!("docker-image://{}", self.reference),
            attrs,
            platform_specific: true,
            caps,
        };
        source_state(op, self.meta, self.platform)
    }
}

/// Shorthand for `Image::new(reference)?.build()`.
pub fn image(reference: &str) -> Result<State, BuildError> {
    Ok(Image::new(reference)?.build())
}

/// `git://` source: a checkout of a ref of a remote repository.
#[derive(Clone, Debug)]
pub struct Git {
    url: GitUrl,
    reference: String,
    subdir: String,
    keep_git_dir: bool,
    auth_secrets: bool,
    meta: OpMeta,
}

impl Git {
    /// A checkout of `reference` (branch, tag or commit; empty means the
    /// remote's default branch) of `remote`. A `#ref` or `#ref:subdir`
    /// fragment on the remote is used when `reference` is empty.
    pub fn new(remote: &str, reference: &str) -> Result<Git, BuildError> {
        let url = GitUrl::parse(remote)?;
        let fragment = url.fragment.clone().unwrap_or_default();
        let (frag_ref, frag_subdir) = fragment.split_once(':').unwrap_or((fragment.as_str(), ""));
        let (reference, subdir) = if reference.is_empty() {
            (frag_ref.to_string(), frag_subdir.to_string())
        } else {
            (reference.to_string(), String::new())
        };
        let subdir = super::path::clean(&format!("/{subdir}"))
            .trim_start_matches('/')
            .to_string();
        Ok(Git {
            url,
            reference,
            subdir,
            keep_git_dir: false,
            auth_secrets: true,
            meta: OpMeta::default(),
        })
    }

    /// Keeps the `.git` directory in the checkout.
    pub fn keep_git_dir(mut self, keep: bool) -> Git {
        self.keep_git_dir = keep;
        self
    }

    /// Only this sub-directory of the repository.
    pub fn subdir(mut self, subdir: &str) -> Git {
        self.subdir = super::path::clean(&format!("/{subdir}"))
            .trim_start_matches('/')
            .to_string();
        self
    }

    /// Whether to name the session secrets `GIT_AUTH_TOKEN`/`GIT_AUTH_HEADER`
    /// for HTTP auth (on by default).
    pub fn auth_secrets(mut self, on: bool) -> Git {
        self.auth_secrets = on;
        self
    }

    /// Op metadata (display name).
    pub fn meta(mut self, meta: OpMeta) -> Git {
        self.meta = meta;
        self
    }

    /// The state holding the checkout.
    pub fn build(self) -> State {
        let mut id = format!("git://{}", self.url.identity());
        if !self.reference.is_empty() || !self.subdir.is_empty() {
            id.push('#');
            id.push_str(&self.reference);
            if !self.subdir.is_empty() {
                id.push(':');
                id.push_str(&self.subdir);
            }
        }
        let mut attrs = BTreeMap::new();
        let mut caps = Vec::new();
        if self.keep_git_dir {
            attrs.insert(attr::GIT_KEEP_GIT_DIR.to_string(), "true".to_string());
            caps.push(super::caps::SOURCE_GIT_KEEP_DIR);
        }
        attrs.insert(attr::GIT_FULL_URL.to_string(), self.url.remote.clone());
        caps.push(super::caps::SOURCE_GIT_FULL_URL);
        if self.auth_secrets {
            attrs.insert(
                attr::GIT_AUTH_TOKEN_SECRET.to_string(),
                GIT_AUTH_TOKEN_KEY.to_string(),
            );
            attrs.insert(
                attr::GIT_AUTH_HEADER_SECRET.to_string(),
                GIT_AUTH_HEADER_KEY.to_string(),
            );
        }
        if self.url.scheme == GitScheme::Ssh {
            attrs.insert(attr::GIT_MOUNT_SSH_SOCK.to_string(), "default".to_string());
            caps.push(super::caps::SOURCE_GIT_MOUNT_SSH_SOCK);
        }
        caps.push(super::caps::SOURCE_GIT);
        let op = SourceOp {
            identifier: id,
            attrs,
            platform_specific: false,
            caps,
        };
        source_state(op, self.meta, None)
    }
}

/// Shorthand for `Git::new(remote, reference)?.build()`.
pub fn git(remote: &str, reference: &str) -> Result<State, BuildError> {
    Ok(Git::new(remote, reference)?.build())
}

/// `local://` source: a directory the client sends through its session.
#[derive(Clone, Debug)]
pub struct Local {
    name: String,
    session_id: Option<String>,
    unique_id: Option<String>,
    shared_key_hint: Option<String>,
    include: Vec<String>,
    exclude: Vec<String>,
    follow_paths: Vec<String>,
    meta: OpMeta,
}

impl Local {
    /// The directory the session exposes under `name`.
    pub fn new(name: &str) -> Result<Local, BuildError> {
        if name.is_empty() {
            return Err(BuildError::EmptyLocalName);
        }
        Ok(Local {
            name: name.to_string(),
            session_id: None,
            unique_id: None,
            shared_key_hint: None,
            include: Vec::new(),
            exclude: Vec::new(),
            follow_paths: Vec::new(),
            meta: OpMeta::default(),
        })
    }

    /// Ties the source to one client session (`local.session`). Without it
    /// the daemon asks the sessions attached to the solve, and the op's
    /// digest stays the same across runs.
    pub fn session_id(mut self, id: impl Into<String>) -> Local {
        self.session_id = Some(id.into());
        self
    }

    /// `local.unique`: makes otherwise identical local sources distinct.
    pub fn unique_id(mut self, id: impl Into<String>) -> Local {
        self.unique_id = Some(id.into());
        self
    }

    /// `local.sharedkeyhint`: lets transfers of the same directory reuse
    /// the previous copy (only changed files are sent).
    pub fn shared_key_hint(mut self, hint: impl Into<String>) -> Local {
        self.shared_key_hint = Some(hint.into());
        self
    }

    /// Only transfer paths matching these patterns.
    pub fn include_patterns(mut self, patterns: Vec<String>) -> Local {
        self.include = patterns;
        self
    }

    /// Never transfer paths matching these (dockerignore syntax).
    pub fn exclude_patterns(mut self, patterns: Vec<String>) -> Local {
        self.exclude = patterns;
        self
    }

    /// Transfer these paths, following symlinks to them.
    pub fn follow_paths(mut self, paths: Vec<String>) -> Local {
        self.follow_paths = paths;
        self
    }

    /// Op metadata (display name).
    pub fn meta(mut self, meta: OpMeta) -> Local {
        self.meta = meta;
        self
    }

    /// The state holding the transferred directory.
    pub fn build(self) -> State {
        use super::caps as c;
        let mut attrs = BTreeMap::new();
        let mut caps = Vec::new();
        let mut set = |key: &str, value: String, cap: &'static str| {
            attrs.insert(key.to_string(), value);
            caps.push(cap);
        };
        if let Some(id) = self.session_id {
            set(attr::LOCAL_SESSION_ID, id, c::SOURCE_LOCAL_SESSION_ID);
        }
        if !self.include.is_empty() {
            set(
                attr::LOCAL_INCLUDE_PATTERNS,
                json_list(&self.include),
                c::SOURCE_LOCAL_INCLUDE_PATTERNS,
            );
        }
        if !self.follow_paths.is_empty() {
            set(
                attr::LOCAL_FOLLOW_PATHS,
                json_list(&self.follow_paths),
                c::SOURCE_LOCAL_FOLLOW_PATHS,
            );
        }
        if !self.exclude.is_empty() {
            set(
                attr::LOCAL_EXCLUDE_PATTERNS,
                json_list(&self.exclude),
                c::SOURCE_LOCAL_EXCLUDE_PATTERNS,
            );
        }
        if let Some(hint) = self.shared_key_hint {
            set(
                attr::LOCAL_SHARED_KEY_HINT,
                hint,
                c::SOURCE_LOCAL_SHARED_KEY_HINT,
            );
        }
        if let Some(id) = self.unique_id {
            set(attr::LOCAL_UNIQUE_ID, id, c::SOURCE_LOCAL_UNIQUE);
        }
        caps.push(c::SOURCE_LOCAL);
        let op = SourceOp {
            identifier: format!("local://{}", self.name),
            attrs,
            platform_specific: false,
            caps,
        };
        source_state(op, self.meta, None)
    }
}

/// A JSON array of strings, the encoding BuildKit expects for pattern lists.
fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}
