//! The plan model: what the engine needs to see of an evaluated plan.
//!
//! An evaluator (the real one in [`crate::cue_plan`], or an in-memory fake in
//! tests) presents the plan as a tree of [`Node`]s. Every node says whether it
//! is concrete, carries its fields (definitions and hidden fields included,
//! flagged by [`FieldKind`]) and the paths its own expressions reference, from
//! which the dependency graph is computed.

use crate::path::Path;

/// A concrete scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    /// A number as the evaluator prints it (`42`, `1.5`, `1E+3`); valid JSON.
    Number(String),
    String(String),
    Bytes(Vec<u8>),
}

/// What a node's value is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A struct; its members are in [`Node::fields`].
    Struct,
    /// A list; its elements are in [`Node::elems`].
    List,
    /// A concrete scalar (a struct with definitions and an embedded scalar,
    /// like `{string, #compute: [...]}` after export, is a scalar with fields).
    Scalar(Scalar),
    /// Not concrete yet: a type, a bound, a reference to a missing input.
    Incomplete(String),
    /// An error (`_|_`) with its message.
    Bottom(String),
}

/// How a field is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Regular,
    Definition,
    Hidden,
    /// Optional and not set (`a?: x`).
    Optional,
}

/// A member of a struct.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub label: String,
    pub kind: FieldKind,
    pub node: Node,
}

/// One value of the evaluated plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub fields: Vec<Field>,
    pub elems: Vec<Node>,
    /// Paths referenced by this node's own conjuncts (not those of its fields
    /// or elements, which carry their own).
    pub refs: Vec<Path>,
    /// Where the value was written, `file:line:col` as printed to the user
    /// (empty for values that come from nowhere in particular).
    pub positions: Vec<String>,
}

impl Node {
    /// A node of the given kind with no members or references.
    pub fn new(kind: Kind) -> Node {
        Node {
            kind,
            fields: Vec::new(),
            elems: Vec::new(),
            refs: Vec::new(),
            positions: Vec::new(),
        }
    }

    /// An empty struct.
    pub fn empty_struct() -> Node {
        Node::new(Kind::Struct)
    }

    /// A concrete string.
    pub fn string(s: &str) -> Node {
        Node::new(Kind::Scalar(Scalar::String(s.to_string())))
    }

    /// A concrete number from its text.
    pub fn number(text: &str) -> Node {
        Node::new(Kind::Scalar(Scalar::Number(text.to_string())))
    }

    /// A concrete boolean.
    pub fn bool(b: bool) -> Node {
        Node::new(Kind::Scalar(Scalar::Bool(b)))
    }

    /// A non-concrete value with the reason.
    pub fn incomplete(reason: &str) -> Node {
        Node::new(Kind::Incomplete(reason.to_string()))
    }

    /// A list of the given elements.
    pub fn list(elems: Vec<Node>) -> Node {
        Node {
            elems,
            ..Node::new(Kind::List)
        }
    }

    /// A struct of regular fields.
    pub fn structure<'a>(fields: impl IntoIterator<Item = (&'a str, Node)>) -> Node {
        let mut n = Node::empty_struct();
        for (label, node) in fields {
            n = n.with_field(label, node);
        }
        n
    }

    /// Adds a field; its kind follows the label (`#x` definition, `_x` hidden).
    pub fn with_field(mut self, label: &str, node: Node) -> Node {
        let kind = if label.starts_with('#') {
            FieldKind::Definition
        } else if label.starts_with('_') {
            FieldKind::Hidden
        } else {
            FieldKind::Regular
        };
        self.fields.push(Field {
            label: label.to_string(),
            kind,
            node,
        });
        self
    }

    /// Adds a reference from this node's own expressions.
    pub fn with_ref(mut self, path: Path) -> Node {
        self.refs.push(path);
        self
    }

    /// The field `label` (any kind but unset optional).
    pub fn get(&self, label: &str) -> Option<&Node> {
        self.fields
            .iter()
            .find(|f| f.label == label && f.kind != FieldKind::Optional)
            .map(|f| &f.node)
    }

    /// The node at `path` below this one.
    pub fn lookup(&self, path: &Path) -> Option<&Node> {
        let mut node = self;
        for seg in &path.0 {
            node = match seg {
                crate::path::Seg::Field(l) => node.get(l)?,
                crate::path::Seg::Index(i) => node.elems.get(*i)?,
            };
        }
        Some(node)
    }

    /// The concrete string value, if this node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(Scalar::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The errors (`_|_`) under this node's regular fields and elements, with
    /// their paths (below `at`).
    pub fn errors(&self, at: &Path) -> Vec<(Path, String)> {
        let mut out = Vec::new();
        // The path is built only where an error is found: the engine asks
        // after every fill, and a plan has far more nodes than errors.
        let mut trail: Vec<Step<'_>> = Vec::new();
        self.collect_errors(at, &mut trail, &mut out);
        out
    }

    fn collect_errors<'a>(
        &'a self,
        at: &Path,
        trail: &mut Vec<Step<'a>>,
        out: &mut Vec<(Path, String)>,
    ) {
        if let Kind::Bottom(message) = &self.kind {
            let mut path = at.clone();
            for step in trail.iter() {
                path = match step {
                    Step::Field(l) => path.field(l),
                    Step::Index(i) => path.index(*i),
                };
            }
            out.push((path, message.clone()));
            return;
        }
        for f in self.fields.iter().filter(|f| f.kind == FieldKind::Regular) {
            trail.push(Step::Field(&f.label));
            f.node.collect_errors(at, trail, out);
            trail.pop();
        }
        for (i, e) in self.elems.iter().enumerate() {
            trail.push(Step::Index(i));
            e.collect_errors(at, trail, out);
            trail.pop();
        }
    }

    /// Whether this node and everything under its regular fields and elements is concrete.
    pub fn is_concrete(&self) -> bool {
        match &self.kind {
            Kind::Incomplete(_) | Kind::Bottom(_) => false,
            Kind::Scalar(_) => true,
            Kind::Struct => self
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Regular)
                .all(|f| f.node.is_concrete()),
            Kind::List => self.elems.iter().all(Node::is_concrete),
        }
    }
}

/// One step down from a node, borrowed from the tree.
enum Step<'a> {
    Field(&'a str),
    Index(usize),
}
