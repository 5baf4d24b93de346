//! Interned field labels (`Label(u32)`), as the reference's `Feature`: the low
//! three bits give the label's type (regular string, list index, definition,
//! hidden, hidden definition), the rest an index into the string table or the
//! list index itself. Hidden labels are package-scoped in CUE; one evaluation
//! holds one package, so the name alone identifies them here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// An interned label.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Label(pub u32);

/// What kind of label a [`Label`] is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LabelKind {
    /// A regular field (`a`, `"a-b"`).
    String,
    /// A list index.
    Int,
    /// `#a`
    Definition,
    /// `_a`
    Hidden,
    /// `_#a`
    HiddenDefinition,
}

impl Label {
    /// The label's kind.
    pub fn kind(self) -> LabelKind {
        match self.0 & 7 {
            0 => LabelKind::String,
            1 => LabelKind::Int,
            2 => LabelKind::Definition,
            3 => LabelKind::Hidden,
            _ => LabelKind::HiddenDefinition,
        }
    }

    /// A list-index label.
    pub fn index(i: usize) -> Label {
        Label(((i as u32) << 3) | 1)
    }

    /// The list index of an int label.
    pub fn as_index(self) -> Option<usize> {
        (self.kind() == LabelKind::Int).then_some((self.0 >> 3) as usize)
    }

    /// A regular (string) field: not a definition, hidden field or index.
    pub fn is_regular(self) -> bool {
        self.kind() == LabelKind::String
    }

    /// A definition (`#a` or `_#a`).
    pub fn is_def(self) -> bool {
        matches!(
            self.kind(),
            LabelKind::Definition | LabelKind::HiddenDefinition
        )
    }

    /// A hidden field (`_a` or `_#a`).
    pub fn is_hidden(self) -> bool {
        matches!(self.kind(), LabelKind::Hidden | LabelKind::HiddenDefinition)
    }
}

/// The string table for labels.
// plan-api: Clone, so a compiled program can seed many evaluators.
#[derive(Clone, Default, Debug)]
pub struct Labels {
    names: Vec<Rc<str>>,
    index: HashMap<Rc<str>, u32, FastBuild>,
}

impl Labels {
    /// Interns an identifier-style label (`#`/`_` prefixes decide its kind).
    pub fn ident(&mut self, name: &str) -> Label {
        let kind = if name.starts_with("_#") {
            4
        } else if name.starts_with('#') {
            2
        } else if name.starts_with('_') && name.len() > 1 {
            3
        } else {
            0
        };
        self.make(name, kind)
    }

    /// The label `ident(name)` would give, if `name` is interned already
    /// (no new label is made).
    pub fn find_ident(&self, name: &str) -> Option<Label> {
        let kind = if name.starts_with("_#") {
            4
        } else if name.starts_with('#') {
            2
        } else if name.starts_with('_') && name.len() > 1 {
            3
        } else {
            0
        };
        self.index.get(name).map(|&i| Label((i << 3) | kind))
    }

    /// Interns a quoted (always regular) label.
    pub fn string(&mut self, name: &str) -> Label {
        self.make(name, 0)
    }

    fn make(&mut self, name: &str, kind: u32) -> Label {
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                let i = self.names.len() as u32;
                let rc: Rc<str> = Rc::from(name);
                self.names.push(rc.clone());
                self.index.insert(rc, i);
                i
            }
        };
        Label((i << 3) | kind)
    }

    /// The label's text (`"3"` for index 3).
    pub fn name(&self, l: Label) -> String {
        match l.as_index() {
            Some(i) => i.to_string(),
            None => self.names[(l.0 >> 3) as usize].to_string(),
        }
    }

    /// A label as error paths show it: a regular field whose name is not an
    /// identifier, or would read as a definition or hidden field, is quoted
    /// (`deployment."node-exporter"`, `"#dev"`), as the reference does.
    pub fn path_segment(&self, l: Label) -> String {
        let name = self.name(l);
        if l.is_regular()
            && l.as_index().is_none()
            && (!crate::print::is_ident(&name) || name.starts_with(['#', '_']))
        {
            crate::eval::show::quote(&name)
        } else {
            name
        }
    }

    /// The label's text without allocating (not for int labels).
    pub fn str(&self, l: Label) -> &str {
        &self.names[(l.0 >> 3) as usize]
    }
}

/// A fast non-cryptographic hasher (multiply-rotate, as rustc's FxHash) for
/// the evaluator's label maps: their keys come from the program being
/// evaluated, SipHash's flooding resistance buys nothing there, and hashing
/// showed in profiles of large inputs.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`FastHasher`]s (for `HashMap<K, V, FastBuild>`).
pub type FastBuild = BuildHasherDefault<FastHasher>;
