//! A readable summary of a definition's ops, for `dagger llb`: one entry per
//! op with its digest, kind, inputs and key fields, serializable to JSON.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;
use serde::Serialize;

use crate::digest::Digest;
use crate::ops::state::CUSTOM_NAME_KEY;

/// One op of a definition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpSummary {
    /// `sha256:` digest of the marshaled op.
    pub digest: String,
    /// Input edges, in the op's input order.
    pub inputs: Vec<InputRef>,
    /// Display name (`llb.customname`), when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the op skips the cache.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignore_cache: bool,
    /// `os/arch[/variant]`, when the op carries a platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// What the op does.
    #[serde(flatten)]
    pub op: OpDetail,
}

/// An input edge: the output `index` of the op `digest`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputRef {
    pub digest: String,
    pub index: i64,
}

/// The key fields of each kind of op.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OpDetail {
    /// Image, git, local, ... source.
    Source {
        identifier: String,
        attrs: BTreeMap<String, String>,
    },
    /// A command run in a container.
    Exec {
        args: Vec<String>,
        env: Vec<String>,
        cwd: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        user: String,
        mounts: Vec<MountSummary>,
        /// `NAME=<secret id>` for env vars served from the session.
        #[serde(rename = "secretEnv", skip_serializing_if = "Vec::is_empty")]
        secret_env: Vec<String>,
    },
    /// File actions.
    File { actions: Vec<String> },
    /// A nested build, merge or diff (not produced by this crate).
    Other { what: String },
    /// The last op: its single input is the definition's result.
    Terminal,
}

/// One mount of an exec.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MountSummary {
    pub dest: String,
    /// `bind`, `cache`, `tmpfs`, `secret`, `ssh`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Input index, -1 for none.
    pub input: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub selector: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub readonly: bool,
    /// Output index of a bind mount, -1 for none; absent for other types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<i64>,
    /// Cache id or secret id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
}

/// Summarizes every op of `def`, in definition order.
pub fn summarize(def: &pb::Definition) -> Result<Vec<OpSummary>, prost::DecodeError> {
    let mut out = Vec::with_capacity(def.def.len());
    for (i, bytes) in def.def.iter().enumerate() {
        let op = pb::Op::decode(bytes.as_slice())?;
        let digest = Digest::of(bytes).to_string();
        let md = def.metadata.get(&digest);
        let is_terminal = i + 1 == def.def.len() && op.op.is_none();
        out.push(OpSummary {
            inputs: op
                .inputs
                .iter()
                .map(|inp| InputRef {
                    digest: inp.digest.clone(),
                    index: inp.index,
                })
                .collect(),
            name: md.and_then(|m| m.description.get(CUSTOM_NAME_KEY).cloned()),
            ignore_cache: md.is_some_and(|m| m.ignore_cache),
            platform: op.platform.as_ref().map(|p| {
                let mut s = format!("{}/{}", p.os, p.architecture);
                if !p.variant.is_empty() {
                    s.push('/');
                    s.push_str(&p.variant);
                }
                s
            }),
            op: detail(op.op, is_terminal),
            digest,
        });
    }
    Ok(out)
}

fn detail(op: Option<pb::op::Op>, is_terminal: bool) -> OpDetail {
    use pb::op::Op;
    match op {
        None if is_terminal => OpDetail::Terminal,
        None => OpDetail::Other {
            what: "empty".into(),
        },
        Some(Op::Source(s)) => OpDetail::Source {
            identifier: s.identifier,
            attrs: s.attrs,
        },
        Some(Op::Exec(e)) => {
            let meta = e.meta.unwrap_or_default();
            OpDetail::Exec {
                args: meta.args,
                env: meta.env,
                cwd: meta.cwd,
                user: meta.user,
                mounts: e.mounts.into_iter().map(mount_summary).collect(),
                secret_env: e
                    .secretenv
                    .iter()
                    .map(|s| format!("{}=<secret {}>", s.name, s.id))
                    .collect(),
            }
        }
        Some(Op::File(f)) => OpDetail::File {
            actions: f.actions.iter().map(file_action_text).collect(),
        },
        Some(Op::Build(_)) => OpDetail::Other {
            what: "build".into(),
        },
        Some(Op::Merge(_)) => OpDetail::Other {
            what: "merge".into(),
        },
        Some(Op::Diff(_)) => OpDetail::Other {
            what: "diff".into(),
        },
    }
}

fn mount_summary(m: pb::Mount) -> MountSummary {
    let kind = match pb::MountType::try_from(m.mount_type) {
        Ok(pb::MountType::Bind) => "bind",
        Ok(pb::MountType::Secret) => "secret",
        Ok(pb::MountType::Ssh) => "ssh",
        Ok(pb::MountType::Cache) => "cache",
        Ok(pb::MountType::Tmpfs) => "tmpfs",
        Err(_) => "unknown",
    };
    let id = m
        .cache_opt
        .map(|c| c.id)
        .or(m.secret_opt.map(|s| s.id))
        .unwrap_or_default();
    MountSummary {
        dest: m.dest,
        kind: kind.to_string(),
        input: m.input,
        selector: m.selector,
        readonly: m.readonly,
        output: (m.mount_type == pb::MountType::Bind as i32).then_some(m.output),
        id,
    }
}

/// One line per action: `mkfile /path 0644 (12 bytes)`, `copy 1:/src -> 0:/dest`.
fn file_action_text(a: &pb::FileAction) -> String {
    use pb::file_action::Action;
    match &a.action {
        Some(Action::Mkfile(f)) => {
            format!("mkfile {} {:#o} ({} bytes)", f.path, f.mode, f.data.len())
        }
        Some(Action::Mkdir(d)) => format!(
            "mkdir {} {:#o}{}",
            d.path,
            d.mode,
            if d.make_parents { " parents" } else { "" }
        ),
        Some(Action::Copy(c)) => {
            let mut flags = Vec::new();
            for (on, name) in [
                (c.dir_copy_contents, "contents"),
                (c.create_dest_path, "create-dest"),
                (c.allow_wildcard, "wildcard"),
                (c.allow_empty_wildcard, "empty-wildcard"),
                (c.follow_symlink, "follow-symlinks"),
            ] {
                if on {
                    flags.push(name);
                }
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(","))
            };
            format!(
                "copy {}:{} -> {}:{}{flags}",
                a.secondary_input, c.src, a.input, c.dest
            )
        }
        Some(Action::Rm(r)) => format!("rm {}", r.path),
        Some(Action::Symlink(s)) => format!("symlink {} -> {}", s.newpath, s.oldpath),
        None => "empty".to_string(),
    }
}
