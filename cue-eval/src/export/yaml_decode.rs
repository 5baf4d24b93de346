//! Reading YAML input into [`Data`], through serde_yaml.
//!
//! Mapping order is kept. Numbers come from serde_yaml's int or float
//! value: ints stay exact within 64 bits; floats become the shortest
//! decimal that reads back as the same binary float (so `1.0` reads as the
//! float `1`). Non-string keys use their YAML text (`1: x` gives key `"1"`).

use crate::data::{Data, DataError};
use crate::num::{NumKind, Number};
use serde_yaml::Value;

/// Parses one YAML document (an empty document is `null`).
pub fn decode(text: &str) -> Result<Data, DataError> {
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
        DataError {
            message: e.to_string(),
            line,
            col,
        }
    })?;
    convert(value)
}

fn convert(value: Value) -> Result<Data, DataError> {
    Ok(match value {
        Value::Null => Data::Null,
        Value::Bool(b) => Data::Bool(b),
        Value::Number(n) => Data::Number(number(&n)?),
        Value::String(s) => Data::String(s),
        Value::Sequence(items) => {
            Data::List(items.into_iter().map(convert).collect::<Result<_, _>>()?)
        }
        Value::Mapping(map) => {
            let mut fields: Vec<(String, Data)> = Vec::with_capacity(map.len());
            for (k, v) in map {
                fields.push((key_text(k)?, convert(v)?));
            }
            Data::Struct(fields)
        }
        Value::Tagged(t) => convert(t.value)?,
    })
}

fn number(n: &serde_yaml::Number) -> Result<Number, DataError> {
    if let Some(i) = n.as_i64() {
        return Ok(Number::from_i64(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(Number::from_int(u));
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    Number::from_f64(f)
        .map(|n| n.with_kind(NumKind::Float))
        .ok_or_else(|| DataError {
            message: format!("{f} is not a valid number"),
            line: 0,
            col: 0,
        })
}

fn key_text(k: Value) -> Result<String, DataError> {
    Ok(match k {
        Value::String(s) => s,
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(&n)?.to_string(),
        Value::Tagged(t) => key_text(t.value)?,
        Value::Sequence(_) | Value::Mapping(_) => {
            return Err(DataError {
                message: "invalid map key: a key must be a scalar".to_string(),
                line: 0,
                col: 0,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Data {
        Data::Number(Number::parse(s).unwrap())
    }

    #[test]
    fn keeps_order_and_types() {
        let d = decode("b: 1\na:\n  - x\n  - 2.5\n  - true\n  - null\nc: {k: v}\n").unwrap();
        assert_eq!(
            d,
            Data::Struct(vec![
                ("b".into(), num("1")),
                (
                    "a".into(),
                    Data::List(vec![
                        Data::String("x".into()),
                        num("2.5"),
                        Data::Bool(true),
                        Data::Null
                    ])
                ),
                (
                    "c".into(),
                    Data::Struct(vec![("k".into(), Data::String("v".into()))])
                ),
            ])
        );
        match d.get("a") {
            Some(Data::List(items)) => match &items[1] {
                Data::Number(n) => assert_eq!(n.kind(), NumKind::Float),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
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
    fn syntax_errors_have_positions() {
        let e = decode("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line > 0, "{e:?}");
    }
}
