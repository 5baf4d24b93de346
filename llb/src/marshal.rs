//! Marshaling a `State` to a `pb::Definition`.
//!
//! Ops are serialized with prost (fields in tag order, map entries sorted by
//! key: the crate's maps are `BTreeMap`s), and each op is named by the
//! `sha256:` digest of its bytes. `def` lists every op once, each after the
//! ops it reads, and ends with the terminal op: an op with a single input,
//! the requested state. Metadata is keyed by digest. The same graph always
//! gives the same bytes, so BuildKit's cache recognizes it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bollard_buildkit_proto::pb;
use prost::Message;

use crate::digest::Digest;
use crate::ops::caps;
use crate::ops::platform::Platform;
use crate::ops::state::{Output, State, Vertex, VertexKind, CUSTOM_NAME_KEY};

/// Settings for marshaling.
#[derive(Clone, Debug)]
pub struct MarshalOptions {
    /// Platform of image sources and execs that do not set one.
    pub platform: Platform,
}

impl Default for MarshalOptions {
    /// The host's Linux platform, as BuildKit's client defaults to.
    fn default() -> MarshalOptions {
        MarshalOptions {
            platform: Platform::host(),
        }
    }
}

impl MarshalOptions {
    /// Options for `platform`.
    pub fn for_platform(platform: Platform) -> MarshalOptions {
        MarshalOptions { platform }
    }
}

impl State {
    /// The definition that computes this state. Scratch gives an empty
    /// definition.
    pub fn marshal(&self, opts: &MarshalOptions) -> pb::Definition {
        let Some(out) = &self.output else {
            return pb::Definition::default();
        };
        let mut m = Marshaler {
            opts,
            visited: BTreeMap::new(),
            emitted: BTreeSet::new(),
            def: Vec::new(),
            metadata: BTreeMap::new(),
        };
        let head = m.input_of(out);
        let terminal = pb::Op {
            inputs: vec![head],
            ..Default::default()
        };
        let bytes = terminal.encode_to_vec();
        let digest = Digest::of(&bytes);

        let mut terminal_caps = BTreeMap::from([
            (caps::CONSTRAINTS.to_string(), true),
            (caps::PLATFORM.to_string(), true),
        ]);
        for md in m.metadata.values() {
            if md.ignore_cache {
                terminal_caps.insert(caps::META_IGNORE_CACHE.to_string(), true);
            }
            if !md.description.is_empty() {
                terminal_caps.insert(caps::META_DESCRIPTION.to_string(), true);
            }
        }
        if m.emitted.insert(digest.clone()) {
            m.def.push(bytes);
        }
        let entry = m.metadata.entry(digest.into()).or_default();
        entry.caps.extend(terminal_caps);

        pb::Definition {
            def: m.def,
            metadata: m.metadata,
            source: None,
        }
    }
}

/// One marshaling pass: a depth-first walk that emits each op after its inputs.
struct Marshaler<'a> {
    opts: &'a MarshalOptions,
    /// Digest of each vertex already marshaled, by address (vertices are
    /// alive for the whole pass, so addresses are unique).
    visited: BTreeMap<usize, Digest>,
    emitted: BTreeSet<Digest>,
    def: Vec<Vec<u8>>,
    metadata: BTreeMap<String, pb::OpMetadata>,
}

fn addr(v: &Arc<Vertex>) -> usize {
    Arc::as_ptr(v) as usize
}

impl Marshaler<'_> {
    fn input_of(&mut self, out: &Output) -> pb::Input {
        pb::Input {
            digest: self.visit(&out.vertex).into(),
            index: out.index,
        }
    }

    /// Marshals `root` and everything it reads, each vertex after its
    /// inputs (first input's ops first, as BuildKit's client orders them),
    /// and returns the digest of `root`. An explicit stack instead of
    /// recursion, so that long chains of ops cannot overflow the stack.
    fn visit(&mut self, root: &Arc<Vertex>) -> Digest {
        let mut stack: Vec<(&Arc<Vertex>, bool)> = vec![(root, false)];
        while let Some((v, inputs_done)) = stack.pop() {
            if self.visited.contains_key(&addr(v)) {
                continue;
            }
            if !inputs_done {
                stack.push((v, true));
                for out in v.kind.inputs().into_iter().rev() {
                    if !self.visited.contains_key(&addr(&out.vertex)) {
                        stack.push((&out.vertex, false));
                    }
                }
                continue;
            }
            let digest = self.marshal_vertex(v);
            self.visited.insert(addr(v), digest);
        }
        self.visited[&addr(root)].clone()
    }

    /// Emits one vertex whose inputs are all marshaled already.
    fn marshal_vertex(&mut self, v: &Vertex) -> Digest {
        if let VertexKind::Definition(ops) = &v.kind {
            for (digest, bytes) in &ops.ops {
                if self.emitted.insert(digest.clone()) {
                    self.def.push(bytes.clone());
                }
            }
            for (key, md) in &ops.metadata {
                merge_metadata(self.metadata.entry(key.clone()).or_default(), md.clone());
            }
            return ops.head.clone();
        }
        let visited = &self.visited;
        let input_of = |out: &Output| pb::Input {
            digest: visited[&addr(&out.vertex)].to_string(),
            index: out.index,
        };
        let platform = Some(v.platform.as_ref().unwrap_or(&self.opts.platform).to_pb());
        let (inputs, op, platform, op_caps) = match &v.kind {
            VertexKind::Source(s) => {
                let op = pb::op::Op::Source(pb::SourceOp {
                    identifier: s.identifier.clone(),
                    attrs: s.attrs.clone(),
                });
                let platform = if s.platform_specific { platform } else { None };
                (Vec::new(), op, platform, s.caps.clone())
            }
            VertexKind::Exec(e) => {
                let (inputs, op) = e.to_pb(&input_of);
                (inputs, op, platform, e.caps())
            }
            VertexKind::File(f) => {
                let (inputs, op) = f.to_pb(&input_of);
                // File ops do not depend on the platform.
                (inputs, op, None, f.caps())
            }
            VertexKind::Definition(_) => unreachable!("handled above"),
        };
        let op = pb::Op {
            inputs,
            op: Some(op),
            platform,
            constraints: Some(pb::WorkerConstraints::default()),
        };
        let bytes = encode_op(&op);
        let digest = Digest::of(&bytes);
        if self.emitted.insert(digest.clone()) {
            self.def.push(bytes);
        }
        let mut md = pb::OpMetadata {
            ignore_cache: v.meta.ignore_cache,
            caps: op_caps.into_iter().map(|c| (c.to_string(), true)).collect(),
            ..Default::default()
        };
        if let Some(name) = &v.meta.custom_name {
            md.description
                .insert(CUSTOM_NAME_KEY.to_string(), name.clone());
        }
        merge_metadata(self.metadata.entry(digest.to_string()).or_default(), md);
        digest
    }
}

/// Encodes an op the way BuildKit's Go client does, so digests agree with
/// theirs: regular fields in tag order, then the `op` oneof. (prost would
/// put the oneof, tags 2-7, between `inputs` and `platform`; both orders
/// decode the same, but the digest is of the bytes.)
pub fn encode_op(op: &pb::Op) -> Vec<u8> {
    let fields = pb::Op {
        op: None,
        ..op.clone()
    };
    let mut bytes = fields.encode_to_vec();
    if let Some(body) = &op.op {
        body.encode(&mut bytes);
    }
    bytes
}

/// Two ops with one digest are one op: the first display name wins, either
/// asking to skip the cache is enough, capabilities add up.
fn merge_metadata(into: &mut pb::OpMetadata, from: pb::OpMetadata) {
    into.ignore_cache |= from.ignore_cache;
    for (k, v) in from.description {
        into.description.entry(k).or_insert(v);
    }
    into.caps.extend(from.caps);
    if into.export_cache.is_none() {
        into.export_cache = from.export_cache;
    }
    if into.progress_group.is_none() {
        into.progress_group = from.progress_group;
    }
}
