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

mod connect;
mod error;
pub mod patterns;
mod progress;
mod resolve;
pub mod session;
mod solve;
mod task;

pub use connect::Address;
pub use error::{ClientError, ExecFailure};
pub use progress::{ProgressEvent, ProgressSender, VertexKind, VertexSummary};
pub use resolve::ImageConfigResult;
pub use solve::{Export, Frontend, SolveRequest, SolveResult};
pub use task::settle;

use bollard_buildkit_proto::moby::buildkit::v1::control_client::ControlClient;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::llb_bridge_client::LlbBridgeClient;
use bollard_buildkit_proto::moby::buildkit::v1::ListWorkersRequest;
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
}

impl Client {
    /// Connects to the daemon named by the environment (`BUILDKIT_HOST`, else
    /// Docker's embedded BuildKit through `DOCKER_HOST` or the default socket).
    pub async fn connect() -> Result<Client, ClientError> {
        Client::connect_to(Address::from_env()?).await
    }

    /// Connects to `address` and checks that BuildKit answers there.
    pub async fn connect_to(address: Address) -> Result<Client, ClientError> {
        let channel = connect::dial(&address).await?;
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
                return Err(ClientError::Unreachable {
                    address: address.to_string(),
                    reason: format!("not a BuildKit API ({})", s.message()),
                })
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
        })
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
        resolve::resolve_image_config(
            self.control.clone(),
            self.gateway.clone(),
            self.shared_key.clone(),
            reference,
            platform,
        )
        .await
        .map_err(|e| e.at(&self.address))
    }

    /// Runs one build; `progress` receives events as they happen.
    pub async fn solve(
        &self,
        request: SolveRequest,
        progress: Option<ProgressSender>,
    ) -> Result<SolveResult, ClientError> {
        solve::solve(
            self.control.clone(),
            self.gateway.clone(),
            self.shared_key.clone(),
            request,
            progress,
        )
        .await
        .map_err(|e| e.at(&self.address))
    }
}
