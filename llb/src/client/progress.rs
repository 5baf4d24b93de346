//! BuildKit's `Status` stream turned into progress events and a per-solve
//! summary (which vertices ran, which were cached, what a failed one printed).

use std::collections::BTreeMap;
use std::time::Duration;

use bollard_buildkit_proto::moby::buildkit::v1::StatusResponse;

/// One thing that happened during a solve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// A vertex (an op) started running.
    Started { digest: String, name: String },
    /// A vertex finished, or was answered from cache.
    Completed {
        digest: String,
        name: String,
        cached: bool,
        duration: Option<Duration>,
    },
    /// A vertex failed.
    Failed {
        digest: String,
        name: String,
        error: String,
    },
    /// Output of a running vertex; `stream` is 1 for stdout, 2 for stderr.
    Log {
        digest: String,
        name: String,
        stream: i64,
        data: Vec<u8>,
    },
}

/// Where progress events go; the receiver may be dropped at any time.
pub type ProgressSender = tokio::sync::mpsc::UnboundedSender<ProgressEvent>;

/// What kind of op a vertex is, when it is an op of the solved definition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VertexKind {
    /// An image, git, local or http source.
    Source,
    Exec,
    File,
    /// Merge, diff or nested build ops.
    OtherOp,
    /// Not an op of the definition (frontend steps, internal work).
    #[default]
    Unknown,
}

/// What is known about one vertex at the end of a solve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VertexSummary {
    pub digest: String,
    pub name: String,
    pub kind: VertexKind,
    pub started: bool,
    pub completed: bool,
    pub cached: bool,
    pub error: Option<String>,
}

/// Keeps this much of each vertex's output, for error reports.
const LOG_TAIL_BYTES: usize = 64 * 1024;

/// Accumulates status messages.
#[derive(Debug, Default)]
pub(crate) struct StatusTracker {
    pub vertices: BTreeMap<String, VertexSummary>,
    /// Order of first appearance, for stable reports.
    order: Vec<String>,
    logs: BTreeMap<String, Vec<u8>>,
    /// Names this solve's own definition gives its ops, by digest. BuildKit
    /// shares a vertex between concurrent solves and reports it under the
    /// name of the solve that loaded it first; ours wins here.
    own_names: BTreeMap<String, String>,
    /// Digests of the ops of this solve's definition.
    own_ops: std::collections::BTreeSet<String>,
}

fn duration(
    started: &Option<prost_types_ts::Timestamp>,
    completed: &Option<prost_types_ts::Timestamp>,
) -> Option<Duration> {
    let (s, c) = (started.as_ref()?, completed.as_ref()?);
    let ns = |t: &prost_types_ts::Timestamp| t.seconds as i128 * 1_000_000_000 + t.nanos as i128;
    let d = ns(c) - ns(s);
    (d >= 0).then(|| Duration::from_nanos(d as u64))
}

/// Whether a vertex error only says it was cancelled.
fn is_cancellation(error: &str) -> bool {
    error.trim_end().ends_with("canceled")
}

/// The timestamp type of the generated status messages.
mod prost_types_ts {
    pub use bollard_buildkit_proto::google::protobuf::Timestamp;
}

impl StatusTracker {
    /// A tracker that names the vertices of `definition` as it does.
    pub fn for_definition(definition: &bollard_buildkit_proto::pb::Definition) -> StatusTracker {
        let own_names = definition
            .metadata
            .iter()
            .filter_map(|(digest, meta)| {
                let name = meta.description.get("llb.customname")?;
                Some((digest.clone(), name.clone()))
            })
            .collect();
        let own_ops = definition
            .def
            .iter()
            .map(|op| {
                use sha2::{Digest, Sha256};
                format!("sha256:{}", hex::encode(Sha256::digest(op)))
            })
            .collect();
        StatusTracker {
            own_names,
            own_ops,
            ..StatusTracker::default()
        }
    }

    /// Whether `digest` is an op of this solve's definition (not a step of
    /// a frontend or of an exporter).
    pub fn is_own_op(&self, digest: &str) -> bool {
        self.own_ops.contains(digest)
    }

    /// Folds one status message in, sending events for what changed.
    pub fn update(&mut self, resp: StatusResponse, events: Option<&ProgressSender>) {
        let send = |e: ProgressEvent| {
            if let Some(tx) = events {
                let _ = tx.send(e);
            }
        };
        for v in resp.vertexes {
            if !self.vertices.contains_key(&v.digest) {
                self.order.push(v.digest.clone());
            }
            let entry = self
                .vertices
                .entry(v.digest.clone())
                .or_insert_with(|| VertexSummary {
                    digest: v.digest.clone(),
                    ..Default::default()
                });
            if let Some(own) = self.own_names.get(&v.digest) {
                entry.name = own.clone();
            } else if !v.name.is_empty() {
                entry.name = v.name.clone();
            }
            // A vertex answered from cache says so when it starts; the
            // updates that follow while its cached result is fetched (a
            // local cache import's layers) come with `cached` unset.
            if v.cached {
                entry.cached = true;
            }
            if v.started.is_some() && !entry.started {
                entry.started = true;
                if !v.cached {
                    send(ProgressEvent::Started {
                        digest: v.digest.clone(),
                        name: entry.name.clone(),
                    });
                }
            }
            if !v.error.is_empty() && entry.error.is_none() {
                entry.error = Some(v.error.clone());
                send(ProgressEvent::Failed {
                    digest: v.digest.clone(),
                    name: entry.name.clone(),
                    error: v.error.clone(),
                });
            } else if v.completed.is_some() && !entry.completed && v.error.is_empty() {
                entry.completed = true;
                send(ProgressEvent::Completed {
                    digest: v.digest.clone(),
                    name: entry.name.clone(),
                    cached: entry.cached,
                    duration: duration(&v.started, &v.completed),
                });
            }
        }
        for l in resp.logs {
            let name = self
                .vertices
                .get(&l.vertex)
                .map(|v| v.name.clone())
                .unwrap_or_default();
            let buf = self.logs.entry(l.vertex.clone()).or_default();
            buf.extend_from_slice(&l.msg);
            if buf.len() > LOG_TAIL_BYTES {
                let cut = buf.len() - LOG_TAIL_BYTES;
                buf.drain(..cut);
            }
            send(ProgressEvent::Log {
                digest: l.vertex,
                name,
                stream: l.stream,
                data: l.msg,
            });
        }
    }

    /// Vertices in the order they first appeared.
    pub fn summaries(&self) -> Vec<VertexSummary> {
        self.order
            .iter()
            .filter_map(|d| self.vertices.get(d).cloned())
            .collect()
    }

    /// The first vertex that failed, if any; one that was only cancelled
    /// because another failed comes after those that failed on their own.
    pub fn failed(&self) -> Option<&VertexSummary> {
        let failed = || {
            self.order
                .iter()
                .filter_map(|d| self.vertices.get(d))
                .filter(|v| v.error.is_some())
        };
        failed()
            .find(|v| !is_cancellation(v.error.as_deref().unwrap_or_default()))
            .or_else(|| failed().next())
    }

    /// The vertex started last that has not finished, if any (this solve's
    /// own ops first): what was running when the solve stopped.
    pub fn running(&self) -> Option<&VertexSummary> {
        let running: Vec<&VertexSummary> = self
            .order
            .iter()
            .filter_map(|d| self.vertices.get(d))
            .filter(|v| v.started && !v.completed && v.error.is_none())
            .collect();
        running
            .iter()
            .rev()
            .find(|v| self.own_names.contains_key(&v.digest))
            .or_else(|| running.last())
            .copied()
    }

    /// The last `n` lines a vertex printed.
    pub fn log_tail(&self, digest: &str, n: usize) -> Vec<String> {
        let Some(buf) = self.logs.get(digest) else {
            return Vec::new();
        };
        let text = String::from_utf8_lossy(buf);
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(n);
        lines[start..].iter().map(|l| l.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_buildkit_proto::google::protobuf::Timestamp;
    use bollard_buildkit_proto::moby::buildkit::v1::{Vertex, VertexLog};

    fn ts(s: i64) -> Option<Timestamp> {
        Some(Timestamp {
            seconds: s,
            nanos: 0,
        })
    }

    #[test]
    fn tracks_vertices_and_log_tails() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut t = StatusTracker::default();
        t.update(
            StatusResponse {
                vertexes: vec![Vertex {
                    digest: "sha256:a".into(),
                    name: "sh -c boom".into(),
                    started: ts(1),
                    ..Default::default()
                }],
                logs: vec![VertexLog {
                    vertex: "sha256:a".into(),
                    stream: 2,
                    msg: b"one\ntwo\nthree\n".to_vec(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            Some(&tx),
        );
        t.update(
            StatusResponse {
                vertexes: vec![Vertex {
                    digest: "sha256:a".into(),
                    name: "sh -c boom".into(),
                    started: ts(1),
                    completed: ts(3),
                    error: "exit code: 3".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            Some(&tx),
        );
        let failed = t.failed().unwrap();
        assert_eq!(failed.name, "sh -c boom");
        assert_eq!(t.log_tail("sha256:a", 2), vec!["two", "three"]);
        let events: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert!(matches!(events[0], ProgressEvent::Started { .. }));
        assert!(matches!(events[1], ProgressEvent::Log { stream: 2, .. }));
        assert!(matches!(events[2], ProgressEvent::Failed { .. }));
    }

    #[test]
    fn cached_vertex_completes_as_cached() {
        let mut t = StatusTracker::default();
        t.update(
            StatusResponse {
                vertexes: vec![Vertex {
                    digest: "sha256:b".into(),
                    name: "x".into(),
                    cached: true,
                    started: ts(5),
                    completed: ts(5),
                    ..Default::default()
                }],
                ..Default::default()
            },
            None,
        );
        let s = t.summaries();
        assert!(s[0].cached && s[0].completed);
    }
}

#[cfg(test)]
mod cache_load_tests {
    use super::*;
    use bollard_buildkit_proto::moby::buildkit::v1::{StatusResponse, Vertex};

    fn ts(s: i64) -> Option<bollard_buildkit_proto::google::protobuf::Timestamp> {
        Some(bollard_buildkit_proto::google::protobuf::Timestamp {
            seconds: s,
            nanos: 0,
        })
    }

    /// BuildKit's updates of a vertex loaded from an imported cache whose
    /// layers are fetched while it loads: started as cached, then
    /// completed without the flag while fetching, completed cached at last.
    #[test]
    fn a_cache_load_that_fetches_layers_completes_as_cached() {
        let update = |started, completed, cached| StatusResponse {
            vertexes: vec![Vertex {
                digest: "sha256:c".into(),
                name: "exec".into(),
                cached,
                started,
                completed,
                ..Default::default()
            }],
            ..Default::default()
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut t = StatusTracker::default();
        t.update(update(ts(1), None, true), Some(&tx));
        t.update(update(ts(1), None, false), Some(&tx));
        t.update(update(ts(1), ts(2), false), Some(&tx));
        t.update(update(ts(1), ts(3), true), Some(&tx));
        let events: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert!(
            matches!(
                events.as_slice(),
                [ProgressEvent::Completed { cached: true, .. }]
            ),
            "{events:?}"
        );
        assert!(t.summaries()[0].cached);
    }
}
