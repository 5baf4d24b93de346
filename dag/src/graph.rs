//! Components and the dependency graph between them.
//!
//! A component is a struct with a `#compute` field, found among regular
//! fields (not in definitions, hidden or unset optional fields). There is an
//! edge A -> B when B's subtree (its ops and the fields they interpolate,
//! excluding components nested in B) references A or a value inside A,
//! directly or through values outside any component that are themselves
//! derived from A (`cfg: json.Unmarshal(a)`, then `b` uses `cfg.x`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::path::{Path, Seg};
use crate::tree::{FieldKind, Node};

/// Paths of the components of the plan, in field order (parents first).
pub fn find_components(root: &Node) -> Vec<Path> {
    let mut out = Vec::new();
    let mut trail: Vec<&str> = Vec::new();
    walk_components(root, &mut trail, &mut out);
    out
}

/// Walks the regular fields; the path is built only for components (the
/// engine builds the graph after every fill, over the whole plan).
fn walk_components<'a>(node: &'a Node, trail: &mut Vec<&'a str>, out: &mut Vec<Path>) {
    if is_component(node) {
        out.push(Path(
            trail.iter().map(|l| Seg::Field(l.to_string())).collect(),
        ));
    }
    for f in node.fields.iter().filter(|f| f.kind == FieldKind::Regular) {
        trail.push(&f.label);
        walk_components(&f.node, trail, out);
        trail.pop();
    }
}

/// Whether `node` is a component (when reached through regular fields).
fn is_component(node: &Node) -> bool {
    node.get("#compute").is_some()
}

/// The component graph of one evaluation of the plan.
#[derive(Debug)]
pub struct Graph {
    pub graph: DiGraph<Path, ()>,
    index: BTreeMap<Path, NodeIndex>,
}

/// A reference cycle between components, with where each link of it is
/// written (`y refers to x` and the reference's positions).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("dependency cycle between components: {}{}", fmt_cycle(.0), fmt_links(.1))]
pub struct CycleError(pub Vec<Path>, pub Vec<(String, Vec<String>)>);

fn fmt_links(links: &[(String, Vec<String>)]) -> String {
    let mut s = String::new();
    for (what, positions) in links {
        s.push_str(&format!("\n  {what}"));
        for p in positions {
            s.push_str(&format!(":\n    {p}"));
        }
    }
    s
}

/// For each pair of neighbours in `cycle`, the first node of one that
/// refers into the other, with its positions.
fn cycle_links(root: &Node, cycle: &[Path]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (i, a) in cycle.iter().enumerate() {
        let b = &cycle[(i + 1) % cycle.len()];
        for (from, to) in [(a, b), (b, a)] {
            let Some(node) = root.lookup(from) else {
                continue;
            };
            if let Some(positions) = first_ref_into(node, to) {
                out.push((format!("{from} refers to {to}"), positions));
                break;
            }
        }
    }
    out
}

fn first_ref_into(node: &Node, target: &Path) -> Option<Vec<String>> {
    if node.refs.iter().any(|r| r.starts_with(target)) && !node.positions.is_empty() {
        return Some(node.positions.clone());
    }
    node.fields
        .iter()
        .map(|f| &f.node)
        .chain(node.elems.iter())
        .find_map(|n| first_ref_into(n, target))
}

fn fmt_cycle(cycle: &[Path]) -> String {
    let mut s: Vec<String> = cycle.iter().map(Path::to_string).collect();
    if let Some(first) = s.first().cloned() {
        s.push(first);
    }
    s.join(" -> ")
}

/// The plan's tree with its top level indexed by label: plans are wide at
/// the top (one field per component), and the graph looks paths up from
/// the root for every reference.
struct Tree<'a> {
    root: &'a Node,
    top: std::collections::HashMap<&'a str, &'a crate::tree::Field>,
}

impl<'a> Tree<'a> {
    fn new(root: &'a Node) -> Tree<'a> {
        let mut top = std::collections::HashMap::new();
        for f in &root.fields {
            top.entry(f.label.as_str()).or_insert(f);
        }
        Tree { root, top }
    }

    /// The field `label` of `node` (`Node::get`, by index at the root).
    fn get(&self, node: &'a Node, label: &str) -> Option<&'a Node> {
        if std::ptr::eq(node, self.root) {
            return self
                .top
                .get(label)
                .filter(|f| f.kind != FieldKind::Optional)
                .map(|f| &f.node);
        }
        node.get(label)
    }

    /// The regular field `label` of `node`.
    fn regular(&self, node: &'a Node, label: &str) -> Option<&'a Node> {
        let f = if std::ptr::eq(node, self.root) {
            self.top.get(label).copied()
        } else {
            node.fields.iter().find(|f| f.label == label)
        };
        f.filter(|f| f.kind == FieldKind::Regular).map(|f| &f.node)
    }

    /// `Node::lookup` from the root.
    fn lookup(&self, p: &Path) -> Option<&'a Node> {
        let mut node = self.root;
        for seg in &p.0 {
            node = match seg {
                Seg::Field(l) => self.get(node, l)?,
                Seg::Index(i) => node.elems.get(*i)?,
            };
        }
        Some(node)
    }
}

impl Graph {
    /// Builds the graph of the components of `root`; a cycle is an error.
    pub fn build(root: &Node) -> Result<Graph, CycleError> {
        let components = find_components(root);
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for c in &components {
            index.insert(c.clone(), graph.add_node(c.clone()));
        }
        let tree = Tree::new(root);
        for c in &components {
            let Some(node) = tree.lookup(c) else { continue };
            let mut refs = Vec::new();
            collect_refs(node, true, true, &mut refs);
            let mut deps = BTreeSet::new();
            let mut seen = BTreeSet::new();
            for r in refs {
                resolve(&tree, c, r, &mut seen, &mut deps);
            }
            for d in deps {
                graph.update_edge(index[&d], index[c], ());
            }
        }
        let g = Graph { graph, index };
        g.check_cycles().map_err(|CycleError(cycle, _)| {
            let links = cycle_links(root, &cycle);
            CycleError(cycle, links)
        })?;
        Ok(g)
    }

    /// Components in an order where dependencies come first; among those
    /// ready at the same time, field order.
    pub fn order(&self) -> Vec<Path> {
        use std::cmp::Reverse;
        let g = &self.graph;
        let mut pending: Vec<usize> = g
            .node_indices()
            .map(|i| {
                g.neighbors_directed(i, petgraph::Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: std::collections::BinaryHeap<Reverse<NodeIndex>> = g
            .node_indices()
            .filter(|i| pending[i.index()] == 0)
            .map(Reverse)
            .collect();
        let mut out = Vec::with_capacity(g.node_count());
        while let Some(Reverse(i)) = ready.pop() {
            out.push(g[i].clone());
            for j in g.neighbors(i) {
                pending[j.index()] -= 1;
                if pending[j.index()] == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
        out
    }

    /// The components `c` depends on.
    pub fn deps(&self, c: &Path) -> Vec<Path> {
        let Some(&i) = self.index.get(c) else {
            return Vec::new();
        };
        let mut deps: Vec<Path> = self
            .graph
            .neighbors_directed(i, petgraph::Direction::Incoming)
            .map(|d| self.graph[d].clone())
            .collect();
        deps.sort();
        deps
    }

    /// All components, in field order.
    pub fn components(&self) -> Vec<Path> {
        self.graph
            .node_indices()
            .map(|i| self.graph[i].clone())
            .collect()
    }

    fn check_cycles(&self) -> Result<(), CycleError> {
        for scc in petgraph::algo::tarjan_scc(&self.graph) {
            if scc.len() > 1 {
                let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
                let start = *scc
                    .iter()
                    .min_by_key(|i| &self.graph[**i])
                    .unwrap_or(&scc[0]);
                return Err(CycleError(self.cycle_from(start, &members), Vec::new()));
            }
        }
        Ok(())
    }

    /// A cycle through `start` inside one strongly connected component.
    fn cycle_from(&self, start: NodeIndex, members: &BTreeSet<NodeIndex>) -> Vec<Path> {
        // Breadth-first search back to `start` gives the shortest cycle.
        let mut prev: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self
                .graph
                .neighbors(n)
                .filter(|m| members.contains(m))
                .collect();
            next.sort_by_key(|m| &self.graph[*m]);
            for m in next {
                if m == start {
                    let mut cycle = vec![n];
                    let mut cur = n;
                    while cur != start {
                        cur = prev[&cur];
                        cycle.push(cur);
                    }
                    cycle.reverse();
                    return cycle.into_iter().map(|i| self.graph[i].clone()).collect();
                }
                if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(m) {
                    e.insert(n);
                    queue.push_back(m);
                }
            }
        }
        vec![self.graph[start].clone()]
    }

    /// Graphviz source of the graph.
    pub fn to_dot(&self) -> String {
        let mut s = String::from("digraph dag {\n  rankdir=LR;\n  node [shape=box];\n");
        for i in self.graph.node_indices() {
            let _ = writeln!(s, "  {};", dot_id(&self.graph[i]));
        }
        for e in self.graph.raw_edges() {
            let _ = writeln!(
                s,
                "  {} -> {};",
                dot_id(&self.graph[e.source()]),
                dot_id(&self.graph[e.target()])
            );
        }
        s.push_str("}\n");
        s
    }

    /// One line per component in dependency order: `b <- a, c`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for c in self.order() {
            let deps = self.deps(&c);
            if deps.is_empty() {
                let _ = writeln!(s, "{c}");
            } else {
                let deps: Vec<String> = deps.iter().map(Path::to_string).collect();
                let _ = writeln!(s, "{c} <- {}", deps.join(", "));
            }
        }
        s
    }
}

fn dot_id(p: &Path) -> String {
    let text = p.to_string();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Collects the references of `node`'s subtree, not descending into nested
/// components (they are nodes of their own) except at the top.
///
/// A node below is a component exactly when it is reached from the root
/// through regular fields only and has `#compute` (see [`find_components`]);
/// `regular` says the path so far is such a chain, so no path is built.
fn collect_refs<'a>(node: &'a Node, regular: bool, top: bool, out: &mut Vec<&'a Path>) {
    if !top && regular && is_component(node) {
        return;
    }
    out.extend(node.refs.iter());
    for f in &node.fields {
        collect_refs(&f.node, regular && f.kind == FieldKind::Regular, false, out);
    }
    for e in &node.elems {
        // Elements are never components.
        collect_refs(e, false, false, out);
    }
}

/// Whether `p` goes from the root through regular fields only.
fn regular_chain(tree: &Tree<'_>, p: &Path) -> bool {
    let mut node = tree.root;
    for seg in &p.0 {
        let Seg::Field(l) = seg else {
            return false;
        };
        let Some(next) = tree.regular(node, l) else {
            return false;
        };
        node = next;
    }
    true
}

/// The innermost component that contains `p`, as the length of the prefix
/// of `p` that names it: the deepest node on `p`'s way down through regular
/// fields that has `#compute` (see [`find_components`]), found by walking
/// the tree rather than by building every prefix.
fn owner(tree: &Tree<'_>, p: &Path) -> Option<usize> {
    let mut node = tree.root;
    let mut best = is_component(node).then_some(0);
    for (i, seg) in p.0.iter().enumerate() {
        let Seg::Field(l) = seg else {
            break;
        };
        let Some(next) = tree.regular(node, l) else {
            break;
        };
        node = next;
        if is_component(node) {
            best = Some(i + 1);
        }
    }
    best
}

/// A concrete scalar, or a list of them: a value an export cannot change.
fn settled(node: &Node) -> bool {
    match &node.kind {
        crate::tree::Kind::Scalar(_) => true,
        crate::tree::Kind::List => node.elems.iter().all(settled),
        _ => false,
    }
}

/// Adds to `deps` the components the value at `r` comes from, seen from `c`.
fn resolve<'a>(
    tree: &Tree<'a>,
    c: &Path,
    r: &'a Path,
    seen: &mut BTreeSet<&'a Path>,
    deps: &mut BTreeSet<Path>,
) {
    if !seen.insert(r) {
        return;
    }
    match owner(tree, r).map(|k| &r.0[..k]) {
        Some(o) if o == &c.0[..] => {}
        // A value of a component enclosing `c` that is already known and that
        // no export can change (a concrete scalar, or a list of them) is
        // only input: `file.#Append`'s nested read uses its `filename`,
        // while the enclosing component waits for what the read exports.
        Some(o) if c.0.starts_with(o) && tree.lookup(r).is_some_and(settled) => {}
        // A reference into another component, or into one enclosing `c`.
        Some(o) => {
            deps.insert(Path(o.to_vec()));
        }
        None => {
            // A value outside every component: follow what it is derived from,
            // through its own conjuncts, its ancestors' and its subtree's.
            let mut more: Vec<&'a Path> = Vec::new();
            let mut node = tree.root;
            more.extend(node.refs.iter());
            for seg in &r.0 {
                let next = match seg {
                    Seg::Field(l) => tree.get(node, l),
                    Seg::Index(i) => node.elems.get(*i),
                };
                let Some(next) = next else { break };
                node = next;
                more.extend(node.refs.iter());
            }
            if tree.lookup(r).is_some() {
                collect_refs(node, regular_chain(tree, r), true, &mut more);
            }
            for m in more {
                resolve(tree, c, m, seen, deps);
            }
        }
    }
}
