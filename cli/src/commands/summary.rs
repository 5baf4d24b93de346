//! The end of a `compute` run on stderr: how each component went, why the
//! skipped ones did not run and which input would make them run, and on
//! failure what failed (its op, command and exit code, once) and what did
//! not run because of it. With the live display of `tty` on a terminal,
//! the summary is its final table, in place of the display.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ::dag::graph::Graph;
use ::dag::parse::{component_ops, OpsError};
use ::dag::path::{Path, Seg};
use ::dag::run::RunError;
use ::dag::tree::{FieldKind, Kind, Node};

use super::live;
use super::progress::{color_allowed, op_detail, op_label, ComponentStats, Diag, Outcome};

/// Prints the error of a failed run: for a failed exec, its op, exit code,
/// command (shortened) and output tail; else the error itself.
pub fn print_error(diag: Diag, e: &RunError, redact: &dyn Fn(&str) -> String) {
    let tail: Vec<String> = e.output_tail().iter().map(|l| redact(l)).collect();
    let message = match e {
        RunError::Op {
            component,
            op: Some(op),
            error,
        } if error.exit_code.is_some() => {
            let code = error.exit_code.unwrap_or(1);
            let mut m = format!(
                "component {component}: {} failed with exit code {code}",
                op_label(&Path::root(), op)
            );
            if let Some(cmd) = op_detail(op, 100) {
                m.push_str(&format!("\n  command: {cmd}"));
            }
            m
        }
        other => other.to_string(),
    };
    let message = redact(&message);
    // A run refused before any component started printed no summary: the
    // live display ends here, before the error.
    live::finish(&[]);
    if diag.json {
        diag.event(
            "error",
            serde_json::json!({"message": message, "output_tail": tail}),
        );
        return;
    }
    diag.error(&message);
    if !tail.is_empty() {
        eprintln!("output (last {} lines):", tail.len());
        for line in &tail {
            eprintln!("  {line}");
        }
    }
}

/// One component's line in the summary.
struct Row {
    component: Path,
    state: &'static str,
    duration: Option<Duration>,
    note: String,
}

/// Prints the summary of a run: counts, then one line per component.
pub fn print(
    diag: Diag,
    root: &Node,
    stats: &BTreeMap<Path, ComponentStats>,
    failed: Option<&Path>,
    timings: &str,
    redact: &dyn Fn(&str) -> String,
) {
    let graph = Graph::build(root).ok();
    let mut components: BTreeSet<Path> = stats.keys().cloned().collect();
    if let Some(g) = &graph {
        components.extend(g.components());
    }
    let blocked = failed
        .and_then(|f| graph.as_ref().map(|g| dependents(g, f)))
        .unwrap_or_default();
    let mut rows = Vec::new();
    for c in &components {
        let s = stats.get(c).cloned().unwrap_or_default();
        let (state, note) = match &s.outcome {
            Outcome::Completed if s.cached() => ("cached", String::new()),
            Outcome::Completed => ("ran", String::new()),
            Outcome::Reused => ("reused", String::new()),
            Outcome::Failed(_) => ("failed", String::new()),
            Outcome::Skipped(reason) => ("skipped", skip_note(root, c, reason)),
            Outcome::Pending if blocked.contains(c) => (
                "not run",
                format!(
                    "depends on {}, which failed",
                    failed.map(Path::to_string).unwrap_or_default()
                ),
            ),
            Outcome::Pending => ("not run", String::new()),
        };
        rows.push(Row {
            component: c.clone(),
            state,
            duration: s.duration(),
            note: redact(&note),
        });
    }
    let count = |state: &str| rows.iter().filter(|r| r.state == state).count();
    // Only controllers reuse outputs: their count is left out of the other
    // runs' summaries, which stay as they were.
    let reused = match count("reused") {
        0 => String::new(),
        n => format!(", {n} reused"),
    };
    let counts = format!(
        "{} component{}: {} ran, {} cached{reused}, {} skipped, {} failed, {} not run",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        count("ran"),
        count("cached"),
        count("skipped"),
        count("failed"),
        count("not run"),
    );
    let head = format!("{counts}; {timings}");
    if diag.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "component": r.component.to_string(),
                    "state": r.state,
                    "seconds": r.duration.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0),
                    "note": (!r.note.is_empty()).then_some(&r.note),
                })
            })
            .collect();
        diag.event(
            "summary",
            serde_json::json!({"text": head, "components": list}),
        );
        return;
    }
    if live::is_active() {
        let table: Vec<live::Row> = rows
            .iter()
            .map(|r| live::Row {
                component: r.component.to_string(),
                state: r.state,
                duration: r.duration,
                note: r.note.clone(),
            })
            .collect();
        live::finish(&live::table(
            &counts,
            &table,
            Some(timings),
            color_allowed(),
        ));
        return;
    }
    eprintln!("summary: {head}");
    let width = rows
        .iter()
        .map(|r| r.component.to_string().len())
        .max()
        .unwrap_or(0);
    for r in &rows {
        let time = r
            .duration
            .map(|d| format!("{:.2}s", d.as_secs_f64()))
            .unwrap_or_default();
        let line = format!(
            "  {:width$}  {:8} {:>7}  {}",
            r.component.to_string(),
            r.state,
            time,
            r.note
        );
        eprintln!("{}", line.trim_end());
    }
}

/// Every component that depends on `failed`, directly or not.
fn dependents(graph: &Graph, failed: &Path) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    let mut changed = true;
    while changed {
        changed = false;
        for c in graph.components() {
            if out.contains(&c) || &c == failed {
                continue;
            }
            if graph
                .deps(&c)
                .iter()
                .any(|d| d == failed || out.contains(d))
            {
                out.insert(c);
                changed = true;
            }
        }
    }
    out
}

/// Why `c` was skipped and, when an unset plan field is behind it, the flag
/// that would set it.
fn skip_note(root: &Node, c: &Path, reason: &str) -> String {
    let hint = root
        .lookup(c)
        .and_then(|node| match component_ops(node, c) {
            Err(OpsError::NotConcrete { path, .. }) => unset_input(root, &path, 0),
            _ => None,
        })
        .map(|(field, flag)| format!(" (unset: {field}; set it with {flag})"))
        .unwrap_or_default();
    format!("{}{hint}", reason.replace('\n', " "))
}

/// The first regular plan field, at or referenced from `path`, that is not
/// concrete, with the flag that would set it.
fn unset_input(root: &Node, path: &Path, depth: usize) -> Option<(String, String)> {
    if depth > 8 {
        return None;
    }
    let node = root.lookup(path)?;
    if is_input_path(root, path) && !concrete(node) {
        return Some((path.to_string(), flag_for(path, node)));
    }
    let mut refs = node.refs.clone();
    refs.extend(nested_refs(node));
    refs.into_iter()
        .find_map(|r| unset_input(root, &r, depth + 1))
}

fn nested_refs(node: &Node) -> Vec<Path> {
    let mut out = Vec::new();
    for n in node.fields.iter().map(|f| &f.node).chain(node.elems.iter()) {
        out.extend(n.refs.iter().cloned());
        out.extend(nested_refs(n));
    }
    out
}

/// A path made only of regular field labels (what an input flag can set).
fn is_input_path(root: &Node, path: &Path) -> bool {
    let mut cur = root;
    for seg in &path.0 {
        let Seg::Field(label) = seg else {
            return false;
        };
        let Some(f) = cur.fields.iter().find(|f| &f.label == label) else {
            return false;
        };
        if f.kind != FieldKind::Regular {
            return false;
        }
        cur = &f.node;
    }
    !path.0.is_empty()
}

fn concrete(node: &Node) -> bool {
    !matches!(node.kind, Kind::Incomplete(_) | Kind::Bottom(_))
}

/// The input flag for an unset field: an artifact takes a directory, a
/// string a text, anything else CUE.
fn flag_for(path: &Path, node: &Node) -> String {
    if node.get("#compute").is_some() {
        return format!("--input-dir {path}=DIR");
    }
    match &node.kind {
        Kind::Incomplete(reason) if reason.contains("string") => {
            format!("--input-string {path}=TEXT")
        }
        _ => format!("--input-cue '{path}: VALUE'"),
    }
}
