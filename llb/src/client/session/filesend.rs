//! Receiving a result into a local directory (`moby.filesync.v1.FileSend/DiffCopy`),
//! which the `local` exporter calls back on the session.
//!
//! Here the daemon is the sender of fsutil's protocol (see `filesync.rs`): it
//! streams `STAT` packets, we create directories and symlinks at once and
//! request each regular file with `REQ id`, write its `DATA` chunks, and send
//! `FIN` once the stats are over and every requested file is complete.
//! Existing files in the target are overwritten, others are left alone.
//!
//! FileSend's proto declares `BytesMessage`, but the bytes on the wire are
//! fsutil packets, so the service is FileSync's generated server mounted under
//! FileSend's name (`FileSendService` rewrites the method path).

use std::collections::HashMap;
use std::convert::Infallible;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::task::{Context, Poll};

use bollard_buildkit_proto::fsutil::types::{packet::PacketType, Packet};
use bollard_buildkit_proto::moby::filesync::v1::file_sync_server::FileSync;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::server::NamedService;
use tonic::{Request, Response, Status, Streaming};

use super::filesync::MODE_TYPE;

const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;

/// Writes what the daemon sends into one directory.
#[derive(Debug, Clone)]
pub struct ExportDir {
    pub dest: PathBuf,
}

#[tonic::async_trait]
impl FileSync for ExportDir {
    type DiffCopyStream = ReceiverStream<Result<Packet, Status>>;
    type TarStreamStream = ReceiverStream<Result<Packet, Status>>;

    async fn diff_copy(
        &self,
        request: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::DiffCopyStream>, Status> {
        tokio::fs::create_dir_all(&self.dest)
            .await
            .map_err(|e| Status::internal(format!("cannot create {}: {e}", self.dest.display())))?;
        let (tx, rx) = mpsc::channel(64);
        let dest = self.dest.clone();
        tokio::spawn(async move {
            if let Err(e) = receive(&dest, request.into_inner(), &tx).await {
                let _ = tx
                    .send(Ok(Packet {
                        r#type: PacketType::PacketErr as i32,
                        data: e.into_bytes(),
                        ..Default::default()
                    }))
                    .await;
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn tar_stream(
        &self,
        _request: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::TarStreamStream>, Status> {
        Err(Status::unimplemented("tarstream is not supported"))
    }
}

/// A relative path from the wire, refused if it could escape `dest`.
fn target(dest: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!("refusing unsafe path {rel:?} from the daemon"));
    }
    Ok(dest.join(p))
}

async fn receive(
    dest: &Path,
    mut inbound: Streaming<Packet>,
    tx: &mpsc::Sender<Result<Packet, Status>>,
) -> Result<(), String> {
    let mut index: u32 = 0;
    let mut pending: HashMap<u32, (tokio::fs::File, PathBuf, u32)> = HashMap::new();
    let mut dirs: Vec<(PathBuf, u32)> = Vec::new();
    let mut stats_done = false;
    let mut fin_sent = false;
    let send = |p: Packet| async move {
        tx.send(Ok(p))
            .await
            .map_err(|_| "export stream closed".to_string())
    };
    while let Some(msg) = inbound
        .message()
        .await
        .map_err(|e| e.message().to_string())?
    {
        match PacketType::try_from(msg.r#type) {
            Ok(PacketType::PacketStat) => {
                let Some(stat) = msg.stat else {
                    stats_done = true;
                    if pending.is_empty() && !fin_sent {
                        fin_sent = true;
                        send(fin()).await?;
                    }
                    continue;
                };
                let id = index;
                index += 1;
                let path = target(dest, &stat.path)?;
                let perm = stat.mode & 0o7777;
                if stat.mode & MODE_DIR != 0 {
                    tokio::fs::create_dir_all(&path)
                        .await
                        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                    dirs.push((path, perm));
                } else if stat.mode & MODE_SYMLINK != 0 {
                    let _ = tokio::fs::remove_file(&path).await;
                    tokio::fs::symlink(&stat.linkname, &path)
                        .await
                        .map_err(|e| format!("cannot create symlink {}: {e}", path.display()))?;
                } else if stat.mode & MODE_TYPE == 0 {
                    let _ = tokio::fs::remove_file(&path).await;
                    let f = tokio::fs::File::create(&path)
                        .await
                        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                    pending.insert(id, (f, path, perm));
                    send(Packet {
                        r#type: PacketType::PacketReq as i32,
                        id,
                        ..Default::default()
                    })
                    .await?;
                }
                // Devices and pipes are not recreated on the client.
            }
            Ok(PacketType::PacketData) => {
                if msg.data.is_empty() {
                    let Some((mut f, path, perm)) = pending.remove(&msg.id) else {
                        return Err(format!("data for unknown file {}", msg.id));
                    };
                    f.flush().await.map_err(|e| e.to_string())?;
                    drop(f);
                    tokio::fs::set_permissions(&path, std::fs::Permissions::from_mode(perm))
                        .await
                        .map_err(|e| format!("cannot chmod {}: {e}", path.display()))?;
                    if stats_done && pending.is_empty() && !fin_sent {
                        fin_sent = true;
                        send(fin()).await?;
                    }
                } else {
                    let Some((f, path, _)) = pending.get_mut(&msg.id) else {
                        return Err(format!("data for unknown file {}", msg.id));
                    };
                    f.write_all(&msg.data)
                        .await
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
            }
            Ok(PacketType::PacketFin) => break,
            Ok(PacketType::PacketErr) => {
                return Err(format!(
                    "error from daemon: {}",
                    String::from_utf8_lossy(&msg.data)
                ));
            }
            _ => {}
        }
    }
    // Directory modes last, deepest first, so read-only ones were writable while filled.
    for (path, perm) in dirs.into_iter().rev() {
        let _ = tokio::fs::set_permissions(&path, std::fs::Permissions::from_mode(perm)).await;
    }
    Ok(())
}

fn fin() -> Packet {
    Packet {
        r#type: PacketType::PacketFin as i32,
        ..Default::default()
    }
}

/// Mounts a FileSync server under the FileSend service name.
#[derive(Debug, Clone)]
pub struct FileSendService<S>(pub S);

impl<S> NamedService for FileSendService<S> {
    const NAME: &'static str = "moby.filesync.v1.FileSend";
}

impl<S, B> tower::Service<http::Request<B>> for FileSendService<S>
where
    S: tower::Service<http::Request<B>, Error = Infallible>,
{
    type Response = S::Response;
    type Error = Infallible;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        let path = req.uri().path().replacen(
            "/moby.filesync.v1.FileSend/",
            "/moby.filesync.v1.FileSync/",
            1,
        );
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = path.parse() {
            parts.path_and_query = Some(pq);
        }
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
        self.0.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        let d = Path::new("/out");
        assert_eq!(target(d, "a/b").unwrap(), PathBuf::from("/out/a/b"));
        assert!(target(d, "../x").is_err());
        assert!(target(d, "/etc/passwd").is_err());
        assert!(target(d, "a/../../x").is_err());
        assert!(target(d, "").is_err());
    }
}
