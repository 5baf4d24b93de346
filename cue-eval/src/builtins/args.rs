//! Argument access for data functions. Kinds were checked against the
//! parameters before the call, so a mismatch here is reported, not assumed
//! impossible.

use super::{BuiltinError, Kind};
use crate::data::Data;
use crate::num::Number;
use num_bigint::BigInt;

fn mismatch(args: &[Data], i: usize, expected: Kind) -> BuiltinError {
    match args.get(i) {
        Some(a) => BuiltinError::ArgKind {
            index: i,
            value: short_text(a),
            found: Kind::of(a),
            expected,
        },
        None => BuiltinError::NotEnoughArgs {
            have: args.len(),
            want: i + 1,
        },
    }
}

/// Argument `i` as a string.
pub fn string(args: &[Data], i: usize) -> Result<&str, BuiltinError> {
    match args.get(i) {
        Some(Data::String(s)) => Ok(s),
        _ => Err(mismatch(args, i, Kind::STRING)),
    }
}

/// Argument `i` as bytes (a string gives its UTF-8 bytes).
pub fn bytes(args: &[Data], i: usize) -> Result<&[u8], BuiltinError> {
    match args.get(i) {
        Some(Data::String(s)) => Ok(s.as_bytes()),
        Some(Data::Bytes(b)) => Ok(b),
        _ => Err(mismatch(args, i, Kind::STRING_BYTES)),
    }
}

/// Argument `i` as a number.
pub fn number(args: &[Data], i: usize) -> Result<&Number, BuiltinError> {
    match args.get(i) {
        Some(Data::Number(n)) => Ok(n),
        _ => Err(mismatch(args, i, Kind::NUMBER)),
    }
}

/// Argument `i` as a big integer.
pub fn bigint(args: &[Data], i: usize) -> Result<BigInt, BuiltinError> {
    match args.get(i) {
        Some(Data::Number(n)) if n.is_int_kind() => {
            n.to_bigint().ok_or_else(|| mismatch(args, i, Kind::INT))
        }
        _ => Err(mismatch(args, i, Kind::INT)),
    }
}

/// Argument `i` as an `i64`; larger values are an error like the
/// reference's `int X overflows int64 ...`.
pub fn int(args: &[Data], i: usize) -> Result<i64, BuiltinError> {
    let n = bigint(args, i)?;
    i64::try_from(&n).map_err(|_| {
        BuiltinError::Plain(format!(
            "int {n} overflows int64 in argument {i} in call to {{name}}"
        ))
    })
}

/// Argument `i` as a list.
pub fn list(args: &[Data], i: usize) -> Result<&[Data], BuiltinError> {
    match args.get(i) {
        Some(Data::List(l)) => Ok(l),
        _ => Err(mismatch(args, i, Kind::LIST)),
    }
}

/// Argument `i` as any data.
pub fn any(args: &[Data], i: usize) -> Result<&Data, BuiltinError> {
    args.get(i).ok_or(BuiltinError::NotEnoughArgs {
        have: args.len(),
        want: i + 1,
    })
}

/// The elements of list argument `i` as strings.
pub fn string_list(args: &[Data], i: usize) -> Result<Vec<&str>, BuiltinError> {
    list(args, i)?
        .iter()
        .enumerate()
        .map(|(j, d)| match d {
            Data::String(s) => Ok(s.as_str()),
            other => Err(elem_error(i, j, other, "string")),
        })
        .collect()
}

/// The elements of list argument `i` as numbers.
pub fn number_list(args: &[Data], i: usize) -> Result<Vec<&Number>, BuiltinError> {
    list(args, i)?
        .iter()
        .enumerate()
        .map(|(j, d)| match d {
            Data::Number(n) => Ok(n),
            other => Err(elem_error(i, j, other, "number")),
        })
        .collect()
}

/// The error for a list element of the wrong kind.
pub fn elem_error(arg: usize, elem: usize, d: &Data, expected: &'static str) -> BuiltinError {
    BuiltinError::ListElem {
        arg,
        elem,
        value: short_text(d),
        found: Kind::of(d),
        expected,
    }
}

/// A string result.
pub fn ok_string(s: impl Into<String>) -> Result<Data, BuiltinError> {
    Ok(Data::String(s.into()))
}

/// An int result.
pub fn ok_int(v: impl Into<BigInt>) -> Result<Data, BuiltinError> {
    Ok(Data::Number(Number::from_int(v)))
}

/// A list of strings result.
pub fn ok_strings<S: Into<String>>(v: impl IntoIterator<Item = S>) -> Result<Data, BuiltinError> {
    Ok(Data::List(
        v.into_iter().map(|s| Data::String(s.into())).collect(),
    ))
}

/// Fails unless a string or bytes result of `n` bytes is within
/// [`crate::limits::MAX_VALUE_BYTES`] (checked before building it).
pub fn check_bytes(n: u128) -> Result<(), BuiltinError> {
    let max = crate::limits::MAX_VALUE_BYTES;
    if n > max as u128 {
        return fail(format!(
            "result of {n} bytes is too large (the limit is {max})"
        ));
    }
    Ok(())
}

/// Fails unless a list result of `n` elements is within
/// [`crate::limits::MAX_LIST_ELEMS`] (checked before building it).
pub fn check_elems(n: u128) -> Result<(), BuiltinError> {
    let max = crate::limits::MAX_LIST_ELEMS;
    if n > max as u128 {
        return fail(format!(
            "result of {n} elements is too large (the limit is {max})"
        ));
    }
    Ok(())
}

/// Fails unless an integer result of `n` bits is within
/// [`crate::limits::MAX_INT_BITS`] (checked before building it).
pub fn check_bits(n: u128) -> Result<(), BuiltinError> {
    let max = crate::limits::MAX_INT_BITS;
    if n > max as u128 {
        return fail(format!(
            "result of {n} bits is too large (the limit is {max})"
        ));
    }
    Ok(())
}

/// A call failure (`error in call to ...: msg`).
pub fn fail<T>(msg: impl Into<String>) -> Result<T, BuiltinError> {
    Err(BuiltinError::Call(msg.into()))
}

/// Quotes a string the way CUE (and Go's `strconv.Quote`) does.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_control() => {
                let v = c as u32;
                if v < 0x80 {
                    out.push_str(&format!("\\x{v:02x}"));
                } else if v < 0x10000 {
                    out.push_str(&format!("\\u{v:04x}"));
                } else {
                    out.push_str(&format!("\\U{v:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Compact CUE text of a value, as messages print arguments
/// (`["x","x"]`, `{a:1}`).
pub fn short_text(d: &Data) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Bool(b) => b.to_string(),
        Data::Number(n) => n.to_string(),
        Data::String(s) => quote(s),
        Data::Bytes(b) => {
            let mut out = String::from("'");
            for &c in b.iter() {
                match c {
                    b'\'' => out.push_str("\\'"),
                    b'\\' => out.push_str("\\\\"),
                    b'\n' => out.push_str("\\n"),
                    0x20..=0x7e => out.push(c as char),
                    _ => out.push_str(&format!("\\x{c:02x}")),
                }
            }
            out.push('\'');
            out
        }
        Data::List(l) => {
            let items: Vec<String> = l.iter().map(short_text).collect();
            format!("[{}]", items.join(","))
        }
        Data::Struct(f) => {
            let items: Vec<String> = f
                .iter()
                .map(|(k, v)| format!("{k}:{}", short_text(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
    }
}
