//! `Solve`: one build on the daemon, with its session, status and exports.
//!
//! Two ways, chosen per request:
//! - plain: `Control.Solve` with the definition and the exporters, exactly
//!   what `buildctl build` does;
//! - gateway: when files must be read from the result, or the result needs
//!   image metadata (an image config to push, a frontend like the Dockerfile
//!   one). `Control.Solve` is sent with no definition and no frontend, which
//!   makes the daemon wait for a gateway client of that build id; we are that
//!   client, on the same connection, through `LLBBridge` calls carrying the
//!   `buildkit-controlapi-buildid` header: `Ping`, `Solve` (returns a ref),
//!   `ReadFile` on the ref, then `Return` of the ref, which the daemon then
//!   exports like a plain solve's result.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::llb_bridge_client::LlbBridgeClient;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    self as gw, result::Result as GwResultKind, PingRequest, ReadFileRequest, ReturnRequest,
};
use bollard_buildkit_proto::moby::buildkit::v1::{
    CacheOptions, Exporter, SolveRequest as ControlSolveRequest, StatusRequest,
};
use bollard_buildkit_proto::pb::Definition;
use tonic::transport::Channel;

use super::error::{ClientError, ExecFailure};
use super::progress::{ProgressSender, StatusTracker, VertexKind, VertexSummary};
use super::session::{self, SessionConfig};
use super::task::{new_id, AbortOnDrop};
use super::SolveContext;

/// Where a result goes after the solve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// An image `name`; `push` sends it to its registry (`insecure`: plain HTTP allowed).
    Image {
        name: String,
        push: bool,
        insecure: bool,
    },
    /// The result's files, copied into a directory on this machine.
    Local { dir: PathBuf },
}

/// A frontend to run instead of a plain definition (e.g. `dockerfile.v0`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frontend {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    /// Named inputs (`context`, `dockerfile`) as definitions.
    pub inputs: BTreeMap<String, Definition>,
}

impl From<crate::ops::FrontendRequest> for Frontend {
    fn from(r: crate::ops::FrontendRequest) -> Frontend {
        Frontend {
            name: r.frontend,
            attrs: r.attrs,
            inputs: r.inputs,
        }
    }
}

/// Everything one solve needs.
#[derive(Clone, Default)]
pub struct SolveRequest {
    /// The LLB graph to build (ignored when `frontend` is set).
    pub definition: Definition,
    /// Run a frontend instead of `definition`.
    pub frontend: Option<Frontend>,
    /// Local directories for `local://NAME` sources, by name. A name should
    /// identify its directory (an absolute path does): BuildKit merges
    /// identical vertices of concurrent builds, so two solves running the
    /// same graph with one name for two directories would share one transfer.
    pub locals: BTreeMap<String, PathBuf>,
    /// Secrets for secret mounts, by id.
    pub secrets: BTreeMap<String, Vec<u8>>,
    /// Where the result goes (at most one `Local`).
    pub exports: Vec<Export>,
    /// Files to read from the result (absolute paths in its filesystem).
    pub read_files: Vec<String>,
    /// Image config JSON for an image export (env, cmd, ...).
    pub image_config: Option<Vec<u8>>,
    /// With `read_files` and no exports: return as soon as the files are
    /// read, while the daemon finishes the build (its history record) in
    /// the background, tens of milliseconds per solve. The result then has
    /// no vertex summaries and no exporter response.
    pub return_early: bool,
}

impl std::fmt::Debug for SolveRequest {
    /// Secret values are left out: a request may end up in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveRequest")
            .field("definition_ops", &self.definition.def.len())
            .field("frontend", &self.frontend)
            .field("locals", &self.locals)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("exports", &self.exports)
            .field("read_files", &self.read_files)
            .field(
                "image_config",
                &self
                    .image_config
                    .as_ref()
                    .map(|c| String::from_utf8_lossy(c)),
            )
            .finish()
    }
}

/// What a solve produced.
#[derive(Debug, Clone, Default)]
pub struct SolveResult {
    /// Contents of `read_files`, by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The exporters' answer (e.g. `containerimage.digest`).
    pub exporter_response: BTreeMap<String, String>,
    /// Every vertex the daemon reported, in order of appearance.
    pub vertices: Vec<VertexSummary>,
    /// The LLB definition of the result, when the daemon gives it (a
    /// gateway solve, e.g. a frontend's): later definitions can build on it.
    pub definition: Option<Definition>,
    /// The gateway result's metadata (a frontend's `containerimage.config`).
    pub metadata: BTreeMap<String, Vec<u8>>,
}

impl SolveResult {
    /// Whether nothing was rebuilt: every exec and file op was answered from
    /// cache. Source vertices are left out: BuildKit re-resolves an image tag
    /// or git ref on every solve and reports that vertex as done rather than
    /// cached even when nothing was pulled (`buildctl` shows the same).
    pub fn fully_cached(&self) -> bool {
        let work: Vec<_> = self
            .vertices
            .iter()
            .filter(|v| {
                matches!(
                    v.kind,
                    VertexKind::Exec | VertexKind::File | VertexKind::OtherOp
                )
            })
            .collect();
        !work.is_empty() && work.iter().all(|v| v.cached)
    }
}

/// The kind of every op of `def`, by digest.
fn op_kinds(def: &Definition) -> HashMap<String, VertexKind> {
    use bollard_buildkit_proto::pb::{op::Op, Op as PbOp};
    use prost::Message;
    use sha2::{Digest, Sha256};
    def.def
        .iter()
        .filter_map(|bytes| {
            let op = PbOp::decode(bytes.as_slice()).ok()?;
            let kind = match op.op? {
                Op::Source(_) => VertexKind::Source,
                Op::Exec(_) => VertexKind::Exec,
                Op::File(_) => VertexKind::File,
                _ => VertexKind::OtherOp,
            };
            Some((
                format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
                kind,
            ))
        })
        .collect()
}

type ExporterResponse = HashMap<String, String>;

const BUILD_ID_HEADER: &str = "buildkit-controlapi-buildid";

/// How long the status stream may run on after the solve returned.
const STATUS_GRACE: Duration = Duration::from_secs(5);

/// How long the gateway's `Return` may take.
pub(crate) const RETURN_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn with_build_id<T>(msg: T, id: &str) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    if let Ok(v) = id.parse() {
        r.metadata_mut().insert(BUILD_ID_HEADER, v);
    }
    r
}

fn exporter(e: &Export) -> Exporter {
    match e {
        Export::Image {
            name,
            push,
            insecure,
        } => {
            let mut attrs = HashMap::from([("name".to_string(), name.clone())]);
            if *push {
                attrs.insert("push".into(), "true".into());
            }
            if *insecure {
                attrs.insert("registry.insecure".into(), "true".into());
            }
            Exporter {
                r#type: "image".into(),
                attrs,
            }
        }
        Export::Local { .. } => Exporter {
            r#type: "local".into(),
            attrs: HashMap::new(),
        },
    }
}

/// The cache imports of `cx` as the control API takes them (plain solves).
fn control_cache(cx: &SolveContext) -> Option<CacheOptions> {
    (!cx.cache.imports.is_empty()).then(|| CacheOptions {
        imports: cx.cache.imports.iter().map(|c| c.to_proto()).collect(),
        ..Default::default()
    })
}

/// The cache imports of `cx` as the gateway takes them (gateway solves).
fn gateway_cache(cx: &SolveContext) -> Vec<gw::CacheOptionsEntry> {
    cx.cache
        .imports
        .iter()
        .map(|c| {
            let p = c.to_proto();
            gw::CacheOptionsEntry {
                r#type: p.r#type,
                attrs: p.attrs,
            }
        })
        .collect()
}

pub(crate) async fn solve(
    cx: SolveContext,
    req: SolveRequest,
    progress: Option<ProgressSender>,
) -> Result<SolveResult, ClientError> {
    let control = cx.control.clone();
    let gateway = cx.gateway.clone();
    let local_exports: Vec<_> = req
        .exports
        .iter()
        .filter(|e| matches!(e, Export::Local { .. }))
        .collect();
    if local_exports.len() > 1 {
        return Err(ClientError::Solve {
            message: "at most one local export per solve".into(),
        });
    }
    let export_dir = req.exports.iter().find_map(|e| match e {
        Export::Local { dir } => Some(dir.clone()),
        _ => None,
    });
    let session = session::start(
        control.clone(),
        SessionConfig {
            locals: req.locals.clone(),
            secrets: req.secrets.clone(),
            export_dir,
            auth: cx.auth.clone(),
            cache_dirs: cx
                .cache
                .imports
                .iter()
                .filter_map(|c| c.local_dir())
                .collect(),
        },
        new_id(),
        cx.shared_key.clone(),
    )?;
    let cache_imports = gateway_cache(&cx);
    let build_id = new_id();

    // Status runs beside the solve and is read to its end afterwards.
    let (status_tx, status_rx) = tokio::sync::oneshot::channel();
    let mut status_client = control.clone();
    let status_ref = build_id.clone();
    let mut tracker = StatusTracker::for_definition(&req.definition);
    let status_task = AbortOnDrop(tokio::spawn(async move {
        if let Ok(resp) = status_client
            .status(StatusRequest { r#ref: status_ref })
            .await
        {
            let mut stream = resp.into_inner();
            while let Ok(Some(msg)) = stream.message().await {
                tracker.update(msg, progress.as_ref());
            }
        }
        let _ = status_tx.send(tracker);
    }));

    let use_gateway =
        !req.read_files.is_empty() || req.image_config.is_some() || req.frontend.is_some();
    let exporters: Vec<Exporter> = req.exports.iter().map(exporter).collect();
    let control_req = ControlSolveRequest {
        r#ref: build_id.clone(),
        definition: (!use_gateway).then(|| req.definition.clone()),
        exporter_deprecated: exporters
            .first()
            .map(|e| e.r#type.clone())
            .unwrap_or_default(),
        exporter_attrs_deprecated: exporters
            .first()
            .map(|e| e.attrs.clone())
            .unwrap_or_default(),
        exporters,
        session: session.id.clone(),
        cache: control_cache(&cx),
        ..Default::default()
    };

    let mut solve_client = control.clone();
    if use_gateway && req.return_early && req.exports.is_empty() {
        let solve_task = tokio::spawn(async move { solve_client.solve(control_req).await });
        return match run_gateway(gateway, &build_id, &req, &cache_imports).await {
            Ok(out) => {
                // The session must live until the daemon is done with it;
                // `settle` waits for this before the process ends.
                super::task::spawn_background(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(60), solve_task).await;
                    drop(status_task);
                    drop(session);
                });
                Ok(SolveResult {
                    files: out.files,
                    definition: out.definition,
                    metadata: out.metadata,
                    ..SolveResult::default()
                })
            }
            Err(e) => {
                let err = match tokio::time::timeout(Duration::from_secs(5), solve_task).await {
                    Ok(Ok(Err(s))) if !matches!(e, ClientError::ReadFile { .. }) => s.into(),
                    _ => e,
                };
                let tracker = match tokio::time::timeout(STATUS_GRACE, status_rx).await {
                    Ok(Ok(t)) => t,
                    _ => StatusTracker::default(),
                };
                Err(explain(err, &tracker))
            }
        };
    }
    let outcome: Result<(ExporterResponse, GatewayOut), ClientError> = if use_gateway {
        let solve_fut = async move { solve_client.solve(control_req).await };
        tokio::pin!(solve_fut);
        let gw_fut = run_gateway(gateway, &build_id, &req, &cache_imports);
        tokio::pin!(gw_fut);
        // The gateway part ends first (its `Return` releases the solve); if the
        // solve fails first, the gateway calls fail with it.
        tokio::select! {
            gw_res = &mut gw_fut => {
                match gw_res {
                    Ok(files) => match solve_fut.await {
                        Ok(resp) => Ok((resp.into_inner().exporter_response, files)),
                        Err(s) => Err(s.into()),
                    },
                    Err(e) => {
                        // Give the daemon's own error (usually more precise) a
                        // moment, except for our own read errors.
                        match tokio::time::timeout(Duration::from_secs(5), &mut solve_fut).await {
                            Ok(Err(s)) if !matches!(e, ClientError::ReadFile { .. }) => Err(s.into()),
                            _ => Err(e),
                        }
                    }
                }
            }
            solve_res = &mut solve_fut => match solve_res {
                Err(s) => Err(s.into()),
                Ok(resp) => {
                    let files = tokio::time::timeout(Duration::from_secs(5), &mut gw_fut)
                        .await
                        .unwrap_or_else(|_| Err(ClientError::Transport("gateway did not finish".into())))?;
                    Ok((resp.into_inner().exporter_response, files))
                }
            },
        }
    } else {
        solve_client
            .solve(control_req)
            .await
            .map(|r| (r.into_inner().exporter_response, GatewayOut::default()))
            .map_err(ClientError::from)
    };

    let tracker = match tokio::time::timeout(STATUS_GRACE, status_rx).await {
        Ok(Ok(t)) => t,
        _ => StatusTracker::default(),
    };
    drop(status_task);
    drop(session);
    let kinds = op_kinds(&req.definition);
    let mut vertices = tracker.summaries();
    for v in &mut vertices {
        if let Some(k) = kinds.get(&v.digest) {
            v.kind = *k;
        }
    }
    match outcome {
        Ok((resp, out)) => Ok(SolveResult {
            files: out.files,
            exporter_response: resp.into_iter().collect(),
            vertices,
            definition: out.definition,
            metadata: out.metadata,
        }),
        Err(e) => Err(explain(e, &tracker)),
    }
}

/// One build that returns every definition of `defs` (each already solved,
/// so answered from the daemon's cache) as one multi-result, with the
/// cache exports of `cx`: the daemon exports the cache of every result
/// into each cache export.
pub(crate) async fn export_cache(
    cx: SolveContext,
    solved: super::Solved,
    progress: Option<ProgressSender>,
) -> Result<SolveResult, ClientError> {
    // One build per export: the daemon answers one cache manifest per
    // build, which a local directory's index must record.
    let mut last = SolveResult::default();
    for export in &cx.cache.exports {
        let result = export_cache_to(&cx, export, &solved, progress.clone()).await?;
        if let Some(dir) = export.local_dir() {
            let desc = result
                .exporter_response
                .get("cache.manifest")
                .ok_or_else(|| ClientError::Solve {
                    message: format!(
                        "the daemon exported the cache to {} without naming its manifest",
                        dir.display()
                    ),
                })?;
            super::session::content::put_latest(&dir, desc)
                .map_err(|message| ClientError::Solve { message })?;
        }
        last = result;
    }
    Ok(last)
}

async fn export_cache_to(
    cx: &SolveContext,
    export: &super::CacheSpec,
    solved: &super::Solved,
    progress: Option<ProgressSender>,
) -> Result<SolveResult, ClientError> {
    let defs = solved.defs.clone();
    let mut cache_dirs: Vec<PathBuf> = cx
        .cache
        .imports
        .iter()
        .filter_map(|c| c.local_dir())
        .collect();
    if let Some(dir) = export.local_dir() {
        std::fs::create_dir_all(&dir).map_err(|e| ClientError::Solve {
            message: format!("cannot create the cache directory {}: {e}", dir.display()),
        })?;
        cache_dirs.push(dir);
    }
    let session = session::start(
        cx.control.clone(),
        SessionConfig {
            auth: cx.auth.clone(),
            cache_dirs,
            locals: solved.locals.clone(),
            secrets: solved.secrets.clone(),
            ..Default::default()
        },
        new_id(),
        cx.shared_key.clone(),
    )?;
    let build_id = new_id();
    let (status_tx, status_rx) = tokio::sync::oneshot::channel();
    let mut status_client = cx.control.clone();
    let status_ref = build_id.clone();
    let status_task = AbortOnDrop(tokio::spawn(async move {
        let mut tracker = StatusTracker::default();
        if let Ok(resp) = status_client
            .status(StatusRequest { r#ref: status_ref })
            .await
        {
            let mut stream = resp.into_inner();
            while let Ok(Some(msg)) = stream.message().await {
                tracker.update(msg, progress.as_ref());
            }
        }
        let _ = status_tx.send(tracker);
    }));
    let control_req = ControlSolveRequest {
        r#ref: build_id.clone(),
        session: session.id.clone(),
        cache: Some(CacheOptions {
            exports: vec![export.to_proto()],
            imports: cx.cache.imports.iter().map(|c| c.to_proto()).collect(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut solve_client = cx.control.clone();
    let solve_fut = async move { solve_client.solve(control_req).await };
    tokio::pin!(solve_fut);
    let imports = gateway_cache(cx);
    let mut gw_client = cx.gateway.clone();
    let gw_fut = async {
        wait_for_build(&mut gw_client, &build_id).await?;
        let mut refs = HashMap::new();
        let mut failed = None;
        for (i, def) in defs.into_iter().enumerate() {
            let sreq = gw::SolveRequest {
                definition: Some(def),
                allow_result_return: true,
                cache_imports: imports.clone(),
                evaluate: true,
                ..Default::default()
            };
            match gw_client.solve(with_build_id(sreq, &build_id)).await {
                Ok(resp) => {
                    let resp = resp.into_inner();
                    let id = match resp.result.and_then(|r| r.result) {
                        Some(GwResultKind::Ref(r)) => r.id,
                        Some(GwResultKind::RefDeprecated(id)) => id,
                        _ => resp.r#ref,
                    };
                    // An empty result (scratch) has no cache to export.
                    if !id.is_empty() {
                        refs.insert(format!("result-{i}"), gw::Ref { id, def: None });
                    }
                }
                Err(s) => {
                    failed = Some(ClientError::from(s));
                    break;
                }
            }
        }
        // BuildKit takes a result of several refs only with a platform for
        // each: they are all this machine's (the map only carries them).
        let host = crate::Platform::host();
        let mut ids: Vec<&String> = refs.keys().collect();
        ids.sort();
        let platforms = serde_json::json!({
            "Platforms": ids.iter().map(|id| serde_json::json!({
                "ID": id,
                "Platform": {"os": host.os, "architecture": host.architecture},
            })).collect::<Vec<_>>(),
        });
        let ret = match &failed {
            None => ReturnRequest {
                result: Some(gw::Result {
                    metadata: HashMap::from([(
                        "refs.platforms".to_string(),
                        platforms.to_string().into_bytes(),
                    )]),
                    result: Some(GwResultKind::Refs(gw::RefMap { refs })),
                    ..Default::default()
                }),
                error: None,
            },
            Some(e) => ReturnRequest {
                result: None,
                error: Some(bollard_buildkit_proto::google::rpc::Status {
                    code: 2,
                    message: e.to_string(),
                    details: vec![],
                }),
            },
        };
        let _ = tokio::time::timeout(
            RETURN_TIMEOUT,
            gw_client.r#return(with_build_id(ret, &build_id)),
        )
        .await;
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    };
    let (gw_res, solve_res) = tokio::join!(gw_fut, &mut solve_fut);
    let tracker = match tokio::time::timeout(STATUS_GRACE, status_rx).await {
        Ok(Ok(t)) => t,
        _ => StatusTracker::default(),
    };
    drop(status_task);
    drop(session);
    let resp = match (gw_res, solve_res) {
        (_, Ok(resp)) => resp.into_inner(),
        (Err(e @ ClientError::Disconnected { .. }), _) => return Err(e),
        (_, Err(s)) => return Err(ClientError::from(s)),
    };
    Ok(SolveResult {
        exporter_response: resp.exporter_response.into_iter().collect(),
        vertices: tracker.summaries(),
        ..SolveResult::default()
    })
}

/// Turns a failed solve into an exec failure when a vertex failed with an
/// exit code, with the end of its output.
fn explain(err: ClientError, tracker: &StatusTracker) -> ClientError {
    if let ClientError::Disconnected {
        address,
        reason,
        vertex: None,
    } = err
    {
        return ClientError::Disconnected {
            address,
            reason,
            vertex: tracker.running().map(|v| v.name.clone()),
        };
    }
    let message = match &err {
        ClientError::Solve { message } => message.clone(),
        ClientError::ReadFile { .. } | ClientError::Cancelled => return err,
        other => other.to_string(),
    };
    let Some(v) = tracker.failed() else {
        return err;
    };
    let vertex_error = v.error.clone().unwrap_or_default();
    let exit_code = parse_exit_code(&vertex_error).or_else(|| parse_exit_code(&message));
    if exit_code.is_none() && !vertex_error.contains("did not complete successfully") {
        if vertex_error.is_empty()
            || matches!(err, ClientError::Disconnected { .. })
            || !tracker.is_own_op(&v.digest)
        {
            return err;
        }
        // Another op of the definition failed (a git ref that does not
        // exist, an image that cannot be pulled): its name says which
        // (`git://HOST/REPO#REF`). Steps of exporters and frontends are
        // left to the caller to name.
        // Its output (git's stderr) is in the message already.
        return ClientError::Op(ExecFailure {
            vertex: v.name.clone(),
            exit_code: None,
            message: vertex_error,
            output_tail: Vec::new(),
        });
    }
    ClientError::Exec(ExecFailure {
        vertex: v.name.clone(),
        exit_code,
        message: if vertex_error.is_empty() {
            message
        } else {
            vertex_error
        },
        output_tail: tracker.log_tail(&v.digest, 20),
    })
}

fn parse_exit_code(msg: &str) -> Option<i32> {
    let at = msg.rfind("exit code: ")?;
    let digits: String = msg[at + 11..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

/// Waits until the daemon has registered the gateway build `build_id`
/// (shortly after it received `Control.Solve`).
pub(crate) async fn wait_for_build(
    gw_client: &mut LlbBridgeClient<Channel>,
    build_id: &str,
) -> Result<(), ClientError> {
    let mut attempt = 0;
    loop {
        match gw_client
            .ping(with_build_id(PingRequest {}, build_id))
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if attempt < 20 && e.code() != tonic::Code::Cancelled => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The gateway side of a build: solve, read files, return the result.
async fn run_gateway(
    mut gw_client: LlbBridgeClient<Channel>,
    build_id: &str,
    req: &SolveRequest,
    cache_imports: &[gw::CacheOptionsEntry],
) -> Result<GatewayOut, ClientError> {
    wait_for_build(&mut gw_client, build_id).await?;
    let result = gateway_body(&mut gw_client, build_id, req, cache_imports).await;
    if let Err(ClientError::Disconnected { .. }) = &result {
        // The connection is gone, and the build with it: nothing to return to.
        return result.map(|(_, out)| out);
    }
    let ret = match &result {
        Ok((ref_id, out)) => {
            // A frontend's own result metadata (the Dockerfile's image
            // config) goes on to the exporter unless the caller set one.
            let mut metadata: HashMap<String, Vec<u8>> = out
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if let Some(cfg) = &req.image_config {
                metadata.insert("containerimage.config".to_string(), cfg.clone());
            }
            ReturnRequest {
                result: Some(gw::Result {
                    metadata,
                    result: Some(GwResultKind::Ref(gw::Ref {
                        id: ref_id.clone(),
                        def: None,
                    })),
                    ..Default::default()
                }),
                error: None,
            }
        }
        Err(e) => ReturnRequest {
            result: None,
            error: Some(bollard_buildkit_proto::google::rpc::Status {
                code: 2,
                message: e.to_string(),
                details: vec![],
            }),
        },
    };
    match tokio::time::timeout(
        RETURN_TIMEOUT,
        gw_client.r#return(with_build_id(ret, build_id)),
    )
    .await
    {
        Ok(answer) => {
            answer?;
        }
        // The result is known; a daemon that does not take it back fails
        // the solve call instead (or the keep-alive does).
        Err(_) if result.is_err() => {}
        Err(_) => {
            return Err(ClientError::Transport(format!(
                "the daemon did not take the build's result back within {}s",
                RETURN_TIMEOUT.as_secs()
            )))
        }
    }
    result.map(|(_, out)| out)
}

/// What the gateway part of a solve brings back.
#[derive(Default)]
struct GatewayOut {
    files: BTreeMap<String, Vec<u8>>,
    definition: Option<Definition>,
    metadata: BTreeMap<String, Vec<u8>>,
}

async fn gateway_body(
    gw_client: &mut LlbBridgeClient<Channel>,
    build_id: &str,
    req: &SolveRequest,
    cache_imports: &[gw::CacheOptionsEntry],
) -> Result<(String, GatewayOut), ClientError> {
    let mut sreq = gw::SolveRequest {
        allow_result_return: true,
        allow_result_array_ref: true,
        cache_imports: cache_imports.to_vec(),
        // Build now, so a failing op fails this call (with its vertex in the
        // status stream) rather than a later `ReadFile`.
        evaluate: true,
        ..Default::default()
    };
    match &req.frontend {
        Some(f) => {
            sreq.frontend = f.name.clone();
            sreq.frontend_opt = f.attrs.clone().into_iter().collect();
            sreq.frontend_inputs = f.inputs.clone().into_iter().collect();
        }
        None => sreq.definition = Some(req.definition.clone()),
    }
    let resp = gw_client
        .solve(with_build_id(sreq, build_id))
        .await?
        .into_inner();
    let mut out = GatewayOut::default();
    let (result, metadata) = match resp.result {
        Some(r) => (r.result, r.metadata),
        None => (None, HashMap::new()),
    };
    out.metadata = metadata.into_iter().collect();
    let ref_id = match result {
        Some(GwResultKind::Ref(r)) => {
            out.definition = r.def;
            r.id
        }
        Some(GwResultKind::RefDeprecated(id)) => id,
        _ => resp.r#ref,
    };
    for path in &req.read_files {
        let r = gw_client
            .read_file(with_build_id(
                ReadFileRequest {
                    r#ref: ref_id.clone(),
                    file_path: path.clone(),
                    range: None,
                    mount_index: 0,
                },
                build_id,
            ))
            .await
            .map_err(|s| match ClientError::from(s.clone()) {
                e @ ClientError::Disconnected { .. } => e,
                _ => ClientError::ReadFile {
                    path: path.clone(),
                    message: s.message().to_string(),
                },
            })?;
        out.files.insert(path.clone(), r.into_inner().data);
    }
    Ok((ref_id, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_found_in_messages() {
        assert_eq!(
            parse_exit_code(
                "process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3"
            ),
            Some(3)
        );
        assert_eq!(parse_exit_code("no code here"), None);
    }

    #[test]
    fn debug_output_hides_secret_values() {
        let req = SolveRequest {
            secrets: BTreeMap::from([("token".to_string(), b"hunter2".to_vec())]),
            ..Default::default()
        };
        let shown = format!("{req:?}");
        assert!(shown.contains("token"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("104, 117"),
            "{shown}"
        );
    }

    #[test]
    fn image_export_attrs() {
        let e = exporter(&Export::Image {
            name: "127.0.0.1:5000/x:y".into(),
            push: true,
            insecure: true,
        });
        assert_eq!(e.r#type, "image");
        assert_eq!(e.attrs["name"], "127.0.0.1:5000/x:y");
        assert_eq!(e.attrs["push"], "true");
        assert_eq!(e.attrs["registry.insecure"], "true");
    }
}
