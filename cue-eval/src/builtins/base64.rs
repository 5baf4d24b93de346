//! `encoding/base64`: standard (padded) encoding; the first argument
//! selects the encoding and must be `null`, the only one supported.

use super::args::{self, fail, ok_int, ok_string};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;
use base64::Engine;

const P: &str = "encoding/base64";
const T: Kind = Kind::TOP;
const I: Kind = Kind::INT;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "EncodedLen", [T, I], I, |a: &[Data]| {
            null_encoding(a)?;
            let n = args::int(a, 1)?;
            // Go int arithmetic: wraps on overflow.
            ok_int((n.wrapping_add(2) / 3).wrapping_mul(4))
        }),
        func!(P, "DecodedLen", [T, I], I, |a: &[Data]| {
            null_encoding(a)?;
            ok_int(args::int(a, 1)? / 4 * 3)
        }),
        func!(
            P,
            "Encode",
            [T, Kind::STRING_BYTES],
            Kind::STRING,
            |a: &[Data]| {
                null_encoding(a)?;
                ok_string(base64::engine::general_purpose::STANDARD.encode(args::bytes(a, 1)?))
            }
        ),
        func!(P, "Decode", [T, Kind::STRING], Kind::STRING_BYTES, decode),
    ],
};

fn null_encoding(a: &[Data]) -> Result<(), BuiltinError> {
    match args::any(a, 0)? {
        Data::Null => Ok(()),
        other => fail(format!(
            "base64: unsupported encoding: cannot use value {} (type {}) as null",
            args::short_text(other),
            Kind::of(other)
        )),
    }
}

fn decode(a: &[Data]) -> R {
    null_encoding(a)?;
    let s = args::string(a, 1)?;
    match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(b) => Ok(Data::Bytes(b)),
        Err(e) => {
            // Go reports the offset of the first offending byte.
            let at = match e {
                base64::DecodeError::InvalidByte(i, _) => i,
                base64::DecodeError::InvalidLastSymbol(i, _) => i,
                base64::DecodeError::InvalidLength(n) => n / 4 * 4,
                base64::DecodeError::InvalidPadding => s.find('=').unwrap_or(s.len()),
            };
            fail(format!("illegal base64 data at input byte {at}"))
        }
    }
}
