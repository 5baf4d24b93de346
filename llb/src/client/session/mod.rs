//! The client session: a gRPC server that this client runs for the daemon,
//! carried over the `Control.Session` bidi stream.
//!
//! `Control.Session` moves raw bytes (`BytesMessage`) both ways; those bytes
//! are an HTTP/2 connection on which the daemon is the client and we are the
//! server. The request headers announce the session id, name, shared key and
//! the methods we serve (`X-Docker-Expose-Session-*`); the daemon then calls
//! back for local files (FileSync), export targets (FileSend), secrets,
//! registry credentials and health checks.

pub mod auth;
pub mod content;
pub mod filesend;
pub mod filesync;
pub mod services;

use std::collections::BTreeMap;
use std::path::PathBuf;

use bollard_buildkit_proto::health::health_server::HealthServer;
use bollard_buildkit_proto::moby::buildkit::secrets::v1::secrets_server::SecretsServer;
use bollard_buildkit_proto::moby::buildkit::v1::control_client::ControlClient;
use bollard_buildkit_proto::moby::buildkit::v1::BytesMessage;
use bollard_buildkit_proto::moby::filesync::v1::auth_server::AuthServer;
use bollard_buildkit_proto::moby::filesync::v1::file_sync_server::FileSyncServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Server};

use super::error::ClientError;
use super::task::AbortOnDrop;
use auth::RegistryAuth;
use filesend::{ExportDir, FileSendService};
use filesync::LocalDirs;
use services::{HealthService, SecretStore};

/// What one session offers the daemon.
#[derive(Debug, Clone, Default)]
pub struct SessionConfig {
    /// Local directories by the name the LLB `local://NAME` source uses.
    pub locals: BTreeMap<String, PathBuf>,
    /// Secret values by id.
    pub secrets: BTreeMap<String, Vec<u8>>,
    /// Target directory of a `local` export.
    pub export_dir: Option<PathBuf>,
    /// Registry credentials (default: anonymous).
    pub auth: RegistryAuth,
    /// Local cache directories (`type=local` cache imports and exports).
    pub cache_dirs: Vec<PathBuf>,
}

/// A running session; dropping it ends it.
pub(crate) struct Session {
    pub id: String,
    _closed: tokio::sync::oneshot::Sender<()>,
    _tasks: Vec<AbortOnDrop>,
}

const METHODS: &[&str] = &[
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
    "/moby.filesync.v1.Auth/Credentials",
    "/moby.filesync.v1.Auth/FetchToken",
    "/moby.filesync.v1.Auth/GetTokenAuthority",
    "/moby.filesync.v1.Auth/VerifyTokenAuthority",
    "/moby.buildkit.secrets.v1.Secrets/GetSecret",
    "/moby.filesync.v1.FileSync/DiffCopy",
    "/moby.filesync.v1.FileSync/TarStream",
];

/// Opens a session on `control` serving `config`.
pub(crate) fn start(
    mut control: ControlClient<Channel>,
    config: SessionConfig,
    id: String,
    shared_key: String,
) -> Result<Session, ClientError> {
    let (ours, theirs) = tokio::io::duplex(1 << 20);
    let mut methods: Vec<&str> = METHODS.to_vec();
    let mut router = Server::builder()
        .initial_connection_window_size(super::connect::CONNECTION_WINDOW)
        .add_service(HealthServer::new(HealthService))
        .add_service(AuthServer::new(config.auth))
        .add_service(SecretsServer::new(SecretStore::new(config.secrets)))
        .add_service(
            FileSyncServer::new(LocalDirs::new(config.locals)).max_decoding_message_size(64 << 20),
        );
    if !config.cache_dirs.is_empty() {
        router = router.add_service(content::ContentServer(content::LocalStores::new(
            config.cache_dirs,
        )));
        methods.extend_from_slice(content::METHODS);
    }
    if let Some(dest) = config.export_dir {
        router = router.add_service(FileSendService(
            FileSyncServer::new(ExportDir { dest }).max_decoding_message_size(64 << 20),
        ));
        methods.push("/moby.filesync.v1.FileSend/DiffCopy");
    }
    let server = tokio::spawn(async move {
        let _ = router
            .serve_with_incoming(tokio_stream::once(Ok::<_, std::io::Error>(theirs)))
            .await;
    });

    let (rd, mut wr) = tokio::io::split(ours);
    // Dropping the session drops `closed`, which ends the outbound stream:
    // the daemon then sees the session's end at once (instead of after its
    // health checks time out), and both duplex halves are released, which
    // ends our side of the HTTP/2 connection too.
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    let outbound = futures::stream::unfold((rd, on_close), |(mut rd, mut on_close)| async move {
        let mut buf = vec![0u8; 32 * 1024];
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(0) | Err(_) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((BytesMessage { data: buf }, (rd, on_close)))
                }
            },
            _ = &mut on_close => None,
        }
    });
    let mut request = tonic::Request::new(outbound);
    let md = request.metadata_mut();
    let value = |s: &str| {
        MetadataValue::try_from(s)
            .map_err(|_| ClientError::Transport(format!("invalid session header value {s:?}")))
    };
    md.insert("x-docker-expose-session-uuid", value(&id)?);
    md.insert("x-docker-expose-session-name", value("dagger")?);
    md.insert("x-docker-expose-session-sharedkey", value(&shared_key)?);
    for m in methods {
        md.append("x-docker-expose-session-grpc-method", value(m)?);
    }
    let pump = tokio::spawn(async move {
        let Ok(resp) = control.session(request).await else {
            return;
        };
        let mut inbound = resp.into_inner();
        while let Ok(Some(msg)) = inbound.message().await {
            if wr.write_all(&msg.data).await.is_err() {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    Ok(Session {
        id,
        _closed: closed,
        _tasks: vec![AbortOnDrop(server), AbortOnDrop(pump)],
    })
}
