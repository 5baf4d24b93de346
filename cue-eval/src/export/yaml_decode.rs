//! Reading YAML into [`Data`] the way CUE's YAML decoder does
//! (`encoding/yaml.Unmarshal`, `cue import`): scalars keep their text.
//!
//! Events come from yaml-rust2's parser; scalars are resolved with the
//! reference decoder's rules (its `resolve.go`), not YAML 1.2's:
//!
//! - quoted and block scalars are strings, as is anything tagged `!!str`;
//! - `true True TRUE false False FALSE` are bools; `"" ~ null Null NULL`
//!   null; `.inf`, `.nan` and friends are errors (CUE has no such numbers);
//! - text starting with a digit or sign: a date (`2001-12-14`, optionally
//!   with a time) stays a string; then Go integer syntax (`0x1F`, `0o17`,
//!   `017` octal, `0b11`, `_` separators) gives an int; then the YAML float
//!   pattern `[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?` gives a float kept as
//!   written (`1.0`, `-1.50`); `1e3` (no exponent sign) is a string;
//! - text starting with `.` is a float if it reads as one (`.5`);
//! - everything else is a string (`yes`, `on` included).
//!
//! Mapping order is kept; keys are the scalar text; anchors and aliases
//! are expanded; `!!binary` gives bytes.

use crate::data::{Data, DataError};
use crate::num::{NumKind, Number};
use base64::Engine as _;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Parses one YAML document (an empty document is `null`); a stream with
/// more documents is an error.
pub fn decode(text: &str) -> Result<Data, DataError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, true).map_err(|e| DataError {
        message: e.info().to_string(),
        line: e.marker().line() as u32,
        col: e.marker().col() as u32 + 1,
    })?;
    if let Some(err) = b.error {
        return Err(err);
    }
    match b.docs.len() {
        0 => Ok(Data::Null),
        1 => Ok(b.docs.pop().unwrap_or(Data::Null)),
        _ => Err(DataError {
            message: "expected a single YAML document".to_string(),
            line: 0,
            col: 0,
        }),
    }
}

/// An open collection while building.
enum Open {
    List(Vec<Data>, usize),
    Map(Vec<(String, Data)>, Option<String>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    docs: Vec<Data>,
    /// Anchored values and how many values each holds.
    anchors: HashMap<usize, (Data, usize)>,
    /// Values made so far, aliases counted at their full size (a document
    /// of aliases of aliases would otherwise grow exponentially).
    values: usize,
    error: Option<DataError>,
}

/// The error of a document with more than
/// [`crate::limits::MAX_DECODED_VALUES`] values.
fn too_many_values() -> String {
    format!(
        "document has more than {} values (aliases counted in full)",
        crate::limits::MAX_DECODED_VALUES
    )
}

/// The values of `d`, itself included.
fn count_values(d: &Data) -> usize {
    let mut n = 0;
    let mut todo = vec![d];
    while let Some(x) = todo.pop() {
        n += 1;
        match x {
            Data::List(xs) => todo.extend(xs),
            Data::Struct(fs) => todo.extend(fs.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    n
}

impl Builder {
    /// Counts `n` more values; false past the limit.
    fn count(&mut self, n: usize) -> bool {
        self.values = self.values.saturating_add(n);
        self.values <= crate::limits::MAX_DECODED_VALUES
    }

    fn fail(&mut self, message: String, mark: Marker) {
        if self.error.is_none() {
            self.error = Some(DataError {
                message,
                line: mark.line() as u32,
                col: mark.col() as u32 + 1,
            });
        }
    }

    /// Adds a finished value to the innermost collection (or the documents).
    fn push(&mut self, v: Data, anchor: usize, mark: Marker) {
        if anchor > 0 {
            let n = count_values(&v);
            self.anchors.insert(anchor, (v.clone(), n));
        }
        match self.stack.last_mut() {
            None => self.docs.push(v),
            Some(Open::List(items, _)) => items.push(v),
            Some(Open::Map(fields, key, _)) => match key.take() {
                None => match v {
                    Data::String(s) => *key = Some(s),
                    Data::Number(n) => *key = Some(n.to_string()),
                    Data::Bool(b) => *key = Some(b.to_string()),
                    Data::Null => *key = Some("null".to_string()),
                    _ => self.fail("invalid map key: a key must be a scalar".into(), mark),
                },
                Some(k) => match fields.iter_mut().find(|(f, _)| *f == k) {
                    Some(slot) => slot.1 = v,
                    None => fields.push((k, v)),
                },
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        if matches!(
            ev,
            Event::SequenceStart(..) | Event::MappingStart(..) | Event::Scalar(..)
        ) && !self.count(1)
        {
            self.fail(too_many_values(), mark);
            return;
        }
        match ev {
            Event::SequenceStart(anchor, _) => self.stack.push(Open::List(Vec::new(), anchor)),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map(Vec::new(), None, anchor)),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::List(items, anchor)) => self.push(Data::List(items), anchor, mark),
                Some(Open::Map(fields, _, anchor)) => self.push(Data::Struct(fields), anchor, mark),
                None => {}
            },
            Event::Alias(id) => match self.anchors.get(&id).map(|(_, n)| *n) {
                Some(n) if !self.count(n) => self.fail(too_many_values(), mark),
                Some(_) => {
                    let v = self.anchors[&id].0.clone();
                    self.push(v, 0, mark)
                }
                None => self.fail("unknown anchor".into(), mark),
            },
            Event::Scalar(text, style, anchor, tag) => match scalar(&text, style, tag.as_ref()) {
                Ok(v) => self.push(v, anchor, mark),
                Err(message) => self.fail(message, mark),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// The short name of a standard tag (`str` for `!!str`).
fn std_tag(tag: &Tag) -> Option<&str> {
    (tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:").then_some(tag.suffix.as_str())
}

fn scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Result<Data, String> {
    let tag = tag.map(|t| std_tag(t).unwrap_or("?"));
    match tag {
        Some("binary") => {
            let compact: String = text.split_whitespace().collect();
            return base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map(Data::Bytes)
                .map_err(|_| "!!binary value contains invalid base64 data".to_string());
        }
        Some("str") | Some("?") => return Ok(Data::String(text.to_string())),
        _ => {}
    }
    if tag.is_none() && style != TScalarStyle::Plain {
        return Ok(Data::String(text.to_string()));
    }
    match (tag, resolve(text)?) {
        (Some("float"), Data::Number(n)) => Ok(Data::Number(n.with_kind(NumKind::Float))),
        (_, v) => Ok(v),
    }
}

/// The reference decoder's resolution of a plain scalar.
fn resolve(text: &str) -> Result<Data, String> {
    match text {
        "true" | "True" | "TRUE" => return Ok(Data::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Data::Bool(false)),
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Data::Null),
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => {
            return Err(format!(
                "invalid number {text:?}: CUE has no infinities or NaN"
            ))
        }
        _ => {}
    }
    let string = || Ok(Data::String(text.to_string()));
    let number = |t: &str, kind: Option<NumKind>| -> Result<Data, String> {
        let n = Number::parse(t).map_err(|e| e.to_string())?;
        Ok(Data::Number(match kind {
            Some(k) => n.with_kind(k),
            None => n,
        }))
    };
    match text.as_bytes()[0] {
        b'.' => {
            if is_go_float(text) {
                number(text, Some(NumKind::Float))
            } else {
                string()
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            if is_timestamp(text) {
                return string();
            }
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if is_go_int(&plain) {
                // YAML 1.1 octal `017` is CUE's `0o17`.
                let b = text.as_bytes();
                if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() {
                    return number(&format!("0o{}", &text[1..]), Some(NumKind::Int));
                }
                return number(text, Some(NumKind::Int));
            }
            static YAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?$").expect("valid regex")
            });
            if YAML_FLOAT.is_match(&plain) && is_go_float(&plain) {
                return number(text, None);
            }
            for (prefix, neg) in [("0b", false), ("-0b", true)] {
                if let Some(digits) = plain.strip_prefix(prefix) {
                    if let Ok(v) = u64::from_str_radix(digits, 2) {
                        let v = num_bigint::BigInt::from(v);
                        return Ok(Data::Number(Number::from_int(if neg { -v } else { v })));
                    }
                }
            }
            string()
        }
        _ => string(),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` accepting `s`.
fn is_go_int(s: &str) -> bool {
    let (signed, body) = match s.as_bytes().first() {
        Some(b'-' | b'+') => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    match u64::from_str_radix(digits, radix) {
        Ok(v) if signed && s.starts_with('-') => v <= 1 << 63,
        Ok(v) if signed => v <= i64::MAX as u64,
        Ok(_) => true,
        Err(_) => false,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` accepting a decimal `s` (out of range
/// fails, as in Go).
fn is_go_float(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && matches!(s.parse::<f64>(), Ok(v) if v.is_finite())
}

/// The reference's timestamp forms: `YYYY-M-D`, optionally followed by a
/// time (`T`, `t` or space separated), fraction and zone.
fn is_timestamp(s: &str) -> bool {
    static TS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}))|( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]{1,9})?))?$",
        )
        .expect("valid regex")
    });
    TS.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num_text(d: &Data) -> String {
        match d {
            Data::Number(n) => n.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn keeps_order_and_types() {
        let d = decode("b: 1\na:\n  - x\n  - 2.5\n  - true\n  - null\nc: {k: v}\n").unwrap();
        let keys: Vec<&str> = match &d {
            Data::Struct(f) => f.iter().map(|(k, _)| k.as_str()).collect(),
            _ => vec![],
        };
        assert_eq!(keys, ["b", "a", "c"]);
        let Some(Data::List(items)) = d.get("a") else {
            panic!("{d:?}")
        };
        assert_eq!(items[0], Data::String("x".into()));
        assert_eq!(num_text(&items[1]), "2.5");
        assert_eq!(items[2], Data::Bool(true));
        assert_eq!(items[3], Data::Null);
        assert_eq!(
            d.get("c"),
            Some(&Data::Struct(vec![("k".into(), Data::String("v".into()))]))
        );
    }

    #[test]
    fn scalars_resolve_like_the_reference() {
        // Expected values from `cue export` of yaml.Unmarshal (v0.4.3).
        let d = decode(
            "a: 1.0\nb: 123456789012345678901234567890\nc: 1e3\nd: yes\ne: 0x1F\nf: 0o17\ng: 017\nh: .5\ni: ~\nj: 2001-12-14\nk: -1.50\nm: 1_000\no: 0b11\np: 1.5e+3\n",
        )
        .unwrap();
        let want = [
            ("a", "1.0"),
            ("b", "123456789012345678901234567890"),
            ("e", "31"),
            ("f", "15"),
            ("g", "15"),
            ("h", "0.5"),
            ("k", "-1.50"),
            ("m", "1000"),
            ("o", "3"),
            ("p", "1.5E+3"),
        ];
        for (k, v) in want {
            assert_eq!(num_text(d.get(k).unwrap()), v, "field {k}");
        }
        assert_eq!(d.get("c"), Some(&Data::String("1e3".into())));
        assert_eq!(d.get("d"), Some(&Data::String("yes".into())));
        assert_eq!(d.get("i"), Some(&Data::Null));
        assert_eq!(d.get("j"), Some(&Data::String("2001-12-14".into())));
        match d.get("a") {
            Some(Data::Number(n)) => assert_eq!(n.kind(), NumKind::Float),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quoted_tagged_and_aliased() {
        let d = decode("a: \"1\"\nb: '2'\nc: !!str 3\nd: &x {k: 1}\ne: *x\nf: !!binary aGVsbG8=\ng: |\n  text\n").unwrap();
        assert_eq!(d.get("a"), Some(&Data::String("1".into())));
        assert_eq!(d.get("b"), Some(&Data::String("2".into())));
        assert_eq!(d.get("c"), Some(&Data::String("3".into())));
        assert_eq!(d.get("e"), d.get("d"));
        assert_eq!(d.get("f"), Some(&Data::Bytes(b"hello".to_vec())));
        assert_eq!(d.get("g"), Some(&Data::String("text\n".into())));
    }

    #[test]
    fn non_string_keys_and_empty_document() {
        assert_eq!(
            decode("1: a\ntrue: b\n").unwrap(),
            Data::Struct(vec![
                ("1".into(), Data::String("a".into())),
                ("true".into(), Data::String("b".into())),
            ])
        );
        assert_eq!(decode("").unwrap(), Data::Null);
    }

    #[test]
    fn errors_have_positions() {
        let e = decode("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line > 0, "{e:?}");
        assert!(decode("a: .inf\n").is_err());
        assert!(decode("a: 1\n---\nb: 2\n").is_err());
    }
}
