//! Reading typed [`Op`]s out of the plan model.
//!
//! A value that is not concrete yet is not an error ([`OpsError::NotConcrete`]):
//! the scheduler skips that component. A value that is concrete but wrong is
//! ([`OpsError::Invalid`]), with the path of the offending value, which names
//! the component and the op index (`app.#compute[2].args`).

use std::collections::BTreeMap;

use crate::ops::{DockerBuild, Exec, ExportFormat, Mount, Op, Source};
use crate::path::Path;
use crate::tree::{FieldKind, Kind, Node, Scalar};

/// Why an op list could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OpsError {
    #[error("{path}: not concrete yet: {reason}")]
    NotConcrete { path: Path, reason: String },
    #[error("{path}: {message}{}", at_positions(positions))]
    Invalid {
        path: Path,
        message: String,
        /// Where the offending value was written (`file:line:col`).
        positions: Vec<String>,
    },
    /// The value is a CUE error; `report` is the evaluator's message with
    /// its positions, then each cause (an empty disjunction's alternatives)
    /// with its own path and positions, as `cue` reports them.
    #[error("{path}: {report}")]
    Eval { path: Path, report: String },
}

/// Positions as `cue` prints them under a message.
fn at_positions(positions: &[String]) -> String {
    positions.iter().map(|p| format!(":\n    {p}")).collect()
}

type Result<T> = std::result::Result<T, OpsError>;

fn invalid<T>(path: &Path, message: impl Into<String>) -> Result<T> {
    Err(OpsError::Invalid {
        path: path.clone(),
        message: message.into(),
        positions: Vec::new(),
    })
}

/// Reads the `#compute` ops of the component `node` found at `path`. An
/// invalid value is reported with where it was written.
///
/// As in the original, `#compute` may be a list of ops, a single op, or a
/// component (a struct with its own `#compute`, read the same way); the
/// ops are then numbered as if they had been written as a list.
pub fn component_ops(node: &Node, path: &Path) -> Result<Vec<Op>> {
    let compute_path = path.field("#compute");
    let result = match node.get("#compute") {
        Some(compute) => compute_ops(compute, &compute_path),
        None => invalid(path, "not a component: no #compute field"),
    };
    result.map_err(|e| match e {
        OpsError::Invalid {
            path: at,
            message,
            positions,
        } if positions.is_empty() => {
            let positions = located(node, path, &at);
            OpsError::Invalid {
                path: at,
                message,
                positions,
            }
        }
        other => other,
    })
}

/// The positions of the value at `at` (below the component `node` at
/// `path`), or of its nearest parent that has some.
fn located(node: &Node, path: &Path, at: &Path) -> Vec<String> {
    let Some(rest) = at.0.strip_prefix(path.0.as_slice()) else {
        return Vec::new();
    };
    let mut found = node.positions.clone();
    let mut cur = node;
    for seg in rest {
        let next = match seg {
            crate::path::Seg::Field(f) => cur.get(f),
            crate::path::Seg::Index(i) => cur.elems.get(*i),
        };
        let Some(n) = next else { break };
        cur = n;
        if !cur.positions.is_empty() {
            found = cur.positions.clone();
        }
    }
    found
}

/// How deep `#compute: {#compute: ...}` may nest: deeper is surely a
/// mistake (a value that contains itself is a CUE error before this).
const MAX_NESTING: usize = 32;

/// Reads the value of a `#compute` field: a list of ops, one op, or a
/// component whose own `#compute` is read in turn.
pub fn compute_ops(node: &Node, path: &Path) -> Result<Vec<Op>> {
    compute_ops_at(node, path, 0)
}

fn compute_ops_at(node: &Node, path: &Path, depth: usize) -> Result<Vec<Op>> {
    if let Some(inner) = node.get("#compute") {
        if depth >= MAX_NESTING {
            return invalid(path, "#compute nests components too deeply");
        }
        return compute_ops_at(inner, &path.field("#compute"), depth + 1);
    }
    check_kind(node, path)?;
    match node.kind {
        Kind::List => op_list(node, path),
        Kind::Struct if node.get("do").is_some() => Ok(vec![op(node, path)?]),
        _ => invalid(
            path,
            format!(
                "expected a list of ops, an op or a component, found {}",
                describe(node)
            ),
        ),
    }
}

/// Reads a list of ops.
pub fn op_list(node: &Node, path: &Path) -> Result<Vec<Op>> {
    check_kind(node, path)?;
    if node.kind != Kind::List {
        return invalid(
            path,
            format!("expected a list of ops, found {}", describe(node)),
        );
    }
    node.elems
        .iter()
        .enumerate()
        .map(|(i, e)| op(e, &path.index(i)))
        .collect()
}

/// Reads the value of a `from:` field: a component, an inline `{#compute: ...}`,
/// a list of ops or a single op.
pub fn source(node: &Node, path: &Path) -> Result<Source> {
    if let Some(compute) = node.get("#compute") {
        let p = path.field("#compute");
        return Ok(Source {
            ops: compute_ops(compute, &p)?,
            path: p,
        });
    }
    check_kind(node, path)?;
    let ops = match node.kind {
        Kind::List => op_list(node, path)?,
        Kind::Struct if node.get("do").is_some() => vec![op(node, path)?],
        _ => {
            return invalid(
                path,
                format!(
                    "from: expected a component, an op or a list of ops, found {}",
                    describe(node)
                ),
            )
        }
    };
    Ok(Source {
        ops,
        path: path.clone(),
    })
}

/// Fails with the right error when `node` is incomplete or an error.
fn check_kind(node: &Node, path: &Path) -> Result<()> {
    match &node.kind {
        Kind::Incomplete(reason) => Err(OpsError::NotConcrete {
            path: path.clone(),
            reason: reason.clone(),
        }),
        Kind::Bottom(report) => {
            // Where the value was written, when the error itself does not
            // say, goes with the first message (before any cause).
            let missing: String = node
                .positions
                .iter()
                .filter(|p| !report.contains(p.as_str()))
                .map(|p| format!(":\n    {p}"))
                .collect();
            let mut lines = report.lines();
            let mut head = lines.next().unwrap_or_default().to_string();
            let mut rest: Vec<&str> = lines.collect();
            let own = rest.iter().take_while(|l| l.starts_with("    ")).count();
            for l in rest.drain(..own) {
                head.push('\n');
                head.push_str(l);
            }
            let mut report = head.trim_end_matches(':').to_string();
            report.push_str(&missing);
            for l in rest {
                report.push('\n');
                report.push_str(l);
            }
            Err(OpsError::Eval {
                path: path.clone(),
                report,
            })
        }
        _ => Ok(()),
    }
}

fn describe(node: &Node) -> &'static str {
    match &node.kind {
        Kind::Struct => "a struct",
        Kind::List => "a list",
        Kind::Scalar(Scalar::Null) => "null",
        Kind::Scalar(Scalar::Bool(_)) => "a bool",
        Kind::Scalar(Scalar::Number(_)) => "a number",
        Kind::Scalar(Scalar::String(_)) => "a string",
        Kind::Scalar(Scalar::Bytes(_)) => "bytes",
        Kind::Incomplete(_) => "an incomplete value",
        Kind::Bottom(_) => "an error",
    }
}

const OP_NAMES: [&str; 12] = [
    "fetch-container",
    "push-container",
    "fetch-git",
    "local",
    "exec",
    "copy",
    "load",
    "subdir",
    "write-file",
    "mkdir",
    "export",
    "docker-build",
];

/// The fields each op accepts (besides `do`).
fn known_fields(name: &str) -> &'static [&'static str] {
    match name {
        "fetch-container" | "push-container" => &["ref"],
        "fetch-git" => &["remote", "ref"],
        "local" => &["dir", "include"],
        "exec" => &["args", "env", "dir", "always", "mount"],
        "copy" => &["from", "src", "dest"],
        "load" => &["from"],
        "subdir" => &["dir"],
        "write-file" => &["content", "dest", "mode"],
        "mkdir" => &["dir", "path", "mode"],
        "export" => &["source", "format"],
        "docker-build" => &[
            "context",
            "dockerfile",
            "dockerfilePath",
            "buildArg",
            "label",
            "platforms",
        ],
        _ => &[],
    }
}

/// Reads one op.
pub fn op(node: &Node, path: &Path) -> Result<Op> {
    check_kind(node, path)?;
    if node.kind != Kind::Struct {
        return invalid(
            path,
            format!(
                "expected an op (a struct with a `do` field), found {}",
                describe(node)
            ),
        );
    }
    let do_path = path.field("do");
    let Some(do_node) = node.get("do") else {
        return invalid(path, "op has no `do` field");
    };
    check_kind(do_node, &do_path)?;
    let Some(name) = do_node.as_str() else {
        return invalid(
            &do_path,
            format!("expected a string, found {}", describe(do_node)),
        );
    };
    if !OP_NAMES.contains(&name) {
        let hint = did_you_mean(name, &OP_NAMES);
        return invalid(&do_path, format!("unknown op {name:?}{hint}"));
    }
    let known = known_fields(name);
    for f in &node.fields {
        if f.kind == FieldKind::Regular && f.label != "do" && !known.contains(&f.label.as_str()) {
            let hint = did_you_mean(&f.label, known);
            return invalid(
                &path.field(&f.label),
                format!("field not allowed in {name}{hint}"),
            );
        }
    }
    let r = Reader { node, path };
    Ok(match name {
        "fetch-container" => Op::FetchContainer {
            reference: r.string("ref")?,
        },
        "push-container" => Op::PushContainer {
            reference: r.string("ref")?,
        },
        "fetch-git" => Op::FetchGit {
            remote: r.string("remote")?,
            reference: r.string("ref")?,
        },
        "local" => Op::Local {
            dir: r.string("dir")?,
            include: r.strings_or_empty("include")?,
        },
        "exec" => Op::Exec(Exec {
            args: r.args()?,
            env: r.map_or_empty("env")?,
            secret_env: BTreeMap::new(),
            dir: r.optional_string("dir")?,
            always: r.bool_or("always", false)?,
            mounts: r.mounts()?,
        }),
        "copy" => Op::Copy {
            from: r.source("from")?,
            src: r.string_or("src", "/")?,
            dest: r.string_or("dest", "/")?,
        },
        "load" => Op::Load {
            from: r.source("from")?,
        },
        "subdir" => Op::Subdir {
            dir: r.string_or("dir", "/")?,
        },
        "write-file" => Op::WriteFile {
            content: r.string("content")?,
            dest: r.string("dest")?,
            mode: r.mode_or("mode", 0o644)?,
        },
        "mkdir" => Op::Mkdir {
            dir: r.string_or("dir", "/")?,
            path: r.string("path")?,
            mode: r.mode_or("mode", 0o755)?,
        },
        "export" => Op::Export {
            source: r.string("source")?,
            format: r.format()?,
        },
        _ => Op::DockerBuild(r.docker_build()?),
    })
}

fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default()
}

/// Field access on one op, with its path for messages.
struct Reader<'a> {
    node: &'a Node,
    path: &'a Path,
}

impl Reader<'_> {
    /// The concrete field `label`, or `None` when absent.
    fn field(&self, label: &str) -> Result<Option<(&Node, Path)>> {
        let p = self.path.field(label);
        match self.node.get(label) {
            None => Ok(None),
            Some(n) => {
                check_kind(n, &p)?;
                Ok(Some((n, p)))
            }
        }
    }

    fn string(&self, label: &str) -> Result<String> {
        match self.field(label)? {
            None => invalid(self.path, format!("missing field `{label}`")),
            Some((n, p)) => as_string(n, &p),
        }
    }

    fn string_or(&self, label: &str, default: &str) -> Result<String> {
        match self.field(label)? {
            None => Ok(default.to_string()),
            Some((n, p)) => as_string(n, &p),
        }
    }

    fn optional_string(&self, label: &str) -> Result<Option<String>> {
        match self.field(label)? {
            None => Ok(None),
            Some((n, p)) => as_string(n, &p).map(Some),
        }
    }

    fn bool_or(&self, label: &str, default: bool) -> Result<bool> {
        match self.field(label)? {
            None => Ok(default),
            Some((n, p)) => match n.kind {
                Kind::Scalar(Scalar::Bool(b)) => Ok(b),
                _ => invalid(&p, format!("expected a bool, found {}", describe(n))),
            },
        }
    }

    fn mode_or(&self, label: &str, default: u32) -> Result<u32> {
        match self.field(label)? {
            None => Ok(default),
            Some((n, p)) => match &n.kind {
                Kind::Scalar(Scalar::Number(text)) => match text.parse::<u32>() {
                    Ok(m) if m <= 0o7777 => Ok(m),
                    _ => invalid(
                        &p,
                        format!("expected a file mode (0 to 0o7777), found {text}"),
                    ),
                },
                _ => invalid(&p, format!("expected an int, found {}", describe(n))),
            },
        }
    }

    fn strings_or_empty(&self, label: &str) -> Result<Vec<String>> {
        match self.field(label)? {
            None => Ok(Vec::new()),
            Some((n, p)) => string_list(n, &p),
        }
    }

    fn args(&self) -> Result<Vec<String>> {
        let args = match self.field("args")? {
            None => return invalid(self.path, "missing field `args`"),
            Some((n, p)) => string_list(n, &p)?,
        };
        if args.is_empty() {
            return invalid(&self.path.field("args"), "exec needs at least one argument");
        }
        Ok(args)
    }

    fn map_or_empty(&self, label: &str) -> Result<BTreeMap<String, String>> {
        let Some((n, p)) = self.field(label)? else {
            return Ok(BTreeMap::new());
        };
        if n.kind != Kind::Struct {
            return invalid(
                &p,
                format!("expected a struct of strings, found {}", describe(n)),
            );
        }
        let mut map = BTreeMap::new();
        for f in n.fields.iter().filter(|f| f.kind == FieldKind::Regular) {
            let fp = p.field(&f.label);
            check_kind(&f.node, &fp)?;
            map.insert(f.label.clone(), as_string(&f.node, &fp)?);
        }
        Ok(map)
    }

    fn source(&self, label: &str) -> Result<Source> {
        match self.node.get(label) {
            None => invalid(self.path, format!("missing field `{label}`")),
            Some(n) => source(n, &self.path.field(label)),
        }
    }

    fn format(&self) -> Result<ExportFormat> {
        let format = self.string_or("format", "string")?;
        match format.as_str() {
            "string" => Ok(ExportFormat::String),
            "json" => Ok(ExportFormat::Json),
            "yaml" => Ok(ExportFormat::Yaml),
            other => invalid(
                &self.path.field("format"),
                format!(
                    "unknown export format {other:?}: expected \"string\", \"json\" or \"yaml\""
                ),
            ),
        }
    }

    fn mounts(&self) -> Result<BTreeMap<String, Mount>> {
        let Some((n, p)) = self.field("mount")? else {
            return Ok(BTreeMap::new());
        };
        if n.kind != Kind::Struct {
            return invalid(
                &p,
                format!("expected a struct of mounts, found {}", describe(n)),
            );
        }
        let mut mounts = BTreeMap::new();
        for f in n.fields.iter().filter(|f| f.kind == FieldKind::Regular) {
            let mp = p.field(&f.label);
            // A relative target is relative to `/`, as BuildKit's client
            // and the original resolve it.
            let target = crate::ops::join_path("/", &f.label);
            if mounts.contains_key(&target) {
                return invalid(
                    &mp,
                    format!("a second mount at {target} (targets are relative to /)"),
                );
            }
            let m = &f.node;
            let mount = match m.as_str() {
                Some("tmpfs") => Mount::Tmpfs,
                // One cache per mount of the plan (its CUE path), as the
                // original keyed them; compile adds the plan's directory.
                Some("cache") => Mount::Cache {
                    key: mp.to_string(),
                },
                Some(other) => {
                    return invalid(
                        &mp,
                        format!(
                        "unknown mount {other:?}: expected \"tmpfs\", \"cache\" or {{from: ...}}"
                    ),
                    )
                }
                None if m.get("secret").is_some() => {
                    let r = Reader { node: m, path: &mp };
                    let value = crate::state::SecretValue(r.string("secret")?);
                    Mount::Secret {
                        id: crate::secrets::keyed_id(&mp.to_string(), &value),
                        value,
                    }
                }
                None if m.get("from").is_some() => {
                    let r = Reader { node: m, path: &mp };
                    Mount::From {
                        from: r.source("from")?,
                        path: r.string_or("path", "/")?,
                    }
                }
                None => {
                    check_kind(m, &mp)?;
                    return invalid(
                        &mp,
                        format!(
                            "expected \"tmpfs\", \"cache\", {{from: ...}} or {{secret: ...}}, found {}",
                            describe(m)
                        ),
                    );
                }
            };
            mounts.insert(target, mount);
        }
        Ok(mounts)
    }

    fn docker_build(&self) -> Result<DockerBuild> {
        let context = match self.node.get("context") {
            None => None,
            Some(_) => Some(self.source("context")?),
        };
        let dockerfile = self.optional_string("dockerfile")?;
        if context.is_none() && dockerfile.is_none() {
            return invalid(
                self.path,
                "docker-build needs `context`, `dockerfile` or both",
            );
        }
        let dockerfile_path = self.optional_string("dockerfilePath")?;
        Ok(DockerBuild {
            context,
            dockerfile,
            dockerfile_path,
            build_args: self.map_or_empty("buildArg")?,
            labels: self.map_or_empty("label")?,
            platforms: self.strings_or_empty("platforms")?,
        })
    }
}

fn as_string(node: &Node, path: &Path) -> Result<String> {
    check_kind(node, path)?;
    match node.as_str() {
        Some(s) => Ok(s.to_string()),
        None => invalid(path, format!("expected a string, found {}", describe(node))),
    }
}

fn string_list(node: &Node, path: &Path) -> Result<Vec<String>> {
    check_kind(node, path)?;
    if node.kind != Kind::List {
        return invalid(
            path,
            format!("expected a list of strings, found {}", describe(node)),
        );
    }
    node.elems
        .iter()
        .enumerate()
        .map(|(i, e)| as_string(e, &path.index(i)))
        .collect()
}
