//! The BuildKit client: connect, solve with a session, progress, read files
//! from results, push images, export to local directories.
//!
//! ```no_run
//! # async fn demo(def: bollard_buildkit_proto::pb::Definition) -> Result<(), llb::client::ClientError> {
//! use llb::client::{Client, SolveRequest};
//! let client = Client::connect().await?; // BUILDKIT_HOST, else Docker
//! let res = client
//!     .solve(SolveRequest { definition: def, read_files: vec!["/out.txt".into()], ..Default::default() }, None)
//!     .await?;
//! println!("{}", String::from_utf8_lossy(&res.files["/out.txt"]));
//! # Ok(()) }
//! ```
//!
//! Cancelling: dropping the future returned by [`Client::solve`] (for example
//! in a `tokio::select!` with Ctrl-C) resets the gRPC calls, which makes the
//! daemon cancel the build, and stops the session.

mod cache;
mod connect;
mod error;
pub mod patterns;
mod progress;
mod resolve;
pub mod session;
mod solve;
mod task;

pub use cache::{CacheOptions, CacheSpec};
pub use connect::{Address, ConnectOptions, TlsOptions};
pub use error::{ClientError, ExecFailure};
pub use progress::{ProgressEvent, ProgressSender, VertexKind, VertexSummary};
pub use resolve::ImageConfigResult;
pub use session::auth::{Credentials, RegistryAuth};
pub use solve::{Export, Frontend, SolveRequest, SolveResult};
pub use task::settle;

use bollard_buildkit_proto::moby::buildkit::v1::control_client::ControlClient;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::llb_bridge_client::LlbBridgeClient;
use bollard_buildkit_proto::moby::buildkit::v1::ListWorkersRequest;
use bollard_buildkit_proto::pb::Definition;
use tonic::transport::Channel;

/// Largest gRPC message accepted (file reads, big status batches).
const MAX_MESSAGE: usize = 128 << 20;

/// A connection to one BuildKit daemon; cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    address: Address,
    control: ControlClient<Channel>,
    gateway: LlbBridgeClient<Channel>,
    shared_key: String,
    /// Registry credentials served to the daemon.
    auth: RegistryAuth,
    /// Cache imports of every solve, and exports made by `export_cache`.
    cache: CacheOptions,
    /// The results solved so far, kept for the cache export.
    solved: std::sync::Arc<std::sync::Mutex<Solved>>,
}

/// What the run solved, for the cache export's build: the definitions and
/// what their sources need again (local directories, secrets) in case a
/// result has left the daemon's cache since.
#[derive(Clone, Default)]
pub(crate) struct Solved {
    pub defs: Vec<Definition>,
    pub locals: std::collections::BTreeMap<String, std::path::PathBuf>,
    pub secrets: std::collections::BTreeMap<String, Vec<u8>>,
}

impl std::fmt::Debug for Solved {
    /// Secret names only, never their values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Solved")
            .field("defs", &self.defs.len())
            .field("locals", &self.locals)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Everything that goes to the daemon besides a request: shared by the
/// solves of one client.
#[derive(Clone)]
pub(crate) struct SolveContext {
    pub control: ControlClient<Channel>,
    pub gateway: LlbBridgeClient<Channel>,
    pub shared_key: String,
    pub auth: RegistryAuth,
    pub cache: CacheOptions,
}

impl Client {
    /// Connects to the daemon named by the environment (`BUILDKIT_HOST`, else
    /// Docker's embedded BuildKit through `DOCKER_HOST` or the default socket).
    pub async fn connect() -> Result<Client, ClientError> {
        Client::connect_to(Address::from_env()?).await
    }

    /// Connects to `address` and checks that BuildKit answers there.
    pub async fn connect_to(address: Address) -> Result<Client, ClientError> {
        Client::connect_with(address, &ConnectOptions::default()).await
    }

    /// Connects to `address` with `options` (TLS for a `tcp://` daemon) and
    /// checks that BuildKit answers there. Registry credentials come from
    /// the Docker config of the environment ([`RegistryAuth::from_env`]).
    pub async fn connect_with(
        address: Address,
        options: &ConnectOptions,
    ) -> Result<Client, ClientError> {
        let tls = connect::tls_for(&address, options)?;
        let channel = connect::dial(&address, tls.as_ref()).await?;
        let control = ControlClient::new(channel.clone())
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE);
        let gateway = LlbBridgeClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE);
        let mut probe = control.clone();
        let answered = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            probe.list_workers(ListWorkersRequest::default()),
        )
        .await;
        match answered {
            Ok(Ok(_)) => {}
            Ok(Err(s)) => {
                // A TLS failure the handshake did not show (TLS 1.3: the
                // daemon refuses a missing client certificate afterwards).
                let chain = match std::error::Error::source(&s) {
                    Some(e) => connect::source_chain(e),
                    None => s.message().to_string(),
                };
                if let Some(tls) = &tls {
                    let known = tls.last_error().or_else(|| {
                        (chain.contains("alert") || chain.contains("TLS"))
                            .then(|| tls.explain(&chain))
                    });
                    if let Some(known) = known {
                        return Err(ClientError::Tls {
                            address: address.to_string(),
                            reason: connect::tls_reason(&known).unwrap_or(known),
                        });
                    }
                }
                let hint = if tls.is_none() && matches!(address, Address::Tcp(_)) {
                    "; if the daemon listens with TLS, pass --tlscacert (and --tlscert \
                     and --tlskey for mutual TLS)"
                } else {
                    ""
                };
                return Err(ClientError::Unreachable {
                    address: address.to_string(),
                    reason: format!("not a BuildKit API ({}){hint}", s.message()),
                });
            }
            Err(_) => {
                return Err(ClientError::Unreachable {
                    address: address.to_string(),
                    reason: "no answer within 10s".into(),
                })
            }
        }
        // The shared key lets the daemon reuse files sent earlier from the same
        // directories by this machine, so repeated transfers only send changes.
        let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        let shared_key = format!("dagger-{}", host.trim());
        Ok(Client {
            address,
            control,
            gateway,
            shared_key,
            auth: RegistryAuth::from_env(),
            cache: CacheOptions::default(),
            solved: Default::default(),
        })
    }

    /// Serves `auth`'s registry credentials instead of the environment's.
    pub fn with_registry_auth(mut self, auth: RegistryAuth) -> Client {
        self.auth = auth;
        self
    }

    /// Imports `cache` in every solve; its exports are made by
    /// [`Client::export_cache`].
    pub fn with_cache(mut self, cache: CacheOptions) -> Client {
        self.cache = cache;
        self
    }

    /// The cache options in use.
    pub fn cache(&self) -> &CacheOptions {
        &self.cache
    }

    /// Adds what the Docker config had to a registry's refusal.
    fn explain(&self, e: ClientError) -> ClientError {
        match e {
            ClientError::Solve { message } => match self.auth.explain_denied(&message) {
                Some(hint) => ClientError::Solve {
                    message: format!("{message} ({hint})"),
                },
                None => ClientError::Solve { message },
            },
            ClientError::Op(mut f) => {
                if let Some(hint) = self.auth.explain_denied(&f.message) {
                    f.message = format!("{} ({hint})", f.message);
                }
                ClientError::Op(f)
            }
            other => other,
        }
    }

    fn context(&self) -> SolveContext {
        SolveContext {
            control: self.control.clone(),
            gateway: self.gateway.clone(),
            shared_key: self.shared_key.clone(),
            auth: self.auth.clone(),
            cache: self.cache.clone(),
        }
    }

    /// Exports the cache of everything this client solved to the cache
    /// exports (`--cache-to`), in one build whose result holds every result
    /// solved so far (all answered from the daemon's cache). `None` when
    /// there are no exports or nothing was solved.
    pub async fn export_cache(
        &self,
        progress: Option<ProgressSender>,
    ) -> Result<Option<SolveResult>, ClientError> {
        if self.cache.exports.is_empty() {
            return Ok(None);
        }
        let solved = match self.solved.lock() {
            Ok(d) => d.clone(),
            Err(_) => return Ok(None),
        };
        if solved.defs.is_empty() {
            return Ok(None);
        }
        solve::export_cache(self.context(), solved, progress)
            .await
            .map(Some)
            .map_err(|e| self.explain(e.at(&self.address)))
    }

    /// Where this client is connected.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The manifest digest and config of image `reference` (normalized, e.g.
    /// `docker.io/library/alpine:latest`) for `platform` (default: the daemon's).
    pub async fn resolve_image_config(
        &self,
        reference: &str,
        platform: Option<bollard_buildkit_proto::pb::Platform>,
    ) -> Result<ImageConfigResult, ClientError> {
        resolve::resolve_image_config(self.context(), reference, platform)
            .await
            .map_err(|e| self.explain(e.at(&self.address)))
    }

    /// Runs one build; `progress` receives events as they happen.
    pub async fn solve(
        &self,
        request: SolveRequest,
        progress: Option<ProgressSender>,
    ) -> Result<SolveResult, ClientError> {
        let frontend = request.frontend.is_some();
        let exporting = !self.cache.exports.is_empty();
        let definition = (!frontend && exporting).then(|| request.definition.clone());
        let needs = exporting.then(|| (request.locals.clone(), request.secrets.clone()));
        let result = solve::solve(self.context(), request, progress)
            .await
            .map_err(|e| self.explain(e.at(&self.address)))?;
        // Kept for the cache export: what later runs will solve again.
        let solved = if frontend {
            result
                .definition
                .clone()
                .filter(|_| !self.cache.exports.is_empty())
        } else {
            definition
        };
        if let (Some(def), Some((locals, secrets)), Ok(mut all)) =
            (solved, needs, self.solved.lock())
        {
            if !def.def.is_empty() && !all.defs.contains(&def) {
                all.defs.push(def);
                all.locals.extend(locals);
                all.secrets.extend(secrets);
            }
        }
        Ok(result)
    }
}
