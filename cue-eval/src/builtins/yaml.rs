//! `encoding/yaml`: `Marshal` with the exporter's YAML encoder, streams
//! joined by `---`, `Unmarshal` through [`Data::from_yaml`]. `Validate` and
//! `ValidatePartial` need the evaluator.

use super::args::{self, fail, ok_string};
use super::{func, host_func, BuiltinError, Host, HostValue, Kind, Package};
use crate::data::Data;

const P: &str = "encoding/yaml";
const SB: Kind = Kind::STRING_BYTES;
const S: Kind = Kind::STRING;
const T: Kind = Kind::TOP;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "Marshal", [T], S, |a: &[Data]| ok_string(
            args::any(a, 0)?.to_yaml()
        )),
        func!(P, "MarshalStream", [T], S, marshal_stream),
        func!(P, "Unmarshal", [SB], T, unmarshal),
        func!(P, "UnmarshalStream", [SB], T, unmarshal_stream),
        host_func!(
            P,
            "Validate",
            [SB, T],
            Kind::BOOL,
            |h: &mut dyn Host, a: &[HostValue]| { validate(h, a, true) }
        ),
        host_func!(
            P,
            "ValidatePartial",
            [SB, T],
            Kind::BOOL,
            |h: &mut dyn Host, a: &[HostValue]| { validate(h, a, false) }
        ),
    ],
};

fn marshal_stream(a: &[Data]) -> R {
    match args::any(a, 0)? {
        Data::List(items) => {
            let docs: Vec<String> = items.iter().map(Data::to_yaml).collect();
            ok_string(docs.join("---\n"))
        }
        other => fail(format!(
            "cannot use value {} (type {}) as list",
            args::short_text(other),
            Kind::of(other)
        )),
    }
}

fn text(a: &[Data]) -> Result<String, BuiltinError> {
    Ok(String::from_utf8_lossy(args::bytes(a, 0)?).into_owned())
}

fn unmarshal(a: &[Data]) -> R {
    Data::from_yaml(&text(a)?).or_else(|e| fail(yaml_error(&e)))
}

fn yaml_error(e: &crate::data::DataError) -> String {
    if e.line > 0 {
        format!("yaml: line {}: {}", e.line, e.message)
    } else {
        format!("yaml: {}", e.message)
    }
}

/// Splits a YAML stream into documents at `---` lines.
fn documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t.starts_with("--- ") {
            // Content after `--- ` on the marker line starts the document.
            let rest = t.trim_start_matches("---").trim_start();
            let mut doc = rest.to_string();
            if !doc.is_empty() {
                doc.push('\n');
            }
            docs.push(doc);
        } else if t == "..." {
            continue;
        } else if let Some(d) = docs.last_mut() {
            d.push_str(line);
        }
    }
    // A leading `---` leaves an empty first document that is not one.
    if docs.len() > 1 && docs[0].trim().is_empty() {
        docs.remove(0);
    }
    docs
}

fn unmarshal_stream(a: &[Data]) -> R {
    let t = text(a)?;
    if t.trim().is_empty() {
        return Ok(Data::List(Vec::new()));
    }
    let mut out = Vec::new();
    for doc in documents(&t) {
        out.push(Data::from_yaml(&doc).or_else(|e| fail(yaml_error(&e)))?);
    }
    Ok(Data::List(out))
}

fn validate(h: &mut dyn Host, a: &[HostValue], concrete: bool) -> R {
    let t = match h.data(a[0])? {
        Data::String(s) => s,
        Data::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
        other => {
            return Err(BuiltinError::ArgKind {
                index: 0,
                value: args::short_text(&other),
                found: Kind::of(&other),
                expected: SB,
            })
        }
    };
    for doc in documents(&t) {
        let d = Data::from_yaml(&doc).or_else(|e| fail(yaml_error(&e)))?;
        if concrete {
            h.validate(a[1], &d)?;
        } else {
            h.validate_partial(a[1], &d)?;
        }
    }
    Ok(Data::Bool(true))
}
