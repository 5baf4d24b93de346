//! Concrete CUE data: the tree `cue export` prints.
//!
//! A `Data` value is fully concrete (no constraints, no disjunctions, no
//! definitions or hidden fields). Struct fields keep the output order the
//! evaluator chose (see `order.rs`); encoders never reorder them.

use crate::export;
use crate::num::Number;

/// A concrete value tree: what `cue export` writes as JSON or YAML.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An int or float, kept exact.
    Number(Number),
    /// A (valid UTF-8) string.
    String(String),
    /// A byte string (`'...'` in CUE), base64 in JSON.
    Bytes(Vec<u8>),
    /// A list, in index order.
    List(Vec<Data>),
    /// A struct's regular fields, in output order.
    Struct(Vec<(String, Data)>),
}

/// Input text that is not valid JSON or YAML data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct DataError {
    /// What is wrong.
    pub message: String,
    /// 1-based line of the offending text (0 when unknown).
    pub line: u32,
    /// 1-based column of the offending text (0 when unknown).
    pub col: u32,
}

impl Data {
    /// The text of `cue export --out json`: Go's `json.Encoder` with a
    /// 4-space indent, HTML-escaped strings and a trailing newline.
    pub fn to_json(&self) -> String {
        export::json::encode(self)
    }

    /// The text of `cue export --out yaml` (yaml.v3 layout, 2-space indent).
    pub fn to_yaml(&self) -> String {
        export::yaml::encode(self)
    }

    /// Reads one JSON value, keeping object key order and exact numbers
    /// (`1` is an int, `1.0` and `1e3` are floats, as in CUE).
    pub fn from_json(text: &str) -> Result<Data, DataError> {
        export::json_decode::decode(text)
    }

    /// Reads one YAML document (an empty document is `null`).
    pub fn from_yaml(text: &str) -> Result<Data, DataError> {
        export::yaml_decode::decode(text)
    }

    /// Looks a field up by name in a struct (`None` for other values).
    pub fn get(&self, name: &str) -> Option<&Data> {
        match self {
            Data::Struct(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Value equality that ignores struct field order (numbers compare by
    /// value, so `1` equals `1.0`). Duplicate keys are not expected.
    pub fn same_value(&self, other: &Data) -> bool {
        match (self, other) {
            (Data::Struct(a), Data::Struct(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .find(|(k2, _)| k2 == k)
                            .is_some_and(|(_, v2)| v.same_value(v2))
                    })
            }
            (Data::List(a), Data::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            _ => self == other,
        }
    }

    /// A short name of the value's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Data::Null => "null",
            Data::Bool(_) => "bool",
            Data::Number(n) if n.is_int_kind() => "int",
            Data::Number(_) => "float",
            Data::String(_) => "string",
            Data::Bytes(_) => "bytes",
            Data::List(_) => "list",
            Data::Struct(_) => "struct",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Data {
        Data::Number(Number::parse(s).unwrap())
    }

    #[test]
    fn same_value_ignores_field_order_and_number_text() {
        let a = Data::Struct(vec![("a".into(), num("1")), ("b".into(), num("10.0"))]);
        let b = Data::Struct(vec![("b".into(), num("1E+1")), ("a".into(), num("1"))]);
        assert!(a.same_value(&b));
        assert_ne!(a, b);
        let c = Data::Struct(vec![("a".into(), num("1")), ("c".into(), num("10"))]);
        assert!(!a.same_value(&c));
    }

    #[test]
    fn list_order_matters() {
        let a = Data::List(vec![num("1"), num("2")]);
        let b = Data::List(vec![num("2"), num("1")]);
        assert!(!a.same_value(&b));
    }

    #[test]
    fn get_finds_fields() {
        let a = Data::Struct(vec![("x".into(), Data::Bool(true))]);
        assert_eq!(a.get("x"), Some(&Data::Bool(true)));
        assert_eq!(a.get("y"), None);
        assert_eq!(Data::Null.get("x"), None);
    }
}
