//! Local cache directories for the daemon: containerd's content API
//! (`containerd.services.content.v1.Content`) served through the session,
//! which is how BuildKit's `local` cache exporter writes blobs into a
//! directory on this machine (`--cache-to type=local,dest=DIR`) and its
//! importer reads them back (`--cache-from type=local,src=DIR`).
//!
//! A directory is an OCI image layout: blobs under `blobs/sha256/HEX`,
//! writes staged under `ingest/` and moved into place once their digest is
//! checked. The daemon names the directory by the `buildkit-attachable-
//! store-id` header (`local:DIR`); only directories given to the session
//! are served. The messages are declared here (their field numbers are
//! containerd's `api/services/content/v1/content.proto`); the service is
//! written against tonic's server traits directly.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::{http, Body, BoxFuture, StdError};
use tonic::{Request, Response, Status, Streaming};

/// The header naming the store a call is for.
const STORE_HEADER: &str = "buildkit-attachable-store-id";

/// The gRPC methods served, for the session's headers.
pub const METHODS: &[&str] = &[
    "/containerd.services.content.v1.Content/Info",
    "/containerd.services.content.v1.Content/Update",
    "/containerd.services.content.v1.Content/List",
    "/containerd.services.content.v1.Content/Delete",
    "/containerd.services.content.v1.Content/Read",
    "/containerd.services.content.v1.Content/Status",
    "/containerd.services.content.v1.Content/ListStatuses",
    "/containerd.services.content.v1.Content/Write",
    "/containerd.services.content.v1.Content/Abort",
];

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `google.protobuf.Empty`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Empty {}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Info {
    #[prost(string, tag = "1")]
    pub digest: String,
    #[prost(int64, tag = "2")]
    pub size: i64,
    #[prost(message, optional, tag = "3")]
    pub created_at: Option<Timestamp>,
    #[prost(message, optional, tag = "4")]
    pub updated_at: Option<Timestamp>,
    #[prost(map = "string, string", tag = "5")]
    pub labels: HashMap<String, String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct InfoRequest {
    #[prost(string, tag = "1")]
    pub digest: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct InfoResponse {
    #[prost(message, optional, tag = "1")]
    pub info: Option<Info>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct UpdateRequest {
    #[prost(message, optional, tag = "1")]
    pub info: Option<Info>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ListContentRequest {
    #[prost(string, repeated, tag = "1")]
    pub filters: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ListContentResponse {
    #[prost(message, repeated, tag = "1")]
    pub info: Vec<Info>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteContentRequest {
    #[prost(string, tag = "1")]
    pub digest: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadContentRequest {
    #[prost(string, tag = "1")]
    pub digest: String,
    #[prost(int64, tag = "2")]
    pub offset: i64,
    #[prost(int64, tag = "3")]
    pub size: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadContentResponse {
    #[prost(int64, tag = "1")]
    pub offset: i64,
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct StatusRequest {
    #[prost(string, tag = "1")]
    pub r#ref: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ListStatusesResponse {
    #[prost(message, repeated, tag = "1")]
    pub statuses: Vec<Empty>,
}

/// `WriteAction`: STAT = 0, WRITE = 1, COMMIT = 2.
const STAT: i32 = 0;
const WRITE: i32 = 1;
const COMMIT: i32 = 2;

#[derive(Clone, PartialEq, prost::Message)]
pub struct WriteContentRequest {
    #[prost(int32, tag = "1")]
    pub action: i32,
    #[prost(string, tag = "2")]
    pub r#ref: String,
    #[prost(int64, tag = "3")]
    pub total: i64,
    #[prost(string, tag = "4")]
    pub expected: String,
    #[prost(int64, tag = "5")]
    pub offset: i64,
    #[prost(bytes = "vec", tag = "6")]
    pub data: Vec<u8>,
    #[prost(map = "string, string", tag = "7")]
    pub labels: HashMap<String, String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct WriteContentResponse {
    #[prost(int32, tag = "1")]
    pub action: i32,
    #[prost(message, optional, tag = "2")]
    pub started_at: Option<Timestamp>,
    #[prost(message, optional, tag = "3")]
    pub updated_at: Option<Timestamp>,
    #[prost(int64, tag = "4")]
    pub offset: i64,
    #[prost(int64, tag = "5")]
    pub total: i64,
    #[prost(string, tag = "6")]
    pub digest: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct AbortRequest {
    #[prost(string, tag = "1")]
    pub r#ref: String,
}

/// The directories served, by store id (`local:DIR`).
#[derive(Debug, Clone, Default)]
pub struct LocalStores {
    stores: Arc<BTreeMap<String, PathBuf>>,
}

impl LocalStores {
    /// Serves each of `dirs` as the store `local:DIR`.
    pub fn new(dirs: impl IntoIterator<Item = PathBuf>) -> LocalStores {
        LocalStores {
            stores: Arc::new(
                dirs.into_iter()
                    .map(|d| (format!("local:{}", d.display()), d))
                    .collect(),
            ),
        }
    }

    /// Whether no directory is served.
    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    fn dir(&self, md: &tonic::metadata::MetadataMap) -> Result<&Path, Status> {
        let id = md
            .get(STORE_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Status::invalid_argument(format!("request lacks {STORE_HEADER}")))?;
        self.stores
            .get(id)
            .map(PathBuf::as_path)
            .ok_or_else(|| Status::not_found(format!("unknown store {id}")))
    }
}

/// `DIR/blobs/sha256/HEX` for `sha256:HEX`, or an error for anything else.
fn blob_path(dir: &Path, digest: &str) -> Result<PathBuf, Status> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
        .ok_or_else(|| Status::invalid_argument(format!("unsupported digest {digest:?}")))?;
    Ok(dir.join("blobs").join("sha256").join(hex))
}

fn io_status(what: &str, e: std::io::Error) -> Status {
    if e.kind() == std::io::ErrorKind::NotFound {
        Status::not_found(format!("{what}: not found"))
    } else {
        Status::internal(format!("{what}: {e}"))
    }
}

impl LocalStores {
    async fn info(&self, r: Request<InfoRequest>) -> Result<Response<InfoResponse>, Status> {
        let dir = self.dir(r.metadata())?;
        let digest = &r.get_ref().digest;
        let path = blob_path(dir, digest)?;
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| io_status(&format!("content {digest} in {}", dir.display()), e))?;
        Ok(Response::new(InfoResponse {
            info: Some(Info {
                digest: digest.clone(),
                size: meta.len() as i64,
                ..Default::default()
            }),
        }))
    }

    async fn update(&self, r: Request<UpdateRequest>) -> Result<Response<InfoResponse>, Status> {
        let md = r.metadata().clone();
        let digest = r.into_inner().info.map(|i| i.digest).unwrap_or_default();
        let mut req = Request::new(InfoRequest { digest });
        *req.metadata_mut() = md;
        self.info(req).await
    }

    async fn read(
        &self,
        r: Request<ReadContentRequest>,
    ) -> Result<Response<ReceiverStream<Result<ReadContentResponse, Status>>>, Status> {
        let dir = self.dir(r.metadata())?.to_path_buf();
        let req = r.into_inner();
        let path = blob_path(&dir, &req.digest)?;
        let what = format!("content {} in {}", req.digest, dir.display());
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| io_status(&what, e))?;
        let offset = req.offset.max(0) as u64;
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(|e| io_status(&what, e))?;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            let mut left = if req.size > 0 {
                req.size as u64
            } else {
                u64::MAX
            };
            let mut at = offset;
            let mut buf = vec![0u8; 1 << 20];
            while left > 0 {
                let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                match file.read(&mut buf[..want]).await {
                    Ok(0) => break,
                    Ok(n) => {
                        let msg = ReadContentResponse {
                            offset: at as i64,
                            data: buf[..n].to_vec(),
                        };
                        if tx.send(Ok(msg)).await.is_err() {
                            return;
                        }
                        at += n as u64;
                        left -= n as u64;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(io_status(&what, e))).await;
                        return;
                    }
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn delete(&self, r: Request<DeleteContentRequest>) -> Result<Response<Empty>, Status> {
        let dir = self.dir(r.metadata())?;
        let path = blob_path(dir, &r.get_ref().digest)?;
        tokio::fs::remove_file(&path)
            .await
            .map_err(|e| io_status(&r.get_ref().digest, e))?;
        Ok(Response::new(Empty {}))
    }

    async fn abort(&self, r: Request<AbortRequest>) -> Result<Response<Empty>, Status> {
        let dir = self.dir(r.metadata())?;
        let _ = tokio::fs::remove_file(ingest_path(dir, &r.get_ref().r#ref)).await;
        Ok(Response::new(Empty {}))
    }

    async fn write(
        &self,
        r: Request<Streaming<WriteContentRequest>>,
    ) -> Result<Response<ReceiverStream<Result<WriteContentResponse, Status>>>, Status> {
        let dir = self.dir(r.metadata())?.to_path_buf();
        let mut inbound = r.into_inner();
        let first = inbound
            .message()
            .await?
            .ok_or_else(|| Status::invalid_argument("empty write"))?;
        if first.r#ref.is_empty() {
            return Err(Status::invalid_argument("a write needs a ref"));
        }
        if !first.expected.is_empty() && blob_path(&dir, &first.expected)?.is_file() {
            return Err(Status::already_exists(format!(
                "content {} exists",
                first.expected
            )));
        }
        let staged = ingest_path(&dir, &first.r#ref);
        if let Some(parent) = staged.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| io_status(&dir.display().to_string(), e))?;
        }
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&staged)
            .await
            .map_err(|e| io_status(&staged.display().to_string(), e))?;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            let mut w = Ingest {
                dir,
                staged,
                file,
                offset: 0,
                total: first.total,
                expected: first.expected.clone(),
            };
            let mut next = Some(first);
            while let Some(msg) = next {
                let done = msg.action == COMMIT;
                let answer = w.handle(msg).await;
                let failed = answer.is_err();
                if tx.send(answer).await.is_err() || failed || done {
                    return;
                }
                next = inbound.message().await.ok().flatten();
            }
            // The daemon went away before committing: drop the staged file.
            let _ = tokio::fs::remove_file(&w.staged).await;
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

fn ingest_path(dir: &Path, r#ref: &str) -> PathBuf {
    dir.join("ingest")
        .join(hex::encode(Sha256::digest(r#ref.as_bytes())))
}

/// One write in progress.
struct Ingest {
    dir: PathBuf,
    staged: PathBuf,
    file: tokio::fs::File,
    offset: i64,
    total: i64,
    expected: String,
}

impl Ingest {
    async fn handle(&mut self, m: WriteContentRequest) -> Result<WriteContentResponse, Status> {
        let err = |e: std::io::Error| Status::internal(format!("{}: {e}", self.staged.display()));
        if m.total > 0 {
            self.total = m.total;
        }
        if !m.expected.is_empty() {
            self.expected = m.expected.clone();
        }
        if m.action == WRITE || (m.action == COMMIT && !m.data.is_empty()) {
            if m.offset != self.offset {
                if m.offset > self.offset || m.offset < 0 {
                    return Err(Status::out_of_range(format!(
                        "write at {} past the end ({})",
                        m.offset, self.offset
                    )));
                }
                self.file.set_len(m.offset as u64).await.map_err(err)?;
                self.file
                    .seek(std::io::SeekFrom::Start(m.offset as u64))
                    .await
                    .map_err(err)?;
                self.offset = m.offset;
            }
            self.file.write_all(&m.data).await.map_err(err)?;
            self.offset += m.data.len() as i64;
        }
        let mut resp = WriteContentResponse {
            action: m.action,
            offset: self.offset,
            total: self.total,
            ..Default::default()
        };
        match m.action {
            STAT | WRITE => Ok(resp),
            COMMIT => {
                self.file.flush().await.map_err(err)?;
                if self.total > 0 && self.total != self.offset {
                    return Err(Status::failed_precondition(format!(
                        "unexpected commit size {}, expected {}",
                        self.offset, self.total
                    )));
                }
                let digest = file_digest(&self.staged).await.map_err(err)?;
                if !self.expected.is_empty() && self.expected != digest {
                    return Err(Status::failed_precondition(format!(
                        "unexpected commit digest {digest}, expected {}",
                        self.expected
                    )));
                }
                let dest = blob_path(&self.dir, &digest)?;
                if let Some(parent) = dest.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(err)?;
                }
                tokio::fs::rename(&self.staged, &dest).await.map_err(err)?;
                resp.digest = digest;
                resp.total = self.offset;
                Ok(resp)
            }
            other => Err(Status::invalid_argument(format!(
                "unknown write action {other}"
            ))),
        }
    }
}

async fn file_digest(path: &Path) -> std::io::Result<String> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex::encode(h.finalize())))
}

// ---- the service, on tonic's server traits ---------------------------------

/// `LocalStores` as a gRPC service for the session's router.
#[derive(Clone, Debug)]
pub struct ContentServer(pub LocalStores);

impl tonic::server::NamedService for ContentServer {
    const NAME: &'static str = "containerd.services.content.v1.Content";
}

type Codec<A, B> = tonic_prost::ProstCodec<A, B>;

macro_rules! unary {
    ($svc:ident, $req:ty, $resp:ty, $method:ident) => {
        struct $svc(LocalStores);
        impl tonic::server::UnaryService<$req> for $svc {
            type Response = $resp;
            type Future = BoxFuture<Response<$resp>, Status>;
            fn call(&mut self, r: Request<$req>) -> Self::Future {
                let s = self.0.clone();
                Box::pin(async move { s.$method(r).await })
            }
        }
    };
}

unary!(InfoSvc, InfoRequest, InfoResponse, info);
unary!(UpdateSvc, UpdateRequest, InfoResponse, update);
unary!(DeleteSvc, DeleteContentRequest, Empty, delete);
unary!(AbortSvc, AbortRequest, Empty, abort);

struct ReadSvc(LocalStores);
impl tonic::server::ServerStreamingService<ReadContentRequest> for ReadSvc {
    type Response = ReadContentResponse;
    type ResponseStream = ReceiverStream<Result<ReadContentResponse, Status>>;
    type Future = BoxFuture<Response<Self::ResponseStream>, Status>;
    fn call(&mut self, r: Request<ReadContentRequest>) -> Self::Future {
        let s = self.0.clone();
        Box::pin(async move { s.read(r).await })
    }
}

struct WriteSvc(LocalStores);
impl tonic::server::StreamingService<WriteContentRequest> for WriteSvc {
    type Response = WriteContentResponse;
    type ResponseStream = ReceiverStream<Result<WriteContentResponse, Status>>;
    type Future = BoxFuture<Response<Self::ResponseStream>, Status>;
    fn call(&mut self, r: Request<Streaming<WriteContentRequest>>) -> Self::Future {
        let s = self.0.clone();
        Box::pin(async move { s.write(r).await })
    }
}

/// List and ListStatuses: nothing to list (the daemon does not need them).
struct ListSvc;
impl tonic::server::ServerStreamingService<ListContentRequest> for ListSvc {
    type Response = ListContentResponse;
    type ResponseStream = tokio_stream::Empty<Result<ListContentResponse, Status>>;
    type Future = BoxFuture<Response<Self::ResponseStream>, Status>;
    fn call(&mut self, _r: Request<ListContentRequest>) -> Self::Future {
        Box::pin(async { Ok(Response::new(tokio_stream::empty())) })
    }
}

struct StatusSvc;
impl tonic::server::UnaryService<StatusRequest> for StatusSvc {
    type Response = Empty;
    type Future = BoxFuture<Response<Empty>, Status>;
    fn call(&mut self, r: Request<StatusRequest>) -> Self::Future {
        let r#ref = r.into_inner().r#ref;
        Box::pin(async move { Err(Status::not_found(format!("no write in progress for {ref}"))) })
    }
}

struct ListStatusesSvc;
impl tonic::server::UnaryService<ListContentRequest> for ListStatusesSvc {
    type Response = ListStatusesResponse;
    type Future = BoxFuture<Response<ListStatusesResponse>, Status>;
    fn call(&mut self, _r: Request<ListContentRequest>) -> Self::Future {
        Box::pin(async { Ok(Response::new(ListStatusesResponse::default())) })
    }
}

impl<B> tower::Service<http::Request<B>> for ContentServer
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let s = self.0.clone();
        let path = req
            .uri()
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        Box::pin(async move {
            let res = match path.as_str() {
                "Info" => {
                    tonic::server::Grpc::new(Codec::default())
                        .unary(InfoSvc(s), req)
                        .await
                }
                "Update" => {
                    tonic::server::Grpc::new(Codec::default())
                        .unary(UpdateSvc(s), req)
                        .await
                }
                "Delete" => {
                    tonic::server::Grpc::new(Codec::default())
                        .unary(DeleteSvc(s), req)
                        .await
                }
                "Abort" => {
                    tonic::server::Grpc::new(Codec::default())
                        .unary(AbortSvc(s), req)
                        .await
                }
                "Read" => {
                    tonic::server::Grpc::new(Codec::default())
                        .server_streaming(ReadSvc(s), req)
                        .await
                }
                "Write" => {
                    tonic::server::Grpc::new(Codec::default())
                        .max_decoding_message_size(64 << 20)
                        .streaming(WriteSvc(s), req)
                        .await
                }
                "List" => {
                    tonic::server::Grpc::new(Codec::default())
                        .server_streaming(ListSvc, req)
                        .await
                }
                "Status" => {
                    tonic::server::Grpc::new(Codec::default())
                        .unary(StatusSvc, req)
                        .await
                }
                "ListStatuses" => {
                    tonic::server::Grpc::new(Codec::default())
                        .unary(ListStatusesSvc, req)
                        .await
                }
                _ => Status::unimplemented(format!("content method {path}")).into_http(),
            };
            Ok(res)
        })
    }
}

// ---- the layout's index -------------------------------------------------------

/// The tag BuildKit's local cache uses in `index.json`.
pub const TAG: &str = "latest";
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// The digest of the manifest tagged `latest` in `DIR/index.json`.
pub fn latest_digest(dir: &Path) -> Result<String, String> {
    let path = dir.join("index.json");
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let index: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| format!("{}: not JSON ({e})", path.display()))?;
    index["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["annotations"][REF_NAME] == TAG)
        .filter_map(|m| m["digest"].as_str())
        .next_back()
        .map(str::to_string)
        .ok_or_else(|| format!("{} has no manifest tagged {TAG}", path.display()))
}

/// Records `descriptor` (JSON, as BuildKit's `cache.manifest` answer) as the
/// manifest tagged `latest` of the layout in `dir`.
pub fn put_latest(dir: &Path, descriptor: &str) -> Result<(), String> {
    let mut desc: serde_json::Value = serde_json::from_str(descriptor)
        .map_err(|e| format!("the daemon's cache manifest descriptor is not JSON: {e}"))?;
    desc["annotations"][REF_NAME] = TAG.into();
    let path = dir.join("index.json");
    let mut index: serde_json::Value = match std::fs::read(&path) {
        Ok(t) => {
            serde_json::from_slice(&t).map_err(|e| format!("{}: not JSON ({e})", path.display()))?
        }
        Err(_) => serde_json::json!({}),
    };
    index["schemaVersion"] = 2.into();
    index["mediaType"] = "application/vnd.oci.image.index.v1+json".into();
    let mut manifests: Vec<serde_json::Value> = index["manifests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m["annotations"][REF_NAME] != TAG)
        .collect();
    manifests.push(desc);
    index["manifests"] = manifests.into();
    let write = |name: &str, text: String| -> Result<(), String> {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, dir.join(name)))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    write(
        "oci-layout",
        r#"{"imageLayoutVersion":"1.0.0"}"#.to_string(),
    )?;
    write("index.json", index.to_string())?;
    // Staging space, empty once every write was committed.
    let _ = std::fs::remove_dir(dir.join("ingest"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_tag_is_replaced_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let d1 = format!("sha256:{}", "1".repeat(64));
        let d2 = format!("sha256:{}", "2".repeat(64));
        put_latest(
            dir.path(),
            &format!(r#"{{"digest":"{d1}","size":3,"mediaType":"x"}}"#),
        )
        .unwrap();
        assert_eq!(latest_digest(dir.path()).unwrap(), d1);
        put_latest(
            dir.path(),
            &format!(r#"{{"digest":"{d2}","size":3,"mediaType":"x"}}"#),
        )
        .unwrap();
        assert_eq!(latest_digest(dir.path()).unwrap(), d2);
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
        assert!(dir.path().join("oci-layout").is_file());
    }

    #[test]
    fn only_sha256_digests_name_blobs() {
        let dir = Path::new("/c");
        assert!(blob_path(dir, &format!("sha256:{}", "a".repeat(64))).is_ok());
        for bad in [
            "sha256:../../etc",
            "md5:abc",
            "",
            &format!("sha256:{}", "A".repeat(64)),
        ] {
            assert!(blob_path(dir, bad).is_err(), "{bad}");
        }
    }
}
