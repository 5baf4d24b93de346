//! The real [`Solver`]: turns [`State`] graphs into LLB with `llb::ops` and
//! runs them on BuildKit with `llb::client`.
//!
//! Local directories are named by their absolute path in the LLB (`local://`
//! source name) and offered through the session under that name.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use llb::client::{Client, ClientError, Export, Frontend, ProgressEvent, SolveRequest};
use llb::ops::{self as lo, source, Copy, FileAction as LlbFile, FileOpBuilder};
use llb::{MarshalOptions, Platform};

use crate::events::Progress;
use crate::solver::{SolveError, Solver};
use crate::state::{FileAction, ImageMeta, MountKind, State, StateNode};

/// A BuildKit daemon, through `llb::client`.
#[derive(Clone, Debug)]
pub struct BuildkitSolver {
    client: Client,
    opts: MarshalOptions,
    /// The value of [`CACHE_BUSTER_ENV`] for `always` execs of this run.
    cache_buster: String,
    /// Every secret of the run, by name: none may appear in a definition.
    secrets: Vec<(String, crate::state::SecretValue)>,
    /// Image configs resolved (or being resolved), by normalized reference.
    configs: std::sync::Arc<tokio::sync::Mutex<BTreeMap<String, ConfigCell>>>,
}

type ConfigCell = std::sync::Arc<tokio::sync::OnceCell<ImageMeta>>;

impl BuildkitSolver {
    /// The config of image `reference`, from its registry.
    async fn resolve(&self, reference: &str) -> Result<ImageMeta, SolveError> {
        let resolved = self
            .client
            .resolve_image_config(reference, None)
            .await
            .map_err(|e| SolveError::msg(e.to_string()))?;
        let config = lo::ImageConfig::from_json(&resolved.config)
            .map_err(|e| SolveError::msg(format!("{reference}: unreadable image config: {e}")))?;
        Ok(ImageMeta {
            env: config
                .env
                .iter()
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (kv.clone(), String::new()),
                })
                .collect(),
            workdir: Some(config.working_dir).filter(|d| !d.is_empty()),
            user: Some(config.user).filter(|u| !u.is_empty()),
        })
    }

    /// Connects to the daemon the environment names (`BUILDKIT_HOST`, else Docker).
    pub async fn connect() -> Result<BuildkitSolver, String> {
        BuildkitSolver::connect_with(&EngineOptions::default()).await
    }

    /// Connects to the daemon the environment names, with `engine`'s TLS
    /// and cache options.
    pub async fn connect_with(engine: &EngineOptions) -> Result<BuildkitSolver, String> {
        let address = llb::client::Address::from_env().map_err(|e| e.to_string())?;
        let client = Client::connect_with(address, &engine.connect)
            .await
            .map_err(|e| e.to_string())?
            .with_cache(engine.cache.clone());
        Ok(BuildkitSolver {
            client,
            opts: MarshalOptions::for_platform(Platform::host()),
            cache_buster: new_cache_buster(),
            secrets: Vec::new(),
            configs: Default::default(),
        })
    }

    async fn run(
        &self,
        state: &State,
        mut request: SolveRequest,
        progress: &Progress,
    ) -> Result<llb::client::SolveResult, SolveError> {
        let mut cx = Lowering::new(self.cache_buster.clone());
        // A docker-build that later ops (or other components) build on is
        // solved first; its result's definition then stands for it.
        let mut nested = Vec::new();
        nested_docker_builds(state, true, &mut HashSet::new(), &mut nested);
        for inner in nested {
            let StateNode::DockerBuild(d) = inner.node() else {
                continue;
            };
            let frontend = self.docker_build(d, &mut cx)?;
            let sub = SolveRequest {
                frontend: Some(frontend),
                locals: cx.locals.clone(),
                ..SolveRequest::default()
            };
            let result = self.solve_forwarding(sub, progress).await?;
            let def = result.definition.ok_or_else(|| SolveError {
                vertex: Some(d.name.clone()),
                ..SolveError::msg("the Dockerfile frontend returned no definition for its result")
            })?;
            let built = lo::State::from_definition(&def).map_err(build_error)?;
            cx.memo
                .insert(std::sync::Arc::as_ptr(&inner.0) as usize, built);
        }
        if let StateNode::DockerBuild(d) = state.node() {
            // The component's own result is a frontend solve (its image
            // config comes with it).
            request.frontend = Some(self.docker_build(d, &mut cx)?);
        } else {
            request.definition = to_llb(state, &mut cx)?.marshal(&self.opts);
        }
        request.locals = cx.locals;
        let mut secrets = BTreeMap::new();
        secrets_of(state, &mut HashSet::new(), &mut secrets);
        // The last line of defence: no secret the run knows of, mounted
        // here or not, may be written anywhere in what goes to the daemon.
        let known = secrets.iter().map(|(id, v)| (id.clone(), v.clone())).chain(
            self.secrets
                .iter()
                .map(|(name, v)| (name.clone(), v.0.clone().into_bytes())),
        );
        let frontend_text: Vec<String> = request
            .frontend
            .iter()
            .flat_map(|f| f.attrs.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        let frontend_defs: Vec<Vec<u8>> = request
            .frontend
            .iter()
            .flat_map(|f| f.inputs.values().flat_map(|d| d.def.clone()))
            .collect();
        if let Some((leak, _)) = known.into_iter().find(|(_, value)| {
            let def = &request.definition;
            let descriptions = def
                .metadata
                .values()
                .flat_map(|m| m.description.values())
                .chain(frontend_text.iter());
            !value.is_empty()
                && (contains(&def.def, descriptions, value)
                    || contains(&frontend_defs, std::iter::empty(), value))
        }) {
            return Err(SolveError::msg(format!(
                "the value of secret {leak} is written in clear text in what would go to \
                 BuildKit (an argument, env, file or build option): refusing to send it"
            )));
        }
        request.secrets = secrets;
        self.solve_forwarding(request, progress).await
    }

    /// One solve, its progress forwarded to `progress`.
    async fn solve_forwarding(
        &self,
        request: SolveRequest,
        progress: &Progress,
    ) -> Result<llb::client::SolveResult, SolveError> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let forward = {
            let progress = progress.clone();
            tokio::spawn(async move {
                while let Some(event) = rx.recv().await {
                    forward_event(&progress, event);
                }
            })
        };
        let early = request.return_early;
        dump_request(&request);
        let result = self.client.solve(request, Some(tx)).await;
        // After an early return the status stream runs on until the daemon
        // is done; every vertex has reported by then (the gateway evaluated
        // the build), so only the failure path waits for the last lines.
        if !early || result.is_err() {
            let _ = forward.await;
        }
        result.map_err(solve_error)
    }
}

impl BuildkitSolver {
    fn docker_build(
        &self,
        d: &crate::state::DockerBuild,
        cx: &mut Lowering,
    ) -> Result<Frontend, SolveError> {
        let mut b = lo::DockerBuild::new().meta(lo::OpMeta::named(d.name.clone()));
        if let Some(c) = &d.context {
            b = b.context(&to_llb(c, cx)?);
        }
        if let Some(text) = &d.dockerfile {
            b = b.dockerfile(text.clone());
        }
        if let Some(p) = &d.dockerfile_path {
            b = b.dockerfile_path(p.clone());
        }
        for (k, v) in &d.build_args {
            b = b.build_arg(k.clone(), v.clone());
        }
        for (k, v) in &d.labels {
            b = b.label(k.clone(), v.clone());
        }
        let mut platforms = Vec::new();
        for p in &d.platforms {
            platforms.push(Platform::parse(p).ok_or_else(|| SolveError {
                vertex: Some(d.name.clone()),
                ..SolveError::msg(format!("unknown platform {p:?}"))
            })?);
        }
        if !platforms.is_empty() {
            b = b.platforms(platforms);
        }
        let r = b.to_request(&self.opts).map_err(build_error)?;
        Ok(Frontend {
            name: r.frontend,
            attrs: r.attrs,
            inputs: r.inputs,
        })
    }
}

fn forward_event(progress: &Progress, event: ProgressEvent) {
    match event {
        ProgressEvent::Started { name, .. } => progress.log(Some(&name), "started"),
        ProgressEvent::Completed { name, cached, .. } => {
            progress.log(Some(&name), if cached { "cached" } else { "done" })
        }
        ProgressEvent::Failed { name, error, .. } => {
            progress.log(Some(&name), format!("failed: {error}"))
        }
        ProgressEvent::Log { name, data, .. } => {
            for line in String::from_utf8_lossy(&data).lines() {
                progress.log(Some(&name), line);
            }
        }
    }
}

fn solve_error(e: ClientError) -> SolveError {
    match e {
        ClientError::Exec(f) => SolveError {
            message: match f.exit_code {
                Some(code) => format!("exit code {code}: {}", f.message),
                None => f.message.clone(),
            },
            exit_code: f.exit_code,
            vertex: Some(f.vertex.clone()),
            output_tail: f.output_tail,
        },
        ClientError::Op(f) => SolveError {
            message: f.message,
            exit_code: None,
            vertex: Some(f.vertex),
            output_tail: f.output_tail,
        },
        // Named by the op that was running, the message says the rest.
        other @ ClientError::Disconnected { .. } => SolveError {
            vertex: other.vertex().map(str::to_string),
            ..SolveError::msg(other.to_string())
        },
        other => SolveError::msg(other.to_string()),
    }
}

fn build_error(e: lo::BuildError) -> SolveError {
    SolveError::msg(e.to_string())
}

/// The secret mounts' values below `state`, by id.
fn secrets_of(state: &State, seen: &mut HashSet<usize>, out: &mut BTreeMap<String, Vec<u8>>) {
    if !seen.insert(std::sync::Arc::as_ptr(&state.0) as usize) {
        return;
    }
    match state.node() {
        StateNode::Scratch
        | StateNode::Image { .. }
        | StateNode::Git { .. }
        | StateNode::Local { .. } => {}
        StateNode::Exec(e) => {
            secrets_of(&e.root, seen, out);
            for (_, id, value) in &e.secret_env {
                out.insert(id.clone(), value.0.clone().into_bytes());
            }
            for m in &e.mounts {
                match &m.kind {
                    MountKind::State { state, .. } => secrets_of(state, seen, out),
                    MountKind::Secret { id, value } => {
                        out.insert(id.clone(), value.0.clone().into_bytes());
                    }
                    MountKind::Tmpfs | MountKind::Cache { .. } => {}
                }
            }
        }
        StateNode::File { base, action, .. } => {
            secrets_of(base, seen, out);
            if let FileAction::Copy { from, .. } = action {
                secrets_of(from, seen, out);
            }
        }
        StateNode::DockerBuild(d) => {
            if let Some(c) = &d.context {
                secrets_of(c, seen, out);
            }
        }
    }
}

/// Whether any op bytes or description text holds `needle`.
fn contains<'a>(
    ops: &[Vec<u8>],
    mut descriptions: impl Iterator<Item = &'a String>,
    needle: &[u8],
) -> bool {
    let has = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    ops.iter().any(|op| has(op)) || descriptions.any(|d| has(d.as_bytes()))
}

/// The docker-build vertices below `state` (and `state` itself unless
/// `top`), each once, innermost first, so each one's context can use the
/// results of those before it.
fn nested_docker_builds(state: &State, top: bool, seen: &mut HashSet<usize>, out: &mut Vec<State>) {
    if !seen.insert(std::sync::Arc::as_ptr(&state.0) as usize) {
        return;
    }
    match state.node() {
        StateNode::Scratch
        | StateNode::Image { .. }
        | StateNode::Git { .. }
        | StateNode::Local { .. } => {}
        StateNode::Exec(e) => {
            nested_docker_builds(&e.root, false, seen, out);
            for m in &e.mounts {
                if let MountKind::State { state, .. } = &m.kind {
                    nested_docker_builds(state, false, seen, out);
                }
            }
        }
        StateNode::File { base, action, .. } => {
            nested_docker_builds(base, false, seen, out);
            if let FileAction::Copy { from, .. } = action {
                nested_docker_builds(from, false, seen, out);
            }
        }
        StateNode::DockerBuild(d) => {
            if let Some(c) = &d.context {
                nested_docker_builds(c, false, seen, out);
            }
            if !top {
                out.push(state.clone());
            }
        }
    }
}

/// Env var naming a directory where every solve request's LLB is written
/// before it is sent (debugging, and the tests that check no secret is in
/// what goes to the daemon).
pub const DEBUG_LLB_DIR_ENV: &str = "DAGGER_DEBUG_LLB_DIR";

/// Writes the request's definition (ops, then op descriptions) and frontend
/// attributes and inputs to a new file of `$DAGGER_DEBUG_LLB_DIR`, if set.
fn dump_request(request: &SolveRequest) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let Some(dir) = std::env::var_os(DEBUG_LLB_DIR_ENV).filter(|d| !d.is_empty()) else {
        return;
    };
    let mut bytes = Vec::new();
    let def = &request.definition;
    for op in &def.def {
        bytes.extend_from_slice(op);
        bytes.push(b'\n');
    }
    for m in def.metadata.values() {
        for (k, v) in &m.description {
            bytes.extend_from_slice(format!("{k}={v}\n").as_bytes());
        }
    }
    if let Some(f) = &request.frontend {
        for (k, v) in &f.attrs {
            bytes.extend_from_slice(format!("{k}={v}\n").as_bytes());
        }
        for d in f.inputs.values() {
            for op in &d.def {
                bytes.extend_from_slice(op);
                bytes.push(b'\n');
            }
        }
    }
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let path = std::path::Path::new(&dir).join(format!("{}-{n:04}.llb", std::process::id()));
    // Debugging aid: a failure to write it must not fail the build.
    let _ = std::fs::write(path, bytes);
}

/// Env var set on `always` execs; its value is new for every run.
pub const CACHE_BUSTER_ENV: &str = "DAGGER_CACHEBUSTER";
/// What `dagger llb` shows as the value of [`CACHE_BUSTER_ENV`].
const CACHE_BUSTER_PLACEHOLDER: &str = "<new-every-run>";

/// What converting one request's states to LLB accumulates.
struct Lowering {
    /// Local directories the definition names, for the session.
    locals: BTreeMap<String, PathBuf>,
    /// Converted vertices, by state node address.
    memo: HashMap<usize, lo::State>,
    /// The value of [`CACHE_BUSTER_ENV`] for this run.
    cache_buster: String,
}

impl Lowering {
    fn new(cache_buster: String) -> Lowering {
        Lowering {
            locals: BTreeMap::new(),
            memo: HashMap::new(),
            cache_buster,
        }
    }
}

/// A random hex string, new for every solver (one per run).
fn new_cache_buster() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // Time and process id still differ between runs.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes[..16].copy_from_slice(&(nanos ^ u128::from(std::process::id()) << 96).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `state` as the input an op writes on (an exec's root or mount, a file
/// op's base). BuildKit writes on a new layer over such an input, which
/// "finalizes" it; for a local source that drops the copy of the directory
/// BuildKit keeps under the session's shared key, so the next run would
/// send every file again instead of only the changed ones. A local source
/// is therefore copied into a layer of its own first, and that copy is
/// what gets finalized (copies read their sources without finalizing them).
fn to_llb_writable(state: &State, cx: &mut Lowering) -> Result<lo::State, SolveError> {
    let out = to_llb(state, cx)?;
    match state.node() {
        StateNode::Local { subdir, .. } if subdir.is_empty() => {
            let contents = Copy::new(&out, "/", "/")
                .dir_contents_only(true)
                .create_dest_path(true);
            Ok(lo::State::scratch().file(contents))
        }
        _ => Ok(out),
    }
}

/// Converts a state graph, sharing converted vertices.
fn to_llb(state: &State, cx: &mut Lowering) -> Result<lo::State, SolveError> {
    let key = std::sync::Arc::as_ptr(&state.0) as usize;
    if let Some(s) = cx.memo.get(&key) {
        return Ok(s.clone());
    }
    let out = match state.node() {
        StateNode::Scratch => lo::State::scratch(),
        StateNode::Image { reference } => source::image(reference).map_err(build_error)?,
        StateNode::Git { remote, reference } => {
            source::git(remote, reference).map_err(build_error)?
        }
        StateNode::Local {
            dir,
            root,
            subdir,
            include,
            exclude,
        } => {
            // The session serves the readable root, filtered by root-relative
            // patterns (`local.rs`); a named subdirectory is then taken out.
            cx.locals.insert(root.clone(), PathBuf::from(root));
            let sent = lo::Local::new(root)
                .map_err(build_error)?
                .include_patterns(include.clone())
                .exclude_patterns(exclude.clone())
                .shared_key_hint(dir.clone())
                .build();
            if subdir.is_empty() {
                sent
            } else {
                let at = format!("/{subdir}");
                // The op's own include patterns may select nothing there.
                let only_subdir =
                    include.len() == 1 && include[0] == llb::client::patterns::escape(subdir);
                let sent = if only_subdir {
                    sent
                } else {
                    sent.file(FileOpBuilder::new(LlbFile::mkdir(&at, 0o755, true)))
                };
                let contents = Copy::new(&sent, &at, "/")
                    .dir_contents_only(true)
                    .create_dest_path(true);
                lo::State::scratch().file(contents)
            }
        }
        StateNode::Exec(e) => {
            let root = to_llb_writable(&e.root, cx)?;
            let mut exec = lo::Exec::new(e.args.clone())
                .cwd(e.cwd.clone())
                .custom_name(e.name.clone());
            for kv in &e.env {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                exec = exec.env(k, v);
            }
            for (name, id, _) in &e.secret_env {
                exec = exec.secret_env(name.clone(), id.clone());
            }
            if e.always {
                // A value new to this run changes the exec's digest, so
                // it and everything built on it (later ops, consumers)
                // miss the cache, while cache mounts are kept.
                exec = exec.env(CACHE_BUSTER_ENV, cx.cache_buster.clone());
            }
            if let Some(u) = &e.user {
                exec = exec.user(u.clone());
            }
            for m in &e.mounts {
                let mount = match &m.kind {
                    MountKind::Tmpfs => lo::Mount::tmpfs(),
                    MountKind::Cache { id } => lo::Mount::cache(id.clone()),
                    MountKind::State { state, selector } => {
                        lo::Mount::scratch_write(&to_llb_writable(state, cx)?).at_path(selector)
                    }
                    MountKind::Secret { id, .. } => lo::Mount::secret(id.clone()),
                };
                exec = exec.mount(m.target.clone(), mount);
            }
            root.exec(exec).map_err(build_error)?.root()
        }
        StateNode::File { base, action, name } => {
            let base = to_llb_writable(base, cx)?;
            let action: LlbFile = match action {
                FileAction::Mkdir { path, mode } => LlbFile::mkdir(path, *mode, true),
                FileAction::MkFile {
                    path,
                    content,
                    mode,
                } => LlbFile::mkfile(path, *mode, content.clone()),
                FileAction::Copy { from, src, dest } => {
                    Copy::contents(&to_llb(from, cx)?, src, dest).into()
                }
            };
            base.file(FileOpBuilder::new(action).custom_name(name.clone()))
        }
        StateNode::DockerBuild(d) => {
            // `run` solves every docker-build below the top first.
            return Err(SolveError {
                vertex: Some(d.name.clone()),
                ..SolveError::msg("internal: docker-build result was not solved first")
            });
        }
    };
    cx.memo.insert(key, out.clone());
    Ok(out)
}

impl Solver for BuildkitSolver {
    async fn image_config(&self, reference: &str) -> Result<ImageMeta, SolveError> {
        // One resolution per image, however many components ask at once.
        let cell = self
            .configs
            .lock()
            .await
            .entry(reference.to_string())
            .or_default()
            .clone();
        cell.get_or_try_init(|| self.resolve(reference))
            .await
            .cloned()
    }

    async fn solve(&self, state: &State, progress: &Progress) -> Result<(), SolveError> {
        self.run(state, SolveRequest::default(), progress)
            .await
            .map(|_| ())
    }

    async fn read_file(
        &self,
        state: &State,
        path: &str,
        progress: &Progress,
    ) -> Result<Vec<u8>, SolveError> {
        let request = SolveRequest {
            read_files: vec![path.to_string()],
            return_early: true,
            ..SolveRequest::default()
        };
        let mut result = self.run(state, request, progress).await?;
        result.files.remove(path).ok_or_else(|| {
            SolveError::msg(format!("cannot read {path}: no such file in the result"))
        })
    }

    async fn push(
        &self,
        state: &State,
        meta: &ImageMeta,
        reference: &str,
        progress: &Progress,
    ) -> Result<(), SolveError> {
        let platform = &self.opts.platform;
        let env: Vec<String> = meta.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut config = serde_json::json!({ "Env": env });
        if let Some(dir) = &meta.workdir {
            config["WorkingDir"] = dir.clone().into();
        }
        if let Some(user) = &meta.user {
            config["User"] = user.clone().into();
        }
        let image = serde_json::json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "config": config,
        });
        let insecure = is_local_registry(reference);
        let request = SolveRequest {
            exports: vec![Export::Image {
                name: reference.to_string(),
                push: true,
                insecure,
            }],
            // A Dockerfile build carries its own image config.
            image_config: (!matches!(state.node(), StateNode::DockerBuild(_)))
                .then(|| image.to_string().into_bytes()),
            ..SolveRequest::default()
        };
        self.run(state, request, progress).await.map(|_| ())
    }
}

/// How to reach the daemon beyond `BUILDKIT_HOST` (TLS), and the remote
/// build cache to import and export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineOptions {
    /// TLS settings of a `tcp://` daemon.
    pub connect: llb::client::ConnectOptions,
    /// Cache imported by every solve and exported at the end of a run.
    pub cache: llb::client::CacheOptions,
}

/// A [`BuildkitSolver`] that connects on first use, so plans that run
/// nothing need no daemon.
#[derive(Debug, Default)]
pub struct LazySolver {
    cell: tokio::sync::OnceCell<Result<BuildkitSolver, String>>,
    secrets: crate::secrets::Secrets,
    engine: EngineOptions,
}

impl LazySolver {
    /// Connects, when first needed, to the daemon the environment names.
    pub fn from_env() -> LazySolver {
        LazySolver::default()
    }

    /// Refuses any definition that holds one of `secrets` in clear text.
    pub fn with_secrets(mut self, secrets: crate::secrets::Secrets) -> LazySolver {
        self.secrets = secrets;
        self
    }

    /// Connects with `engine`'s TLS options and uses its cache options.
    pub fn with_engine(mut self, engine: EngineOptions) -> LazySolver {
        self.engine = engine;
        self
    }

    /// Exports the build cache of everything solved so far to the cache
    /// exports (`--cache-to`), in one build; what was exported (one line
    /// per export), or nothing when there are no exports or nothing ran.
    pub async fn export_cache(&self) -> Result<Vec<String>, String> {
        let Some(Ok(solver)) = self.cell.get() else {
            return Ok(Vec::new());
        };
        let exports = solver.client.cache().exports.clone();
        match solver.client.export_cache(None).await {
            Ok(Some(_)) => Ok(exports.iter().map(|e| e.to_string()).collect()),
            Ok(None) => Ok(Vec::new()),
            Err(e) => Err(format!("exporting the build cache failed: {e}")),
        }
    }

    async fn get(&self) -> Result<&BuildkitSolver, SolveError> {
        self.cell
            .get_or_init(|| async {
                let mut solver = BuildkitSolver::connect_with(&self.engine).await?;
                solver.secrets = self.secrets.entries();
                Ok(solver)
            })
            .await
            .as_ref()
            .map_err(|e| SolveError::msg(e.clone()))
    }
}

impl Solver for LazySolver {
    async fn ready(&self) -> Result<(), SolveError> {
        self.get().await.map(|_| ())
    }

    async fn image_config(&self, reference: &str) -> Result<ImageMeta, SolveError> {
        self.get().await?.image_config(reference).await
    }

    async fn solve(&self, state: &State, progress: &Progress) -> Result<(), SolveError> {
        self.get().await?.solve(state, progress).await
    }

    async fn read_file(
        &self,
        state: &State,
        path: &str,
        progress: &Progress,
    ) -> Result<Vec<u8>, SolveError> {
        self.get().await?.read_file(state, path, progress).await
    }

    async fn push(
        &self,
        state: &State,
        meta: &ImageMeta,
        reference: &str,
        progress: &Progress,
    ) -> Result<(), SolveError> {
        self.get()
            .await?
            .push(state, meta, reference, progress)
            .await
    }
}

/// Registries on loopback are spoken to over plain HTTP.
fn is_local_registry(reference: &str) -> bool {
    let host = reference.split('/').next().unwrap_or("");
    reference.contains('/') && (host.starts_with("127.") || host.starts_with("localhost"))
}

/// The ops of the state's LLB definition with their digests, for `dagger llb`.
pub fn llb_ops(state: &State, platform: Platform) -> Result<Vec<llb::dump::OpSummary>, SolveError> {
    let mut builds = Vec::new();
    nested_docker_builds(state, false, &mut HashSet::new(), &mut builds);
    if let Some(StateNode::DockerBuild(d)) = builds.first().map(State::node) {
        return Err(SolveError {
            vertex: Some(d.name.clone()),
            ..SolveError::msg(
                "docker-build: its LLB is made by the Dockerfile frontend while solving, \
                 so `dagger llb` cannot show it",
            )
        });
    }
    let mut cx = Lowering::new(CACHE_BUSTER_PLACEHOLDER.to_string());
    let s = to_llb(state, &mut cx)?;
    let def = s.marshal(&MarshalOptions::for_platform(platform));
    llb::dump::summarize(&def)
        .map_err(|e| SolveError::msg(format!("cannot read back the definition: {e}")))
}
